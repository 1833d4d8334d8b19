import { useQuery } from '@tanstack/react-query';
import type {
  TAttemptInput,
  TCreatePlanInput,
  TFollowupPlan,
  TKpis,
  TPage,
  TPlanPreview,
  TTask,
  TTaskDetail,
  TTaskSummary,
} from '@huifang/shared';
import { api, get, post, qs } from '../../api/client.ts';

export const FOLLOWUP_KEY = ['followup'] as const;

/** The workbench's search, filters and sort (all optional; sort defaults to priority). */
export type TWorkbenchFilters = {
  q?: string | undefined;
  planId?: string | undefined;
  state?: string | undefined;
  method?: string | undefined;
  sort?: string | undefined;
};
/** My tasks of a bucket, by default the most urgent path time points first (priority 1–2), then by due time. */
export const useMyTasks = (bucket: 'today' | 'overdue' | 'upcoming' | 'open', f: TWorkbenchFilters = {}) =>
  useQuery({
    queryKey: [...FOLLOWUP_KEY, 'tasks', 'mine', bucket, f],
    queryFn: () =>
      get<TPage<TTask>>(
        `/followup/tasks${qs({ view: 'mine', bucket, pageSize: 100, ...f, sort: f.sort ?? 'priority' })}`,
      ),
  });

export const useTask = (id: string | null) =>
  useQuery({
    queryKey: [...FOLLOWUP_KEY, 'task', id],
    enabled: !!id,
    queryFn: () => get<TTaskDetail>(`/followup/tasks/${id}`),
  });

export const claimTask = (id: string) => post<{ ok: true }>(`/followup/tasks/${id}/claim`);
export const releaseTask = (id: string) => post<{ ok: true }>(`/followup/tasks/${id}/release`);
export const revealPhone = (id: string) =>
  post<{ value: string | null }>(`/followup/tasks/${id}/reveal-phone`, { index: 0 });
export const recordAttempt = (id: string, body: Partial<TAttemptInput>) =>
  post<{ state: string }>(`/followup/tasks/${id}/attempts`, body);

// Plans 回访计划
export type TPlanQuery = { page: number; pageSize: number; status?: string | undefined; q?: string | undefined };
export const usePlans = (q: TPlanQuery) =>
  useQuery({
    queryKey: [...FOLLOWUP_KEY, 'plans', q],
    queryFn: () => get<TPage<TFollowupPlan>>(`/followup/plans${qs(q)}`),
    placeholderData: (p) => p,
  });
export const useAllPlans = () =>
  useQuery({
    queryKey: [...FOLLOWUP_KEY, 'plans', 'all'],
    queryFn: () => get<TPage<TFollowupPlan>>(`/followup/plans${qs({ pageSize: 100 })}`).then((r) => r.items),
  });
export const createPlan = (body: TCreatePlanInput) => post<TFollowupPlan>('/followup/plans', body);
export const updatePlan = (id: string, body: TCreatePlanInput) =>
  api<TFollowupPlan>('PUT', `/followup/plans/${id}`, body);
export const previewPlan = (id: string) => get<TPlanPreview>(`/followup/plans/${id}/preview`);
export const setPlanStatus = (id: string, status: 'active' | 'paused' | 'closed') =>
  post<{ plan: TFollowupPlan; created: number }>(`/followup/plans/${id}/status`, { status });

// Look-ups for the plan form
export const useMethods = () =>
  useQuery({
    queryKey: [...FOLLOWUP_KEY, 'methods'],
    queryFn: () => get<{ items: { code: string; label: string }[] }>('/followup/methods').then((r) => r.items),
    staleTime: 60_000,
  });
export const useWorkers = () =>
  useQuery({
    queryKey: [...FOLLOWUP_KEY, 'workers'],
    queryFn: () =>
      get<{ items: { id: string; displayName: string; unitName: string }[] }>('/followup/workers').then((r) => r.items),
    staleTime: 60_000,
  });
export const useSavedFilters = () =>
  useQuery({
    queryKey: ['saved-filters'],
    queryFn: () =>
      get<{ items: { id: string; name: string; filter: Record<string, string> }[] }>('/saved-filters').then(
        (r) => r.items,
      ),
  });
export const useServiceTypes = () =>
  useQuery({
    queryKey: ['service-types'],
    queryFn: () => get<{ items: { id: string; name: string }[] }>('/service-types').then((r) => r.items),
    staleTime: 60_000,
  });
export const usePublishedSurveys = () =>
  useQuery({
    queryKey: ['surveys', 'published'],
    queryFn: () =>
      get<TPage<{ id: string; title: string }>>(`/surveys${qs({ status: 'published', pageSize: 100 })}`).then(
        (r) => r.items,
      ),
  });

// Supervisor view 回访任务
export type TTaskFilter = {
  planId?: string | undefined;
  state?: string | undefined;
  assigneeId?: string | undefined;
  bucket?: string | undefined;
  q?: string | undefined;
  /** Unit subtree, and the local days the due window opens (both inclusive). */
  unitId?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
};
export const useTasks = (f: TTaskFilter, page: { page: number; pageSize: number }) =>
  useQuery({
    queryKey: [...FOLLOWUP_KEY, 'tasks', 'all', f, page],
    queryFn: () => get<TPage<TTask>>(`/followup/tasks${qs({ view: 'all', ...f, ...page })}`),
    placeholderData: (p) => p,
  });
export const useTaskSummary = (f: TTaskFilter) =>
  useQuery({
    queryKey: [...FOLLOWUP_KEY, 'summary', f],
    queryFn: () => get<TTaskSummary>(`/followup/tasks/summary${qs({ view: 'all', ...f })}`),
    placeholderData: (p) => p,
  });
export const reassignTasks = (taskIds: string[], assigneeId: string) =>
  post<{ reassigned: number; notFound: number; skipped: number }>('/followup/tasks/reassign', { taskIds, assigneeId });
export const cancelTask = (id: string, reason: string | null) =>
  post<{ ok: true }>(`/followup/tasks/${id}/cancel`, { reason });
export const reopenTask = (id: string, reason: string | null) =>
  post<{ ok: true }>(`/followup/tasks/${id}/reopen`, { reason });
/** Cancel / reopen many tasks in ONE request: all or nothing (409 lists the tasks whose state does not allow it). */
export const bulkTaskAction = (action: 'cancel' | 'reopen', taskIds: string[], reason: string | null) =>
  post<{ changed: number }>(`/followup/tasks/bulk-${action}`, { taskIds, reason });

export type TKpiFilter = { planId?: string | undefined; from?: string | undefined; to?: string | undefined };
export const useKpis = (f: TKpiFilter) =>
  useQuery({
    queryKey: [...FOLLOWUP_KEY, 'kpis', f],
    queryFn: () => get<TKpis>(`/followup/kpis${qs(f)}`),
    placeholderData: (p) => p,
  });
export const kpiExportUrl = (f: TKpiFilter) => `/followup/kpis/export${qs(f)}`;
