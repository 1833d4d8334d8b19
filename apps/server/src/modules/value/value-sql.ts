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

export function groupSql(groupBy: string): SQL {
  if (groupBy === 'kind') return sql`c.kind`;
  if (groupBy === 'unit') return sql`c.unit_id::text`;
  if (groupBy.startsWith('custom:')) return sql`coalesce(c.custom ->> ${groupBy.slice(7)}, '')`;
  return sql`''`;
}

/** The period bounds of a run: the statistical year y0–at, the year before y1–y0, the churn periods r1–r0–at. */
export type TPeriodBounds = { at: SQL; y0: SQL; y1: SQL; r0: SQL; r1: SQL };

/** The bounds as expressions of asOf, worked out by Postgres in every row that uses them (fine for a few customers). */
export function periodBoundsSql(cfg: TValueConfig, asOf: Date): TPeriodBounds {
  const at = sql`${asOf.toISOString()}::timestamptz`;
  return {
    at,
    y0: sql`(${at} - interval '1 year')`,
    y1: sql`(${at} - interval '2 years')`,
    r0: sql`(${at} - make_interval(days => ${cfg.churn.periodDays}::int))`,
    r1: sql`(${at} - make_interval(days => ${2 * cfg.churn.periodDays}::int))`,
  };
}

/**
 * The same bounds worked out once by Postgres (same session, so the same time zone arithmetic) and returned as
 * constants: `timestamptz - interval` is only stable, so inside an aggregate's FILTERs it is computed again for every
 * transaction (14 times per row, most of a run's metrics time). Text in and out keeps every microsecond.
 */
export async function periodBoundsConst(
  db: { execute: (q: SQL) => Promise<{ rows: unknown[] }> },
  cfg: TValueConfig,
  asOf: Date,
): Promise<TPeriodBounds> {
  const b = periodBoundsSql(cfg, asOf);
  const row = (
    await db.execute(
      sql`select ${b.at}::text as at, ${b.y0}::text as y0, ${b.y1}::text as y1, ${b.r0}::text as r0, ${b.r1}::text as r1`,
    )
  ).rows[0] as Record<keyof TPeriodBounds, string>;
  const c = (v: string) => sql`${v}::timestamptz`;
  return { at: c(row.at), y0: c(row.y0), y1: c(row.y1), r0: c(row.r0), r1: c(row.r1) };
}

/**
 * Raw metrics of the customers matching `customers` (a condition on alias c; `txRange` narrows the transactions the
 * same way, e.g. a customer id range, so the aggregate is one range scan of transactions_customer_idx). The
 * statistical year is the 12 months up to asOf; "prev" the 12 months before; the churn periods are periodDays each
 * (`bounds`: periodBoundsSql or, for a whole run, periodBoundsConst).
 */
