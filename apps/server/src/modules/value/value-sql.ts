import { sql, type SQL } from 'drizzle-orm';
import {
  VALUE_METRICS,
  type TCondition,
  type TExpertModel,
  type TLifecycleModel,
  type TPercentileModel,
  type TRuleClasses,
  type TStarModel,
  type TValueConfig,
  type TValueMetric,
  type TWeightedModel,
} from '@huifang/shared';

/**
 * The models of scoring.ts compiled to SQL, so that a recompute is set-based (one pass over the transactions, window
 * functions for ranks). Same rules, same order, same tie rules; value.test.ts holds the job's results to the pure
 * functions' answers for the same customers. Numbers are `numeric` throughout (exact decimals).
 */

const num = (n: number) => sql`${String(n)}::float8`;

/**
 * A metric over the raw columns of a metrics row (alias m), in float8 with the very operations of deriveMetrics in
 * the same order (integers multiplied first, one division last), so SQL and JS compute the same doubles: exact on
 * thresholds such as 10 万 or 95 %, and identical elsewhere. Rates are null without a base.
 */
export function metricExprSql(metric: TValueMetric): SQL {
  const wan = (col: string) => sql.raw(`(m.${col}::float8 / 1000000)`);
  const rate = (part: string, base: string) =>
    sql.raw(`(case when m.${base} > 0 then (m.${part} * 100)::float8 / m.${base} end)`);
  switch (metric) {
    case 'salesWan':
      return wan('sales_fen');
    case 'prevSalesWan':
      return wan('prev_sales_fen');
    case 'batches':
      return sql.raw('m.batches::float8');
    case 'returnsWan':
      return wan('returns_fen');
    case 'paymentsWan':
      return wan('payments_fen');
    case 'debtWan':
      return wan('debt_fen');
    case 'collectionRate':
      return rate('payments_fen', 'sales_fen');
    case 'prevCollectionRate':
      return rate('prev_payments_fen', 'prev_sales_fen');
    case 'collectionChange':
      return sql`(${rate('payments_fen', 'sales_fen')} - ${rate('prev_payments_fen', 'prev_sales_fen')})`;
    case 'returnRate':
      return rate('returns_fen', 'sales_fen');
    case 'growth':
      return sql.raw(
        '(case when m.prev_sales_fen > 0 then ((m.sales_fen - m.prev_sales_fen) * 100)::float8 / m.prev_sales_fen end)',
      );
    case 'daysSinceOrder':
      return sql.raw('m.days_since_order::float8');
    case 'isNew':
      return sql.raw('(case when m.is_new then 1 else 0 end)::float8');
    case 'managerRating':
      return sql.raw('m.manager_rating::float8');
    case 'expertScore':
      return sql.raw('m.expert_score::float8');
  }
}

/** Every metric computed once per row as column v_<metric> (the scoring level reads these, see scoreInsert). */
export const derivedMetricsSql = () =>
  sql.join(
    VALUE_METRICS.map((x) => sql`${metricExprSql(x)} as ${sql.raw(`v_${x.toLowerCase()}`)}`),
    sql`, `,
  );

/** A metric as the scoring level sees it: the column derivedMetricsSql made (alias m). */
export const metricSql = (metric: TValueMetric): SQL => sql.raw(`m.v_${metric.toLowerCase()}`);

const OPS = { gt: '>', gte: '>=', lt: '<', lte: '<=', eq: '=', neq: '<>' } as const;

/** SQL's three-valued logic gives "a missing metric satisfies no comparison" for and / or without any extra rule. */
export function conditionSql(c: TCondition): SQL {
  if ('all' in c) return sql`(${sql.join(c.all.map(conditionSql), sql` and `)})`;
  if ('any' in c) return sql`(${sql.join(c.any.map(conditionSql), sql` or `)})`;
  return sql`(${metricSql(c.metric)} ${sql.raw(OPS[c.op])} ${num(c.value)})`;
}

export function ruleClassSql(model: TRuleClasses): SQL {
  return sql`(case ${sql.join(
    model.classes.map((c) => sql`when ${conditionSql(c.when)} then ${c.key}::text`),
    sql` `,
  )} end)`;
}

export function weightedScoreSql(model: TWeightedModel): SQL {
  const parts = model.indicators.map((i) => {
    const x = metricSql(i.metric);
    const raw =
      i.direction === 'forward'
        ? sql`(${x} - ${num(i.min)}) * 100 / ${num(i.max - i.min)}`
        : sql`(${num(i.max)} - ${x}) * 100 / ${num(i.max - i.min)}`;
    // greatest / least skip NULLs (least(100, null) is 100): a missing value must be caught before them.
    return sql`(${num(i.weight)} * (case when ${x} is null then 0 else greatest(0::float8, least(100::float8, ${raw})) end)) / 100`;
  });
  // The sum in indicator order from 0, as weightedScore; rounded half away from zero through numeric (round2).
  return sql`round((0::float8 + ${sql.join(parts, sql` + `)})::numeric, 2)`;
}

