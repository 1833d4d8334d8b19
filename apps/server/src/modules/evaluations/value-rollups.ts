import { sql, type SQL } from 'drizzle-orm';
import { UNCLASSIFIED_VALUE, type TEvaluationChannel, type TValueCutFilter } from '@huifang/shared';
import type { DbOrTx } from '../../db/client.ts';
import { keyAsDay, keyAsIs, keyAsText, tableKeys, type TRollupKey } from '../../lib/rollup-tables.ts';
import { unitVisible, type TScope } from '../../lib/scope.ts';
import type { TRollupFigures } from './rollups.ts';

/**
 * The customer-value cut of the evaluation figures (客户分级 as a cut in 统计分析): `evaluation_value_rollups`, counted
 * ratings with a customer per tenant × value run × local day × unit × channel × tier × lifecycle × rule class of the
 * customer in the tenant's cut run — the latest finished value run, recomputed in the run's own transaction
 * (migration `evaluation_value_rollups`). Ratings without a customer are not in it: 未分级 = evaluation_rollups − it.
 */

export type TValueDim = 'tier' | 'lifecycle' | 'ruleClass' | 'day' | 'unit' | 'channel';
const DIM_KEY: Record<TValueDim, TRollupKey> = {
  tier: keyAsIs(sql`r.tier`),
  lifecycle: keyAsIs(sql`r.lifecycle`),
  ruleClass: keyAsIs(sql`r.rule_class`),
  day: keyAsDay(sql`r.day`),
  unit: keyAsText(sql`r.unit_id`),
  channel: keyAsIs(sql`r.channel`),
};

export type TValueFigures = Omit<TRollupFigures, 'keys'> & { keys: Partial<Record<TValueDim, string | null>> };

export interface TValueCutRun {
  runId: string;
  /** ISO instant the run finished: the cut is as of it (分级截至). */
  finishedAt: string;
  modelVersion: number;
}

export interface TValueRollupFilter extends TValueCutFilter {
  fromDay: string;
  toDay: string;
  channel?: TEvaluationChannel;
  /** Only units in the subtree of this unit. */
  unitIn?: string;
}

/** The value run the tenant's cut holds (null: no finished run yet). */
export async function valueCutRun(db: DbOrTx, tenantId: string): Promise<TValueCutRun | null> {
  const res = await db.execute<{ run_id: string; finished_at: string | Date; model_version: number }>(sql`
    select s.run_id, s.finished_at, r.model_version from evaluation_value_rollup_runs s
    join value_runs r on r.id = s.run_id where s.tenant_id = ${tenantId}`);
  const r = res.rows[0];
  if (!r) return null;
  return { runId: r.run_id, finishedAt: new Date(r.finished_at).toISOString(), modelVersion: Number(r.model_version) };
}

/** Recompute the tenant's cut from the facts for its latest finished value run (the run calls it as it finishes). */
export async function recomputeEvaluationValueRollups(db: DbOrTx, tenantId: string): Promise<void> {
  await db.execute(sql`select evaluation_value_rollups_recompute(${tenantId}::uuid)`);
}

/** Value-filter conditions on the cut's rows (alias r). */
function valueConds(f: TValueCutFilter): SQL[] {
  const conds: SQL[] = [];
  if (f.tier) conds.push(sql`r.tier = ${f.tier}`);
  if (f.lifecycle) conds.push(sql`r.lifecycle = ${f.lifecycle}`);
  if (f.ruleClass) conds.push(sql`r.rule_class = ${f.ruleClass}`);
  return conds;
}

/**
 * Sums of the cut run's rows in the caller's scope (by unit: the cut keeps no staff, so `own` callers are refused by
 * the callers), grouped by `groupBy`. Folds the queue first.
 */
