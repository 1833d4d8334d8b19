import { z } from 'zod';
import { ZPageQuery } from '../pagination.ts';

/**
 * Customer value and segmentation 客户分级与价值评估 (DESIGN §3). All models are one versioned document per tenant
 * (`ZValueConfig`); a recompute run applies one version to every customer of the tenant.
 */

/**
 * Metrics of one customer over the statistical year (the 12 months up to the run; "prev" = the 12 months before).
 * Money in 万元, rates in percent, computed exactly from integer fen (multiply first, divide last).
 */
export const VALUE_METRICS = [
  'salesWan', // 销售额 (orders)
  'prevSalesWan',
  'batches', // 销售批次 (orders count)
  'returnsWan', // 退货额
  'paymentsWan', // 回款额
  'debtWan', // 欠款 (all orders − returns − payments up to the run)
  'collectionRate', // 回款率 payments ÷ sales × 100
  'prevCollectionRate',
  'collectionChange', // collectionRate − prevCollectionRate (points)
  'returnRate', // 退货率 returns ÷ sales × 100
  'growth', // 销售增长率 (sales − prev) ÷ prev × 100
  'daysSinceOrder', // recency
  'isNew', // 1 when the customer was created in the statistical year
  'managerRating', // 客户经理评分: a numeric custom field (key in config.managerRatingField)
  'expertScore', // 大客户评价 0–10
] as const;
export type TValueMetric = (typeof VALUE_METRICS)[number];
export type TValueMetrics = Record<TValueMetric, number | null>;

export const CONDITION_OPS = ['gt', 'gte', 'lt', 'lte', 'eq', 'neq'] as const;
export type TConditionOp = (typeof CONDITION_OPS)[number];

export type TCondition =
  { metric: TValueMetric; op: TConditionOp; value: number } | { all: TCondition[] } | { any: TCondition[] };

const ZNumber = z.number().finite().min(-1e9).max(1e9);

export const ZCondition: z.ZodType<TCondition> = z.lazy(() =>
  z.union([
    z.object({ metric: z.enum(VALUE_METRICS), op: z.enum(CONDITION_OPS), value: ZNumber }).strict(),
    z.object({ all: z.array(ZCondition).min(1).max(20) }).strict(),
    z.object({ any: z.array(ZCondition).min(1).max(20) }).strict(),
  ]),
);

const ZKey = z
  .string()
  .trim()
  .regex(/^[a-z][a-z0-9_]{0,39}$/, '键须以小写字母开头，只含小写字母、数字和下划线');
const ZLabel = z.string().trim().min(1).max(40);
/** Weights in percent with at most two decimals (kept exact as hundredths). */
const ZWeight = z
  .number()
  .min(0)
  .max(100)
  .refine((w) => Math.abs(Math.round(w * 100) - w * 100) < 1e-6, '权重最多两位小数');

/** Weights (percent, two decimals) sum to exactly 100: compared in hundredths so 33.33 + 33.33 + 33.34 passes. */
export const weightSumHundredths = (weights: number[]) => weights.reduce((s, w) => s + Math.round(w * 100), 0);

function weightsSumTo100(items: { weight: number }[], ctx: z.RefinementCtx, path: (string | number)[]) {
  const sum = weightSumHundredths(items.map((i) => i.weight));
  if (sum !== 10000)
    ctx.addIssue({
      code: 'custom',
      path,
      message: `权重合计须为 100%（当前 ${(sum / 100).toFixed(2)}%）`,
      params: { key: 'weightSum', sum: sum / 100 },
    });
}

function uniqueKeys(items: { key: string }[], ctx: z.RefinementCtx, path: (string | number)[]) {
  const seen = new Set<string>();
  items.forEach((i, n) => {
    if (seen.has(i.key)) ctx.addIssue({ code: 'custom', path: [...path, n, 'key'], message: '键不能重复' });
    seen.add(i.key);
  });
}

