import { sql, type SQL } from 'drizzle-orm';
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
  type TRollupTable,
  unionKeys,
} from '../../lib/rollup-tables.ts';
import type { TScope } from '../../lib/scope.ts';

/**
 * The read model of counter sessions (客流量, 平均办理时长): `service_session_rollups` and its coarse tables (per
 * tenant × day, outlet × day, outlet × month, every key × month; db/schema/session-rollups.ts), fed by the queue the
 * triggers on service_sessions append to (migration `coarse_session_rollups`). Every figure of sessions reads it
 * through this file, scoped like the sessions themselves: by counter (a manager sees the counters of his subtree),
 * `own` by staff. Days are local days of `started_at` in the tenant's time zone (`YYYY-MM-DD`).
 */

/** `outlet` is the outlet recorded on the session (the counter's parent when it served). */
export type TSessionDim = 'day' | 'outlet' | 'counter' | 'staff' | 'businessType';
const DIM_KEY: Record<TSessionDim, TRollupKey> = {
  day: keyAsDay(sql`r.day`),
  outlet: keyAsText(sql`r.outlet_id`),
  counter: keyAsText(sql`r.counter_id`),
  staff: keyAsText(sql`r.staff_id`),
  businessType: keyAsIs(sql`r.business_type`),
};

export interface TSessionFilter {
  /** First local day, inclusive. */
  fromDay: string;
  /** Last local day, exclusive. */
  toDay: string;
  businessType?: string;
  staffId?: string;
  counterId?: string;
  /** Only counters (counter_id) in the subtree of this unit. */
  counterIn?: string;
}

export interface TSessionFigures {
  keys: Partial<Record<TSessionDim, string | null>>;
  sessions: number;
  /** Sessions with a handling time (ended), and the sum of those times in seconds. */
  handled: number;
  handlingSum: number;
  /** Mean handling time in whole seconds (rounded in SQL); null when none ended. */
  avgHandlingSeconds: number | null;
}

/** The session tables, coarsest first and the fine one last; their unit key is the outlet (outlet_id). */
const FINE: TRollupTable = { name: 'service_session_rollups', grain: 'day', hasUnit: true, hasStaff: true };
const TABLES: readonly TRollupTable[] = [
  { name: 'service_session_rollups_tenant_day', grain: 'day', hasUnit: false, hasStaff: false },
  { name: 'service_session_rollups_outlet_month', grain: 'month', hasUnit: true, hasStaff: false },
  { name: 'service_session_rollups_outlet_day', grain: 'day', hasUnit: true, hasStaff: false },
  { name: 'service_session_rollups_month', grain: 'month', hasUnit: true, hasStaff: true },
  FINE,
];

interface TSessionNeeds {
  outlet: boolean;
  staff: boolean;
  day: boolean;
}

/** The parts of [fromDay, toDay) read from which session table (rollupTableParts, the outlet as the unit key). */
export const sessionRollupParts = (needs: TSessionNeeds, fromDay: string, toDay: string) =>
  rollupTableParts(TABLES, { unit: needs.outlet, staff: needs.staff, day: needs.day }, fromDay, toDay);

const MOVED = (tenantId: string) => sql`exists (select 1 from service_session_counter_outlets co
  left join org_units c on c.tenant_id = co.tenant_id and c.id = co.counter_id
  where co.tenant_id = ${tenantId} and c.parent_id is distinct from co.outlet_id)`;

/**
 * Whether every counter is still the child of the outlet its sessions record: then "counter in the subtree of X"
 * is "outlet in the subtree of X" for any X but a counter, and the outlet tables answer a subtree exactly.
 */
export async function sessionOutletsExact(db: DbOrTx, tenantId: string): Promise<boolean> {
  const res = await db.execute<{ moved: boolean }>(sql`select ${MOVED(tenantId)} as moved`);
  return res.rows[0]?.moved === false;
}

/**
 * Whether the outlet tables answer a read restricted to the counters below these units (none the root): each is a
 * unit of the tenant, no counter, and no counter moved (sessionOutletsExact) — one round trip.
 */
async function outletsAnswer(db: DbOrTx, scope: TScope, ids: string[]): Promise<boolean> {
  const res = await db.execute<{ ok: boolean }>(sql`
    select (select count(*) from org_units where tenant_id = ${scope.tenantId} and type <> 'counter'
              and id::text in (${sql.join(
                ids.map((i) => sql`${i}`),
                sql`, `,
              )})) = ${new Set(ids).size} and not ${MOVED(scope.tenantId)} as ok`);
  return res.rows[0]?.ok === true;
}

