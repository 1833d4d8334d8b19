import { sql, type SQL } from 'drizzle-orm';
import type { TEvaluationChannel } from '@huifang/shared';
import type { DbOrTx } from '../../db/client.ts';
import {
  isRootUnit,
  keyAsDay,
  keyAsIs,
  keyAsText,
  rollupTableParts,
  rollupVisible,
  seesWholeTenant,
  subtreeOf,
  type TRollupKey,
  type TRollupNeeds,
  type TRollupTable,
  unionKeys,
} from '../../lib/rollup-tables.ts';
import { ownedVisible, type TScope } from '../../lib/scope.ts';

/**
 * The read model of evaluation figures: `evaluation_rollups` and its coarse tables (per tenant × day, unit × day,
 * unit × month, every key × month), kept by triggers in the writing transaction (migrations `evaluation_rollups`,
 * `coarse_evaluation_rollups`). Every statistic of evaluations reads it through this file, so the numbers agree
 * by construction: excluded ratings (the latest exclude/restore decides) are counted apart, 未评价 apart from rated.
 * Days are local days in the tenant's time zone (`YYYY-MM-DD`).
 */

export type TRollupDim = 'day' | 'unit' | 'counter' | 'staff' | 'channel' | 'businessType';
const DIM_KEY: Record<TRollupDim, TRollupKey> = {
  day: keyAsDay(sql`r.day`),
  unit: keyAsText(sql`r.unit_id`),
  counter: keyAsText(sql`r.counter_id`),
  staff: keyAsText(sql`r.staff_id`),
  channel: keyAsIs(sql`r.channel`),
  businessType: keyAsIs(sql`r.business_type`),
};

export interface TRollupFilter {
  /** First local day, inclusive. */
  fromDay: string;
  /** Last local day, exclusive. */
  toDay: string;
  channel?: TEvaluationChannel;
  /** 业务类型 of the rated service session. */
  businessType?: string;
  staffId?: string;
  /** Only units (unit_id) in the subtree of this unit. */
  unitIn?: string;
  /** Only counters (counter_id) in the subtree of this unit. */
  counterIn?: string;
  /** Rows with a staff member only. */
  hasStaff?: boolean;
  /**
   * Which unit column the caller's scope applies to: the unit (default; evaluations are scoped like owned records
   * by staff and unit) or the counter (服务统计, scoped like the service sessions beside it).
   */
  scopeBy?: 'unit' | 'counter';
}

export interface TRollupFigures {
  keys: Partial<Record<TRollupDim, string | null>>;
  /** Counted evaluations: rated + 未评价. */
  total: number;
  rated: number;
  unrated: number;
  scoreSum: number;
  /** Counted ratings per score, index 0 = score 1 … index 4 = score 5. */
  scores: [number, number, number, number, number];
  /** Mean score of the rated ones, two decimals (rounded in SQL); null without a rating. */
  avgScore: number | null;
  /** Scores 4–5 (满意) and 1–2 (不满意) among the rated. */
  satisfied: number;
  unsatisfied: number;
  excluded: number;
}

/**
 * The tables of the read model, coarsest first and the fine one last (db/schema/evaluation-rollups.ts): which keys
 * each keeps and its time grain. `evaluation_rollups` answers everything; the coarse ones answer reads that need fewer
 * keys, in far fewer rows.
 */
const FINE: TRollupTable = { name: 'evaluation_rollups', grain: 'day', hasUnit: true, hasStaff: true };
const TABLES: readonly TRollupTable[] = [
  { name: 'evaluation_rollups_tenant_day', grain: 'day', hasUnit: false, hasStaff: false },
  { name: 'evaluation_rollups_unit_month', grain: 'month', hasUnit: true, hasStaff: false },
  { name: 'evaluation_rollups_unit_day', grain: 'day', hasUnit: true, hasStaff: false },
  { name: 'evaluation_rollups_month', grain: 'month', hasUnit: true, hasStaff: true },
  FINE,
];

/** The parts of a day range [fromDay, toDay) read from which evaluation table (rollupTableParts). */
export const rollupParts = (needs: TRollupNeeds, fromDay: string, toDay: string) =>
  rollupTableParts(TABLES, needs, fromDay, toDay);