export const INDICATOR_DIRECTIONS = ['forward', 'reverse'] as const;
export const ZIndicator = z
  .object({
    key: ZKey,
    label: ZLabel,
    metric: z.enum(VALUE_METRICS),
    weight: ZWeight,
    min: ZNumber,
    max: ZNumber,
    /** forward 正序: more is better; reverse 倒序: less is better. */
    direction: z.enum(INDICATOR_DIRECTIONS),
  })
  .superRefine((i, ctx) => {
    if (!(i.max > i.min)) ctx.addIssue({ code: 'custom', path: ['max'], message: '区间上限须大于下限' });
  });
export type TIndicator = z.infer<typeof ZIndicator>;

export const ZWeightedModel = z.object({ indicators: z.array(ZIndicator).min(1).max(20) }).superRefine((m, ctx) => {
  weightsSumTo100(m.indicators, ctx, ['indicators']);
  uniqueKeys(m.indicators, ctx, ['indicators']);
});
export type TWeightedModel = z.infer<typeof ZWeightedModel>;

export const ZExpertCriterion = z.object({ key: ZKey, label: ZLabel, weight: ZWeight });
export const ZExpertModel = z.object({ criteria: z.array(ZExpertCriterion).min(1).max(20) }).superRefine((m, ctx) => {
  weightsSumTo100(m.criteria, ctx, ['criteria']);
  uniqueKeys(m.criteria, ctx, ['criteria']);
});
export type TExpertModel = z.infer<typeof ZExpertModel>;

export const ZRuleClass = z.object({ key: ZKey, label: ZLabel, when: ZCondition });
export const ZRuleClasses = z
  .object({ classes: z.array(ZRuleClass).min(1).max(30) })
  .superRefine((m, ctx) => uniqueKeys(m.classes, ctx, ['classes']));
export type TRuleClasses = z.infer<typeof ZRuleClasses>;

export const ZPercentileCut = z.object({ key: ZKey, label: ZLabel, weight: ZWeight });
/** groupBy: 'none' | 'kind' (individual/company) | 'unit' | 'custom:<field key>' (default custom:business_type 业务类型). */
export const ZPercentileModel = z
  .object({
    groupBy: z.string().regex(/^(none|kind|unit|custom:[a-z][a-z0-9_]{0,39})$/, '分组方式无效'),
    /** Shares of each tier, best first, in percent (`weight` so that the one sum rule applies). */
    cuts: z.array(ZPercentileCut).min(2).max(10),
  })
  .superRefine((m, ctx) => {
    weightsSumTo100(m.cuts, ctx, ['cuts']);
    uniqueKeys(m.cuts, ctx, ['cuts']);
  });
export type TPercentileModel = z.infer<typeof ZPercentileModel>;

export const ZLifecycleModel = z.object({
  /** 流失: bought before, no order for this many days. */
  churnDays: z.number().int().min(1).max(3650),
  /** 高价值: weighted score at least this. */
  highValueMinScore: z.number().min(0).max(100),
  /** 潜在: never bought, intent level 意向级别 one of these. */
  potentialIntents: z.array(z.string().trim().min(1).max(20)).max(20),
});
export type TLifecycleModel = z.infer<typeof ZLifecycleModel>;

export const ZStarModel = z
  .object({
    /** One contribution point per this many fen of average monthly sales (default ¥1,000). */
    pointFen: z.number().int().min(1).max(1e10),
    /** Points needed for 1…5 stars, ascending. */
    thresholds: z.array(z.number().int().min(0).max(1e9)).length(5),
  })
  .superRefine((m, ctx) => {
    for (let i = 1; i < m.thresholds.length; i++)
      if (m.thresholds[i]! <= m.thresholds[i - 1]!)
        ctx.addIssue({ code: 'custom', path: ['thresholds', i], message: '星级门槛须逐级递增' });
  });
export type TStarModel = z.infer<typeof ZStarModel>;

