import type {
  TChurnModel,
  TCondition,
  TExpertModel,
  TIndicator,
  TLifecycleModel,
  TLifecycleTier,
  TPercentileModel,
  TRuleClasses,
  TScorePart,
  TStarModel,
  TValueMetrics,
  TWeightedModel,
} from '@huifang/shared';

/**
 * The arithmetic of customer value 客户分级 (DESIGN §3), as pure functions. The recompute job runs the same rules in
 * SQL (value-sql.ts); the preview and the score breakdown use these, and the tests hold both to the same answers.
 *
 * Exactness: money arrives as integer fen and counts as integers; every ratio multiplies first and divides last, so
 * a value that is exactly on a threshold (10 万 = 10,000,000 fen, 95 % = 9,500 of 10,000) comes out exactly equal.
 */

/** What SQL aggregates per customer (metricsSelect in value-sql.ts). */
export interface TRawMetrics {
  salesFen: number;
  prevSalesFen: number;
  batches: number;
  returnsFen: number;
  paymentsFen: number;
  prevPaymentsFen: number;
  /** All orders − returns − payments up to the run. */
  debtFen: number;
  /** Whole days since the last order (any time before the run); null: never ordered. */
  daysSinceOrder: number | null;
  isNew: boolean;
  managerRating: number | null;
  expertScore: number | null;
  /** Spend in the last churn period and in the period before it (churn warning). */
  recentFen: number;
  priorFen: number;
}

const FEN_PER_WAN = 1_000_000;

/** The §3 metrics of one customer from its raw sums. Rates are null when their base is zero. */
export function deriveMetrics(r: TRawMetrics): TValueMetrics {
  const rate = (part: number, base: number) => (base > 0 ? (part * 100) / base : null);
  const collectionRate = rate(r.paymentsFen, r.salesFen);
  const prevCollectionRate = rate(r.prevPaymentsFen, r.prevSalesFen);
  return {
    salesWan: r.salesFen / FEN_PER_WAN,
    prevSalesWan: r.prevSalesFen / FEN_PER_WAN,
    batches: r.batches,
    returnsWan: r.returnsFen / FEN_PER_WAN,
    paymentsWan: r.paymentsFen / FEN_PER_WAN,
    debtWan: r.debtFen / FEN_PER_WAN,
    collectionRate,
    prevCollectionRate,
    collectionChange:
      collectionRate !== null && prevCollectionRate !== null ? collectionRate - prevCollectionRate : null,
    returnRate: rate(r.returnsFen, r.salesFen),
    growth: r.prevSalesFen > 0 ? ((r.salesFen - r.prevSalesFen) * 100) / r.prevSalesFen : null,
    daysSinceOrder: r.daysSinceOrder,
    isNew: r.isNew ? 1 : 0,
    managerRating: r.managerRating,
    expertScore: r.expertScore,
  };
}

/**
 * Round half away from zero to two decimals exactly as Postgres does `round(x::numeric, 2)` for a float8 x: the double
 * is first written with 15 significant digits (float8 → numeric), and that decimal is rounded. So 2.675 (stored as
 * 2.67499999999999982…) rounds to 2.68 in both, and the SQL recompute and these functions agree to the cent.
 */
export function round2(x: number): number {
  const sign = x < 0 ? -1 : 1;
  const text = Math.abs(x).toPrecision(15);
  if (text.includes('e')) return Math.abs(x) < 1 ? 0 : x;
  const [int, frac = ''] = text.split('.');
  const digits = (frac + '000').slice(0, 3);
  let cents = BigInt(int!) * 100n + BigInt(digits.slice(0, 2));
  if (digits[2]! >= '5') cents += 1n;
  return (sign * Number(cents)) / 100;
}

/**
 * Forward 正序: clamp((x − min) / (max − min), 0, 1) × 100; reverse 倒序: clamp((max − x) / (max − min), 0, 1) × 100.
 * At min a forward indicator scores 0 and at max 100; beyond the range it stays at 0 / 100. A missing value scores 0.
 */
