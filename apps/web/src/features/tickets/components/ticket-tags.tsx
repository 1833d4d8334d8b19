import type { TTicket } from '@huifang/shared';
import { Tag } from 'antd';
import { useTranslation } from 'react-i18next';

export const STATUS_COLOR: Record<string, string> = {
  new: 'blue',
  assigned: 'geekblue',
  in_progress: 'processing',
  waiting_customer: 'purple',
  resolved: 'green',
  closed: 'default',
  reopened: 'orange',
};
export const PRIORITY_COLOR: Record<string, string> = {
  urgent: 'red',
  high: 'volcano',
  normal: 'blue',
  low: 'default',
};
export const SLA_COLOR: Record<string, string> = {
  ok: 'green',
  warning: 'gold',
  breached: 'red',
  paused: 'default',
  met: 'cyan',
};
/** Card border per SLA state on the board. */
export const SLA_BORDER: Record<string, string> = {
  ok: '#b7eb8f',
  warning: '#faad14',
  breached: '#ff4d4f',
  paused: '#d9d9d9',
  met: '#87e8de',
};

export function StatusTag({ status }: { status: TTicket['status'] }) {
  const { t } = useTranslation();
  return <Tag color={STATUS_COLOR[status]}>{t(`tickets.status.${status}`)}</Tag>;
}
export function PriorityTag({ priority }: { priority: TTicket['priority'] }) {
  const { t } = useTranslation();
  return <Tag color={PRIORITY_COLOR[priority]}>{t(`tickets.priority.${priority}`)}</Tag>;
}
export function SlaTag({ state }: { state: TTicket['slaState'] }) {
  const { t } = useTranslation();
  return (
    <Tag color={SLA_COLOR[state]} data-testid={`sla-${state}`}>
      {t(`tickets.sla.${state}`)}
    </Tag>
  );
}
