import { useQuery } from '@tanstack/react-query';
import type { TAnalysis, TAnalysisDrill, TAnalysisQuery, TRanking, TRankingKind } from '@huifang/shared';
import { get, qs } from '../../api/client.ts';

/** The page's filters as they stand in the URL (every one optional; the server applies the defaults). */
export type TAnalysisParams = Partial<Record<keyof TAnalysisQuery, string>>;

export const analysisQs = (p: TAnalysisParams) => qs(p);

export const useAnalysis = (p: TAnalysisParams) =>
  useQuery({
    queryKey: ['analysis', p],
    queryFn: () => get<TAnalysis>(`/analytics/analysis${qs(p)}`),
    retry: false,
  });

export const useRanking = (p: TAnalysisParams, kind: TRankingKind, minRated: number) =>
  useQuery({
    queryKey: ['analysis-ranking', p, kind, minRated],
    queryFn: () => {
      const { groupBy: _g, ...filters } = p;
      return get<TRanking>(`/analytics/ranking${qs({ ...filters, kind, minRated })}`);
    },
    retry: false,
  });

/** The evaluations behind a figure: its 不满意 by default, counted ones only (as every figure counts them). */
export function evaluationsLink(d: TAnalysisDrill, sentiment: 'unsatisfied' | null = 'unsatisfied'): string {
  return `/evaluations${qs({ ...d, ...(sentiment ? { sentiment } : {}), excluded: 'false' })}`;
}

/** Complaint tickets of a unit created within the drill's days (local midnight to midnight, tenant zone). */
export function ticketsLink(d: TAnalysisDrill, tz: (day: string, end: boolean) => string): string {
  return `/tickets${qs({ tab: 'list', unitId: d.unitId, createdFrom: tz(d.from, false), createdTo: tz(d.to, true) })}`;
}

/** Follow-up tasks of the drill's unit subtree whose due window opens on one of its days (as the figures count them). */
export function tasksLink(d: TAnalysisDrill): string {
  return `/followup/tasks${qs({ unitId: d.unitId, from: d.from, to: d.to })}`;
}
