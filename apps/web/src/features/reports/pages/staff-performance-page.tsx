import { DownloadOutlined, PrinterOutlined } from '@ant-design/icons';
import type { TStaffPerformanceQuery, TStaffPerformanceRow } from '@huifang/shared';
import { Alert, Button, Card, DatePicker, Space, Table, TreeSelect } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import dayjs, { type Dayjs } from 'dayjs';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { errorText } from '../../../api/error-text.ts';
import { DownloadButton } from '../../../lib/download-button.tsx';
import { TIME_ZONE } from '../../../lib/format.ts';
import { buildTree, useUnits } from '../../org/api.ts';
import { staffPerformanceUrl, useStaffPerformance } from '../api.ts';

export const fmtPct = (v: number | null) => (v === null ? '—' : `${v.toFixed(1)}%`);
export const fmtSeconds = (v: number | null) =>
  v === null ? '—' : `${Math.floor(v / 60)}:${String(v % 60).padStart(2, '0')}`;

/** The staff performance columns (shared by this page and the printable report). */
export function staffColumns(t: (k: string) => string, sortable: boolean): ColumnsType<TStaffPerformanceRow> {
  const num = (key: keyof TStaffPerformanceRow, title: string, render?: (v: number | null) => string) => ({
    key,
    title,
    dataIndex: key,
    align: 'right' as const,
    render: render ? (v: number | null) => render(v) : undefined,
    sorter: sortable
      ? (a: TStaffPerformanceRow, b: TStaffPerformanceRow) =>
          ((a[key] as number | null) ?? -1) - ((b[key] as number | null) ?? -1)
      : undefined,
  });
  return [
    { key: 'staffNo', title: t('reports.staffNo'), dataIndex: 'staffNo' },
    { key: 'staffName', title: t('reports.staffName'), dataIndex: 'staffName' },
    { key: 'unitName', title: t('reports.unitName'), dataIndex: 'unitName' },
    num('evaluations', t('reports.evaluations')),
    num('satisfactionRate', t('reports.satisfactionRate'), fmtPct),
    num('avgScore', t('reports.avgScore'), (v) => (v === null ? '—' : v.toFixed(2))),
    num('unsatisfied', t('reports.unsatisfied')),
    num('sessions', t('reports.sessions')),
    num('avgHandlingSeconds', t('reports.avgHandling'), fmtSeconds),
    num('followupsDone', t('reports.followupsDone')),
    num('complaintsAtFault', t('reports.complaintsAtFault')),
  ];
}

/** 员工绩效: per staff member of a unit (tree picker) over a date range; sortable; xlsx with the filters on the sheet. */
export function StaffPerformancePage() {
  const { t, i18n } = useTranslation();
  const units = useUnits().data ?? [];
  const tree = useMemo(() => buildTree(units), [units]);
  const [unitId, setUnitId] = useState<string | undefined>();
  const [range, setRange] = useState<[Dayjs, Dayjs]>([dayjs().tz(TIME_ZONE).startOf('month'), dayjs().tz(TIME_ZONE)]);
  const q: TStaffPerformanceQuery = {
    ...(unitId ? { unitId } : {}),
    from: range[0].format('YYYY-MM-DD'),
    to: range[1].format('YYYY-MM-DD'),
  };
  const report = useStaffPerformance(q);
  const printUrl = `/reports/print?period=month&date=${q.from}${unitId ? `&unitId=${unitId}` : ''}`;
  return (
    <Card
      title={t('reports.staffTitle')}
      extra={
        <Space>
          <Link to={printUrl}>
            <Button icon={<PrinterOutlined />}>{t('reports.printReport')}</Button>
          </Link>
          <DownloadButton icon={<DownloadOutlined />} url={staffPerformanceUrl(q, true)} data-testid="staff-xlsx">
            {t('reports.export')}
          </DownloadButton>
        </Space>
      }
    >
      <Space wrap style={{ marginBottom: 16 }}>
        {tree.length > 0 && (
          <TreeSelect
            data-testid="staff-unit"
            placeholder={t('reports.unit')}
            allowClear
            treeData={tree}
            value={unitId}
            onChange={(v?: string) => setUnitId(v)}
            treeDefaultExpandAll
            style={{ width: 240 }}
            showSearch
            treeNodeFilterProp="title"
          />
        )}
        <DatePicker.RangePicker
          value={range}
          allowClear={false}
          onChange={(v) => v?.[0] && v[1] && setRange([v[0], v[1]])}
        />
      </Space>
      {report.isError && (
        <Alert
          type="error"
          showIcon
          style={{ marginBottom: 12 }}
          message={errorText(report.error, i18n.language)}
          data-testid="staff-error"
        />
      )}
      <Table<TStaffPerformanceRow>
        data-testid="staff-table"
        rowKey="staffId"
        size="small"
        loading={report.isFetching}
        dataSource={report.data?.rows ?? []}
        pagination={{ pageSize: 50, hideOnSinglePage: true }}
        columns={staffColumns(t, true)}
        scroll={{ x: 'max-content' }}
      />
      <Alert type="info" showIcon style={{ marginTop: 12 }} message={t('reports.staffNote')} />
    </Card>
  );
}
