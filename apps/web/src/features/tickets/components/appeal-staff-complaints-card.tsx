import type { TStaffComplaintFigures } from '@huifang/shared';
import { Card, Table, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { useStaffComplaintFigures } from '../close-loop/close-loop-api.ts';

/**
 * 员工投诉: complaints per staff member in a period — received, upheld (only the supervision team's "at fault"
 * decision counts against the staff member), found not at fault, mean hours to resolution, SLA breaches.
 */
export function StaffComplaintsCard({ from, to }: { from: string; to: string }) {
  const { t } = useTranslation();
  const { data, isLoading } = useStaffComplaintFigures(from, to);
  return (
    <Card title={t('closeLoop.figures.title')} data-testid="staff-complaints">
      <Typography.Paragraph type="secondary">{t('closeLoop.figures.hint')}</Typography.Paragraph>
      <Table<TStaffComplaintFigures>
        size="small"
        rowKey="staffId"
        loading={isLoading}
        dataSource={data?.items ?? []}
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        columns={[
          { title: t('closeLoop.figures.staff'), dataIndex: 'staffName', render: (v: string | null) => v ?? '—' },
          { title: t('closeLoop.figures.received'), dataIndex: 'received', align: 'right' },
          { title: t('closeLoop.figures.upheld'), dataIndex: 'upheld', align: 'right' },
          { title: t('closeLoop.figures.noFault'), dataIndex: 'noFault', align: 'right' },
          {
            title: t('closeLoop.figures.meanHours'),
            dataIndex: 'meanResolutionHours',
            align: 'right',
            render: (v: number | null) => (v === null ? '—' : v.toFixed(2)),
          },
          { title: t('closeLoop.figures.slaBreaches'), dataIndex: 'slaBreaches', align: 'right' },
        ]}
      />
    </Card>
  );
}
