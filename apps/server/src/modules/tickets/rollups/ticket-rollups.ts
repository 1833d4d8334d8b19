import { sql, type SQL } from 'drizzle-orm';
import type { TTicketCategory, TTicketPriority } from '@huifang/shared';
import type { DbOrTx } from '../../../db/client.ts';
import {
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
} from '../../../lib/rollup-tables.ts';
import type { TScope } from '../../../lib/scope.ts';
import type { TTicketListener } from '../ticket-listeners.ts';

/**
 * Complaint figures 投诉统计 as rollups (`ticket_rollups`, db/schema/ticket-rollups.ts) for the analytics: per local day
 * × unit × staff complained about × category × priority — received, resolved and the resolution time, closed,
 * reopened, SLA breaches, at fault / no fault. One definition of each measure (MEASURES below) serves the listener
 * that keeps them in the transaction of every ticket event, the rebuild from `ticket_events`, and so both agree.
 *
 * - Day: the local day, in the tenant's time zone when written, of the event a measure comes from (received: the
 *   `created` event; resolved: each `resolve` event; closed / reopened / sla_breaches likewise), except at_fault /
 *   no_fault, which count on the day the complaint was received. After a tenant changes its zone, run the rebuild.
 * - Resolution time: wall-clock minutes (not working time) from the ticket's creation to each resolution, summed; a
 *   ticket reopened and resolved again counts two resolutions.
 * - Keys: a ticket counts under its current unit, staff, category, priority and fault decision. When an event changes
 *   one of them (category / priority edited, the supervision team's fault decision made or changed), the listener
 *   moves all the ticket's counts from the old keys to the new ones (`ticket_rollup_keys` remembers the old).
 */

/** Event types that carry a measure. */
const COUNTED = ['created', 'resolve', 'close', 'reopen', 'sla_breached'] as const;
const COUNTED_SQL = sql.raw(`(${COUNTED.map((c) => `'${c}'`).join(', ')})`);

const MEASURE_COLUMNS = [
  'received',
  'resolved',
  'resolution_minutes',
  'closed',
  'reopened',
  'sla_breaches',
  'at_fault',
  'no_fault',
] as const;
const COLUMNS_SQL = sql.raw(MEASURE_COLUMNS.join(', '));
const ADD_ON_CONFLICT = sql.raw(MEASURE_COLUMNS.map((c) => `${c} = ticket_rollups.${c} + excluded.${c}`).join(', '));
const ALL_ZERO = sql.raw(MEASURE_COLUMNS.map((c) => `${c} = 0`).join(' and '));

/** The measures of the events `e` of tickets `t` (aliases) under the fault decision `fault`, times `sign` (±1). */
function measures(fault: SQL, sign: 1 | -1): SQL {
  const s = sql.raw(String(sign));
  const minutes = sql`greatest(0, floor(extract(epoch from (e.at - t.created_at)) / 60))::bigint`;
  return sql`
    ${s} * count(*) filter (where e.type = 'created'),
    ${s} * count(*) filter (where e.type = 'resolve'),
    ${s} * coalesce(sum(${minutes}) filter (where e.type = 'resolve'), 0),
    ${s} * count(*) filter (where e.type = 'close'),
    ${s} * count(*) filter (where e.type = 'reopen'),
    ${s} * count(*) filter (where e.type = 'sla_breached'),
    ${s} * count(*) filter (where e.type = 'created' and ${fault} is not distinct from 'at_fault'),
    ${s} * count(*) filter (where e.type = 'created' and ${fault} is not distinct from 'no_fault')`;
}

const LOCAL_DAY = sql`(e.at at time zone tn.time_zone)::date`;

interface TKeys {
  unitId: string;
  staffId: string | null;
  category: string;
  priority: string;
  faultDecision: string | null;
}

