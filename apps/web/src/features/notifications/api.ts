import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { TNotificationList } from '@huifang/shared';
import { get, post, qs } from '../../api/client.ts';

const KEY = ['notifications'] as const;
/** Polled every 15 s (and on window focus): the latest ten, the unread count and the unread ones grouped by kind. */
export const useNotifications = () =>
  useQuery({
    queryKey: KEY,
    queryFn: () => get<TNotificationList>('/notifications?limit=10'),
    refetchInterval: 15_000,
  });
/** The unread notifications of one kind (a group of the bell, when expanded). */
export const useKindNotifications = (kind: string, enabled: boolean) =>
  useQuery({
    queryKey: [...KEY, 'kind', kind],
    queryFn: () => get<TNotificationList>(`/notifications${qs({ kind, unread: 'true', limit: 50 })}`),
    enabled,
  });
/** Mark one read (`id`), all of a kind (`kind`), or all (neither). */
export function useMarkRead() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (m: { id?: string; kind?: string }) =>
      post(m.id ? `/notifications/${m.id}/read` : `/notifications/read-all${qs({ kind: m.kind })}`),
    onSuccess: () => qc.invalidateQueries({ queryKey: KEY }),
  });
}
