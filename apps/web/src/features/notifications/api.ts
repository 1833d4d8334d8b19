import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { TNotificationList } from '@huifang/shared';
import { get, post } from '../../api/client.ts';

const KEY = ['notifications'] as const;
/** Polled every 15 s (and on window focus). */
export const useNotifications = () => useQuery({ queryKey: KEY, queryFn: () => get<TNotificationList>('/notifications?limit=10'), refetchInterval: 15_000 });
export function useMarkRead() {
  const qc = useQueryClient();
  return useMutation({ mutationFn: (id: string | 'all') => post(id === 'all' ? '/notifications/read-all' : `/notifications/${id}/read`), onSuccess: () => qc.invalidateQueries({ queryKey: KEY }) });
}
