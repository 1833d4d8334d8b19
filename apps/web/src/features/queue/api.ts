import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import type {
  TDisplayCode,
  TDisplayState,
  TQueueDisplay,
  TQueueNoticesInput,
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
/** The customer's ticket, live: the SSE stream pushes each change; a slow poll covers a dropped stream. */
export function usePublicTicket(id: string | null) {
  const qc = useQueryClient();
  const key = [...KEY, 'ticket', id];
  useEffect(() => {
    if (!id) return;
    const es = new EventSource(`/api/queue/tickets/${id}/events`);
    es.addEventListener('state', (e) =>
      qc.setQueryData([...KEY, 'ticket', id], JSON.parse((e as MessageEvent<string>).data) as TQueuePublicTicket),
    );
    return () => es.close();
  }, [id, qc]);
  return useQuery({
    queryKey: key,
    queryFn: () => publicCall<TQueuePublicTicket>('GET', `/queue/tickets/${id}/public`),
    enabled: !!id,
    refetchInterval: 30_000,
  });
}

// ---- the hall display (its own device cookie) and the manager's side of it -----------------------------------------
const displayCall = <T>(method: string, url: string, body?: unknown) =>
  request<T>(method, url, { body, isSessionCall: false });
export const readDisplayState = () => displayCall<TDisplayState>('GET', '/queue/display/state');
export const pairDisplay = (code: string) => displayCall<unknown>('POST', '/queue/display/pair', { code });
export const createDisplayCode = (outletId: string, deviceName: string) =>
  post<TDisplayCode>(`/queue/outlets/${outletId}/display-codes`, { deviceName });
export const useQueueDisplays = (outletId: string) =>
  useQuery({
    queryKey: [...KEY, 'displays', outletId],
    queryFn: () => get<{ items: TQueueDisplay[] }>(`/queue/outlets/${outletId}/displays`).then((r) => r.items),
  });
export function useRevokeDisplay(outletId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => post<TQueueDisplay>(`/queue/displays/${id}/revoke`),
    onSuccess: () => qc.invalidateQueries({ queryKey: [...KEY, 'displays', outletId] }),
  });
}
export function useSaveNotices(outletId: string | undefined) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: TQueueNoticesInput) =>
      request<TQueueSetup>('PUT', `/queue/outlets/${outletId}/notices`, { body: input }),
    onSuccess: () => qc.invalidateQueries({ queryKey: KEY }),
  });
}
