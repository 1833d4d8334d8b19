import { bigint, date, smallint, index, integer, pgTable, primaryKey, text, unique, uuid } from 'drizzle-orm/pg-core';

/**
 * The read model of evaluation figures (DESIGN §9): per tenant × local day (tenant time zone) × unit × counter ×
 * staff × channel × business type 业务类型. Kept from the queues the triggers on `evaluations` and
 * `evaluation_corrections` append to (`evaluation_rollup_new` and `evaluation_rollup_pending` below; every reader
 * folds them first — migrations `all_rollups_folded`, `evaluation_rollups_new_queue`), recomputed from the facts by
 * `evaluation_rollups_rebuild()` (`npm run rollups:rebuild -w @huifang/server`). Owned by modules/evaluations;
 * read through modules/evaluations/rollups.ts.
 *
 * A row counts each evaluation once: either in `total` (counted: rated + 未评价) or in `excluded` (the latest
 * exclude/restore correction is an exclude). Scores are on 1–5; rated = total − unrated.
 */
export const evaluationRollups = pgTable(
  'evaluation_rollups',
  {
    tenantId: uuid('tenant_id').notNull(),
    /** The local calendar day of `occurred_at` in the tenant's time zone (tenants.time_zone). */
    day: date('day', { mode: 'string' }).notNull(),
    unitId: uuid('unit_id').notNull(),
    counterId: uuid('counter_id'),
    staffId: uuid('staff_id'),
    channel: text('channel').notNull(),
    /** The business type of the service session rated (kiosk); null for channels without one. */
    businessType: text('business_type'),
    total: integer('total').notNull().default(0),
    scoreSum: bigint('score_sum', { mode: 'number' }).notNull().default(0),
    score1: integer('score_1').notNull().default(0),
    score2: integer('score_2').notNull().default(0),
    score3: integer('score_3').notNull().default(0),
    score4: integer('score_4').notNull().default(0),
    score5: integer('score_5').notNull().default(0),
    /** 未评价: counted evaluations without a score (no press before the kiosk timeout). */
    unrated: integer('unrated').notNull().default(0),
    /** Evaluations a manager excluded (they stay stored, outside every figure). */
    excluded: integer('excluded').notNull().default(0),
  },
  (t) => [
    // Null counter / staff / business type are keys of their own (Postgres 15+: NULLS NOT DISTINCT).
    unique('evaluation_rollups_key_uq')
      .on(t.tenantId, t.day, t.unitId, t.counterId, t.staffId, t.channel, t.businessType)
      .nullsNotDistinct(),
    // The read path of scoped callers (bench/analytics.ts): a teller's figures (`own`: staff_id) and a manager's
    // (`subtree`: unit_id in his units) read their own rows instead of every row of the tenant in the day range.
    index('evaluation_rollups_staff_idx').on(t.tenantId, t.staffId, t.day),
    index('evaluation_rollups_unit_idx').on(t.tenantId, t.unitId, t.day),
  ],
);

/** The measures every evaluation rollup table carries (see evaluationRollups). */
export const evaluationMeasures = () => ({
  total: integer('total').notNull().default(0),
  scoreSum: bigint('score_sum', { mode: 'number' }).notNull().default(0),
  score1: integer('score_1').notNull().default(0),
  score2: integer('score_2').notNull().default(0),
  score3: integer('score_3').notNull().default(0),
  score4: integer('score_4').notNull().default(0),
  score5: integer('score_5').notNull().default(0),
  unrated: integer('unrated').notNull().default(0),
  excluded: integer('excluded').notNull().default(0),
});

/*
 * The coarse read model of evaluation figures (issue 14): the same measures as evaluation_rollups at coarser grains,
 * so that an HQ read or a year range sums a few thousand rows instead of about as many as there are facts. The
 * triggers of evaluation_rollups queue the same change they add to it (evaluation_rollup_pending below), and
 * `evaluation_rollups_fold()` adds the queue into these tables (migrations `coarse_evaluation_rollups` and
 * `coarse_rollups_off_the_write_path`); recomputed from evaluation_rollups by `evaluation_rollups_rebuild()`. readEvaluationRollups picks the
 * coarsest table that answers a filter and grouping. `month` is the first day of the local month.
 */

/** Per tenant × local day × channel × business type: whole-tenant (HQ) figures and daily trends. */
export const evaluationRollupsTenantDay = pgTable(
  'evaluation_rollups_tenant_day',
  {
    tenantId: uuid('tenant_id').notNull(),
    day: date('day', { mode: 'string' }).notNull(),
    channel: text('channel').notNull(),
    businessType: text('business_type'),
    ...evaluationMeasures(),
  },
  (t) => [
    unique('evaluation_rollups_tenant_day_key_uq').on(t.tenantId, t.day, t.channel, t.businessType).nullsNotDistinct(),
  ],
);

/** Per tenant × local day × unit × channel × business type: figures of a subtree or by unit, by day. */
export const evaluationRollupsUnitDay = pgTable(
  'evaluation_rollups_unit_day',
  {
    tenantId: uuid('tenant_id').notNull(),
    day: date('day', { mode: 'string' }).notNull(),
    unitId: uuid('unit_id').notNull(),
    channel: text('channel').notNull(),
    businessType: text('business_type'),
    ...evaluationMeasures(),
  },
  (t) => [
    unique('evaluation_rollups_unit_day_key_uq')
      .on(t.tenantId, t.day, t.unitId, t.channel, t.businessType)
      .nullsNotDistinct(),
    // A manager's subtree reads its own units' rows, not every row of the tenant in the range.
    index('evaluation_rollups_unit_day_unit_idx').on(t.tenantId, t.unitId, t.day),
  ],
);