export function normalise(x: number | null, ind: Pick<TIndicator, 'min' | 'max' | 'direction'>): number {
  if (x === null) return 0;
  const span = ind.max - ind.min;
  const raw = ind.direction === 'forward' ? ((x - ind.min) * 100) / span : ((ind.max - x) * 100) / span;
  return Math.min(100, Math.max(0, raw));
}

/** Σ weight × score (weights in percent, summing to 100 — the schema refuses anything else), 0–100, two decimals. */
export function weightedScore(model: TWeightedModel, m: TValueMetrics): { total: number; parts: TScorePart[] } {
  const parts = model.indicators.map((ind) => {
    const value = m[ind.metric];
    const score = normalise(value, ind);
    return {
      key: ind.key,
      label: ind.label,
      metric: ind.metric,
      direction: ind.direction,
      min: ind.min,
      max: ind.max,
      value,
      score: round2(score),
      weight: ind.weight,
      contribution: round2((ind.weight * score) / 100),
    };
  });
  // 0 + (w₁ × s₁) / 100 + (w₂ × s₂) / 100 + …: the very doubles SQL computes (weightedScoreSql).
  const total = model.indicators.reduce((s, ind) => s + (ind.weight * normalise(m[ind.metric], ind)) / 100, 0);
  return { total: round2(total), parts };
}

/**
 * 大客户评价: each criterion scored 0–10 by people, weighted average Σ weight × score / 100 (weights sum to 100), two
 * decimals. A criterion without a score counts 0; no scores at all: null.
 */
export function expertScore(model: TExpertModel, scores: Record<string, number> | null): number | null {
  if (!scores || !Object.keys(scores).length) return null;
  return round2(model.criteria.reduce((s, c) => s + c.weight * (scores[c.key] ?? 0), 0) / 100);
}

/** One condition on the metrics. A missing metric (e.g. a rate without sales) satisfies no comparison. */
export function evalCondition(c: TCondition, m: TValueMetrics): boolean {
  if ('all' in c) return c.all.every((x) => evalCondition(x, m));
  if ('any' in c) return c.any.some((x) => evalCondition(x, m));
  const v = m[c.metric];
  if (v === null) return false;
  switch (c.op) {
    case 'gt':
      return v > c.value;
    case 'gte':
      return v >= c.value;
    case 'lt':
      return v < c.value;
    case 'lte':
      return v <= c.value;
    case 'eq':
      return v === c.value;
    case 'neq':
      return v !== c.value;
  }
}

/** Rule classes 客户分类: evaluated in order, the first class whose condition holds; none: null (未分类). */
export function ruleClass(model: TRuleClasses, m: TValueMetrics): string | null {
  return model.classes.find((c) => evalCondition(c.when, m))?.key ?? null;
}

/**
 * Percentile tiers within a group: in each group, customers with business in the year (orders or sales) are ranked
 * by (quantity share + amount share) / 2 — compared exactly as q × A + a × Q (the same order, no division) — and cut
 * at the tiers' shares, best first. Tie rule: a customer's position is its rank (1 + the number of customers in the
 * group with a strictly higher score), so tied customers share one tier, the one of the first of them; a tie that
 * straddles a cut goes up whole. Tier k holds rank r when (r − 1) < cumulative share up to k × n. Customers without
 * business in the year get no tier.
 */
export function percentileTiers(
  model: Pick<TPercentileModel, 'cuts'>,
  rows: { id: string; group: string; quantity: number; amountFen: number }[],
): Map<string, string | null> {
  const out = new Map<string, string | null>();
  const groups = new Map<string, typeof rows>();
  for (const r of rows) {
    if (r.quantity <= 0 && r.amountFen <= 0) {
      out.set(r.id, null);
      continue;
    }
    const g = groups.get(r.group) ?? [];
    g.push(r);
    groups.set(r.group, g);
  }
  const cum: number[] = [];
  model.cuts.reduce((s, c) => (cum.push(s + Math.round(c.weight * 100)), s + Math.round(c.weight * 100)), 0);
  for (const g of groups.values()) {
    const Q = BigInt(
      Math.max(
        1,
        g.reduce((s, r) => s + r.quantity, 0),
      ),
    );
    const A = BigInt(
      Math.max(
        1,
        g.reduce((s, r) => s + r.amountFen, 0),
      ),
    );
    const keyed = g.map((r) => ({ id: r.id, key: BigInt(r.quantity) * A + BigInt(r.amountFen) * Q }));
    const n = BigInt(keyed.length);
    for (const r of keyed) {
      const rank = BigInt(keyed.filter((o) => o.key > r.key).length) + 1n;
      const k = cum.findIndex((c) => (rank - 1n) * 10000n < BigInt(c) * n);
      out.set(r.id, model.cuts[k === -1 ? model.cuts.length - 1 : k]!.key);
    }
  }
  return out;
}

