import { useQuery } from '@tanstack/react-query';
import {
  followupPlanFields,
  type TBusinessCalendarYear,
  type TCalendarDay,
  type TCalendarDayInput,
  type TContactPolicyInput,
  type TContactPolicySettings,
  type TEvaluationPolicyInput,
  type TEvaluationPolicySettings,
  type TTicketSlaSettings,
  type TTicketSlaSettingsInput,
} from '@huifang/shared';
import { api, del, get, qs } from '../../api/client.ts';

export { CALENDAR_COVERAGE_KEY, useCalendarCoverage } from './calendar-coverage-api.ts';

export const POLICY_KEY = ['settings', 'contact-policy'] as const;
export const CALENDAR_KEY = ['settings', 'calendar'] as const;
export const EVALUATION_POLICY_KEY = ['settings', 'evaluation-policy'] as const;
export const TICKET_SLA_KEY = ['settings', 'ticket-sla'] as const;

/** The tenant's contact policy (everyone signed in may read it: the plan form is pre-filled from it). */
export const useContactPolicy = () =>
  useQuery({
    queryKey: POLICY_KEY,
    queryFn: () => get<TContactPolicySettings>('/settings/contact-policy'),
    staleTime: 60_000,
  });
export const saveContactPolicy = (body: TContactPolicyInput) =>
  api<TContactPolicySettings>('PUT', '/settings/contact-policy', body);

/** The tenant's 不满意提醒阈值 (evaluation alerts). */
export const useEvaluationPolicy = () =>
  useQuery({
    queryKey: EVALUATION_POLICY_KEY,
    queryFn: () => get<TEvaluationPolicySettings>('/settings/evaluation-policy'),
  });
export const saveEvaluationPolicy = (body: TEvaluationPolicyInput) =>
  api<TEvaluationPolicySettings>('PUT', '/settings/evaluation-policy', body);

export const useCalendar = (year: number) =>
  useQuery({
    queryKey: [...CALENDAR_KEY, year],
    queryFn: () => get<TBusinessCalendarYear>(`/settings/calendar${qs({ year })}`),
  });
export const setCalendarDay = (date: string, body: TCalendarDayInput) =>
  api<TCalendarDay>('PUT', `/settings/calendar/days/${date}`, body);
export const removeCalendarDay = (date: string) => del<{ ok: true }>(`/settings/calendar/days/${date}`);

/**
 * A new plan's contact hours and gap from the tenant policy: quiet 21 → 9 = contact 9 → 21 (quiet from 0 = until 24).
 * Plans keep a window inside one day; a tenant whose contact hours wrap midnight gets quietTo → 24. A plan's gap is
 * at most what the plan form allows (90 days; the sender still applies the tenant's longer gap to messages).
 */
export function planContactDefaults(p: TContactPolicySettings | undefined): {
  contactFromHour: number;
  contactToHour: number;
  minGapDays: number;
} {
  if (!p) return { contactFromHour: 9, contactToHour: 21, minGapDays: 7 };
  const to = p.quietFromHour === 0 ? 24 : p.quietFromHour;
  return {
    contactFromHour: p.quietToHour,
    contactToHour: p.quietToHour < to ? to : 24,
    minGapDays: Math.min(p.minGapDays, followupPlanFields.minGapDays.maxValue ?? 90),
  };
}

/** The tenant's ticket SLA targets 工单时限 per priority (working minutes). */
export const useTicketSla = () =>
  useQuery({ queryKey: TICKET_SLA_KEY, queryFn: () => get<TTicketSlaSettings>('/settings/ticket-sla') });
export const saveTicketSla = (body: TTicketSlaSettingsInput) =>
  api<TTicketSlaSettings>('PUT', '/settings/ticket-sla', body);

/** How far the business calendar reaches (the admin is warned 60 days before it runs out). */