const keysOf = (t: {
  unitId: string;
  staffId: string | null;
  category: string;
  priority: string;
  faultDecision: string | null;
}): TKeys => ({
  unitId: t.unitId,
  staffId: t.staffId,
  category: t.category,
  priority: t.priority,
  faultDecision: t.faultDecision,
});

const sameKeys = (a: TKeys, b: TKeys) =>
  a.unitId === b.unitId &&
  a.staffId === b.staffId &&
  a.category === b.category &&
  a.priority === b.priority &&
  a.faultDecision === b.faultDecision;

/** Add (sign 1) or take away (sign −1) the measures of one ticket's events in `ids` under the keys `k`. */
async function applyContribution(
  tx: DbOrTx,
  tenantId: string,
  ticketId: string,
  ids: SQL,
  k: TKeys,
  sign: 1 | -1,
): Promise<void> {
  await tx.execute(sql`
    insert into ticket_rollups (tenant_id, day, unit_id, staff_id, category, priority, ${COLUMNS_SQL})
    select e.tenant_id, ${LOCAL_DAY}, ${k.unitId}::uuid, ${k.staffId}::uuid, ${k.category}::text, ${k.priority}::text,
           ${measures(sql`${k.faultDecision}::text`, sign)}
    from ticket_events e
    join tickets t on t.tenant_id = e.tenant_id and t.id = e.ticket_id
    join tenants tn on tn.id = e.tenant_id
    where e.tenant_id = ${tenantId} and e.ticket_id = ${ticketId} and ${ids} and e.type in ${COUNTED_SQL}
    group by e.tenant_id, 2
    order by 2
    on conflict on constraint ticket_rollups_key_uq do update set ${ADD_ON_CONFLICT}`);
}

/**
 * The listener (TICKET_LISTENERS): in the transaction of each ticket event. Same keys as before → add this event's
 * measures; changed keys (or a ticket not counted yet) → take the earlier events' counts from the old keys and count
 * all events up to this one under the new keys. The ticket row is locked by the write path, so a ticket's events
 * arrive here one at a time and in id order.
 */
export const ticketRollupsListener: TTicketListener = async (tx, ticket, event) => {
  const now = keysOf(ticket);
  const stored = await tx.execute<{
    unit_id: string;
    staff_id: string | null;
    category: string;
    priority: string;
    fault_decision: string | null;
  }>(sql`select unit_id, staff_id, category, priority, fault_decision from ticket_rollup_keys
         where tenant_id = ${ticket.tenantId} and ticket_id = ${ticket.id}`);
  const row = stored.rows[0];
  const before: TKeys | null = row
    ? {
        unitId: row.unit_id,
        staffId: row.staff_id,
        category: row.category,
        priority: row.priority,
        faultDecision: row.fault_decision,
      }
    : null;
  if (before && sameKeys(before, now)) {
    if ((COUNTED as readonly string[]).includes(event.type))
      await applyContribution(tx, ticket.tenantId, ticket.id, sql`e.id = ${event.id}`, now, 1);
    return;
  }
  if (before) {
    await applyContribution(tx, ticket.tenantId, ticket.id, sql`e.id < ${event.id}`, before, -1);
    await tx.execute(sql`
      delete from ticket_rollups where tenant_id = ${ticket.tenantId} and unit_id = ${before.unitId}
        and staff_id is not distinct from ${before.staffId}::uuid and category = ${before.category}
        and priority = ${before.priority} and ${ALL_ZERO}`);
  }
  await applyContribution(tx, ticket.tenantId, ticket.id, sql`e.id <= ${event.id}`, now, 1);
  await tx.execute(sql`
    insert into ticket_rollup_keys (tenant_id, ticket_id, unit_id, staff_id, category, priority, fault_decision)
    values (${ticket.tenantId}, ${ticket.id}, ${now.unitId}, ${now.staffId}, ${now.category}, ${now.priority}, ${now.faultDecision})
    on conflict (tenant_id, ticket_id) do update set unit_id = excluded.unit_id, staff_id = excluded.staff_id,
      category = excluded.category, priority = excluded.priority, fault_decision = excluded.fault_decision`);
};

