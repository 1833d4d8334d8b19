import { useQuery } from '@tanstack/react-query';
import type { TPage, TPathExplain, TPathTemplate, TPathTemplateDetail, TPathTemplateInput } from '@huifang/shared';
import { api, get, post, qs } from '../../api/client.ts';
import { FOLLOWUP_KEY } from './api.ts';

/** 回访路径 (plan templates): templates, versions, explain / preview. */
export const PATHS_KEY = [...FOLLOWUP_KEY, 'paths'] as const;

export type TPathQuery = { page: number; pageSize: number; status?: string | undefined; q?: string | undefined };
export const usePaths = (q: TPathQuery) =>
  useQuery({
    queryKey: [...PATHS_KEY, 'list', q],
    queryFn: () => get<TPage<TPathTemplate>>(`/followup/paths${qs(q)}`),
    placeholderData: (p) => p,
  });
export const usePath = (id: string | null) =>
  useQuery({
    queryKey: [...PATHS_KEY, 'one', id],
    enabled: !!id,
    queryFn: () => get<TPathTemplateDetail>(`/followup/paths/${id}`),
  });
export const createPath = (body: TPathTemplateInput) => post<TPathTemplateDetail>('/followup/paths', body);
export const updatePath = (id: string, body: TPathTemplateInput) =>
  api<TPathTemplateDetail>('PUT', `/followup/paths/${id}`, body);
export const setPathStatus = (id: string, status: 'active' | 'retired') =>
  post<TPathTemplateDetail>(`/followup/paths/${id}/status`, { status });
export const runPaths = () => post<{ records: number; tasks: number }>('/followup/paths/run');

export type TRecentRecord = {
  id: string;
  serviceTypeName: string;
  customerName: string;
  occurredAt: string;
  custom: Record<string, unknown>;
  templateName: string | null;
};
export const useRecentRecords = (q: string) =>
  useQuery({
    queryKey: [...PATHS_KEY, 'records', q],
    queryFn: () =>
      get<{ items: TRecentRecord[] }>(`/followup/paths/records${qs({ q: q || undefined })}`).then((r) => r.items),
    placeholderData: (p) => p,
  });
export const useExplain = (serviceRecordId: string | null, templateId?: string) =>
  useQuery({
    queryKey: [...PATHS_KEY, 'explain', serviceRecordId, templateId],
    enabled: !!serviceRecordId,
    queryFn: () =>
      get<TPathExplain>(`/followup/paths/explain${qs({ serviceRecordId: serviceRecordId ?? undefined, templateId })}`),
  });
export const useServiceRecordFields = () =>
  useQuery({
    queryKey: ['custom-fields', 'service_record'],
    queryFn: () =>
      get<{ items: { key: string; label: string; type: string }[] }>(
        `/custom-fields${qs({ entity: 'service_record' })}`,
      ).then((r) => r.items),
    staleTime: 60_000,
  });
