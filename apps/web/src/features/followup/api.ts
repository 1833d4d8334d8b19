import { useQuery } from '@tanstack/react-query';
import type { TAttemptInput, TPage, TTask, TTaskDetail } from '@huifang/shared';
import { get, post, qs } from '../../api/client.ts';

export const FOLLOWUP_KEY = ['followup'] as const;

export const useMyTasks = (bucket: 'today' | 'overdue' | 'upcoming') =>
  useQuery({ queryKey: [...FOLLOWUP_KEY, 'tasks', 'mine', bucket], queryFn: () => get<TPage<TTask>>(`/followup/tasks${qs({ view: 'mine', bucket, pageSize: 100 })}`) });

export const useTask = (id: string | null) =>
  useQuery({ queryKey: [...FOLLOWUP_KEY, 'task', id], enabled: !!id, queryFn: () => get<TTaskDetail>(`/followup/tasks/${id}`) });

export const claimTask = (id: string) => post<{ ok: true }>(`/followup/tasks/${id}/claim`);
export const releaseTask = (id: string) => post<{ ok: true }>(`/followup/tasks/${id}/release`);
export const revealPhone = (id: string) => post<{ value: string | null }>(`/followup/tasks/${id}/reveal-phone`, { index: 0 });
export const recordAttempt = (id: string, body: Partial<TAttemptInput>) => post<{ state: string }>(`/followup/tasks/${id}/attempts`, body);
