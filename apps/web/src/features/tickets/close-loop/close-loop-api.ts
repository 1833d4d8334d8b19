import { useQuery } from '@tanstack/react-query';
import type {
  TCloseLoopConfig,
  TCloseLoopSettings,
  TStaffComplaintFigures,
  TTicketAppealInput,
  TTicketAppealState,
  TTicketCallback,
  TTicketFaultDecisionInput,
} from '@huifang/shared';
import { api, get, qs } from '../../../api/client.ts';

/** Close-the-loop settings 回访闭环, a ticket's callbacks, the staff appeal 异议申诉 (server: modules/tickets/close-loop, appeal). */
export const CLOSE_LOOP_KEY = ['settings', 'close-loop'] as const;
export const useCloseLoopSettings = () =>
  useQuery({ queryKey: CLOSE_LOOP_KEY, queryFn: () => get<TCloseLoopSettings>('/settings/close-loop') });
export const saveCloseLoopSettings = (body: TCloseLoopConfig) =>
  api<TCloseLoopSettings>('PUT', '/settings/close-loop', body);

export const ticketCallbacksKey = (ticketId: string) => ['tickets', ticketId, 'callbacks'] as const;
export const useTicketCallbacks = (ticketId: string) =>
  useQuery({
    queryKey: ticketCallbacksKey(ticketId),
    queryFn: () => get<{ items: TTicketCallback[] }>(`/tickets/${ticketId}/callbacks`),
  });

export const ticketAppealKey = (ticketId: string) => ['tickets', ticketId, 'appeal'] as const;
export const useTicketAppeal = (ticketId: string) =>
  useQuery({
    queryKey: ticketAppealKey(ticketId),
    queryFn: () => get<TTicketAppealState>(`/tickets/${ticketId}/appeal`),
  });
export const fileTicketAppeal = (ticketId: string, body: TTicketAppealInput) =>
  api<TTicketAppealState>('POST', `/tickets/${ticketId}/appeal`, body);
export const decideTicketFault = (ticketId: string, body: TTicketFaultDecisionInput) =>
  api<TTicketAppealState>('POST', `/tickets/${ticketId}/appeal/decision`, body);

export const useStaffComplaintFigures = (from: string, to: string) =>
  useQuery({
    queryKey: ['ticket-figures', 'staff', from, to],
    queryFn: () => get<{ items: TStaffComplaintFigures[] }>(`/ticket-figures/staff${qs({ from, to })}`),
  });
