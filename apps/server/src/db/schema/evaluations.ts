import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  customType,
  index,
  jsonb,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { customers, serviceRecords } from './customers.ts';
import { tenants } from './tenants.ts';
import { users } from './users.ts';

/**
 * The one append-only store of evaluations 评价 for every channel (DESIGN §4): kiosk, survey, order review,
 * follow-up call, staff entry. A trigger (migration 0007) refuses UPDATE/DELETE/TRUNCATE, except the erasure of a
 * customer, which runs with `huifang.customer_relink = on` and may only clear the customer link and the free text.
 * `(tenant_id, idempotency_key)` is unique: submitting twice with the same key stores one evaluation.
 */
export const evaluations = pgTable(
  'evaluations',
  {
    id: uuid('id').notNull().defaultRandom(),
    /**
     * tenant_id, unit_id, counter_id and staff_id have no foreign keys (dropped by migration 0044): the statement-level
     * trigger `evaluations_refs_ins` checks once per INSERT statement that the unit and counter are org units and the
     * staff member a user of the evaluation's own tenant (stricter than the keys were), and `*_keep_evaluations`
     * triggers refuse to delete a tenant, unit or user that evaluations refer to. Four per-row key checks (each a
     * locking probe) cost a kiosk batch of 14 presses ~0.5 ms of its ~1.8 ms (issue 12, speed).
     */
    tenantId: uuid('tenant_id').notNull(),
    /** kiosk | survey | order_review | followup | staff */
    channel: text('channel').notNull(),
    occurredAt: timestamp('occurred_at', { withTimezone: true }).notNull(),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
    /** The unit the evaluation counts for (the outlet of a counter, the shop of an order); scoping goes by it. */
    unitId: uuid('unit_id').notNull(),
    counterId: uuid('counter_id'),
    staffId: uuid('staff_id'),
    customerId: uuid('customer_id').references(() => customers.id, { onDelete: 'set null' }),
    serviceRecordId: uuid('service_record_id').references(() => serviceRecords.id, { onDelete: 'set null' }),
    /** What the evaluation is about, per channel: service_session, survey_response, order_review, followup_task. */
    refType: text('ref_type'),
    refId: uuid('ref_id'),
    /** device | link | user | api, and its id (device id, link id, user id, API client). */
    sourceType: text('source_type').notNull(),
    sourceId: text('source_id'),
    /** Overall score on 1–5 (5 best); null = 未评价 (no press before the timeout). */
    score: smallint('score'),
    ratingLabel: text('rating_label'),
    /** Dimension key → value on 1–5. */
    dimensions: jsonb('dimensions').$type<Record<string, number>>().notNull().default({}),
    /** Raw answers (survey responses), as submitted. */
    answers: jsonb('answers'),
    text: text('text'),
    flags: text('flags').array().notNull().default([]),
    idempotencyKey: text('idempotency_key').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    uniqueIndex('evaluations_idempotency_uq').on(t.tenantId, t.idempotencyKey),
    // A kiosk's Idempotency-Key (answers.clientKey) names one press per tenant, whatever session it rates.
    uniqueIndex('evaluations_kiosk_client_key_uq')
      .on(t.tenantId, sql`(${t.answers}->>'clientKey')`)
      .where(sql`${t.channel} = 'kiosk' and ${t.answers} ? 'clientKey'`),
    index('evaluations_occurred_idx').on(t.tenantId, t.occurredAt, t.id),
    index('evaluations_unit_idx').on(t.tenantId, t.unitId, t.occurredAt),
    index('evaluations_staff_idx').on(t.tenantId, t.staffId, t.occurredAt),
    index('evaluations_customer_idx')
      .on(t.tenantId, t.customerId, t.occurredAt)
      .where(sql`${t.customerId} is not null`),
  ],
);

/**
 * Corrections of an evaluation, append-only too: appeal 申诉 (by the rated staff member), appeal_rejected, exclude
 * (a manager takes it out of the statistics, with a reason), restore. The latest exclude/restore decides.
 */
export const evaluationCorrections = pgTable(
  'evaluation_corrections',
  {
    id: bigserial('id', { mode: 'number' }).notNull(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id),
    evaluationId: uuid('evaluation_id').notNull(),
    kind: text('kind').notNull(),
    reason: text('reason').notNull(),
    actorId: uuid('actor_id').references(() => users.id),
    at: timestamp('at', { withTimezone: true }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    index('evaluation_corrections_eval_idx').on(t.tenantId, t.evaluationId, t.at),
  ],
);

/** Postgres `xid8` (the 64-bit transaction id of `pg_current_xact_id()`), read as text. */
const xid8 = customType<{ data: string }>({ dataType: () => 'xid8' });

/**
 * The outbox of the evaluation pipeline (DESIGN §9): one row per recorded evaluation (`recorded`) and per correction
 * (`appeal`, `appeal_rejected`, `exclude`, `restore`), inserted by modules/evaluations in the same statement or
 * transaction as the fact, so an event exists exactly when its fact does. Consumers (evaluation-events.ts) read it;
 * `tx` is the writing transaction's id, which lets a consumer's floor advance safely past events that commit late.
 */
export const evaluationEvents = pgTable(
  'evaluation_events',
  {
    id: bigserial('id', { mode: 'number' }).notNull(),
    /**
     * No foreign key (dropped by migration 0035): every event is written in the statement of its evaluation or
     * correction, whose own key to tenants already holds, and the per-row check locked the one hot tenant row for
     * every press (issue 12, speed).
     */
    tenantId: uuid('tenant_id').notNull(),
    evaluationId: uuid('evaluation_id').notNull(),
    /** recorded | appeal | appeal_rejected | exclude | restore */
    kind: text('kind').notNull(),
    at: timestamp('at', { withTimezone: true }).notNull(),
    /** Channel facts the row does not hold (kiosk: isLowestOption; bulk loads: isBackfill; corrections: reason…). */
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull().default({}),
    tx: xid8('tx')
      .notNull()
      .default(sql`pg_current_xact_id()`),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.id] }), index('evaluation_events_tx_idx').on(t.tx, t.id)],
);

/** Which consumer has processed which event: written in the consumer's transaction, so a replay finds it done. */
export const evaluationEventConsumptions = pgTable(
  'evaluation_event_consumptions',
  {
    consumer: text('consumer').notNull(),
    tenantId: uuid('tenant_id').notNull(),
    eventId: bigint('event_id', { mode: 'number' }).notNull(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.consumer, t.tenantId, t.eventId] })],
);

/**
 * Per consumer, the transaction-id floor below which every event is processed (see evaluation-events.ts): it keeps
 * the scan for pending events short without ever skipping an event whose transaction committed late.
 */
export const evaluationEventFloors = pgTable('evaluation_event_floors', {
  consumer: text('consumer').primaryKey(),
  txFloor: xid8('tx_floor').notNull(),
});
