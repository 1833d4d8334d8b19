import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type {
  TCounterContext,
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