/** Per tenant × local month × unit × channel × business type: the whole months of a range, without staff. */
export const evaluationRollupsUnitMonth = pgTable(
  'evaluation_rollups_unit_month',
  {
    tenantId: uuid('tenant_id').notNull(),
    month: date('month', { mode: 'string' }).notNull(),
    unitId: uuid('unit_id').notNull(),
    channel: text('channel').notNull(),
    businessType: text('business_type'),
    ...evaluationMeasures(),
  },
  (t) => [
    unique('evaluation_rollups_unit_month_key_uq')
      .on(t.tenantId, t.month, t.unitId, t.channel, t.businessType)
      .nullsNotDistinct(),
  ],
);

/**
 * Per tenant × local month × every key of evaluation_rollups (unit, counter, staff, channel, business type): the
 * whole months of a range read by staff or counter (rankings, staff performance, a teller's own figures).
 */
export const evaluationRollupsMonth = pgTable(
  'evaluation_rollups_month',
  {
    tenantId: uuid('tenant_id').notNull(),
    month: date('month', { mode: 'string' }).notNull(),
    unitId: uuid('unit_id').notNull(),
    counterId: uuid('counter_id'),
    staffId: uuid('staff_id'),
    channel: text('channel').notNull(),
    businessType: text('business_type'),
    ...evaluationMeasures(),
  },
  (t) => [
    unique('evaluation_rollups_month_key_uq')
      .on(t.tenantId, t.month, t.unitId, t.counterId, t.staffId, t.channel, t.businessType)
      .nullsNotDistinct(),
    index('evaluation_rollups_month_staff_idx').on(t.tenantId, t.staffId, t.month),
    index('evaluation_rollups_month_unit_idx').on(t.tenantId, t.unitId, t.month),
  ],
);

/**
 * Counter sessions per tenant × local day of `started_at` × outlet × counter × staff × business type: 客流量 and
 * 办理时长 for 服务统计 beside the evaluation figures. The triggers on `service_sessions` (insert, and the end of a
 * session setting its handling time) queue their change and `service_session_rollups_fold()` adds it here and into
 * the coarse session tables (db/schema/session-rollups.ts); rebuilt with the evaluation rollups. Read only through
 * modules/counter/session-rollups.ts (readSessionRollups).
 */
export const serviceSessionRollups = pgTable(
  'service_session_rollups',
  {
    tenantId: uuid('tenant_id').notNull(),
    day: date('day', { mode: 'string' }).notNull(),
    outletId: uuid('outlet_id').notNull(),
    counterId: uuid('counter_id').notNull(),
    staffId: uuid('staff_id').notNull(),
    businessType: text('business_type').notNull(),
    sessions: integer('sessions').notNull().default(0),
    /** Sessions with a handling time (ended), and the sum of those times in seconds. */
    handled: integer('handled').notNull().default(0),
    handlingSum: bigint('handling_sum', { mode: 'number' }).notNull().default(0),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.day, t.outletId, t.counterId, t.staffId, t.businessType] }),
    // Scoped reads (客流量 of a teller by staff_id, of a manager by counter_id in his units), as above.
    index('service_session_rollups_staff_idx').on(t.tenantId, t.staffId, t.day),
    index('service_session_rollups_counter_idx').on(t.tenantId, t.counterId, t.day),
  ],
);

/**
 * The coarse tables' queue (migration `coarse_rollups_off_the_write_path`): the writing transaction appends its
 * batch's change at the grain of evaluation_rollups here (no row of anyone else's is locked), and
 * `evaluation_rollups_fold()` adds the queue into the four coarse tables in bulk — every reader of a coarse table
 * folds its tenant first (`foldEvaluationRollups`), the `evaluation-rollups-fold` job folds every few seconds.
 * coarse table + its share of this queue = a GROUP BY over the facts.
 */
export const evaluationRollupPending = pgTable('evaluation_rollup_pending', {
  tenantId: uuid('tenant_id').notNull(),
  day: date('day', { mode: 'string' }).notNull(),
  /** The local hour (0–23): the queue also feeds evaluation_hour_rollups (migration `all_rollups_folded`). */
  hour: smallint('hour').notNull(),
  unitId: uuid('unit_id').notNull(),
  counterId: uuid('counter_id'),
  staffId: uuid('staff_id'),
  channel: text('channel').notNull(),
  businessType: text('business_type'),
  ...evaluationMeasures(),
});

/**
 * New evaluations not yet in the rollups (migration `evaluation_rollups_new_queue`, issue 12): the insert trigger on
 * `evaluations` appends one row per statement and tenant with the ids it wrote — no join, no grouping, no probe on the
 * write path — and `evaluation_rollups_fold()` expands them (local day and hour, the session's business type) in the
 * same statement, and so under the same snapshot, as it takes `evaluation_rollup_pending`. A new evaluation counts as
 * its corrections written before it left it (`evaluation_rollup_early`); every later exclude/restore queues its delta.
 */
export const evaluationRollupNew = pgTable('evaluation_rollup_new', {
  tenantId: uuid('tenant_id').notNull(),
  ids: uuid('ids').array().notNull(),
});

/**
 * Exclude / restore corrections written while their evaluation did not exist yet for the writer (no delta could be
 * queued: the evaluation's keys were unknown). The fold's expansion starts such an evaluation from the latest of them
 * and deletes their rows; in practice this stays empty (a correction is made on a rating someone has seen).
 */
export const evaluationRollupEarly = pgTable(
  'evaluation_rollup_early',
  {
    tenantId: uuid('tenant_id').notNull(),
    evaluationId: uuid('evaluation_id').notNull(),
    correctionId: bigint('correction_id', { mode: 'number' }).notNull(),
  },
  (t) => [index('evaluation_rollup_early_evaluation_idx').on(t.tenantId, t.evaluationId)],
);
