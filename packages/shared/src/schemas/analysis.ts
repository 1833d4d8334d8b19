import { z } from 'zod';
import { ZId } from './common.ts';
import { DASHBOARD_PERIODS } from './dashboard.ts';
import { EVALUATION_CHANNELS } from './evaluations.ts';
import { ZValueCutFilter } from './value.ts';

/**
 * 统计分析 (DESIGN §7): the evaluation figures of a unit's subtree cut by one dimension over a period, read from the
 * rollups only; the 满意度排名 of staff, counters, outlets and branches; drill-down links to the facts.
 */

/**
 * Bucket size of the period cut (weeks start on Monday, in the tenant's time zone). `hour`: one bucket per local hour
 * of each day, over at most ANALYSIS_MAX_HOUR_DAYS days.
 */
export const ANALYSIS_GRANULARITIES = ['hour', ...DASHBOARD_PERIODS] as const;
export type TAnalysisGranularity = (typeof ANALYSIS_GRANULARITIES)[number];

/** Ranges relative to today (tenant zone); a custom `from`/`to` replaces the preset. */
export const ANALYSIS_PRESETS = [
  'today',
  'yesterday',
  'last7Days',
  'thisWeek',
  'lastWeek',
  'thisMonth',
  'lastMonth',
  'thisQuarter',
  'lastQuarter',
  'thisYear',
  'lastYear',
  'last30Days',
  'last12Months',
] as const;
export type TAnalysisPreset = (typeof ANALYSIS_PRESETS)[number];

/** `hour`: 时段, the hour of day (0–23, tenant time zone) summed over the range. */
export const ANALYSIS_GROUPS = [
  'unit',
  'staff',
  'counter',
  'channel',
  'businessType',
  'period',
  'hour',
  'dimension',
  // 客户分级 / 生命周期 / 规则分类: the rating's customer in the latest finished value run (evaluation_value_rollups).
  'tier',
  'lifecycle',
  'ruleClass',
] as const;
export type TAnalysisGroup = (typeof ANALYSIS_GROUPS)[number];

/** Longest custom range in days (a day-by-day cut: 366 days). */
export const ANALYSIS_MAX_DAYS = 3 * 366;
export const ANALYSIS_MAX_DAY_BUCKETS = 366;
/** Longest range of an hour-by-hour cut (7 × 24 buckets). */
export const ANALYSIS_MAX_HOUR_DAYS = 7;

/** Filters shared by the analysis, the ranking and their exports. `from`/`to` are local days, both inclusive. */
export const ZAnalysisFilter = z.object({
  /** The unit whose subtree is counted (default: the caller's unit); outside the caller's scope → 404. */
  unitId: ZId.optional(),
  staffId: ZId.optional(),
  counterId: ZId.optional(),
  channel: z.enum(EVALUATION_CHANNELS).optional(),
  businessType: z.string().trim().min(1).max(60).optional(),
  surveyId: ZId.optional(),
  /** A dimension key of the survey: its mean per row instead of the survey's index. */
  dimension: z.string().trim().min(1).max(60).optional(),
  granularity: z.enum(ANALYSIS_GRANULARITIES).default('month'),
  preset: z.enum(ANALYSIS_PRESETS).default('thisMonth'),
  from: z.iso.date().optional(),
  to: z.iso.date().optional(),
  /**
   * Only ratings whose customer has this tier / lifecycle / rule class in the latest finished value run; sessions,
   * tickets and survey figures are null then (they cannot be cut by customer value).
   */
  ...ZValueCutFilter.shape,
});
export type TAnalysisFilter = z.infer<typeof ZAnalysisFilter>;

export const ZAnalysisQuery = ZAnalysisFilter.extend({ groupBy: z.enum(ANALYSIS_GROUPS).default('unit') });
export type TAnalysisQuery = z.infer<typeof ZAnalysisQuery>;

/** Query of the evaluations list that shows the facts behind a row (local days, inclusive). */
export const ZAnalysisDrill = z.object({
  unitId: z.string().optional(),
  staffId: z.string().optional(),
  counterId: z.string().optional(),
  channel: z.string().optional(),
  tier: z.string().optional(),
  lifecycle: z.string().optional(),
  ruleClass: z.string().optional(),
  from: z.string(),
  to: z.string(),
});
export type TAnalysisDrill = z.infer<typeof ZAnalysisDrill>;

