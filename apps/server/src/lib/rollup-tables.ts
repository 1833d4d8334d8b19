import { sql, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.ts';
import { ownedVisible, seesWholeTenant, type TScope } from './scope.ts';

/**
 * Picking the tables of a rollup read model (evaluations: evaluations/rollups.ts, counter sessions:
 * counter/session-rollups.ts). Each model has a fine table that answers everything and coarse ones that keep fewer
 * keys or a month grain, in far fewer rows; a read takes the coarsest that answers it.
 */
export interface TRollupTable {
  name: string;
  grain: 'day' | 'month';
  /** Keeps the unit key (unit_id of evaluations, outlet_id of sessions); the tenant tables do not. */
  hasUnit: boolean;
  /** Keeps counter and staff (counter_id, staff_id). */
  hasStaff: boolean;
}

/** What a read needs of a table's keys and grain. */
export interface TRollupNeeds {
  unit: boolean;
  staff: boolean;
  day: boolean;
}

/** The first table (coarsest first, the fine one last) of a grain that keeps what the read needs. */
function pickTable(tables: readonly TRollupTable[], needs: TRollupNeeds, grain: 'day' | 'month'): TRollupTable {
  return (
    tables.find((t) => t.grain === grain && (t.hasUnit || !needs.unit) && (t.hasStaff || !needs.staff)) ??
    tables[tables.length - 1]!
  );
}

/** `YYYY-MM-01` of the month of a day, and of the month after. */
const monthOf = (day: string) => `${day.slice(0, 7)}-01`;
function nextMonth(day: string): string {
  const d = new Date(`${monthOf(day)}T00:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() + 1);
  return d.toISOString().slice(0, 10);
}

/**
 * The parts of a day range [fromDay, toDay) read from which table: the whole months inside it from a month table
 * (when the read is not by day), the partial months at its edges from a day table.
 */
export function rollupTableParts<T extends TRollupTable>(
  tables: readonly T[],
  needs: TRollupNeeds,
  fromDay: string,
  toDay: string,
): { table: T; from: string; to: string }[] {
  const day = pickTable(tables, needs, 'day') as T;
  const firstWhole = fromDay.endsWith('-01') ? fromDay : nextMonth(fromDay);
  const endWhole = monthOf(toDay);
  if (needs.day || firstWhole >= endWhole) return [{ table: day, from: fromDay, to: toDay }];
  const parts = [{ table: pickTable(tables, needs, 'month') as T, from: firstWhole, to: endWhole }];
  if (fromDay < firstWhole) parts.unshift({ table: day, from: fromDay, to: firstWhole });
  if (endWhole < toDay) parts.push({ table: day, from: endWhole, to: toDay });
  return parts;
}

/** Whether a unit is the root of its tenant's tree (its subtree is the whole tenant). */
export async function isRootUnit(db: DbOrTx, scope: TScope, unitId: string): Promise<boolean> {
  const res = await db.execute<{ root: boolean }>(
    sql`select parent_id is null as root from org_units where tenant_id = ${scope.tenantId} and id = ${unitId}`,
  );
  return res.rows[0]?.root === true;
}

/**
 * The condition "a unit column is in the subtree of `unitId`" for a rollup read, with the subtree's path as a constant
 * (as ownedVisible does): a path from a sub-select is estimated at a handful of units, and the planner then read a
 * whole tenant's rollups unit by unit (HQ over a year at 10 M: 161 ms for the complaints). The condition is `null`
 * when the unit is the tenant's root (the whole tenant: no condition), `false` when it is not the tenant's.
 */
export async function subtreeOf(db: DbOrTx, scope: TScope, unitId: string): Promise<(column: SQL) => SQL | null> {
  const res = await db.execute<{ path: string; root: boolean }>(
    sql`select path, parent_id is null as root from org_units where tenant_id = ${scope.tenantId} and id = ${unitId}`,
  );
  const unit = res.rows[0];
  if (!unit) return () => sql`false`;
  if (unit.root) return () => null;
  return (column) =>
    sql`${column} in (select ou.id from org_units ou where ou.tenant_id = ${scope.tenantId} and ou.path like ${`${unit.path}%`})`;
}

export { seesWholeTenant } from './scope.ts';

/**
 * The caller's scope on a rollup's rows (ownedVisible) — none when he sees the whole tenant, where the condition would
 * only join every unit of the tenant (2,551 at the bench's scale: a third of HQ's staff-grain reads). Only for a NOT
 * NULL unit column: the subtree condition also leaves out rows without a unit.
 */
export function rollupVisible(scope: TScope, ownerColumn: SQL, unitColumn: SQL): SQL {
  return seesWholeTenant(scope) ? sql`true` : ownedVisible(scope, ownerColumn, unitColumn);
}

/**
 * A grouping key of a rollup read: rows are grouped by the column in its own type and the key is presented as text
 * afterwards, once per group. Grouping by `staff_id::text` hashed a 36-character string per row: HQ's staff-grain
 * reads at 10 M (≈ 60,000 rows over a year) spent a quarter of their time on it (bench/README.md, 2026-12-06).
 */
export interface TRollupKey {
  column: SQL;
  text: (key: SQL) => SQL;
}
export const keyAsText = (column: SQL): TRollupKey => ({ column, text: (k) => sql`${k}::text` });
export const keyAsDay = (column: SQL): TRollupKey => ({ column, text: (k) => sql`to_char(${k}, 'YYYY-MM-DD')` });
export const keyAsIs = (column: SQL): TRollupKey => ({ column, text: (k) => k });

/**
 * The SQL of keys `k0 … kn` for a read over a union of table parts: `inner` selects the raw columns in each part,
 * `outer` presents them (`r.k0::text as k0`), `groupBy` groups by the raw ones (all empty without keys).
 */
export function unionKeys(keys: readonly TRollupKey[]): { inner: SQL; outer: SQL; groupBy: SQL; orderBy: SQL } {
  if (!keys.length) return { inner: sql``, outer: sql``, groupBy: sql``, orderBy: sql`` };
  const raw = keys.map((_, i) => sql.raw(`r.k${i}`));
  return {
    inner: sql`${sql.join(
      keys.map((k, i) => sql`${k.column} as ${sql.raw(`k${i}`)}`),
      sql`, `,
    )},`,
    outer: sql`${sql.join(
      keys.map((k, i) => sql`${k.text(raw[i]!)} as ${sql.raw(`k${i}`)}`),
      sql`, `,
    )},`,
    groupBy: sql`group by ${sql.join(raw, sql`, `)}`,
    orderBy: sql`order by ${sql.join(raw, sql`, `)}`,
  };
}

/** The same for a read of one table: `select` presents the grouped columns, `groupBy` groups by them. */
export function tableKeys(keys: readonly TRollupKey[]): { select: SQL; groupBy: SQL } {
  if (!keys.length) return { select: sql``, groupBy: sql`` };
  return {
    select: sql`${sql.join(
      keys.map((k, i) => sql`${k.text(k.column)} as ${sql.raw(`k${i}`)}`),
      sql`, `,
    )},`,
    groupBy: sql`group by ${sql.join(
      keys.map((k) => k.column),
      sql`, `,
    )}`,
  };
}