/**
 * RFM scores 1–5 among the customers who ever ordered: R by days since the last order (fewer is better), F by orders
 * in the year, M by sales in the year. Score = 1 + ⌊(rank − 1) × 5 / n⌋ with rank counted from the worst (1 + the
 * number strictly worse), so ties share the lower score. Customers who never ordered get none.
 */
export function rfmScores(
  rows: { id: string; daysSinceOrder: number | null; batches: number; salesFen: number }[],
): Map<string, { r: number; f: number; m: number } | null> {
  const out = new Map<string, { r: number; f: number; m: number } | null>();
  const ordered = rows.filter((r) => r.daysSinceOrder !== null);
  for (const r of rows) if (r.daysSinceOrder === null) out.set(r.id, null);
  const n = ordered.length;
  const score = (worse: number) => 1 + Math.floor((worse * 5) / n);
  for (const r of ordered) {
    out.set(r.id, {
      r: score(ordered.filter((o) => o.daysSinceOrder! > r.daysSinceOrder!).length),
      f: score(ordered.filter((o) => o.batches < r.batches).length),
      m: score(ordered.filter((o) => o.salesFen < r.salesFen).length),
    });
  }
  return out;
}

/** Monthly contribution points = ⌊sales in the year ÷ 12 ÷ pointFen⌋; stars = thresholds reached (0–5). */
export function starLevel(model: TStarModel, salesFen: number): number {
  const points = Math.floor(salesFen / (12 * model.pointFen));
  return model.thresholds.filter((t) => points >= t).length;
}

/**
 * Lifecycle tiers, first match: churned 流失 (ordered before, none for churnDays) → high value 高价值 (weighted score
 * at least highValueMinScore) → potential 潜在 (never ordered, an interested intent level) → ordinary 普通.
 */
export function lifecycleTier(
  model: TLifecycleModel,
  m: Pick<TValueMetrics, 'daysSinceOrder'>,
  score: number,
  intentLevel: string | null,
): TLifecycleTier {
  if (m.daysSinceOrder !== null && m.daysSinceOrder >= model.churnDays) return 'churned';
  if (score >= model.highValueMinScore) return 'high_value';
  if (m.daysSinceOrder === null && intentLevel !== null && model.potentialIntents.includes(intentLevel))
    return 'potential';
  return 'ordinary';
}

/**
 * Churn warning 流失预警 for a customer who ordered before: no order for noPurchaseDays (no_purchase), else spend in
 * the last periodDays down by at least dropPct on the period before (spend_drop: recent × 100 ≤ prior × (100 − X),
 * compared in hundredths of a percent, exactly).
 */
export function churnWarning(
  model: TChurnModel,
  r: Pick<TRawMetrics, 'daysSinceOrder' | 'recentFen' | 'priorFen'>,
): { reason: 'no_purchase' | 'spend_drop'; dropPct: number | null } | null {
  if (r.daysSinceOrder === null) return null;
  if (r.daysSinceOrder >= model.noPurchaseDays) return { reason: 'no_purchase', dropPct: null };
  if (
    r.priorFen > 0 &&
    BigInt(r.recentFen) * 10000n <= BigInt(r.priorFen) * BigInt(10000 - Math.round(model.dropPct * 100))
  )
    return { reason: 'spend_drop', dropPct: round2(((r.priorFen - r.recentFen) * 100) / r.priorFen) };
  return null;
}
