import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type {
  TPage,
  TReportDelivery,
  TReportSchedule,
  TReportScheduleInput,
  TReportSendResult,
  TReportSummary,
  TReportSummaryQuery,
  TStaffPerformance,
  TStaffPerformanceQuery,
  TUser,
} from '@huifang/shared';
import { del, get, post, qs, request } from '../../api/client.ts';

const KEY = ['reports'] as const;
const SCHEDULES = [...KEY, 'schedules'] as const;

export const staffPerformanceUrl = (q: TStaffPerformanceQuery, exportXlsx = false) =>
  `/reports/staff-performance${exportXlsx ? '/export' : ''}${qs(q)}`;

export const useStaffPerformance = (q: TStaffPerformanceQuery) =>
  useQuery({
    queryKey: [...KEY, 'staff', q],
    queryFn: () => get<TStaffPerformance>(staffPerformanceUrl(q)),
    placeholderData: (prev) => prev,
  });

export const useReportSummary = (q: TReportSummaryQuery) =>
  useQuery({ queryKey: [...KEY, 'summary', q], queryFn: () => get<TReportSummary>(`/reports/summary${qs(q)}`) });

export const useSchedules = () =>
  useQuery({
    queryKey: SCHEDULES,
    queryFn: () => get<{ items: TReportSchedule[] }>('/report-schedules').then((r) => r.items),
  });

export const useDeliveries = (id: string | null) =>
  useQuery({
    queryKey: [...SCHEDULES, id, 'deliveries'],
    queryFn: () => get<{ items: TReportDelivery[] }>(`/report-schedules/${id}/deliveries`).then((r) => r.items),
    enabled: !!id,
  });

/** Users the editor may pick as recipients (active users of his scope, searched by name). */
export const useRecipientOptions = (q: string) =>
  useQuery({
    queryKey: [...KEY, 'recipients', q],
    queryFn: () =>
      get<TPage<TUser>>(`/users${qs({ q: q || undefined, isActive: 'true', pageSize: 50, sort: 'displayName' })}`).then(
        (p) => p.items,
      ),
  });

export function useScheduleActions() {
  const qc = useQueryClient();
  const done = () => qc.invalidateQueries({ queryKey: SCHEDULES });
  return {
    save: useMutation({
      mutationFn: ({ id, input }: { id?: string; input: TReportScheduleInput }) =>
        id
          ? request<TReportSchedule>('PUT', `/report-schedules/${id}`, { body: input })
          : post<TReportSchedule>('/report-schedules', input),
      onSuccess: done,
    }),
    remove: useMutation({ mutationFn: (id: string) => del<void>(`/report-schedules/${id}`), onSuccess: done }),
    sendNow: useMutation({
      mutationFn: (id: string) => post<TReportSendResult>(`/report-schedules/${id}/send`),
      onSuccess: done,
    }),
  };
}
