import { date, index, integer, pgTable, unique, uuid } from 'drizzle-orm/pg-core';

/**
 * The completion-day read model of follow-up tasks 回访完成数: tasks done, keyed by the local day (tenant time zone)
 * of `completed_at`, where followup_task_rollups keys tasks by their due days. Kept by statement-level triggers on
 * followup_tasks in the transaction of every write (migration `followup_done_rollups`: one upsert function
 * `followup_done_rollups_upsert` for the triggers and the rebuild `followup_done_rollups_rebuild()`, which
 * `npm run rollups:rebuild -w @huifang/server` runs). Read by modules/followup/figures/staff-done.ts; nothing writes
 * them by hand. A task counts while its state is `done`, under its current unit and assignee; reopening, cancelling
 * or deleting it takes it away again. Rows may fall to zero and stay.
 */

/** Done tasks per tenant × local day of completion × the task's unit × assignee (null = team task). */
export const followupDoneRollups = pgTable(
  'followup_done_rollups',
  {
    tenantId: uuid('tenant_id').notNull(),
    day: date('day', { mode: 'string' }).notNull(),
    unitId: uuid('unit_id').notNull(),
    assigneeId: uuid('assignee_id'),
    done: integer('done').notNull().default(0),
    /** Done by the end of the due window (completed_at <= due_until). */
    onTime: integer('on_time').notNull().default(0),
  },
  (t) => [
    unique('followup_done_rollups_key_uq').on(t.tenantId, t.day, t.unitId, t.assigneeId).nullsNotDistinct(),
    // A subtree read goes unit by unit (the subtree is estimated at a unit or two): each a short range here, where
    // the key would scan every unit's rows of the range once per unit.
    index('followup_done_rollups_unit_idx').on(t.tenantId, t.unitId, t.day),
    // An `own` read (one assignee), without the other staff's rows.
    index('followup_done_rollups_assignee_idx').on(t.tenantId, t.assigneeId, t.day),
  ],
);

/**
 * The same per local MONTH of completion (`month` = its first day): at 2,000 staff finishing about a task a day the
 * day grain does not compress, so whole months of a range are read here (lib/rollup-tables.ts rollupTableParts).
 */
export const followupDoneMonthRollups = pgTable(
  'followup_done_month_rollups',
  {
    tenantId: uuid('tenant_id').notNull(),
    month: date('month', { mode: 'string' }).notNull(),
    unitId: uuid('unit_id').notNull(),
    assigneeId: uuid('assignee_id'),
    done: integer('done').notNull().default(0),
    onTime: integer('on_time').notNull().default(0),
  },
  (t) => [
    unique('followup_done_month_rollups_key_uq').on(t.tenantId, t.month, t.unitId, t.assigneeId).nullsNotDistinct(),
    index('followup_done_month_rollups_unit_idx').on(t.tenantId, t.unitId, t.month),
    index('followup_done_month_rollups_assignee_idx').on(t.tenantId, t.assigneeId, t.month),
  ],
);