/** Σ weight × score / 100 over the criteria (a missing criterion counts 0); null without scores. */
export function expertScoreSql(model: TExpertModel, scoresCol: SQL): SQL {
  const parts = model.criteria.map(
    (c) => sql`${String(c.weight)}::numeric * coalesce((${scoresCol} ->> ${c.key})::numeric, 0)`,
  );
  return sql`(case when ${scoresCol} is not null and ${scoresCol} <> '{}'::jsonb then round((${sql.join(parts, sql` + `)}) / 100, 2) end)`;
}

export function starsSql(model: TStarModel): SQL {
  const points = sql`(m.sales_fen / ${12 * model.pointFen}::bigint)`;
  return sql`(${sql.join(
    model.thresholds.map((t) => sql`(${points} >= ${t}::bigint)::int`),
    sql` + `,
  )})`;
}

export function lifecycleSql(model: TLifecycleModel, score: SQL): SQL {
  const intents = model.potentialIntents.length
    ? sql`m.intent_level in (${sql.join(
        model.potentialIntents.map((i) => sql`${i}::text`),
        sql`, `,
      )})`
    : sql`false`;
  return sql`(case when m.days_since_order >= ${model.churnDays}::int then 'churned'
    when ${score} >= ${String(model.highValueMinScore)}::numeric then 'high_value'
    when m.days_since_order is null and ${intents} then 'potential' else 'ordinary' end)`;
}

/** Percentile tier from a rank (1 + strictly better in the group) and the group size n. */
export function tierSql(model: Pick<TPercentileModel, 'cuts'>, rank: SQL, n: SQL): SQL {
  let cum = 0;
  const whens = model.cuts.slice(0, -1).map((c) => {
    cum += Math.round(c.weight * 100);
    return sql`when (${rank} - 1) * 10000 < ${cum}::bigint * ${n} then ${c.key}::text`;
  });
  return sql`(case ${sql.join(whens, sql` `)} else ${model.cuts[model.cuts.length - 1]!.key}::text end)`;
}

export function groupSql(groupBy: string): SQL {
  if (groupBy === 'kind') return sql`c.kind`;
  if (groupBy === 'unit') return sql`c.unit_id::text`;
  if (groupBy.startsWith('custom:')) return sql`coalesce(c.custom ->> ${groupBy.slice(7)}, '')`;
  return sql`''`;
}

/**
 * Raw metrics of the customers matching `customers` (a condition on alias c; `txRange` narrows the transactions the
 * same way, e.g. a customer id range, so the aggregate is one range scan of transactions_customer_idx). The
 * statistical year is the 12 months up to asOf; "prev" the 12 months before; the churn periods are periodDays each.
 */
export function metricsSelect(cfg: TValueConfig, tenantId: string, asOf: Date, customers: SQL, txRange: SQL): SQL {
  const at = sql`${asOf.toISOString()}::timestamptz`;
  const y0 = sql`(${at} - interval '1 year')`;
  const y1 = sql`(${at} - interval '2 years')`;
  const r0 = sql`(${at} - make_interval(days => ${cfg.churn.periodDays}::int))`;
  const r1 = sql`(${at} - make_interval(days => ${2 * cfg.churn.periodDays}::int))`;
  const ratingKey = cfg.managerRatingField;
  return sql`select c.id as customer_id, c.intent_level, ${groupSql(cfg.percentile.groupBy)} as grp,
      (c.created_at > ${y0}) as is_new,
      (case when (c.custom ->> ${ratingKey}) ~ '^-?[0-9]+(\\.[0-9]+)?$' then (c.custom ->> ${ratingKey})::numeric end) as manager_rating,
      ${expertScoreSql(cfg.expert, sql`es.scores`)} as expert_score,
      coalesce(t.sales_fen, 0)::bigint as sales_fen, coalesce(t.prev_sales_fen, 0)::bigint as prev_sales_fen,
      coalesce(t.batches, 0)::int as batches, coalesce(t.returns_fen, 0)::bigint as returns_fen,
      coalesce(t.payments_fen, 0)::bigint as payments_fen, coalesce(t.prev_payments_fen, 0)::bigint as prev_payments_fen,
      coalesce(t.debt_fen, 0)::bigint as debt_fen,
      floor(extract(epoch from (${at} - t.last_order_at)) / 86400)::int as days_since_order,
      coalesce(t.recent_fen, 0)::bigint as recent_fen, coalesce(t.prior_fen, 0)::bigint as prior_fen
    from customers c
    left join (
      select customer_id,
        sum(amount_fen) filter (where kind = 'order' and occurred_at > ${y0}) as sales_fen,
        sum(amount_fen) filter (where kind = 'order' and occurred_at > ${y1} and occurred_at <= ${y0}) as prev_sales_fen,
        count(*) filter (where kind = 'order' and occurred_at > ${y0}) as batches,
        sum(amount_fen) filter (where kind = 'return' and occurred_at > ${y0}) as returns_fen,
        sum(amount_fen) filter (where kind = 'payment' and occurred_at > ${y0}) as payments_fen,
        sum(amount_fen) filter (where kind = 'payment' and occurred_at > ${y1} and occurred_at <= ${y0}) as prev_payments_fen,
        sum(case when kind = 'order' then amount_fen else -amount_fen end) as debt_fen,
        max(occurred_at) filter (where kind = 'order') as last_order_at,
        sum(amount_fen) filter (where kind = 'order' and occurred_at > ${r0}) as recent_fen,
        sum(amount_fen) filter (where kind = 'order' and occurred_at > ${r1} and occurred_at <= ${r0}) as prior_fen
      from transactions
      where tenant_id = ${tenantId} and occurred_at <= ${at} and ${txRange}
      group by customer_id
    ) t on t.customer_id = c.id
    left join value_expert_scores es on es.tenant_id = c.tenant_id and es.customer_id = c.id
    where c.tenant_id = ${tenantId} and ${customers}`;
}

