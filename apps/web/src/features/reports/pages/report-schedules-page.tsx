import { PlusOutlined } from '@ant-design/icons';
import type { TReportDelivery, TReportSchedule } from '@huifang/shared';
import { App, Button, Card, Drawer, Popconfirm, Space, Table, Tag } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText } from '../../../api/error-text.ts';
import { fmtTime } from '../../../lib/format.ts';
import { can, useMe } from '../../auth/api.ts';
import { useDeliveries, useScheduleActions, useSchedules } from '../api.ts';
import { ScheduleModal } from '../components/schedule-modal.tsx';

/** 定时报表: schedules that e-mail a report's xlsx to chosen users, each with his own scope; delivery history. */
export function ReportSchedulesPage() {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const schedules = useSchedules();
  const { remove, sendNow } = useScheduleActions();
  const canManage = can(useMe().data, 'report:manage');
  const [editing, setEditing] = useState<TReportSchedule | 'new' | null>(null);
  const [history, setHistory] = useState<TReportSchedule | null>(null);
  const when = (s: TReportSchedule) =>
    s.frequency === 'weekly'
      ? `${t('reports.frequencies.weekly')} ${t(`reports.weekdays.${s.weekday}`)} ${s.sendTime}`
      : s.frequency === 'monthly'
        ? `${t('reports.monthlyOn', { day: s.monthDay })} ${s.sendTime}`
        : `${t('reports.frequencies.daily')} ${s.sendTime}`;
  const onSend = async (s: TReportSchedule) => {
    try {
      const r = await sendNow.mutateAsync(s.id);
      const queued = r.deliveries.filter((d) => d.status === 'queued').length;
      void message.success(t('reports.sentNow', { queued, skipped: r.deliveries.length - queued }));
      setHistory(s);
    } catch (e) {
      void message.error(errorText(e, i18n.language));
    }
  };
  return (
    <Card
      title={t('reports.schedulesTitle')}
      extra={
        canManage && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing('new')} data-testid="schedule-new">
            {t('reports.newSchedule')}
          </Button>
        )
      }
    >
      <Table<TReportSchedule>
        rowKey="id"
        size="small"
        data-testid="schedules-table"
        loading={schedules.isLoading}
        dataSource={schedules.data ?? []}
        pagination={false}
        columns={[
          { title: t('reports.scheduleName'), dataIndex: 'name' },
          { title: t('reports.kind'), render: (_, s) => t(`reports.kinds.${s.kind}`) },
          { title: t('reports.when'), render: (_, s) => when(s) },
          { title: t('reports.unit'), dataIndex: 'unitName' },
          { title: t('reports.recipients'), render: (_, s) => s.recipients.map((r) => r.displayName).join('、') },
          {
            title: t('reports.enabled'),
            render: (_, s) => (s.enabled ? <Tag color="green">{t('reports.on')}</Tag> : <Tag>{t('reports.off')}</Tag>),
          },
          { title: t('reports.lastSentAt'), render: (_, s) => fmtTime(s.lastSentAt) },
          {
            title: '',
            render: (_, s) =>
              canManage ? (
                <Space size="small">
                  <Button size="small" type="link" onClick={() => setEditing(s)}>
                    {t('common.edit')}
                  </Button>
                  <Popconfirm title={t('reports.sendNowConfirm')} onConfirm={() => void onSend(s)}>
                    <Button size="small" type="link" data-testid={`schedule-send-${s.name}`}>
                      {t('reports.sendNow')}
                    </Button>
                  </Popconfirm>
                  <Button size="small" type="link" onClick={() => setHistory(s)}>
                    {t('reports.history')}
                  </Button>
                  <Popconfirm
                    title={t('reports.deleteConfirm')}
                    onConfirm={() =>
                      remove.mutate(s.id, { onError: (e) => void message.error(errorText(e, i18n.language)) })
                    }
                  >
                    <Button size="small" type="link" danger>
                      {t('common.delete')}
                    </Button>
                  </Popconfirm>
                </Space>
              ) : (
                <Button size="small" type="link" onClick={() => setHistory(s)}>
                  {t('reports.history')}
                </Button>
              ),
          },
        ]}
      />
      {editing && <ScheduleModal schedule={editing} onClose={() => setEditing(null)} />}
      {history && <DeliveriesDrawer schedule={history} onClose={() => setHistory(null)} />}
    </Card>
  );
}

function DeliveriesDrawer({ schedule, onClose }: { schedule: TReportSchedule; onClose: () => void }) {
  const { t } = useTranslation();
  const deliveries = useDeliveries(schedule.id);
  return (
    <Drawer open width={720} title={t('reports.historyOf', { name: schedule.name })} onClose={onClose}>
      <Table<TReportDelivery>
        rowKey="id"
        size="small"
        data-testid="deliveries-table"
        loading={deliveries.isLoading}
        dataSource={deliveries.data ?? []}
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        columns={[
          { title: t('reports.period.label'), render: (_, d) => `${d.periodFrom} ~ ${d.periodTo}` },
          { title: t('reports.recipient'), dataIndex: 'recipientName' },
          {
            title: t('reports.status'),
            render: (_, d) =>
              d.status === 'queued' ? (
                <Tag color="blue">{t(`reports.outbox.${d.outboxStatus ?? 'queued'}`, d.outboxStatus ?? '')}</Tag>
              ) : (
                <Tag color="orange">{t(`reports.skip.${d.error ?? 'unknown'}`, d.error ?? '')}</Tag>
              ),
          },
          { title: t('reports.createdAt'), render: (_, d) => fmtTime(d.createdAt) },
        ]}
      />
    </Drawer>
  );
}
