import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { TCustomerValue, TPage, TValueConfig, TValueRun } from '@huifang/shared';
import { api, get, post, qs } from '../../api/client.ts';

/** Customer value 客户分级 (DESIGN §3): the versioned models, recompute runs, churn warnings, a customer's values. */
export const VALUE_KEY = ['value'] as const;

export const useValueConfig = () =>
  useQuery({
    queryKey: [...VALUE_KEY, 'config'],
    queryFn: () => get<{ version: number; config: TValueConfig }>('/value/config'),
  });

export function useSaveValueConfig() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (config: TValueConfig) =>
      api<{ version: number; config: TValueConfig }>('PUT', '/value/config', config),
    onSuccess: () => qc.invalidateQueries({ queryKey: VALUE_KEY }),
  });
}

export type TPreviewRow = {
  customerId: string;
  name: string;
  score: number;
  expertScore: number | null;
  ruleClass: string | null;
  lifecycle: string;
  stars: number;
  churn: string | null;
};
export const previewValueConfig = (config: TValueConfig) =>
  post<{ items: TPreviewRow[] }>('/value/preview', { config, sampleSize: 10 }).then((r) => r.items);

/** The runs, polled every second while one is queued or running (the progress bar). */
export const useValueRuns = () =>
  useQuery({
    queryKey: [...VALUE_KEY, 'runs'],
    queryFn: () => get<{ items: TValueRun[] }>('/value/runs').then((r) => r.items),
    refetchInterval: (q) =>
      (q.state.data ?? []).some((r) => r.status === 'queued' || r.status === 'running') ? 1000 : false,
  });

export function useStartRun() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => post<TValueRun>('/value/runs'),
    onSuccess: () => qc.invalidateQueries({ queryKey: VALUE_KEY }),
  });
}

export type TRunComparison = {
  customers: number;
  tier: { up: number; down: number; same: number };
  stars: { up: number; down: number; same: number };
  score: { up: number; down: number; same: number };
  classChanged: number;
};
export const compareRuns = (from: string, to: string) => get<TRunComparison>(`/value/runs/compare${qs({ from, to })}`);

export type TChurnWarning = {
  id: string;
  customerId: string;
  customerName: string;
  ownerName: string | null;
  reason: 'no_purchase' | 'spend_drop';
  daysSinceOrder: number | null;
  dropPct: number | null;
  createdAt: string;
};
export const useChurnWarnings = (q: { page: number; pageSize: number; mine: boolean }) =>
  useQuery({
    queryKey: [...VALUE_KEY, 'churn', q],
    queryFn: () => get<TPage<TChurnWarning>>(`/value/churn-warnings${qs({ ...q, mine: q.mine ? 'true' : undefined })}`),
  });

export type TCustomerValueHistory = {
  current: TCustomerValue | null;
  history: {
    runId: string;
    computedAt: string;
    modelVersion: number;
    score: number;
    tier: string | null;
    ruleClass: string | null;
    lifecycle: string;
    stars: number;
  }[];
};
export const useCustomerValue = (id: string) =>
  useQuery({
    queryKey: [...VALUE_KEY, 'customer', id],
    queryFn: () => get<TCustomerValueHistory>(`/customers/${id}/value`),
  });

export function useSetStars(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (b: { stars: number | null; reason: string }) =>
      api<TCustomerValueHistory>('PUT', `/customers/${id}/value/stars`, b),
    onSuccess: () => qc.invalidateQueries({ queryKey: [...VALUE_KEY, 'customer', id] }),
  });
}