/** The staging table one run fills chunk by chunk (metricsSelect's columns), dropped at commit. */
export const STAGE_DDL = sql.raw(`create temp table value_stage (
  customer_id uuid, intent_level text, grp text, is_new boolean, manager_rating numeric, expert_score numeric,
  sales_fen bigint, prev_sales_fen bigint, batches int, returns_fen bigint, payments_fen bigint, prev_payments_fen bigint,
  debt_fen bigint, days_since_order int, recent_fen bigint, prior_fen bigint) on commit drop`);

/**
 * Everything the models make of the staged metrics, written to customer_values in one statement: the weighted score,
 * rule class, stars and lifecycle per row; percentile tiers (rank within group among customers with business) and
 * RFM (rank among customers who ever ordered) by window functions.
 */
export function scoreInsert(cfg: TValueConfig, tenantId: string, runId: string): SQL {
  const score = weightedScoreSql(cfg.weighted);
  return sql`insert into customer_values (tenant_id, run_id, customer_id, score, expert_score, rule_class, tier, lifecycle,
      r, f, m, stars, sales_fen, prev_sales_fen, batches, returns_fen, payments_fen, prev_payments_fen, debt_fen,
      days_since_order, is_new, manager_rating, recent_fen, prior_fen)
    with s0 as (
      select m.*, ${derivedMetricsSql()} from value_stage m
    ), s1 as (
      select m.*, ${score} as score, ${ruleClassSql(cfg.ruleClasses)} as rule_class, ${starsSql(cfg.stars)} as stars,
        (m.batches > 0 or m.sales_fen > 0) as hb, (m.days_since_order is not null) as ho
      from s0 m
    ), s2 as (
      select s1.*, greatest(sum(batches) over g, 1)::numeric as q_all, greatest(sum(sales_fen) over g, 1)::numeric as a_all,
        count(*) over g as gn
      from s1 window g as (partition by grp, hb)
    ), s3 as (
      select s2.*, rank() over (partition by grp, hb order by batches * a_all + sales_fen * q_all desc) as prank,
        rank() over (partition by ho order by days_since_order desc) as rr,
        rank() over (partition by ho order by batches) as fr,
        rank() over (partition by ho order by sales_fen) as mr,
        count(*) over (partition by ho) as hn
      from s2
    )
    select ${tenantId}::uuid, ${runId}::uuid, m.customer_id, m.score, m.expert_score, m.rule_class,
      case when m.hb then ${tierSql(cfg.percentile, sql`m.prank`, sql`m.gn`)} end,
      ${lifecycleSql(cfg.lifecycle, sql`m.score`)},
      case when m.ho then 1 + (m.rr - 1) * 5 / m.hn end, case when m.ho then 1 + (m.fr - 1) * 5 / m.hn end,
      case when m.ho then 1 + (m.mr - 1) * 5 / m.hn end, m.stars,
      m.sales_fen, m.prev_sales_fen, m.batches, m.returns_fen, m.payments_fen, m.prev_payments_fen, m.debt_fen,
      m.days_since_order, m.is_new, m.manager_rating, m.recent_fen, m.prior_fen
    from s3 m
    -- In key order: the primary key and the customer index are appended to instead of written at random places.
    order by m.customer_id`;
}

/** The churn-warning condition over customer_values (alias m) — as churnWarning() in scoring.ts. */
export function churnSql(cfg: TValueConfig): { noPurchase: SQL; spendDrop: SQL } {
  const drop = 10000 - Math.round(cfg.churn.dropPct * 100);
  return {
    noPurchase: sql`(m.days_since_order >= ${cfg.churn.noPurchaseDays}::int)`,
    spendDrop: sql`(m.days_since_order is not null and m.prior_fen > 0 and m.recent_fen::numeric * 10000 <= m.prior_fen::numeric * ${drop}::numeric)`,
  };
}
