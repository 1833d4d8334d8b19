import { bigint, date, index, integer, pgTable, primaryKey, text, unique, uuid } from 'drizzle-orm/pg-core';

/**
 * The read model of complaint figures 投诉统计 (DESIGN §6, §7): per tenant × local day (tenant time zone) × unit ×
 * staff complained about × category × priority. Kept by a ticket listener (modules/tickets/rollups/) in the
 * transaction of every ticket event, recomputed from `ticket_events` by `rebuildTicketRollups`
 * (`npm run rollups:rebuild -w @huifang/server`). Owned by modules/tickets; read through `readTicketRollups`.
 *
 * Each measure is counted on the local day of the event it comes from — received (`created`), resolved and the
 * resolution time (`resolve`), closed, reopened, sla_breaches (`sla_breached`) — except at_fault / no_fault, which
 * count on the day the complaint was received (so "upheld ÷ received" compares the same complaints). A ticket is
 * counted under its current unit, staff, category, priority and fault decision: a change moves its counts.
 */
export const ticketRollups = pgTable(
  'ticket_rollups',
  {
    tenantId: uuid('tenant_id').notNull(),
    day: date('day', { mode: 'string' }).notNull(),
    unitId: uuid('unit_id').notNull(),
    staffId: uuid('staff_id'),
    category: text('category').notNull(),
    priority: text('priority').notNull(),
    received: integer('received').notNull().default(0),
    /** Resolutions (a ticket reopened and resolved again counts twice). */
    resolved: integer('resolved').notNull().default(0),
    /** Wall-clock minutes from the ticket's creation to each resolution (not working time), summed. */
    resolutionMinutes: bigint('resolution_minutes', { mode: 'number' }).notNull().default(0),
    closed: integer('closed').notNull().default(0),
    reopened: integer('reopened').notNull().default(0),
    slaBreaches: integer('sla_breaches').notNull().default(0),
    /** Complaints the supervision team decided the staff member was at fault for (upheld 属实) / not at fault. */
    atFault: integer('at_fault').notNull().default(0),
    noFault: integer('no_fault').notNull().default(0),
  },
  (t) => [
    // A complaint about no particular staff member (null staff) is a key of its own (Postgres 15+).
    unique('ticket_rollups_key_uq')
      .on(t.tenantId, t.day, t.unitId, t.staffId, t.category, t.priority)
      .nullsNotDistinct(),
    // Scoped reads (a manager's subtree, unit by unit): each unit's days as one range. With only the key above a
    // branch manager's year walked every unit's rows of the year once per unit of his subtree (10 M bench: 294 ms).
    index('ticket_rollups_unit_idx').on(t.tenantId, t.unitId, t.day),
  ],
);

/**
 * The same measures per tenant × local day × category × priority, without unit or staff: the whole tenant's complaint
 * figures (HQ's 驾驶舱 and analysis) read it instead of every unit's and staff member's rows (~120,000 a year at the
 * 10 M bench). Kept from `ticket_rollups` itself by statement-level triggers on it (migration 0062), so the listener,
 * its moves and the rebuild keep it without knowing of it.
 */
export const ticketRollupsTenant = pgTable(
  'ticket_rollups_tenant',
  {
    tenantId: uuid('tenant_id').notNull(),
    day: date('day', { mode: 'string' }).notNull(),
    category: text('category').notNull(),
    priority: text('priority').notNull(),
    received: integer('received').notNull().default(0),
    resolved: integer('resolved').notNull().default(0),
    resolutionMinutes: bigint('resolution_minutes', { mode: 'number' }).notNull().default(0),
    closed: integer('closed').notNull().default(0),
    reopened: integer('reopened').notNull().default(0),
    slaBreaches: integer('sla_breaches').notNull().default(0),
    atFault: integer('at_fault').notNull().default(0),
    noFault: integer('no_fault').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.day, t.category, t.priority] })],
);

/**
 * The same measures per tenant × local month (`month`, its first day) × unit × staff, without category or priority:
 * whole months of reads by unit or staff (员工绩效's complaints at fault, the complaint figures per staff, 统计分析 by
 * unit) over a year read it instead of every day's rows. Kept like ticket_rollups_tenant (migration 0063).
 */
export const ticketRollupsMonth = pgTable(
  'ticket_rollups_month',
  {
    tenantId: uuid('tenant_id').notNull(),
    month: date('month', { mode: 'string' }).notNull(),
    unitId: uuid('unit_id').notNull(),
    staffId: uuid('staff_id'),
    received: integer('received').notNull().default(0),
    resolved: integer('resolved').notNull().default(0),
    resolutionMinutes: bigint('resolution_minutes', { mode: 'number' }).notNull().default(0),
    closed: integer('closed').notNull().default(0),
    reopened: integer('reopened').notNull().default(0),
    slaBreaches: integer('sla_breaches').notNull().default(0),
    atFault: integer('at_fault').notNull().default(0),
    noFault: integer('no_fault').notNull().default(0),
  },
  (t) => [
    unique('ticket_rollups_month_key_uq').on(t.tenantId, t.month, t.unitId, t.staffId).nullsNotDistinct(),
    index('ticket_rollups_month_unit_idx').on(t.tenantId, t.unitId, t.month),
  ],
);

/**
 * Under which keys each ticket is counted in `ticket_rollups` now (its unit, staff, category, priority and fault
 * decision as of its last event): when an event changes one of them, the listener moves the ticket's counts from
 * these keys to the new ones. Written only by modules/tickets/rollups.
 */
export const ticketRollupKeys = pgTable(
  'ticket_rollup_keys',
  {
    tenantId: uuid('tenant_id').notNull(),
    ticketId: uuid('ticket_id').notNull(),
    unitId: uuid('unit_id').notNull(),
    staffId: uuid('staff_id'),
    category: text('category').notNull(),
    priority: text('priority').notNull(),
    faultDecision: text('fault_decision'),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.ticketId] })],
);
