import {
  date,
  doublePrecision,
  integer,
  numeric,
  pgTable,
  primaryKey,
  smallint,
  text,
  uuid,
} from 'drizzle-orm/pg-core';

/**
 * The read model of survey results 问卷结果 (DESIGN §4.2, §9): counted survey responses — those whose evaluation is
 * stored and not excluded (the latest exclude/restore correction decides) — summed per tenant × survey × version ×
 * unit × local day (the tenant's time zone) × figure, and again per local month (`grain` 'month', `day` = the
 * month's first day) so that a long period reads a month in one row. Raw counts and sums only: weights come from the version a
 * reader shows. Owned by the evaluations module: maintained in the writing transaction by the triggers of migration
 * 0028 (on evaluations and evaluation_corrections) through `survey_rollup_pending` (below) since migration 0035,
 * recomputed from the facts by `survey_rollups_rebuild` (modules/evaluations/survey-rollups.ts). Rows whose count
 * falls to 0 are deleted.
 *
 * `kind` / `key` / `value`:
 * - `response`, '', '': n responses; index_n of them with an index, index_sum their Σ index (float8: sums of
 *   float4 values are exact in it, so the mean equals avg() over the facts to the bit);
 * - `dimension`, dimension key, '': n responses scoring it, sum Σ their dimension mean (numeric, exact);
 * - `answered`, question key, '': n responses answering it (text questions included);
 * - `value`, question key, answer value: n times that value was given (each chosen option of a multiple choice;
 *   free-text answers of the response's own version are never tallied).
 */
export const surveyRollups = pgTable(
  'survey_rollups',
  {
    tenantId: uuid('tenant_id').notNull(),
    surveyId: uuid('survey_id').notNull(),
    /** day | month */
    grain: text('grain').notNull(),
    kind: text('kind').notNull(),
    day: date('day').notNull(),
    version: integer('version').notNull(),
    unitId: uuid('unit_id').notNull(),
    key: text('key').notNull().default(''),
    value: text('value').notNull().default(''),
    n: integer('n').notNull(),
    sum: numeric('sum').notNull().default('0'),
    indexN: integer('index_n').notNull().default(0),
    indexSum: doublePrecision('index_sum').notNull().default(0),
  },
  (t) => [
    primaryKey({
      name: 'survey_rollups_pk',
      columns: [t.tenantId, t.surveyId, t.grain, t.day, t.kind, t.version, t.unitId, t.key, t.value],
    }),
  ],
);

/**
 * Survey responses counted (+1) or uncounted (-1) by a committed write but not yet added into `survey_rollups`
 * (migration 0035): the writing transaction appends one row per response here — no shared rollup row is locked or
 * updated on the write path — and `survey_rollups_fold` moves them into the rollups in bulk (per key, not per
 * response). Every reader folds its tenant before reading (surveyRollupFigures), and the `survey-rollups-fold` job
 * folds all tenants every few seconds, so this table stays small. rollups + pending = GROUP BY over the facts.
 */
export const surveyRollupPending = pgTable('survey_rollup_pending', {
  tenantId: uuid('tenant_id').notNull(),
  responseId: uuid('response_id').notNull(),
  /** 1 counted, -1 no longer counted (excluded). */
  sign: smallint('sign').notNull(),
});