/**
 * Recompute the complaint rollups of one tenant (or all) from `ticket_events` and the tickets' current keys, in one
 * transaction; ticket writers wait meanwhile (the tables are locked). `npm run rollups:rebuild -w @huifang/server`.
 * Returns the number of tickets counted.
 */
export async function rebuildTicketRollups(db: DbOrTx, tenantId?: string): Promise<number> {
  const only = (col: SQL) => (tenantId ? sql`${col} = ${tenantId}` : sql`true`);
  return db.transaction(async (tx) => {
    await tx.execute(sql`lock table ticket_rollups, ticket_rollup_keys in exclusive mode`);
    await tx.execute(sql`delete from ticket_rollups where ${only(sql`tenant_id`)}`);
    await tx.execute(sql`delete from ticket_rollup_keys where ${only(sql`tenant_id`)}`);
    await tx.execute(sql`
      insert into ticket_rollups (tenant_id, day, unit_id, staff_id, category, priority, ${COLUMNS_SQL})
      select e.tenant_id, ${LOCAL_DAY}, t.unit_id, t.staff_id, t.category, t.priority, ${measures(sql`t.fault_decision`, 1)}
      from ticket_events e
      join tickets t on t.tenant_id = e.tenant_id and t.id = e.ticket_id
      join tenants tn on tn.id = e.tenant_id
      where ${only(sql`e.tenant_id`)} and e.type in ${COUNTED_SQL}
      group by e.tenant_id, 2, t.unit_id, t.staff_id, t.category, t.priority`);
    const keys = await tx.execute(sql`
      insert into ticket_rollup_keys (tenant_id, ticket_id, unit_id, staff_id, category, priority, fault_decision)
      select tenant_id, id, unit_id, staff_id, category, priority, fault_decision from tickets where ${only(sql`tenant_id`)}`);
    return keys.rowCount ?? 0;
  });
}

/** The tables of the complaint read model: the fine one, per tenant by day, per unit × staff by month. */
const FINE: TRollupTable = { name: 'ticket_rollups', grain: 'day', hasUnit: true, hasStaff: true };
const TENANT: TRollupTable = { name: 'ticket_rollups_tenant', grain: 'day', hasUnit: false, hasStaff: false };
const UNIT_TABLES: readonly TRollupTable[] = [
  { name: 'ticket_rollups_month', grain: 'month', hasUnit: true, hasStaff: true },
  FINE,
];
const MEASURES_SQL = sql.raw(MEASURE_COLUMNS.map((c) => `r.${c}`).join(', '));

export type TTicketRollupDim = 'day' | 'unit' | 'staff' | 'category' | 'priority';
const DIM_KEY: Record<TTicketRollupDim, TRollupKey> = {
  day: keyAsDay(sql`r.day`),
  unit: keyAsText(sql`r.unit_id`),
  staff: keyAsText(sql`r.staff_id`),
  category: keyAsIs(sql`r.category`),
  priority: keyAsIs(sql`r.priority`),
};

export interface TTicketRollupFilter {
  /** First local day, inclusive (`YYYY-MM-DD`). */
  fromDay: string;
  /** Last local day, exclusive. */
  toDay: string;
  /** Only units in the subtree of this unit (within the caller's scope). */
  unitIn?: string;
  staffId?: string;
  category?: TTicketCategory;
  priority?: TTicketPriority;
  groupBy?: readonly TTicketRollupDim[];
}

export interface TTicketFigures {
  keys: Partial<Record<TTicketRollupDim, string | null>>;
  received: number;
  resolved: number;
  resolutionMinutes: number;
  /** Mean wall-clock minutes from creation to resolution, one decimal; null without a resolution. */
  avgResolutionMinutes: number | null;
  closed: number;
  reopened: number;
  slaBreaches: number;
  /** Upheld 属实: the staff member was at fault (only these count against staff in reports). */
  atFault: number;
  noFault: number;
}