export function metricsSelect(
  cfg: TValueConfig,
  tenantId: string,
  bounds: TPeriodBounds,
  customers: SQL,
  txRange: SQL,
): SQL {
  const { at, y0, y1, r0, r1 } = bounds;
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
      coalesce(t.recent_fen, 0)::bigint as recent_fen, coalesce(t.prior_fen, 0)::bigint as prior_fen,
      c.unit_id
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
  debt_fen bigint, days_since_order int, recent_fen bigint, prior_fen bigint, unit_id uuid) on commit drop`);

/** The largest bigint, as numeric: whether a percentile key can be computed in bigint without overflow. */
const I8_MAX = sql.raw('9223372036854775807::numeric');

/**
 * Everything the models make of the staged metrics, written to customer_values in one statement: the weighted score,
 * rule class, stars and lifecycle per row; percentile tiers (rank within group among customers with business) and
 * RFM (rank among customers who ever ordered). Only narrow rows are sorted: the group totals and the counts per
 * distinct R and F value (days since the last order, order count: few distinct values) are one scan of the stage
 * (grouping sets), R and F a running count over those values, and the two ranks on near-unique keys (the percentile
 * key, sales) windows over (customer, keys); all joined back by hash. Each is the rank() of the window it replaces:
 * 1 + the customers of the same partition strictly before. The percentile key (quantity share + amount share, scaled
 * to integers) is sorted as bigint when the group's largest possible key fits one (always, short of sums near 9e18
 * fen), else as numeric: the same exact integers either way, bigint compares several times faster.
 * (The group key of groupSql is never null, so the equi-joins on it lose no row.)
 */
/** The percentile key of row alias `s` against its group's totals (alias t): bigint when the group fits, else null. */
const PKEY8 = (s: string) => sql.raw(`case when t.fits then ${s}.batches * t.a8 + ${s}.sales_fen * t.q8 end`);
/** … and as numeric when it does not (else null). */
const PKEYN = (s: string) => sql.raw(`case when not t.fits then ${s}.batches * t.a_all + ${s}.sales_fen * t.q_all end`);

/** Per cut but the last: T = ⌈cum × n / 10000⌉ in integers, n the group size (t.gn). */
function cutTs(model: Pick<TPercentileModel, 'cuts'>) {
  let cum = 0;
  return model.cuts.slice(0, -1).map((c) => {
    cum += Math.round(c.weight * 100);
    return { key: c.key, t: sql`((${cum}::bigint * t.gn + 9999) / 10000)` };
  });
}

/**
 * tierSql for a customer whose rank is 1 + the keys of its group strictly better: (rank − 1) × 10000 < cum × n holds
 * iff fewer than T = ⌈cum × n / 10000⌉ keys beat it, iff T > n or its key ≥ the T-th best key (pt's thresholds).
 */
function tierByKeySql(model: Pick<TPercentileModel, 'cuts'>): SQL {
  const whens = cutTs(model).map(({ key }, j) => {
    const n = String(j);
    return sql`when t.all_${sql.raw(n)} or ${PKEY8('m')} >= t.t8_${sql.raw(n)} or ${PKEYN('m')} >= t.tn_${sql.raw(n)} then ${key}::text`;
  });
  return sql`(case ${sql.join(whens, sql` `)} else ${model.cuts[model.cuts.length - 1]!.key}::text end)`;
}

export function scoreInsert(cfg: TValueConfig, tenantId: string, runId: string): SQL {
  const score = weightedScoreSql(cfg.weighted);
  const hb = sql.raw('(batches > 0 or sales_fen > 0)');
  const ho = sql.raw('(days_since_order is not null)');
  return sql`insert into customer_values (tenant_id, run_id, customer_id, score, expert_score, rule_class, tier, lifecycle,
      r, f, m, stars, sales_fen, prev_sales_fen, batches, returns_fen, payments_fen, prev_payments_fen, debt_fen,
      days_since_order, is_new, manager_rating, recent_fen, prior_fen, unit_id)
    with agg as materialized (
      select grouping(grp) as gt, grouping(days_since_order) as gd, grouping(batches) as gb, grp, ${hb} as hb,
        days_since_order as d, batches as b, count(*) as n, count(*) filter (where ${ho}) as n_ho,
        sum(batches) as q, sum(sales_fen) as a, max(batches) as b_max,
        greatest(max(sales_fen)::numeric, -(min(sales_fen)::numeric)) as s_abs
      from value_stage group by grouping sets ((grp, ${hb}), (days_since_order), (batches))
    ), tot0 as (
      select grp, hb, greatest(q, 1)::numeric as q_all, greatest(a, 1)::numeric as a_all, n as gn, n_ho, b_max, s_abs
      from agg where gt = 0
    ), tot as (
      select grp, hb, q_all, a_all, gn, n_ho,
        (q_all <= ${I8_MAX} and a_all <= ${I8_MAX} and b_max * a_all + s_abs * q_all <= ${I8_MAX}) as fits
      from tot0
    ), tk as (
      select grp, hb, q_all, a_all, gn, fits, case when fits then q_all::bigint end as q8,
        case when fits then a_all::bigint end as a8
      from tot
    ), hon as (
      select coalesce(sum(n_ho), 0)::bigint as hn from tot
    ), rr as (
      select d, 1 + coalesce(sum(n_ho) over (order by d desc rows between unbounded preceding and 1 preceding), 0)::bigint as rr
      from agg where gd = 0 and d is not null
    ), fr as (
      select b, 1 + coalesce(sum(n_ho) over (order by b rows between unbounded preceding and 1 preceding), 0)::bigint as fr
      from agg where gb = 0
    ), pk as (
      -- Each group's percentile keys, best first (customers with business only: the others get no tier).
      select grp, hb, array_agg(k8 order by k8 desc) filter (where fits) as k8s,
        array_agg(kn order by kn desc) filter (where not fits) as kns
      from (select s.grp, s.hb, t.fits, ${PKEY8('s')} as k8, ${PKEYN('s')} as kn
        from (select grp, batches, sales_fen, ${hb} as hb from value_stage where ${hb}) s
        join tk t on t.grp = s.grp and t.hb = s.hb) k
      group by grp, hb
    ), pt as (
      -- Per cut j: the key a customer needs (the T-th best, T = ⌈cum × n / 10000⌉), or all when T > n.
      select t.*, ${sql.join(
        cutTs(cfg.percentile).map(
          ({ t }, j) =>
            sql`(${t} > t.gn) as all_${sql.raw(String(j))}, p.k8s[${t}] as t8_${sql.raw(String(j))}, p.kns[${t}] as tn_${sql.raw(String(j))}`,
        ),
        sql`, `,
      )}
      from tk t left join pk p on p.grp = t.grp and p.hb = t.hb
    ), mt as (
      -- M: the sales a customer must exceed per quintile step k (the C-th lowest, C = ⌈k × hn / 5⌉), as the rank.
      select ${sql.join(
        [1, 2, 3, 4].map(
          (k) =>
            sql`(${k}::bigint * h.hn + 4) / 5 as c${sql.raw(String(k))}, x.xs[(${k}::bigint * h.hn + 4) / 5] as x${sql.raw(String(k))}`,
        ),
        sql`, `,
      )}
      from hon h cross join (select array_agg(sales_fen order by sales_fen) as xs from value_stage where ${ho}) x
    ), s0 as (
      select m.*, ${derivedMetricsSql()}, ${hb} as hb, ${ho} as ho from value_stage m
    ), s1 as (
      select m.*, ${score} as score, ${ruleClassSql(cfg.ruleClasses)} as rule_class, ${starsSql(cfg.stars)} as stars
      from s0 m
    )
    select ${tenantId}::uuid, ${runId}::uuid, m.customer_id, m.score, m.expert_score, m.rule_class,
      case when m.hb then ${tierByKeySql(cfg.percentile)} end,
      ${lifecycleSql(cfg.lifecycle, sql`m.score`)},
      case when m.ho then 1 + (rr.rr - 1) * 5 / hon.hn end, case when m.ho then 1 + (fr.fr - 1) * 5 / hon.hn end,
      case when m.ho then 1 + ${sql.join(
        [1, 2, 3, 4].map(
          (k) =>
            sql`(case when mt.c${sql.raw(String(k))} = 0 or m.sales_fen > mt.x${sql.raw(String(k))} then 1 else 0 end)`,
        ),
        sql` + `,
      )} end, m.stars,
      m.sales_fen, m.prev_sales_fen, m.batches, m.returns_fen, m.payments_fen, m.prev_payments_fen, m.debt_fen,
      m.days_since_order, m.is_new, m.manager_rating, m.recent_fen, m.prior_fen, m.unit_id
    from s1 m
    join pt t on t.grp = m.grp and t.hb = m.hb
    left join rr on rr.d = m.days_since_order
    left join fr on m.ho and fr.b = m.batches
    cross join hon cross join mt`;
  // No ORDER BY: value_stage is filled in customer id order and is the probe side of every join above, so the rows
  // come out in key order (the primary key and the customer index are appended to) without a sort of wide rows,
  // which spills to disk at a million. Only the write pattern depends on it, never a result.
}

/** The churn-warning condition over customer_values (alias m) — as churnWarning() in scoring.ts. */
export function churnSql(cfg: TValueConfig): { noPurchase: SQL; spendDrop: SQL } {
  const drop = 10000 - Math.round(cfg.churn.dropPct * 100);
  return {
    noPurchase: sql`(m.days_since_order >= ${cfg.churn.noPurchaseDays}::int)`,
    spendDrop: sql`(m.days_since_order is not null and m.prior_fen > 0 and m.recent_fen::numeric * 10000 <= m.prior_fen::numeric * ${drop}::numeric)`,
  };
}