export async function readEvaluationValueRollups(
  db: DbOrTx,
  scope: TScope,
  runId: string,
  filter: TValueRollupFilter,
  groupBy: readonly TValueDim[] = [],
): Promise<TValueFigures[]> {
  if (scope.dataScope === 'own') throw new Error('the customer-value cut has no staff key: own scope cannot read it');
  // Waits for a recompute in progress (a value run finishing), then folds: the cut equals the facts.
  await db.execute(sql`select evaluation_value_rollups_fold(${scope.tenantId}::uuid, true)`);
  const conds: SQL[] = [
    sql`r.tenant_id = ${scope.tenantId}`,
    sql`r.run_id = ${runId}`,
    sql`r.day >= ${filter.fromDay}::date`,
    sql`r.day < ${filter.toDay}::date`,
    unitVisible(scope, sql`r.unit_id`),
    ...valueConds(filter),
  ];
  if (filter.channel) conds.push(sql`r.channel = ${filter.channel}`);
  if (filter.unitIn)
    conds.push(
      sql`r.unit_id in (select ou.id from org_units ou where ou.tenant_id = ${scope.tenantId} and ou.path like (select p.path from org_units p where p.id = ${filter.unitIn} and p.tenant_id = ${scope.tenantId}) || '%')`,
    );
  const keys = tableKeys(groupBy.map((d) => DIM_KEY[d]));
  const res = await db.execute<Record<string, string | number | null>>(sql`
    select ${keys.select}
           coalesce(sum(r.total), 0)::int as total, coalesce(sum(r.unrated), 0)::int as unrated,
           coalesce(sum(r.score_sum), 0)::float8 as score_sum,
           coalesce(sum(r.score_1), 0)::int as s1, coalesce(sum(r.score_2), 0)::int as s2, coalesce(sum(r.score_3), 0)::int as s3,
           coalesce(sum(r.score_4), 0)::int as s4, coalesce(sum(r.score_5), 0)::int as s5,
           round(sum(r.score_sum)::numeric / nullif(sum(r.total) - sum(r.unrated), 0), 2)::float8 as avg_score,
           coalesce(sum(r.excluded), 0)::int as excluded
    from evaluation_value_rollups r where ${sql.join(conds, sql` and `)}
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

/**
 * The list's condition (the facts behind a row of the cut): the rating's customer has these values in the tenant's
 * cut run — the same run the figures are read from. UNCLASSIFIED_VALUE (未分级) asks for no value: a customer of the
 * run without it, and when every filter is 未分级, also the ratings without a customer or whose customer the run did
 * not score (as the 未分级 row of the cut counts them).
 */
export function valueCutCondition(tenantId: string, f: TValueCutFilter, customerColumn: SQL): SQL | null {
  const conds: SQL[] = [];
  const cond = (column: SQL, v: string | undefined) => {
    if (v) conds.push(v === UNCLASSIFIED_VALUE ? sql`${column} is null` : sql`${column} = ${v}`);
  };
  cond(sql`cv.tier`, f.tier);
  cond(sql`cv.lifecycle`, f.lifecycle);
  cond(sql`cv.rule_class`, f.ruleClass);
  if (!conds.length) return null;
  // The customers of that value, as an array: the list then probes their ratings (evaluations_customer_idx) instead of
  // walking every rating of the range newest first and testing each (the cut is a few percent of them).
  const inRun = sql`${customerColumn} = any(array(select cv.customer_id from evaluation_value_rollup_runs st
    join customer_values cv on cv.tenant_id = st.tenant_id and cv.run_id = st.run_id
    where st.tenant_id = ${tenantId} and ${sql.join(conds, sql` and `)}))`;
  const values = [f.tier, f.lifecycle, f.ruleClass].filter(Boolean);
  if (!values.every((v) => v === UNCLASSIFIED_VALUE)) return inRun;
  return sql`(${inRun} or ${customerColumn} is null or not exists (select 1 from evaluation_value_rollup_runs st
    join customer_values cv on cv.tenant_id = st.tenant_id and cv.run_id = st.run_id
    where st.tenant_id = ${tenantId} and cv.customer_id = ${customerColumn}))`;
}