export const ZChurnModel = z.object({
  /** No order for this many days (a customer who bought before). */
  noPurchaseDays: z.number().int().min(1).max(3650),
  /** Spend in the last N days against the N days before … */
  periodDays: z.number().int().min(7).max(365),
  /** … down by at least this percent. */
  dropPct: z.number().min(1).max(100),
});
export type TChurnModel = z.infer<typeof ZChurnModel>;

export const ZValueConfig = z.object({
  weighted: ZWeightedModel,
  expert: ZExpertModel,
  ruleClasses: ZRuleClasses,
  percentile: ZPercentileModel,
  lifecycle: ZLifecycleModel,
  stars: ZStarModel,
  churn: ZChurnModel,
  /** Custom field (number) holding the manager rating 客户经理评分 0–100. */
  managerRatingField: ZKey,
  /** Monthly recompute on this day of the month (1–28), null: on demand only. */
  scheduleDay: z.number().int().min(1).max(28).nullable(),
});
export type TValueConfig = z.infer<typeof ZValueConfig>;

export const ZValueModelVersion = z.object({
  version: z.number().int(),
  config: ZValueConfig,
  createdAt: z.string(),
  createdByName: z.string().nullable(),
});
export type TValueModelVersion = z.infer<typeof ZValueModelVersion>;