/**
 * Complaint figures of the caller's scope (the org subtree of the session; `own` scope: the complaints about
 * oneself), grouped by `groupBy` (none = one row of totals).
 */
export async function readTicketRollups(
  db: DbOrTx,
  scope: TScope,
  filter: TTicketRollupFilter,
): Promise<TTicketFigures[]> {
  const groupBy = filter.groupBy ?? [];
  const unitIn = filter.unitIn ? (await subtreeOf(db, scope, filter.unitIn))(sql`r.unit_id`) : null;
  // The whole tenant, not by unit or staff: the tenant table (ticket_rollups_tenant) has the same measures. Not by day,
  // category or priority: whole months from ticket_rollups_month, the edge days from ticket_rollups.
  const tenantWide =
    seesWholeTenant(scope) && !unitIn && !filter.staffId && !groupBy.some((d) => d === 'unit' || d === 'staff');
  const byMonth =
    !tenantWide &&
    !filter.category &&
    !filter.priority &&
    !groupBy.some((d) => d === 'day' || d === 'category' || d === 'priority');
  const parts = tenantWide
    ? [{ table: TENANT, from: filter.fromDay, to: filter.toDay }]
    : byMonth
      ? rollupTableParts(UNIT_TABLES, { unit: true, staff: true, day: false }, filter.fromDay, filter.toDay)
      : [{ table: FINE, from: filter.fromDay, to: filter.toDay }];
  const keys = unionKeys(groupBy.map((d) => DIM_KEY[d]));
  const selects = parts.map(({ table, from, to }) => {
    const time = sql.raw(`r.${table.grain}`);
    const conds: SQL[] = [
      sql`r.tenant_id = ${scope.tenantId}`,
      sql`${time} >= ${from}::date`,
      sql`${time} < ${to}::date`,
    ];
    if (table.hasUnit) conds.push(rollupVisible(scope, sql`r.staff_id`, sql`r.unit_id`));
    if (unitIn) conds.push(unitIn);
    if (filter.staffId) conds.push(sql`r.staff_id = ${filter.staffId}`);
    if (filter.category) conds.push(sql`r.category = ${filter.category}`);
    if (filter.priority) conds.push(sql`r.priority = ${filter.priority}`);
    return sql`select ${keys.inner} ${MEASURES_SQL}
      from ${sql.raw(table.name)} r where ${sql.join(conds, sql` and `)}`;
  });
  const res = await db.execute<Record<string, string | number | null>>(sql`
    select ${keys.outer}
           coalesce(sum(r.received), 0)::int as received, coalesce(sum(r.resolved), 0)::int as resolved,
           coalesce(sum(r.resolution_minutes), 0)::float8 as resolution_minutes,
           round(sum(r.resolution_minutes)::numeric / nullif(sum(r.resolved), 0), 1)::float8 as avg_resolution,
           coalesce(sum(r.closed), 0)::int as closed, coalesce(sum(r.reopened), 0)::int as reopened,
           coalesce(sum(r.sla_breaches), 0)::int as sla_breaches,
           coalesce(sum(r.at_fault), 0)::int as at_fault, coalesce(sum(r.no_fault), 0)::int as no_fault
    from (${sql.join(selects, sql` union all `)}) r
    ${keys.groupBy} ${keys.orderBy}`);
  return res.rows.map((r) => ({
    keys: Object.fromEntries(groupBy.map((d, i) => [d, (r[`k${i}`] as string | null) ?? null])),
    received: Number(r.received),
    resolved: Number(r.resolved),
    resolutionMinutes: Number(r.resolution_minutes),
    avgResolutionMinutes: r.avg_resolution === null ? null : Number(r.avg_resolution),
    closed: Number(r.closed),
    reopened: Number(r.reopened),
    slaBreaches: Number(r.sla_breaches),
    atFault: Number(r.at_fault),
    noFault: Number(r.no_fault),
  }));
}
