import { date, index, pgTable, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core';
import { evaluationMeasures } from './evaluation-rollups.ts';

/**
 * The customer-value cut of the evaluation figures (issue 15: "a tier is a cut in analytics"; issue 14: rollups only).
 * Counted evaluations that name a customer, per tenant × value run × local day × unit × channel × the customer's
 * percentile tier × lifecycle × rule class in that run (null: the customer is not in the run) — the same measures as
 * evaluation_rollups. Only the rows of the tenant's cut run (evaluation_value_rollup_runs) exist: when a value run
 * finishes, its transaction recomputes the tenant's rows from the facts for the new run
 * (`evaluation_value_rollups_recompute`, migration `evaluation_value_rollups`). Kept incrementally from the queue
 * below; read through modules/evaluations/value-rollups.ts. Owned by modules/evaluations.
 */
export const evaluationValueRollups = pgTable(
  'evaluation_value_rollups',
  {
    tenantId: uuid('tenant_id').notNull(),
    runId: uuid('run_id').notNull(),
    day: date('day', { mode: 'string' }).notNull(),
    unitId: uuid('unit_id').notNull(),
    channel: text('channel').notNull(),
    tier: text('tier'),
    lifecycle: text('lifecycle'),
    ruleClass: text('rule_class'),
    ...evaluationMeasures(),
  },
  (t) => [
    unique('evaluation_value_rollups_key_uq')
      .on(t.tenantId, t.runId, t.day, t.unitId, t.channel, t.tier, t.lifecycle, t.ruleClass)
      .nullsNotDistinct(),
    // A manager's subtree reads its own units' rows.
    index('evaluation_value_rollups_unit_idx').on(t.tenantId, t.runId, t.unitId, t.day),
  ],
);

/**
 * The write path's queue of the value cut: the change of a batch of evaluations with a customer (insert, exclude /
 * restore, relink of the customer) per customer × day × unit × channel, appended by triggers (anonymous ratings add
 * nothing); `evaluation_value_rollups_fold()` maps it to the customer's values in the cut run and adds it in bulk.
 */
export const evaluationValuePending = pgTable('evaluation_value_pending', {
  tenantId: uuid('tenant_id').notNull(),
  customerId: uuid('customer_id').notNull(),
  day: date('day', { mode: 'string' }).notNull(),
  unitId: uuid('unit_id').notNull(),
  channel: text('channel').notNull(),
  ...evaluationMeasures(),
});

/** The value run whose customer values the tenant's evaluation_value_rollups hold (the latest finished run). */
export const evaluationValueRollupRuns = pgTable('evaluation_value_rollup_runs', {
  tenantId: uuid('tenant_id').primaryKey(),
  runId: uuid('run_id').notNull(),
  /** The run's finished_at: the cut is "as of" it (分级截至). */
  finishedAt: timestamp('finished_at', { withTimezone: true }).notNull(),
});
