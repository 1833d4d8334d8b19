import { sql, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.ts';
import { keyAsDay, tableKeys, type TRollupKey } from '../../lib/rollup-tables.ts';
import { ownedVisible, type TScope } from '../../lib/scope.ts';
import { foldEvaluationRollups, type TRollupFilter } from './rollups.ts';

/**
 * The hour cut of the evaluation figures: `evaluation_hour_rollups` (migration `evaluation_hour_rollups`), the keys
 * and measures of evaluation_rollups plus the local hour (0–23, tenant time zone) of `occurred_at`. Same filters and
 * scope as readEvaluationRollups (rollups.ts), so a day's hours add up to the day's figures.
 */

export type THourRollupDim = 'day' | 'hour';
const DIM_KEY: Record<THourRollupDim, TRollupKey> = {
  day: keyAsDay(sql`r.day`),
  hour: { column: sql`r.hour`, text: (k) => sql`${k}::int::text` },
};

export interface THourRollupFigures {
  keys: Partial<Record<THourRollupDim, string>>;
  total: number;
  unrated: number;
  scoreSum: number;
  satisfied: number;
  unsatisfied: number;
  excluded: number;
}

const subtree = (scope: TScope, unitId: string, column: SQL) =>
  sql`${column} in (select ou.id from org_units ou where ou.tenant_id = ${scope.tenantId} and ou.path like (select p.path from org_units p where p.id = ${unitId} and p.tenant_id = ${scope.tenantId}) || '%')`;

/** Sums of the hour rollups of the caller's scope over local days [fromDay, toDay), grouped by day and/or hour. */
export async function readEvaluationHourRollups(
  db: DbOrTx,
  scope: TScope,
  filter: TRollupFilter,
  groupBy: readonly THourRollupDim[],
): Promise<THourRollupFigures[]> {
  const conds: SQL[] = [
    sql`r.tenant_id = ${scope.tenantId}`,
    sql`r.day >= ${filter.fromDay}::date`,
    sql`r.day < ${filter.toDay}::date`,
    ownedVisible(scope, sql`r.staff_id`, filter.scopeBy === 'counter' ? sql`r.counter_id` : sql`r.unit_id`),
  ];
  if (filter.channel) conds.push(sql`r.channel = ${filter.channel}`);
  if (filter.businessType) conds.push(sql`r.business_type = ${filter.businessType}`);
  if (filter.staffId) conds.push(sql`r.staff_id = ${filter.staffId}`);
  if (filter.hasStaff) conds.push(sql`r.staff_id is not null`);
  if (filter.unitIn) conds.push(subtree(scope, filter.unitIn, sql`r.unit_id`));
  if (filter.counterIn) conds.push(subtree(scope, filter.counterIn, sql`r.counter_id`));
  await foldEvaluationRollups(db, scope.tenantId);
  const keys = tableKeys(groupBy.map((d) => DIM_KEY[d]));
  const res = await db.execute<Record<string, string | number | null>>(sql`
    select ${keys.select}
           coalesce(sum(r.total), 0)::int as total, coalesce(sum(r.unrated), 0)::int as unrated,
           coalesce(sum(r.score_sum), 0)::float8 as score_sum,
           coalesce(sum(r.score_4 + r.score_5), 0)::int as satisfied,
           coalesce(sum(r.score_1 + r.score_2), 0)::int as unsatisfied,
           coalesce(sum(r.excluded), 0)::int as excluded
    from evaluation_hour_rollups r
    where ${sql.join(conds, sql` and `)}
    ${keys.groupBy}`);
  return res.rows.map((r) => ({
    keys: Object.fromEntries(groupBy.map((d, i) => [d, String(r[`k${i}`])])),
    total: Number(r.total),
    unrated: Number(r.unrated),
    scoreSum: Number(r.score_sum),
    satisfied: Number(r.satisfied),
    unsatisfied: Number(r.unsatisfied),
    excluded: Number(r.excluded),
  }));
}
