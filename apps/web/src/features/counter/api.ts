import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type {
  TCounterContext,
  TPotentialCustomerFlag,
  TPotentialCustomerInput,
  TServiceSession,
  TSessionReport,
  TSessionReportQuery,
  TStartSessionInput,
  TTopMarkOutlier,
} from '@huifang/shared';
import { get, post, qs } from '../../api/client.ts';

const KEY = ['counter'] as const;
export const useCounterContext = () =>
  useQuery({
    queryKey: [...KEY, 'context'],
    queryFn: () => get<TCounterContext>('/counter/context'),
    refetchInterval: 30_000,
  });

export function useSessionActions() {
  const qc = useQueryClient();
  const done = () => qc.invalidateQueries({ queryKey: KEY });
  return {
    start: useMutation({
      mutationFn: (input: TStartSessionInput) => post<TServiceSession>('/counter/sessions', input),
      onSuccess: done,
    }),
    end: useMutation({
      mutationFn: (id: string) => post<TServiceSession>(`/counter/sessions/${id}/end`),
      onSuccess: done,
    }),
    /** 潜力客户: flag the customer of one of my services (once per session). */
    flagPotential: useMutation({
      mutationFn: ({ id, ...input }: TPotentialCustomerInput & { id: string }) =>
        post<TPotentialCustomerFlag>(`/counter/sessions/${id}/potential-customer`, input),
      onSuccess: done,
    }),
  };
}

export const reportUrl = (q: TSessionReportQuery, xlsx = false) =>
  `/service-sessions/report${xlsx ? '.xlsx' : ''}${qs(q)}`;
export const useSessionReport = (q: TSessionReportQuery) =>
  useQuery({ queryKey: [...KEY, 'report', q], queryFn: () => get<TSessionReport>(reportUrl(q)) });
export const useOutliers = () =>
  useQuery({
    queryKey: [...KEY, 'outliers'],
    queryFn: () => get<{ items: TTopMarkOutlier[]; since: string }>('/service-sessions/outliers'),
  });