/**
 * One row of the cut. Evaluation figures count the ratings not excluded (excluded on appeal apart); they are null
 * on survey-dimension rows. Sessions (客流量, handling seconds) are null where the cut has no sessions (channel,
 * dimension, a channel other than the kiosk); tickets where the cut has none (counter, channel, business type) or the
 * caller may not read tickets; survey figures without a survey or for cuts the survey rollups do not hold.
 */
export const ZAnalysisRow = z.object({
  key: z.string().nullable(),
  label: z.string(),
  evaluations: z.number().int().nullable(),
  rated: z.number().int().nullable(),
  satisfied: z.number().int().nullable(),
  /** Satisfied (4–5) ÷ rated, percent, one decimal. */
  satisfactionRate: z.number().nullable(),
  avgScore: z.number().nullable(),
  unsatisfied: z.number().int().nullable(),
  unrated: z.number().int().nullable(),
  excluded: z.number().int().nullable(),
  sessions: z.number().int().nullable(),
  avgHandlingSeconds: z.number().int().nullable(),
  ticketsReceived: z.number().int().nullable(),
  slaBreaches: z.number().int().nullable(),
  surveyResponses: z.number().int().nullable(),
  /** The survey's mean index, or the chosen dimension's mean (two decimals). */
  surveyMean: z.number().nullable(),
  /** Filters of the evaluations behind the row; null on survey-dimension rows. */
  drill: ZAnalysisDrill.nullable(),
});
export type TAnalysisRow = z.infer<typeof ZAnalysisRow>;

export const ZAnalysis = z.object({
  unit: z.object({ id: z.string(), name: z.string(), type: z.string() }),
  groupBy: z.enum(ANALYSIS_GROUPS),
  granularity: z.enum(ANALYSIS_GRANULARITIES),
  /** Local days, both inclusive. */
  from: z.string(),
  to: z.string(),
  rows: z.array(ZAnalysisRow),
  total: ZAnalysisRow,
  /**
   * A customer-value cut (groupBy tier / lifecycle / ruleClass, or a value filter): the value run it is as of (分级截至
   * its finished time). Null when the tenant has no finished run yet (no rows then) or the query has no value cut.
   */
  valueCut: z.object({ runId: z.string(), finishedAt: z.string() }).nullable(),
});
export type TAnalysis = z.infer<typeof ZAnalysis>;

export const RANKING_KINDS = ['staff', 'counter', 'outlet', 'branch'] as const;
export type TRankingKind = (typeof RANKING_KINDS)[number];
/** Default minimum sample of the 满意度排名: fewer rated evaluations and a row is not ranked. */
export const RANKING_MIN_RATED = 10;

export const ZRankingQuery = ZAnalysisFilter.extend({
  kind: z.enum(RANKING_KINDS).default('outlet'),
  minRated: z.coerce.number().int().min(1).max(10_000).default(RANKING_MIN_RATED),
  limit: z.coerce.number().int().min(1).max(50).default(10),
});
export type TRankingQuery = z.infer<typeof ZRankingQuery>;

export const ZRankingRow = z.object({
  id: z.string(),
  name: z.string(),
  rated: z.number().int(),
  satisfactionRate: z.number().nullable(),
  avgScore: z.number().nullable(),
  unsatisfied: z.number().int(),
  drill: ZAnalysisDrill,
});
export type TRankingRow = z.infer<typeof ZRankingRow>;

/** Worst first and best first among the rows with at least `minRated` ratings; `unranked` had fewer. */
export const ZRanking = z.object({
  kind: z.enum(RANKING_KINDS),
  minRated: z.number().int(),
  from: z.string(),
  to: z.string(),
  worst: z.array(ZRankingRow),
  best: z.array(ZRankingRow),
  ranked: z.number().int(),
  unranked: z.number().int(),
});
export type TRanking = z.infer<typeof ZRanking>;
