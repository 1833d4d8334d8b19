import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  index,
  integer,
  jsonb,
  numeric,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import type { TValueConfig } from '@huifang/shared';
import { tenants } from './tenants.ts';
import { users } from './users.ts';

/**
 * Customer value 客户分级 (DESIGN §3), owned by modules/value. The models are one versioned document per tenant; a
 * run applies one version to every customer and keeps its results (customer_values), so tier history and run
 * comparisons read them. The list filter reads the latest finished run only.
 */
export const valueModelVersions = pgTable(
  'value_model_versions',
  {
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id),
    version: integer('version').notNull(),
    config: jsonb('config').$type<TValueConfig>().notNull(),
    createdBy: uuid('created_by').references(() => users.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.version] })],
);

export const valueRuns = pgTable(
  'value_runs',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** Creation order (runs of a tenant never overlap, so also finishing order): "the latest run" is the highest. */
    seq: bigserial('seq', { mode: 'number' }).notNull(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id),
    modelVersion: integer('model_version').notNull(),
    /** manual | schedule */
    trigger: text('trigger').notNull(),
    /** Scheduled runs: the month they are for (YYYY-MM), unique per tenant, so a repeated cron creates nothing. */
    scheduleKey: text('schedule_key'),
    /** queued | running | done | failed */
    status: text('status').notNull().default('queued'),
    requestedBy: uuid('requested_by').references(() => users.id),
    /** The moment the metrics are computed at (statistical year = the 12 months before it). */
    asOf: timestamp('as_of', { withTimezone: true }).notNull(),
    total: integer('total').notNull().default(0),
    processed: integer('processed').notNull().default(0),
    counts: jsonb('counts').$type<Record<string, Record<string, number>>>().notNull().default({}),
    errorMessage: text('error_message'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    startedAt: timestamp('started_at', { withTimezone: true }),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
    /**
     * When the run's per-customer rows (customer_values) were deleted by the retention rule: only the latest
     * VALUE_RUN_DETAILS_KEPT finished runs keep them (value.runner.ts pruneValueRunDetails); the run row, its counts
     * and its churn warnings stay.
     */
    detailsPrunedAt: timestamp('details_pruned_at', { withTimezone: true }),
  },
  (t) => [
    index('value_runs_tenant_idx').on(t.tenantId, t.seq),
    // One run at a time per tenant.
    uniqueIndex('value_runs_active_uq')
      .on(t.tenantId)
      .where(sql`${t.status} in ('queued', 'running')`),
    uniqueIndex('value_runs_schedule_uq').on(t.tenantId, t.scheduleKey),
  ],
);

/**
 * One row per customer per run: the metrics (raw sums, integer fen) and what the models made of them. No foreign
 * keys (a million rows per run; the run owns them and a deleted customer simply stops appearing in joins).
 */
export const customerValues = pgTable(
  'customer_values',
  {
    tenantId: uuid('tenant_id').notNull(),
    runId: uuid('run_id').notNull(),
    customerId: uuid('customer_id').notNull(),
    /** The customer's unit when the run scored him (written by the run; the dashboard's tier counts key on it without
     * a lookup of a million customers). Null on rows written before migration `value_rows_carry_unit`. */
    unitId: uuid('unit_id'),
    score: numeric('score', { precision: 7, scale: 2, mode: 'number' }).notNull(),
    expertScore: numeric('expert_score', { precision: 5, scale: 2, mode: 'number' }),
    ruleClass: text('rule_class'),
    tier: text('tier'),
    lifecycle: text('lifecycle').notNull(),
    r: smallint('r'),
    f: smallint('f'),
    m: smallint('m'),
    stars: smallint('stars').notNull(),
    salesFen: bigint('sales_fen', { mode: 'number' }).notNull(),
    prevSalesFen: bigint('prev_sales_fen', { mode: 'number' }).notNull(),
    batches: integer('batches').notNull(),
    returnsFen: bigint('returns_fen', { mode: 'number' }).notNull(),
    paymentsFen: bigint('payments_fen', { mode: 'number' }).notNull(),
    prevPaymentsFen: bigint('prev_payments_fen', { mode: 'number' }).notNull(),
    debtFen: bigint('debt_fen', { mode: 'number' }).notNull(),
    daysSinceOrder: integer('days_since_order'),
    isNew: boolean('is_new').notNull(),
    managerRating: numeric('manager_rating', { mode: 'number' }),
    recentFen: bigint('recent_fen', { mode: 'number' }).notNull(),
    priorFen: bigint('prior_fen', { mode: 'number' }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.runId, t.customerId] }),
    index('customer_values_customer_idx').on(t.tenantId, t.customerId),
  ],
);

/** 大客户评价: criteria scores 0–10 given by people (criterion key → score). */
export const valueExpertScores = pgTable(
  'value_expert_scores',
  {
    tenantId: uuid('tenant_id').notNull(),
    customerId: uuid('customer_id').notNull(),
    scores: jsonb('scores').$type<Record<string, number>>().notNull(),
    setBy: uuid('set_by').references(() => users.id),
    setAt: timestamp('set_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.customerId] })],
);

/** 服务星级 set by hand (with a reason, audited); it wins over the computed stars until cleared. */
export const valueStarOverrides = pgTable(
  'value_star_overrides',
  {
    tenantId: uuid('tenant_id').notNull(),
    customerId: uuid('customer_id').notNull(),
    stars: smallint('stars').notNull(),
    reason: text('reason').notNull(),
    setBy: uuid('set_by').references(() => users.id),
    setAt: timestamp('set_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.customerId] })],
);

/** 流失预警: open until a run finds the customer no longer at risk (resolved_at). One open warning per customer. */
export const valueChurnWarnings = pgTable(
  'value_churn_warnings',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: uuid('tenant_id').notNull(),
    customerId: uuid('customer_id').notNull(),
    runId: uuid('run_id').notNull(),
    /** The customer's unit when the warning was written (churn_warning_counts keys on it). Null on older rows. */
    unitId: uuid('unit_id'),
    /** no_purchase | spend_drop */
    reason: text('reason').notNull(),
    daysSinceOrder: integer('days_since_order'),
    dropPct: numeric('drop_pct', { precision: 7, scale: 2, mode: 'number' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    resolvedAt: timestamp('resolved_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('value_churn_warnings_open_uq')
      .on(t.tenantId, t.customerId)
      .where(sql`${t.resolvedAt} is null`),
    index('value_churn_warnings_tenant_idx').on(t.tenantId, t.createdAt),
  ],
);
