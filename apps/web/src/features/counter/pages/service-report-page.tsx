import { DownloadOutlined } from '@ant-design/icons';
import {
  SESSION_REPORT_GROUPS,
  type TSessionReportQuery,
  type TSessionReportRow,
  type TTopMarkOutlier,
} from '@huifang/shared';
import { Alert, Card, DatePicker, Segmented, Space, Table } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { errorText } from '../../../api/error-text.ts';
import { TIME_ZONE } from '../../../lib/format.ts';
import { reportUrl, useOutliers, useSessionReport } from '../api.ts';
import { fmtDuration } from './counter-page.tsx';
import { DownloadButton } from '../../../lib/download-button.tsx';
import { can, useMe } from '../../auth/api.ts';
import { StaffComplaintsCard } from '../../tickets/components/appeal-staff-complaints-card.tsx';

const pct = (v: number | null) => (v === null ? '—' : `${(v * 100).toFixed(2)}%`);

/** 服务统计: customer flow, handling time and satisfaction per outlet / staff / day, xlsx, top-mark outliers. */
export function ServiceReportPage() {
  const { t, i18n } = useTranslation();
  const [range, setRange] = useState<[Dayjs, Dayjs]>([
    dayjs().tz(TIME_ZONE).subtract(29, 'day').startOf('day'),
    dayjs().tz(TIME_ZONE).endOf('day'),
  ]);
  const [groupBy, setGroupBy] = useState<TSessionReportQuery['groupBy']>('outlet');
  const q: TSessionReportQuery = {
    groupBy,
    from: range[0].startOf('day').toISOString(),
    to: range[1].endOf('day').toISOString(),
  };
  const report = useSessionReport(q);
  const canSeeComplaints = can(useMe().data, 'ticket:read');
  const outliers = useOutliers();
  const evalLink = (r: TSessionReportRow) => {
    const day = groupBy === 'day' ? dayjs.tz(r.key, TIME_ZONE) : null;
    const from = day ? day.startOf('day').toISOString() : q.from;
    const to = day ? day.endOf('day').toISOString() : q.to;
    const who = groupBy === 'staff' ? `&staffId=${r.key}` : groupBy === 'outlet' ? `&unitId=${r.key}` : '';
    return `/evaluations?channel=kiosk&from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}${who}`;
  };

  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      <Card
        title={t('serviceReport.title')}
        extra={
          <DownloadButton icon={<DownloadOutlined />} url={reportUrl(q, true)} data-testid="report-xlsx">
            {t('serviceReport.export')}
          </DownloadButton>
        }
      >
        <Space wrap style={{ marginBottom: 16 }}>
          <DatePicker.RangePicker
            value={range}
            allowClear={false}
            onChange={(v) => v?.[0] && v[1] && setRange([v[0], v[1]])}
          />
          <Segmented
            value={groupBy}
            onChange={(v) => setGroupBy(v as TSessionReportQuery['groupBy'])}
            options={SESSION_REPORT_GROUPS.map((g) => ({ value: g, label: t(`serviceReport.by.${g}`) }))}
          />
        </Space>
        {report.isError && (
          <Alert
            type="error"
            showIcon
            style={{ marginBottom: 12 }}
            message={errorText(report.error, i18n.language)}
            data-testid="report-error"
          />
        )}
        <Table<TSessionReportRow>
          rowKey="key"
          size="small"
          loading={report.isLoading}
          dataSource={report.data?.rows ?? []}
          pagination={{ pageSize: 31, hideOnSinglePage: true }}
          columns={[
            { title: t(`serviceReport.by.${groupBy}`), dataIndex: 'label' },
            { title: t('serviceReport.sessions'), dataIndex: 'sessions', align: 'right' },
            {
              title: t('serviceReport.avgHandling'),
              align: 'right',
              render: (_, r) => fmtDuration(r.avgHandlingSeconds),
            },
            { title: t('serviceReport.rated'), dataIndex: 'rated', align: 'right' },
            { title: t('serviceReport.unrated'), dataIndex: 'unrated', align: 'right' },
            { title: t('serviceReport.avgScore'), align: 'right', render: (_, r) => r.avgScore?.toFixed(2) ?? '—' },
            { title: t('serviceReport.satisfaction'), align: 'right', render: (_, r) => pct(r.satisfaction) },
            {
              title: t('serviceReport.unsatisfied'),
              align: 'right',
              render: (_, r) => (r.unsatisfied ? <Link to={`${evalLink(r)}&score=1`}>{r.unsatisfied}</Link> : 0),
            },
            { title: '', render: (_, r) => <Link to={evalLink(r)}>{t('serviceReport.evaluations')}</Link> },
          ]}
        />
      </Card>
      <Card title={t('serviceReport.outliers')} size="small">
        <Alert type="info" showIcon style={{ marginBottom: 12 }} message={t('serviceReport.outlierRule')} />
        <Table<TTopMarkOutlier>
          rowKey="staffId"
          size="small"
          pagination={false}
          loading={outliers.isLoading}
          dataSource={outliers.data?.items ?? []}
          columns={[
            { title: t('serviceReport.by.staff'), dataIndex: 'staffName' },
            { title: t('serviceReport.by.outlet'), dataIndex: 'outletName' },
            { title: t('serviceReport.ratings'), dataIndex: 'ratings', align: 'right' },
            { title: t('serviceReport.topShare'), align: 'right', render: (_, r) => pct(r.topShare) },
            {
              title: t('serviceReport.peerMean'),
              align: 'right',
              render: (_, r) => `${pct(r.outletMean)} ± ${pct(r.outletStddev)}`,
            },
            {
              title: '',
              render: (_, r) => (
                <Link
                  to={`/evaluations?channel=kiosk&staffId=${r.staffId}&score=5&from=${encodeURIComponent(outliers.data?.since ?? '')}`}
                >
                  {t('serviceReport.evaluations')}
                </Link>
              ),
            },
          ]}
        />
      </Card>
      {canSeeComplaints && (
        <StaffComplaintsCard
          from={range[0].tz(TIME_ZONE).format('YYYY-MM-DD')}
          to={range[1].tz(TIME_ZONE).format('YYYY-MM-DD')}
        />
      )}
    </Space>
  );
}
