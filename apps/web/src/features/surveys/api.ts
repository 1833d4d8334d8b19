import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type {
  TPage,
  TSurvey,
  TSurveyDefinition,
  TSurveyDetail,
  TSurveyResults,
  TSurveyResultsQuery,
  TSurveyTemplate,
} from '@huifang/shared';
import { api, get, post, qs, request } from '../../api/client.ts';

export const SURVEYS_KEY = ['surveys'] as const;

export const useSurveys = (q: { page: number; pageSize: number; q?: string }) =>
  useQuery({
    queryKey: [...SURVEYS_KEY, 'list', q],
    queryFn: () => get<TPage<TSurvey>>(`/surveys${qs(q)}`),
    placeholderData: keepPreviousData,
  });

export const useSurvey = (id: string | undefined) =>
  useQuery({
    queryKey: [...SURVEYS_KEY, id],
    queryFn: () => get<TSurveyDetail>(`/surveys/${id}`),
    enabled: Boolean(id),
  });

export const useSurveyResults = (id: string, q: TSurveyResultsQuery) =>
  useQuery({
    queryKey: [...SURVEYS_KEY, id, 'results', q],
    queryFn: () => get<TSurveyResults>(`/surveys/${id}/results${qs(q)}`),
    placeholderData: keepPreviousData,
  });

/** Every write refreshes the survey queries. */
export function useSurveyMutation<TVars, TRes>(fn: (v: TVars) => Promise<TRes>) {
  const qc = useQueryClient();
  return useMutation({ mutationFn: fn, onSuccess: () => qc.invalidateQueries({ queryKey: SURVEYS_KEY }) });
}

export const createSurvey = (body: { definition?: TSurveyDefinition; template?: TSurveyTemplate }) =>
  post<TSurveyDetail>('/surveys', body);
export const saveSurvey = (id: string, definition: TSurveyDefinition) =>
  api<TSurveyDetail>('PUT', `/surveys/${id}`, { definition });
export const publishSurvey = (id: string) => post<TSurveyDetail>(`/surveys/${id}/publish`);
export const closeSurvey = (id: string) => post<TSurveyDetail>(`/surveys/${id}/close`);
export const openLink = (id: string) => post<TSurveyDetail>(`/surveys/${id}/open-link`);
export const personalLink = (id: string, customerId: string, expiresInDays: number) =>
  post<{ linkId: string; token: string; url: string; expiresAt: string | null }>(`/surveys/${id}/links`, {
    customerId,
    expiresInDays,
  });
export const inviteCustomers = (
  id: string,
  body: { customerIds?: string[]; savedFilterId?: string; remindAfterDays: number | null; expiresInDays: number },
) => post<{ invited: number; skippedNoEmail: number; smtpConfigured: boolean }>(`/surveys/${id}/invitations`, body);
export const staffResponse = (id: string, customerId: string, answers: Record<string, unknown>) =>
  post<{ responseId: string }>(`/surveys/${id}/responses`, { customerId, answers });

/** The public answer page's calls (no session; the token is the credential). */
/** `answered`: this browser (its device key) has already answered the open link. */
export const publicSurvey = (token: string, key: string) =>
  callWithKey<{
    surveyId: string;
    version: number;
    definition: TSurveyDefinition;
    kind: 'open' | 'personal';
    answered: boolean;
  }>('GET', `/s/${token}`, undefined, key);
export const submitPublic = (token: string, answers: Record<string, unknown>, key: string) =>
  callWithKey<{ responseId: string; isDuplicate: boolean }>('POST', `/s/${token}/responses`, { answers }, key);

/** A public call with an Idempotency-Key header (the browser's device key); no session involved, no cookie sent. */
function callWithKey<T>(method: 'GET' | 'POST', url: string, body: unknown, key: string): Promise<T> {
  return request<T>(method, url, {
    body,
    headers: { 'idempotency-key': key },
    isSessionCall: false,
    credentials: 'omit',
  });
}
