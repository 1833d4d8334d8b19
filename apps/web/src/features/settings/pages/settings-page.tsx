import { Card } from 'antd';
import { useTranslation } from 'react-i18next';
import { can, useMe } from '../../auth/api.ts';
import { CalendarCard } from '../components/calendar-card.tsx';
import { ContactPolicyCard } from '../components/contact-policy-card.tsx';
import { EvaluationPolicyCard } from '../components/evaluation-policy-card.tsx';
import { TicketSlaCard } from '../components/ticket-sla-card.tsx';
import { CloseLoopSettingsCard } from '../../tickets/components/close-loop-settings-card.tsx';
import { TicketPolicyCard } from '../../tickets/components/ticket-policy-card.tsx';

/** 系统设置: the tenant's contact policy 联系策略, evaluation alerts 评价提醒, ticket SLA 工单时限 and business calendar 工作日历. */
export function SettingsPage() {
  const { t } = useTranslation();
  const canWrite = can(useMe().data, 'settings:write');
  return (
    <Card title={t('menu.settings')}>
      <ContactPolicyCard canWrite={canWrite} />
      <EvaluationPolicyCard canWrite={canWrite} />
      <TicketSlaCard canWrite={canWrite} />
      <CloseLoopSettingsCard canWrite={canWrite} />
      <TicketPolicyCard canWrite={canWrite} />
      <CalendarCard canWrite={canWrite} />
    </Card>
  );
}
