import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type {
  TCounterQueue,
  TQueueBoard,
  TQueueOutlets,
  TQueuePublicTicket,
  TQueueSetup,
  TQueueSetupInput,
  TQueueTicket,
  TTakeTicketInput,
  TTransferInput,
} from '@huifang/shared';
import { get, post, request } from '../../api/client.ts';

const KEY = ['queue'] as const;

// ---- the manager: outlet set-up 排队设置 ---------------------------------------------------------------------------
export const useQueueOutlets = () =>
  useQuery({ queryKey: [...KEY, 'outlets'], queryFn: () => get<TQueueOutlets>('/queue/outlets') });
export const useQueueSetup = (outletId: string | undefined) =>
  useQuery({
    queryKey: [...KEY, 'setup', outletId],
    queryFn: () => get<TQueueSetup>(`/queue/outlets/${outletId}/setup`),
    enabled: !!outletId,
  });
export function useSaveQueueSetup(outletId: string | undefined) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: TQueueSetupInput) =>
      request<TQueueSetup>('PUT', `/queue/outlets/${outletId}/setup`, { body: input }),
    onSuccess: () => qc.invalidateQueries({ queryKey: KEY }),
  });
}

// ---- the counter page: calling 叫号 --------------------------------------------------------------------------------
export const useCounterQueue = (counterId: string | undefined) =>
  useQuery({
    queryKey: [...KEY, 'counter', counterId],
    queryFn: () => get<TCounterQueue>(`/queue/counters/${counterId}`),
    enabled: !!counterId,
    refetchInterval: 5000,
  });
export function useCallActions() {
  const qc = useQueryClient();
  // The call opens (and skip/transfer close) a service session: the counter page's own state changes too.
  const done = () =>
    Promise.all([qc.invalidateQueries({ queryKey: KEY }), qc.invalidateQueries({ queryKey: ['counter'] })]);
  return {
    next: useMutation({
      mutationFn: (counterId: string) => post<TQueueTicket>(`/queue/counters/${counterId}/call-next`),
      onSuccess: done,
    }),
    recall: useMutation({
      mutationFn: (id: string) => post<TQueueTicket>(`/queue/tickets/${id}/recall`),
      onSuccess: done,
    }),
    skip: useMutation({ mutationFn: (id: string) => post<TQueueTicket>(`/queue/tickets/${id}/skip`), onSuccess: done }),
    transfer: useMutation({
      mutationFn: ({ id, to }: { id: string; to: TTransferInput }) =>
        post<TQueueTicket>(`/queue/tickets/${id}/transfer`, to),
      onSuccess: done,
    }),
  };
}

// ---- public: take a number 取号 (no session) ------------------------------------------------------------------------
const publicCall = <T>(method: string, url: string, body?: unknown, headers?: Record<string, string>) =>
  request<T>(method, url, { body, headers, isSessionCall: false, credentials: 'omit' });

export const useQueueBoard = (token: string) =>
  useQuery({
    queryKey: [...KEY, 'board', token],
    queryFn: () => publicCall<TQueueBoard>('GET', `/queue/take/${token}`),
    refetchInterval: 10_000,
  });
export const takeTicket = (token: string, input: TTakeTicketInput, idempotencyKey: string) =>
  publicCall<TQueuePublicTicket>('POST', `/queue/take/${token}/tickets`, input, { 'idempotency-key': idempotencyKey });
export const usePublicTicket = (id: string | null) =>
  useQuery({
    queryKey: [...KEY, 'ticket', id],
    queryFn: () => publicCall<TQueuePublicTicket>('GET', `/queue/tickets/${id}/public`),
    enabled: !!id,
    refetchInterval: 5000,
  });
