import type { TTicketEvent } from '@huifang/shared';
import { Tag, Timeline, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { fmtTime } from '../../../lib/format.ts';

const COLOR: Partial<Record<TTicketEvent['type'], string>> = {
  created: 'blue',
  resolve: 'green',
  close: 'gray',
  reopen: 'orange',
  escalate: 'red',
  sla_warning: 'orange',
  sla_breached: 'red',
};

const str = (v: unknown) => (typeof v === 'string' ? v : null);

/** 处理记录: every event of the ticket, oldest first, with who did it and what it carried. */
export function TicketTimeline({ events }: { events: TTicketEvent[] }) {
  const { t } = useTranslation();
  const label = (e: TTicketEvent) =>
    (
      ['assign', 'start', 'wait_customer', 'customer_replied', 'resolve', 'close', 'reopen', 'escalate'] as string[]
    ).includes(e.type)
      ? t(`tickets.actions.${e.type}`)
      : t(`tickets.events.${e.type}`);
  return (
    <Timeline
      data-testid="ticket-timeline"
      // sla_checkpoint events freeze the SLA clock's used time (tickets/sla/derive.ts): bookkeeping, not history.
      items={events
        .filter((e) => e.type !== 'sla_checkpoint')
        .map((e) => {
          const p = e.payload;
          const text = str(p.text);
          const reason = str(p.reason);
          const assignee = str(p.assigneeName);
          return {
            key: e.id,
            color: COLOR[e.type] ?? 'blue',
            children: (
              <div data-testid={`event-${e.type}`}>
                <Typography.Text strong>{label(e)}</Typography.Text>{' '}
                <Typography.Text type="secondary">
                  {e.actorName ?? t('tickets.detail.system')} · {fmtTime(e.at)}
                </Typography.Text>
                {e.toStatus && e.fromStatus !== e.toStatus && (
                  <Tag style={{ marginLeft: 8 }}>{t(`tickets.status.${e.toStatus}`)}</Tag>
                )}
                {p.internal === true && <Tag color="gold">{t('tickets.detail.internalTag')}</Tag>}
                {assignee && (e.type === 'assign' || e.type === 'escalate' || e.type === 'created') && (
                  <div>{t('tickets.detail.toAssignee', { name: assignee })}</div>
                )}
                {e.type === 'escalate' && typeof p.level === 'number' && (
                  <div>{t('tickets.detail.levelTo', { level: t(`tickets.level.${p.level}`) })}</div>
                )}
                {(e.type === 'priority_changed' || e.type === 'category_changed') && (
                  <div>
                    {t(`tickets.${e.type === 'priority_changed' ? 'priority' : 'category'}.${str(p.from)}`)} →{' '}
                    {t(`tickets.${e.type === 'priority_changed' ? 'priority' : 'category'}.${str(p.to)}`)}
                  </div>
                )}
                {e.type === 'attachment' && <div>{str(p.fileName)}</div>}
                {text && (
                  <Typography.Paragraph style={{ whiteSpace: 'pre-wrap', margin: 0 }}>{text}</Typography.Paragraph>
                )}
                {reason && (
                  <Typography.Paragraph style={{ whiteSpace: 'pre-wrap', margin: 0 }}>
                    {t(e.type === 'resolve' ? 'tickets.detail.resolutionLabel' : 'tickets.detail.reasonLabel', {
                      text: reason,
                    })}
                  </Typography.Paragraph>
                )}
              </div>
            ),
          };
        })}
    />
  );
}
