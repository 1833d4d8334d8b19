import { bigint, date, index, integer, pgTable, primaryKey, text, uuid } from 'drizzle-orm/pg-core';

/*
 * The coarse read model of counter sessions (客流量, 平均办理时长; issue 14): the measures of service_session_rollups
 * (db/schema/evaluation-rollups.ts; tenant × local day of started_at × outlet × counter × staff × business type) at
 * coarser grains, so that an HQ read or a year range sums a few thousand rows instead of about as many as there are
 * sessions. The triggers on service_sessions append each statement's change to service_session_rollup_pending;
 * `service_session_rollups_fold()` adds the queue into service_session_rollups and the four tables below (migration
 * `coarse_session_rollups`); every reader folds its tenant first (modules/counter/session-rollups.ts
 * `readSessionRollups`, which picks the coarsest table that answers), the `evaluation-rollups-fold` job every 5 s.
 * `service_session_rollups_rebuild()` recomputes them from the facts. `month` is the first day of the local month.
 */

/** The measures every session rollup carries: sessions, those with a handling time (ended) and its sum in seconds. */
export const sessionMeasures = () => ({
  sessions: integer('sessions').notNull().default(0),
  handled: integer('handled').notNull().default(0),
  handlingSum: bigint('handling_sum', { mode: 'number' }).notNull().default(0),
});

/** Per tenant × local day × business type: whole-tenant (HQ) figures and daily trends. */
export const serviceSessionRollupsTenantDay = pgTable(
  'service_session_rollups_tenant_day',
  {
    tenantId: uuid('tenant_id').notNull(),
    day: date('day', { mode: 'string' }).notNull(),
    businessType: text('business_type').notNull(),
    ...sessionMeasures(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.day, t.businessType] })],
);

/**
 * Per tenant × local day × outlet × business type: a subtree at or above the outlets, or by outlet. The outlet is the
 * one recorded on the session (the counter's parent when it served); the reader uses these tables for a counter
 * subtree only while every counter is still under the outlet its sessions record (service_session_counter_outlets).
 */
export const serviceSessionRollupsOutletDay = pgTable(
  'service_session_rollups_outlet_day',
  {
    tenantId: uuid('tenant_id').notNull(),
    day: date('day', { mode: 'string' }).notNull(),
    outletId: uuid('outlet_id').notNull(),
    businessType: text('business_type').notNull(),
    ...sessionMeasures(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.day, t.outletId, t.businessType] }),
    index('service_session_rollups_outlet_day_outlet_idx').on(t.tenantId, t.outletId, t.day),
  ],
);

/** Per tenant × local month × outlet × business type: the whole months of a range, without counter or staff. */
export const serviceSessionRollupsOutletMonth = pgTable(
  'service_session_rollups_outlet_month',
  {
    tenantId: uuid('tenant_id').notNull(),
    month: date('month', { mode: 'string' }).notNull(),
    outletId: uuid('outlet_id').notNull(),
    businessType: text('business_type').notNull(),
    ...sessionMeasures(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.month, t.outletId, t.businessType] })],
);

/** Per tenant × local month × every key of service_session_rollups: the whole months of a read by staff or counter. */
export const serviceSessionRollupsMonth = pgTable(
  'service_session_rollups_month',
  {
    tenantId: uuid('tenant_id').notNull(),
    month: date('month', { mode: 'string' }).notNull(),
    outletId: uuid('outlet_id').notNull(),
    counterId: uuid('counter_id').notNull(),
    staffId: uuid('staff_id').notNull(),
    businessType: text('business_type').notNull(),
    ...sessionMeasures(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.month, t.outletId, t.counterId, t.staffId, t.businessType] }),
    index('service_session_rollups_month_staff_idx').on(t.tenantId, t.staffId, t.month),
    index('service_session_rollups_month_counter_idx').on(t.tenantId, t.counterId, t.month),
  ],
);

/**
 * Every (counter, outlet) pair a session recorded, kept by the fold: the outlet tables answer a counter subtree
 * exactly only while each counter is still a child of the outlet its sessions record (no counter moved since).
 */
export const serviceSessionCounterOutlets = pgTable(
  'service_session_counter_outlets',
  {
    tenantId: uuid('tenant_id').notNull(),
    counterId: uuid('counter_id').notNull(),
    outletId: uuid('outlet_id').notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.counterId, t.outletId] })],
);

/**
 * The queue of the session rollups: the writing transaction appends its statement's change at the grain of
 * service_session_rollups (no rollup row is locked on the counter's hot path); `service_session_rollups_fold()` adds
 * it into every session rollup. rollup + its share of this queue = a GROUP BY over the committed sessions.
 */
export const serviceSessionRollupPending = pgTable('service_session_rollup_pending', {
  tenantId: uuid('tenant_id').notNull(),
  day: date('day', { mode: 'string' }).notNull(),
  outletId: uuid('outlet_id').notNull(),
  counterId: uuid('counter_id').notNull(),
  staffId: uuid('staff_id').notNull(),
  businessType: text('business_type').notNull(),
  ...sessionMeasures(),
});