/** What a filter, a grouping and the caller's scope need of the rollups' keys. */
async function sessionNeeds(
  db: DbOrTx,
  scope: TScope,
  filter: TSessionFilter,
  groupBy: readonly TSessionDim[],
): Promise<TSessionNeeds> {
  const day = groupBy.includes('day');
  let staff =
    scope.dataScope === 'own' ||
    scope.dataScope === 'unit' ||
    groupBy.includes('staff') ||
    groupBy.includes('counter') ||
    !!filter.staffId ||
    !!filter.counterId;
  let outlet = groupBy.includes('outlet');
  if (staff) return { outlet, staff, day };
  // Counter subtrees: the scope's (subtree) and the filter's. At the root it is the whole tenant; below, the
  // outlet tables answer it when it is no counter and no counter has moved (outletsAnswer).
  const rootPath = seesWholeTenant(scope);
  const below = [
    ...(scope.dataScope === 'subtree' && !rootPath ? [scope.unitId] : []),
    ...(filter.counterIn && !(await isRootUnit(db, scope, filter.counterIn)) ? [filter.counterIn] : []),
  ];
  if (below.length) {
    outlet = true;
    if (!(await outletsAnswer(db, scope, below))) staff = true;
  }
  return { outlet, staff, day };
}

/** Add the queued changes (service_session_rollup_pending) of one tenant, or all, into every session rollup. */
export async function foldSessionRollups(db: DbOrTx, tenantId?: string): Promise<number> {
  const res = await db.execute<{ n: number }>(sql`select service_session_rollups_fold(${tenantId ?? null}::uuid) as n`);
  return res.rows[0]?.n ?? 0;
}

/** Recompute every session rollup of one tenant (or all) from the facts; writers wait meanwhile. */
export async function rebuildSessionRollups(db: DbOrTx, tenantId?: string): Promise<void> {
  await db.execute(sql`select service_session_rollups_rebuild(${tenantId ?? null}::uuid)`);
}

/**
 * Sums of the session rollups of the caller's scope, grouped by `groupBy` (none = one row of totals), from the
 * coarsest tables that answer (sessionRollupParts); `fineOnly` reads service_session_rollups alone (the test that
 * both paths agree). Folds the tenant's queue first, so the figures equal a GROUP BY over the committed sessions.
 */
export async function readSessionRollups(
  db: DbOrTx,
  scope: TScope,
  filter: TSessionFilter,
  groupBy: readonly TSessionDim[] = [],
  opts: { fineOnly?: boolean } = {},
): Promise<TSessionFigures[]> {
  await foldSessionRollups(db, scope.tenantId);
  const parts = opts.fineOnly
    ? [{ table: FINE, from: filter.fromDay, to: filter.toDay }]
    : sessionRollupParts(await sessionNeeds(db, scope, filter, groupBy), filter.fromDay, filter.toDay);
  const inSubtree = filter.counterIn ? await subtreeOf(db, scope, filter.counterIn) : null;
  const counterIn = inSubtree?.(sql`r.counter_id`) ?? null;
  const outletIn = inSubtree?.(sql`r.outlet_id`) ?? null;
  const keys = unionKeys(groupBy.map((d) => DIM_KEY[d]));
  const selects = parts.map(({ table, from, to }) => {
    const time = sql.raw(`r.${table.grain}`);
    const conds: SQL[] = [
      sql`r.tenant_id = ${scope.tenantId}`,
      sql`${time} >= ${from}::date`,
      sql`${time} < ${to}::date`,
    ];
    // The scope is by counter (own: staff); a table without counters applies it to the outlet (see sessionNeeds),
    // one without outlets is read only where the scope and the filter are the whole tenant.
    if (table.hasStaff) conds.push(rollupVisible(scope, sql`r.staff_id`, sql`r.counter_id`));
    else if (table.hasUnit && scope.dataScope === 'subtree')
      conds.push(rollupVisible(scope, sql`r.outlet_id`, sql`r.outlet_id`));
    if (filter.businessType) conds.push(sql`r.business_type = ${filter.businessType}`);
    if (filter.staffId) conds.push(sql`r.staff_id = ${filter.staffId}`);
    if (filter.counterId) conds.push(sql`r.counter_id = ${filter.counterId}`);
    if (counterIn && table.hasStaff) conds.push(counterIn);
    else if (outletIn && table.hasUnit) conds.push(outletIn);
    return sql`select ${keys.inner} r.sessions, r.handled, r.handling_sum
      from ${sql.raw(table.name)} r where ${sql.join(conds, sql` and `)}`;
  });
  const res = await db.execute<Record<string, string | number | null>>(sql`
    select ${keys.outer}
           coalesce(sum(r.sessions), 0)::int as sessions, coalesce(sum(r.handled), 0)::int as handled,
           coalesce(sum(r.handling_sum), 0)::float8 as handling_sum,
           round(sum(r.handling_sum)::numeric / nullif(sum(r.handled), 0))::int as avg_handling
    from (${sql.join(selects, sql` union all `)}) r
    ${keys.groupBy}`);
  return res.rows.map((r) => ({
    keys: Object.fromEntries(groupBy.map((d, i) => [d, (r[`k${i}`] as string | null) ?? null])),
    sessions: Number(r.sessions),
    handled: Number(r.handled),
    handlingSum: Number(r.handling_sum),
    avgHandlingSeconds: r.avg_handling === null ? null : Number(r.avg_handling),
  }));
}
