import { keepPreviousData, useQuery } from '@tanstack/react-query';
import type {
  TMessageStatus,
  TOutboxMessage,
  TPlanMessageStats,
  TSmsReceiptToken,
  TSmsSettings,
  TSmsSettingsInput,
} from '@huifang/shared';
import { get, patch, post, qs } from '../../api/client.ts';

export type TOutboxPage = {
  items: TOutboxMessage[];
  total: number;
  page: number;
  pageSize: number;
  smtpConfigured: boolean;
  counts: Record<string, number>;
};

export const useOutbox = (q: { page: number; pageSize: number; status?: TMessageStatus; channel?: 'email' | 'sms' }) =>
  useQuery({
    queryKey: ['outbox', q],
    queryFn: () => get<TOutboxPage>(`/outbox${qs(q)}`),
    placeholderData: keepPreviousData,
    refetchInterval: 15_000,
  });

export const requeueMessage = (id: string) => post<TOutboxMessage>(`/outbox/${id}/requeue`);

export const useSmsSettings = (enabled: boolean) =>
  useQuery({ queryKey: ['sms-settings'], queryFn: () => get<TSmsSettings>('/settings/sms'), enabled });
export const saveSmsSettings = (body: Partial<TSmsSettingsInput>) => patch<TSmsSettings>('/settings/sms', body);

/** A new receipt webhook token with the provider URLs (shown once; the old URLs stop working). */
export const rotateReceiptToken = () => post<TSmsReceiptToken>('/settings/sms/receipt-token');

/** Messages of a plan's automatic sends by outcome (plan KPIs). */
export const usePlanMessageStats = (planId: string | undefined) =>
  useQuery({
    queryKey: ['followup', 'message-stats', planId],
    queryFn: () => get<TPlanMessageStats>(`/followup/plans/${planId}/message-stats`),
    enabled: Boolean(planId),
  });
