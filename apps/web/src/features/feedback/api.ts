import { keepPreviousData, useQuery } from '@tanstack/react-query';
import type {
  TFeedbackItem,
  TFeedbackItemDetail,
  TFeedbackLabelInput,
  TFeedbackListQuery,
  TFeedbackSummary,
  TPage,
} from '@huifang/shared';
import { get, patch, qs } from '../../api/client.ts';

export const FEEDBACK_KEY = ['feedback'] as const;

export type TFeedbackFilters = Partial<Omit<TFeedbackListQuery, 'page' | 'pageSize'>>;

export const useFeedbackItems = (filters: TFeedbackFilters, page: number, pageSize: number) =>
  useQuery({
    queryKey: [...FEEDBACK_KEY, 'items', filters, page, pageSize],
    queryFn: () => get<TPage<TFeedbackItem>>(`/feedback/items${qs({ ...filters, page, pageSize })}`),
    placeholderData: keepPreviousData,
  });

/** The summary follows the unit and period filters only (the label filters would empty its other tiles). */
export const useFeedbackSummary = (filters: Pick<TFeedbackFilters, 'unitId' | 'from' | 'to'>) =>
  useQuery({
    queryKey: [...FEEDBACK_KEY, 'summary', filters],
    queryFn: () => get<TFeedbackSummary>(`/feedback/summary${qs(filters)}`),
  });

export const useFeedbackItem = (id: string | null) =>
  useQuery({
    queryKey: [...FEEDBACK_KEY, 'item', id],
    enabled: !!id,
    queryFn: () => get<TFeedbackItemDetail>(`/feedback/items/${id}`),
  });

export const correctLabels = (id: string, input: TFeedbackLabelInput) =>
  patch<TFeedbackItemDetail>(`/feedback/items/${id}/labels`, input);
