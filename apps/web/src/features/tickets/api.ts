import { useQuery } from '@tanstack/react-query';
import type {
  TCreateTicketInput,
  TPage,
  TTicket,
  TTicketActionInput,
  TTicketBoard,
  TTicketDetail,
  TTicketNoteInput,
  TTicketPolicy,
  TTicketPolicyInput,
  TUpdateTicketInput,
} from '@huifang/shared';
import { api, get, patch, post, upload } from '../../api/client.ts';

export const TICKETS_KEY = ['tickets'] as const;
export const TICKET_POLICY_KEY = ['settings', 'ticket-policy'] as const;

/** The list filters as they sit in the URL (status and slaState may repeat). */
export interface TTicketFilter {
  status?: string[];
  slaState?: string[];
  priority?: string;
  category?: string;
  source?: string;
  assignee?: 'me';
  unitId?: string;
  q?: string;
  createdFrom?: string;
  createdTo?: string;
  sort?: string;
}

/** Query string of the filters, repeating multi-valued keys (status=a&status=b). */
export function ticketQuery(f: TTicketFilter, extra: Record<string, string | number> = {}): string {
  const sp = new URLSearchParams();
  for (const [k, v] of Object.entries({ ...f, ...extra })) {
    if (v === undefined || v === null || v === '') continue;
    if (Array.isArray(v)) for (const x of v as string[]) sp.append(k, x);
    else sp.set(k, String(v));
  }
  const s = sp.toString();
  return s ? `?${s}` : '';
}

export const useTickets = (f: TTicketFilter, page: { page: number; pageSize: number }) =>
  useQuery({
    queryKey: [...TICKETS_KEY, 'list', f, page],
    queryFn: () => get<TPage<TTicket>>(`/tickets${ticketQuery(f, page)}`),
    // New complaints and SLA changes arrive without anyone on this page acting: follow them (paused in a hidden tab).
    refetchInterval: 30_000,
  });

export const useTicketBoard = (f: { assignee?: 'me'; unitId?: string }) =>
  useQuery({
    queryKey: [...TICKETS_KEY, 'board', f],
    queryFn: () => get<TTicketBoard>(`/tickets/board${ticketQuery(f, { perColumn: 10 })}`),
    refetchInterval: 30_000,
  });

export const useTicket = (id: string | undefined) =>
  useQuery({
    queryKey: [...TICKETS_KEY, 'detail', id],
    enabled: !!id,
    queryFn: () => get<TTicketDetail>(`/tickets/${id}`),
  });

export const useTicketAssignees = (id: string, enabled: boolean) =>
  useQuery({
    queryKey: [...TICKETS_KEY, 'assignees', id],
    enabled,
    queryFn: () =>
      get<{ items: { id: string; displayName: string; unitName: string }[] }>(`/tickets/${id}/assignees`).then(
        (r) => r.items,
      ),
  });

export const createTicket = (body: TCreateTicketInput) => post<TTicketDetail>('/tickets', body);
export const actOnTicket = (id: string, body: TTicketActionInput) =>
  post<TTicketDetail>(`/tickets/${id}/actions`, body);
export const addTicketNote = (id: string, body: TTicketNoteInput) => post<TTicketDetail>(`/tickets/${id}/notes`, body);
export const updateTicket = (id: string, body: TUpdateTicketInput) => patch<TTicketDetail>(`/tickets/${id}`, body);
export const uploadTicketAttachment = (id: string, file: File) =>
  upload<TTicketDetail>(
    `/tickets/${id}/attachments?fileName=${encodeURIComponent(file.name)}`,
    file,
    file.type || 'application/octet-stream',
  );
export const attachmentUrl = (id: string, aid: string) => `/tickets/${id}/attachments/${aid}`;

export const useTicketPolicy = () =>
  useQuery({ queryKey: TICKET_POLICY_KEY, queryFn: () => get<TTicketPolicy>('/settings/ticket-policy') });
export const saveTicketPolicy = (body: TTicketPolicyInput) =>
  api<TTicketPolicy>('PUT', '/settings/ticket-policy', body);