export const RUN_STATUSES = ['queued', 'running', 'done', 'failed'] as const;
/** Retention: the latest this many finished value runs of a tenant keep their per-customer values (server prunes older). */
export const VALUE_RUN_DETAILS_KEPT = 24;
export const ZValueRun = z.object({
  id: z.string(),
  modelVersion: z.number().int(),
  trigger: z.enum(['manual', 'schedule']),
  status: z.enum(RUN_STATUSES),
  requestedByName: z.string().nullable(),
  total: z.number().int(),
  processed: z.number().int(),
  /** Customers per tier / class / lifecycle / stars, and new churn warnings. */
  counts: z.record(z.string(), z.record(z.string(), z.number())),
  errorMessage: z.string().nullable(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  /** Its per-customer values were deleted by the retention rule (only the latest runs keep them): no comparison. */
  detailsPrunedAt: z.string().nullable(),
});
export type TValueRun = z.infer<typeof ZValueRun>;

/** Move between two runs for one dimension (tier = percentile tier, stars, score). */
export const ZRunComparison = z.object({
  fromRunId: z.string(),
  toRunId: z.string(),
  customers: z.number().int(),
  tier: z.object({ up: z.number().int(), down: z.number().int(), same: z.number().int() }),
  stars: z.object({ up: z.number().int(), down: z.number().int(), same: z.number().int() }),
  score: z.object({ up: z.number().int(), down: z.number().int(), same: z.number().int() }),
  classChanged: z.number().int(),
});

export const ZScorePart = z.object({
  key: z.string(),
  label: z.string(),
  metric: z.enum(VALUE_METRICS),
  direction: z.enum(INDICATOR_DIRECTIONS),
  min: z.number(),
  max: z.number(),
  value: z.number().nullable(),
  score: z.number(),
  weight: z.number(),
  contribution: z.number(),
});
export type TScorePart = z.infer<typeof ZScorePart>;

/** One customer's values from one run, with the weighted score's breakdown. */
export const ZCustomerValue = z.object({
  runId: z.string(),
  modelVersion: z.number().int(),
  computedAt: z.string(),
  score: z.number(),
  parts: z.array(ZScorePart),
  expertScore: z.number().nullable(),
  ruleClass: z.string().nullable(),
  ruleClassLabel: z.string().nullable(),
  tier: z.string().nullable(),
  tierLabel: z.string().nullable(),
  lifecycle: z.string(),
  rfm: z.object({ r: z.number().int(), f: z.number().int(), m: z.number().int() }).nullable(),
  stars: z.number().int(),
  computedStars: z.number().int(),
  starOverride: z.object({ stars: z.number().int(), reason: z.string(), setAt: z.string() }).nullable(),
  metrics: z.record(z.string(), z.number().nullable()),
});
export type TCustomerValue = z.infer<typeof ZCustomerValue>;

export const ZCustomerValueHistory = z.object({
  current: ZCustomerValue.nullable(),
  history: z.array(
    z.object({
      runId: z.string(),
      computedAt: z.string(),
      modelVersion: z.number().int(),
      score: z.number(),
      tier: z.string().nullable(),
      ruleClass: z.string().nullable(),
      lifecycle: z.string(),
      stars: z.number().int(),
    }),
  ),
});

export const ZStarOverrideInput = z.object({
  /** null clears the override. */
  stars: z.number().int().min(0).max(5).nullable(),
  reason: z.string().trim().min(2, '请填写原因').max(200),
});
export type TStarOverrideInput = z.infer<typeof ZStarOverrideInput>;

export const ZExpertScoresInput = z.object({
  /** criterion key → 0–10 */
  scores: z.record(z.string(), z.number().min(0).max(10)),
});
export type TExpertScoresInput = z.infer<typeof ZExpertScoresInput>;

export const ZPreviewInput = z.object({
  config: ZValueConfig,
  sampleSize: z.number().int().min(1).max(50).default(10),
});
export const ZPreviewRow = z.object({
  customerId: z.string(),
  name: z.string(),
  score: z.number(),
  parts: z.array(ZScorePart),
  expertScore: z.number().nullable(),
  ruleClass: z.string().nullable(),
  lifecycle: z.string(),
  stars: z.number().int(),
  churn: z.string().nullable(),
});

export const CHURN_REASONS = ['no_purchase', 'spend_drop'] as const;
export const ZChurnWarning = z.object({
  id: z.string(),
  customerId: z.string(),
  customerName: z.string(),
  ownerName: z.string().nullable(),
  reason: z.enum(CHURN_REASONS),
  daysSinceOrder: z.number().int().nullable(),
  dropPct: z.number().nullable(),
  createdAt: z.string(),
});
export const ZChurnWarningQuery = ZPageQuery.extend({ mine: z.enum(['true', 'false']).optional() });

const lt = (metric: TValueMetric, value: number): TCondition => ({ metric, op: 'lt', value });
const gt = (metric: TValueMetric, value: number): TCondition => ({ metric, op: 'gt', value });
const lte = (metric: TValueMetric, value: number): TCondition => ({ metric, op: 'lte', value });
const eq = (metric: TValueMetric, value: number): TCondition => ({ metric, op: 'eq', value });

/**
 * The default models of DESIGN §3. Rule classes are evaluated in order, the first match wins; 新增有效 / 新增无效 come
 * before 新增客户 (which then holds the new customers at exactly 10 万, neither > nor < 10 万). A customer no class
 * matches has no class (未分类), e.g. sales of exactly 10 万 with 4 batches and 100% collection.
 */
export const DEFAULT_VALUE_CONFIG: TValueConfig = {
  weighted: {
    indicators: [
      { key: 'sales', label: '销售额(万元)', metric: 'salesWan', weight: 30, min: 10, max: 210, direction: 'forward' },
      { key: 'growth', label: '销售增长率(%)', metric: 'growth', weight: 30, min: 0, max: 25, direction: 'forward' },
      {
        key: 'collection',
        label: '回款率(%)',
        metric: 'collectionRate',
        weight: 20,
        min: 90,
        max: 100,
        direction: 'forward',
      },
      { key: 'returns', label: '退货率(%)', metric: 'returnRate', weight: 10, min: 1, max: 5, direction: 'reverse' },
      {
        key: 'manager',
        label: '客户经理评分',
        metric: 'managerRating',
        weight: 10,
        min: 0,
        max: 100,
        direction: 'forward',
      },
    ],
  },
  expert: {
    criteria: [
      { key: 'volume', label: '交易额', weight: 25 },
      { key: 'margin', label: '利润率', weight: 20 },
      { key: 'potential', label: '发展潜力', weight: 15 },
      { key: 'credit', label: '资信情况', weight: 15 },
      { key: 'quote_success', label: '报价成功率', weight: 10 },
      { key: 'relationship', label: '合作关系', weight: 10 },
      { key: 'service_level', label: '要求的服务水准', weight: 5 },
    ],
  },
  ruleClasses: {
    classes: [
      { key: 'no_business', label: '无业务客户', when: { all: [eq('batches', 0), lte('debtWan', 0)] } },
      {
        key: 'pending',
        label: '待处理客户',
        when: {
          any: [{ all: [eq('batches', 0), gt('debtWan', 0)] }, { all: [lt('batches', 2), gt('debtWan', 0)] }],
        },
      },
      { key: 'stagnant', label: '呆滞客户', when: { all: [lt('salesWan', 2), gt('debtWan', 2)] } },
      { key: 'new_effective', label: '新增有效', when: { all: [eq('isNew', 1), gt('salesWan', 10)] } },
      { key: 'new_ineffective', label: '新增无效', when: { all: [eq('isNew', 1), lt('salesWan', 10)] } },
      { key: 'new', label: '新增客户', when: { all: [eq('isNew', 1), gt('batches', 0)] } },
      {
        key: 'normal',
        label: '正常客户',
        when: { all: [gt('salesWan', 10), gt('batches', 3), gt('collectionRate', 95), lt('returnRate', 5)] },
      },
      {
        key: 'abnormal',
        label: '非正常客户',
        when: { all: [gt('salesWan', 10), { any: [lt('collectionRate', 95), gt('returnRate', 5)] }] },
      },
      {
        key: 'deteriorating',
        label: '劣化客户',
        when: { any: [lte('growth', -50), lte('collectionChange', -10)] },
      },
    ],
  },
  percentile: {
    groupBy: 'custom:business_type',
    cuts: [
      { key: 'large', label: '大客户', weight: 20 },
      { key: 'medium', label: '中客户', weight: 60 },
      { key: 'small', label: '小客户', weight: 20 },
    ],
  },
  lifecycle: { churnDays: 180, highValueMinScore: 60, potentialIntents: ['马上要做', '考虑中', '关注'] },
  stars: { pointFen: 100_000, thresholds: [1, 5, 20, 50, 100] },
  churn: { noPurchaseDays: 90, periodDays: 90, dropPct: 50 },
  managerRatingField: 'manager_rating',
  scheduleDay: 1,
};

export const LIFECYCLE_TIERS = ['high_value', 'potential', 'ordinary', 'churned'] as const;
export type TLifecycleTier = (typeof LIFECYCLE_TIERS)[number];

/** The filter value of 未分级: ratings without that value in the cut run (no customer, or a customer the run left
 * without it). Model keys start with a letter, so it cannot be one. */
export const UNCLASSIFIED_VALUE = '_none';
/**
 * The customer-value cut (客户分级 in 统计分析 and the evaluations list behind it): ratings whose customer has this
 * percentile tier / lifecycle / rule class in the tenant's latest finished value run. Keys are the model's.
 */
export const ZValueCutFilter = z.object({
  tier: z.union([ZKey, z.literal(UNCLASSIFIED_VALUE)]).optional(),
  lifecycle: z.enum([...LIFECYCLE_TIERS, UNCLASSIFIED_VALUE]).optional(),
  ruleClass: z.union([ZKey, z.literal(UNCLASSIFIED_VALUE)]).optional(),
});
export type TValueCutFilter = z.infer<typeof ZValueCutFilter>;
export const VALUE_CUT_KEYS = ['tier', 'lifecycle', 'ruleClass'] as const;
export type TValueCutKey = (typeof VALUE_CUT_KEYS)[number];
