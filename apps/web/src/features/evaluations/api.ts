import { useInfiniteQuery } from '@tanstack/react-query';
import type { TEvaluationListQuery, TEvaluationStream } from '@huifang/shared';
import { get, qs } from '../../api/client.ts';

export const EVALUATIONS_KEY = ['evaluations'] as const;

export type TEvaluationFilters = Partial<Omit<TEvaluationListQuery, 'cursor' | 'pageSize'>>;

/** Newest first; "load more" follows the server's keyset cursor. */
export const useEvaluationStream = (filters: TEvaluationFilters, pageSize = 30) =>
  useInfiniteQuery({
    queryKey: [...EVALUATIONS_KEY, filters, pageSize],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      get<TEvaluationStream>(`/evaluations${qs({ ...filters, pageSize, cursor: pageParam })}`),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