/** What a filter, a grouping and the caller's scope need of the rollups' keys. */
async function rollupNeeds(
  db: DbOrTx,
  scope: TScope,
  filter: TRollupFilter,
  groupBy: readonly TRollupDim[],
): Promise<TRollupNeeds> {
  const scopedByUnit = scope.dataScope === 'unit' || scope.dataScope === 'subtree';
  const staff =
    scope.dataScope === 'own' ||
    (scopedByUnit && filter.scopeBy === 'counter') ||
    groupBy.includes('staff') ||
    groupBy.includes('counter') ||
    !!filter.staffId ||
    !!filter.hasStaff ||
    !!filter.counterIn;
  // A subtree scope or filter at the tenant's root unit is the whole tenant: no unit key needed.
  const rootScope = scope.dataScope === 'subtree' && seesWholeTenant(scope);
  let unit = groupBy.includes('unit') || scope.dataScope === 'unit' || (scope.dataScope === 'subtree' && !rootScope);
  if (!unit && !staff && filter.unitIn) unit = !(await isRootUnit(db, scope, filter.unitIn));
  return { unit, staff, day: groupBy.includes('day') };
}

/**
 * Add what the write path queued (one tenant's, or all) — new evaluations in `evaluation_rollup_new`, corrections'
 * changes in `evaluation_rollup_pending` — into every evaluation rollup: evaluation_rollups, evaluation_hour_rollups
 * and the coarse tables; returns the number of changes added (pending rows + hour-grain groups of new evaluations).
 * Afterwards the tenant's rollups equal a GROUP BY over its committed facts (a fold running concurrently is waited
 * for). Every read of a rollup folds first; the `evaluation-rollups-fold` job keeps the queue short.
 */
export async function foldEvaluationRollups(db: DbOrTx, tenantId?: string): Promise<number> {
  // Also the customer-value cut's queue (evaluation_value_rollups, value-rollups.ts), unless a value run's recompute
  // holds it (then its own reader folds it, waiting; other readers need not wait).
  const res = await db.execute<{ n: number; v: number }>(
    sql`select evaluation_rollups_fold(${tenantId ?? null}::uuid) as n,
               evaluation_value_rollups_fold(${tenantId ?? null}::uuid, false) as v`,
  );
  return res.rows[0]?.n ?? 0;
}

/**
 * Sums of the rollups of the caller's scope, grouped by `groupBy` (none = one row of totals). Reads the coarsest
 * tables that answer the filter and grouping (see rollupParts); `fineOnly` reads evaluation_rollups alone (the
 * test that both paths agree).
 */
export async function readEvaluationRollups(
  db: DbOrTx,
  scope: TScope,
  filter: TRollupFilter,
  groupBy: readonly TRollupDim[] = [],
  opts: { fineOnly?: boolean } = {},
): Promise<TRollupFigures[]> {
  const parts = opts.fineOnly
    ? [{ table: FINE, from: filter.fromDay, to: filter.toDay }]
    : rollupParts(await rollupNeeds(db, scope, filter, groupBy), filter.fromDay, filter.toDay);
  await foldEvaluationRollups(db, scope.tenantId);
  const unitIn = filter.unitIn ? (await subtreeOf(db, scope, filter.unitIn))(sql`r.unit_id`) : null;
  const counterIn = filter.counterIn ? (await subtreeOf(db, scope, filter.counterIn))(sql`r.counter_id`) : null;
  const keys = unionKeys(groupBy.map((d) => DIM_KEY[d]));
  const selects = parts.map(({ table, from, to }) => {
    const time = sql.raw(`r.${table.grain}`);
    const conds: SQL[] = [
      sql`r.tenant_id = ${scope.tenantId}`,
      sql`${time} >= ${from}::date`,
      sql`${time} < ${to}::date`,
    ];
    // A table without the unit key is read only where the scope and the filter are the whole tenant.
    if (table.hasUnit)
      conds.push(
        // counter_id may be null (ratings at the outlet): the counter scope keeps its subtree condition.
        filter.scopeBy === 'counter'
          ? ownedVisible(scope, sql`r.staff_id`, sql`r.counter_id`)
          : rollupVisible(scope, sql`r.staff_id`, sql`r.unit_id`),
      );
    if (filter.channel) conds.push(sql`r.channel = ${filter.channel}`);
    if (filter.businessType) conds.push(sql`r.business_type = ${filter.businessType}`);
    if (filter.staffId) conds.push(sql`r.staff_id = ${filter.staffId}`);
    if (filter.hasStaff) conds.push(sql`r.staff_id is not null`);
    if (unitIn && table.hasUnit) conds.push(unitIn);
    if (counterIn) conds.push(counterIn);
    return sql`select ${keys.inner}
      r.total, r.unrated, r.score_sum, r.score_1, r.score_2, r.score_3, r.score_4, r.score_5, r.excluded
      from ${sql.raw(table.name)} r where ${sql.join(conds, sql` and `)}`;
  });
  const res = await db.execute<Record<string, string | number | null>>(sql`
    select ${keys.outer}
           coalesce(sum(r.total), 0)::int as total, coalesce(sum(r.unrated), 0)::int as unrated,
           coalesce(sum(r.score_sum), 0)::float8 as score_sum,
           coalesce(sum(r.score_1), 0)::int as s1, coalesce(sum(r.score_2), 0)::int as s2, coalesce(sum(r.score_3), 0)::int as s3,
           coalesce(sum(r.score_4), 0)::int as s4, coalesce(sum(r.score_5), 0)::int as s5,
           round(sum(r.score_sum)::numeric / nullif(sum(r.total) - sum(r.unrated), 0), 2)::float8 as avg_score,
           coalesce(sum(r.excluded), 0)::int as excluded
    from (${sql.join(selects, sql` union all `)}) r
    ${keys.groupBy}`);
  return res.rows.map((r) => {
    const scores: TRollupFigures['scores'] = [Number(r.s1), Number(r.s2), Number(r.s3), Number(r.s4), Number(r.s5)];
    const total = Number(r.total);
    const unrated = Number(r.unrated);
    return {
      keys: Object.fromEntries(groupBy.map((d, i) => [d, (r[`k${i}`] as string | null) ?? null])),
      total,
      rated: total - unrated,
      unrated,
      scoreSum: Number(r.score_sum),
      scores,
      avgScore: r.avg_score === null ? null : Number(r.avg_score),
      satisfied: scores[3] + scores[4],
      unsatisfied: scores[0] + scores[1],
      excluded: Number(r.excluded),
    };
  });
}

/** The local calendar day (`YYYY-MM-DD`) of an instant in an IANA time zone (the zones Postgres uses too). */
export function localDay(at: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('sv-SE', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
}

/** Today (local) and days around it. */
export function localDays(timeZone: string, at: Date): { today: string; plus: (n: number) => string } {
  const today = localDay(at, timeZone);
  return { today, plus: (n: number) => addDays(today, n) };
}

/** `YYYY-MM-DD` + n calendar days (pure date arithmetic, no time zone involved). */
export function addDays(day: string, n: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

/**
 * The local days an instant range [from, to) touches: the day of `from`, and the day after the one holding the
 * last instant before `to` (so a range from local midnight to local midnight is exactly its days).
 */
export function dayRange(timeZone: string, from: Date, to: Date): { fromDay: string; toDay: string } {
  const last = new Date(Math.max(from.getTime(), to.getTime() - 1));
  return { fromDay: localDay(from, timeZone), toDay: addDays(localDay(last, timeZone), 1) };
}

/** Recompute the evaluation and session rollups of one tenant (or all) from the facts; writers wait meanwhile. */
export async function rebuildEvaluationRollups(db: DbOrTx, tenantId?: string): Promise<void> {
  // Also the coarse tables and the hour table (evaluation_hour_rollups, read by hour-rollups.ts), under one set of
  // locks, and the queue emptied (migration all_rollups_folded). The session rollups first, in the same transaction
  // (migration coarse_session_rollups: their queue emptied, fine and coarse tables recomputed), so that
  // evaluation_rollups_rebuild's own recount of service_session_rollups runs with the session queue empty and held.
  await db.transaction(async (tx) => {
    await tx.execute(sql`select service_session_rollups_rebuild(${tenantId ?? null}::uuid)`);
    await tx.execute(sql`select evaluation_rollups_rebuild(${tenantId ?? null}::uuid)`);
  });
  // The customer-value cut: each tenant's rows for its latest finished value run (migration evaluation_value_rollups).
  await db.execute(sql`select evaluation_value_rollups_rebuild(${tenantId ?? null}::uuid)`);
}
