import { date, index, integer, pgTable, primaryKey, smallint, text, unique, uuid } from 'drizzle-orm/pg-core';

/**
 * The read model of the 驾驶舱 beyond evaluations, surveys and complaint events (DESIGN §7, §9): follow-up tasks, the
 * customer flow per hour, open tickets, customer tiers and churn warnings. Each table is kept by statement-level
 * triggers in the transaction that writes its facts (migration `dashboard_rollups`) and recomputed from the facts by
 * `dashboard_rollups_rebuild()` (`npm run rollups:rebuild -w @huifang/server`). Owned by modules/dashboard
 * (read-model.ts reads them); no module writes them by hand.
 */

/**
 * 回访任务 per tenant × local day its due window opens (due_from) × local day it closes (due_until) × the task's unit ×
 * assignee (null = team) × plan, counted by the task's current state (a change of the task moves its counts; a
 * cancelled task counts nowhere). The measures are those of the KPIs (modules/followup/figures/kpis.ts): coverage
 * 覆盖率 = attempted ÷ tasks, reach rate 接通率 = connected ÷ people_attempts, completion 完成率 = done ÷ tasks.
 * `open` with `due_day` gives the overdue snapshot: open tasks whose window closed before a given local day.
 */
export const followupTaskRollups = pgTable(
  'followup_task_rollups',
  {
    tenantId: uuid('tenant_id').notNull(),
    day: date('day', { mode: 'string' }).notNull(),
    dueDay: date('due_day', { mode: 'string' }).notNull(),
    unitId: uuid('unit_id').notNull(),
    assigneeId: uuid('assignee_id'),
    planId: uuid('plan_id').notNull(),
    /** Tasks not cancelled (应回访). */
    tasks: integer('tasks').notNull().default(0),
    /** Tasks with at least one attempt (已回访). */
    attempted: integer('attempted').notNull().default(0),
    /** Tasks whose attempts reached someone at least once (触达). */
    reached: integer('reached').notNull().default(0),
    attempts: integer('attempts').notNull().default(0),
    /** Attempts of tasks worked by people (not sent by the system as SMS / e-mail). */
    peopleAttempts: integer('people_attempts').notNull().default(0),
    /** Attempts that reached someone (reached / replied / refused). */
    connected: integer('connected').notNull().default(0),
    done: integer('done').notNull().default(0),
    onTime: integer('on_time').notNull().default(0),
    failed: integer('failed').notNull().default(0),
    /** Still pending / in progress / follow-up needed. */
    open: integer('open').notNull().default(0),
  },
  (t) => [
    unique('followup_task_rollups_key_uq')
      .on(t.tenantId, t.day, t.dueDay, t.unitId, t.assigneeId, t.planId)
      .nullsNotDistinct(),
  ],
);

/**
 * The same tasks per local MONTH their due window opens (`month`, its first day) × unit × assignee (no plan, no due
 * day): the 驾驶舱's follow-up figures over whole months read this table (at 1 M tasks the day table holds about one
 * row per task), the edge days the day table (lib/rollup-tables.ts rollupTableParts). Kept by the same trigger.
 */
export const followupTaskMonthRollups = pgTable(
  'followup_task_month_rollups',
  {
    tenantId: uuid('tenant_id').notNull(),
    month: date('month', { mode: 'string' }).notNull(),
    unitId: uuid('unit_id').notNull(),
    assigneeId: uuid('assignee_id'),
    tasks: integer('tasks').notNull().default(0),
    attempted: integer('attempted').notNull().default(0),
    reached: integer('reached').notNull().default(0),
    attempts: integer('attempts').notNull().default(0),
    peopleAttempts: integer('people_attempts').notNull().default(0),
    connected: integer('connected').notNull().default(0),
    done: integer('done').notNull().default(0),
    onTime: integer('on_time').notNull().default(0),
    failed: integer('failed').notNull().default(0),
    open: integer('open').notNull().default(0),
  },
  (t) => [
    unique('followup_task_month_rollups_key_uq').on(t.tenantId, t.month, t.unitId, t.assigneeId).nullsNotDistinct(),
    index('followup_task_month_rollups_unit_idx').on(t.tenantId, t.unitId, t.month),
  ],
);

/** 客流量 per tenant × local day × local hour (0–23) of the session's start × outlet: the hour × weekday heat map. */
export const sessionHourRollups = pgTable(
  'session_hour_rollups',
  {
    tenantId: uuid('tenant_id').notNull(),
    day: date('day', { mode: 'string' }).notNull(),
    hour: smallint('hour').notNull(),
    outletId: uuid('outlet_id').notNull(),
    sessions: integer('sessions').notNull().default(0),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.day, t.hour, t.outletId] }),
    // A subtree's outlets over the edge days of a range (migration 0060 INCLUDEs hour and sessions: index-only).
    index('session_hour_rollups_outlet_idx').on(t.tenantId, t.outletId, t.day),
  ],
);

/** 客流量 per tenant × local day × local hour, without the outlet: the edge days of the whole tenant's heat map. */
export const sessionHourTenantRollups = pgTable(
  'session_hour_tenant_rollups',
  {
    tenantId: uuid('tenant_id').notNull(),
    day: date('day', { mode: 'string' }).notNull(),
    hour: smallint('hour').notNull(),
    sessions: integer('sessions').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.day, t.hour] })],
);

/**
 * 客流量 per tenant × local MONTH (`month`, its first day) × ISO weekday (1–7) × local hour × outlet, and per tenant
 * without the outlet: the heat map over whole months reads these (the day table holds day × hour × outlet, 4.8 M rows
 * at the bench's 8 M sessions), the edge days the day table. Kept by the same trigger.
 */
export const sessionHourMonthRollups = pgTable(
  'session_hour_month_rollups',
  {
    tenantId: uuid('tenant_id').notNull(),
    month: date('month', { mode: 'string' }).notNull(),
    isodow: smallint('isodow').notNull(),
    hour: smallint('hour').notNull(),
    outletId: uuid('outlet_id').notNull(),
    sessions: integer('sessions').notNull().default(0),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.month, t.isodow, t.hour, t.outletId] }),
    // A subtree's outlets (a branch manager's 驾驶舱) without reading every outlet's rows of the range.
    index('session_hour_month_rollups_outlet_idx').on(t.tenantId, t.outletId, t.month),
  ],
);

export const sessionHourTenantMonthRollups = pgTable(
  'session_hour_tenant_month_rollups',
  {
    tenantId: uuid('tenant_id').notNull(),
    month: date('month', { mode: 'string' }).notNull(),
    isodow: smallint('isodow').notNull(),
    hour: smallint('hour').notNull(),
    sessions: integer('sessions').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.month, t.isodow, t.hour] })],
);

/** Tickets now, per tenant × unit × staff complained about (null: nobody) × status: the open-ticket snapshot. */
export const ticketStatusCounts = pgTable(
  'ticket_status_counts',
  {
    tenantId: uuid('tenant_id').notNull(),
    unitId: uuid('unit_id').notNull(),
    staffId: uuid('staff_id'),
    status: text('status').notNull(),
    tickets: integer('tickets').notNull().default(0),
  },
  (t) => [unique('ticket_status_counts_key_uq').on(t.tenantId, t.unitId, t.staffId, t.status).nullsNotDistinct()],
);

/**
 * Customers scored by a value run, per tenant × run × the customer's unit (when the run wrote its row) × tier ×
 * lifecycle tier: the tier distribution of the latest run of a subtree.
 */
export const customerValueRollups = pgTable(
  'customer_value_rollups',
  {
    tenantId: uuid('tenant_id').notNull(),
    runId: uuid('run_id').notNull(),
    unitId: uuid('unit_id').notNull(),
    tier: text('tier'),
    lifecycle: text('lifecycle').notNull(),
    customers: integer('customers').notNull().default(0),
  },
  (t) => [
    unique('customer_value_rollups_key_uq').on(t.tenantId, t.runId, t.unitId, t.tier, t.lifecycle).nullsNotDistinct(),
  ],
);

/** Open churn warnings 流失预警 now, per tenant × the customer's unit (when the warning was written) × reason. */
export const churnWarningCounts = pgTable(
  'churn_warning_counts',
  {
    tenantId: uuid('tenant_id').notNull(),
    unitId: uuid('unit_id').notNull(),
    reason: text('reason').notNull(),
    open: integer('open').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.unitId, t.reason] })],
);

/**
 * Appeals 申诉 of ratings per tenant × local day × the rated evaluation's unit × staff: `filed` on the day of each
 * appeal, `decided` on the day of the first decision (exclude / restore / appeal_rejected) after it — so pending now
 * is Σ filed − Σ decided. Kept by a trigger on `evaluation_corrections` (a correction stored before its evaluation,
 * which the API never does, is counted by the next rebuild only).
 */
export const evaluationAppealRollups = pgTable(
  'evaluation_appeal_rollups',
  {
    tenantId: uuid('tenant_id').notNull(),
    day: date('day', { mode: 'string' }).notNull(),
    unitId: uuid('unit_id').notNull(),
    staffId: uuid('staff_id'),
    filed: integer('filed').notNull().default(0),
    decided: integer('decided').notNull().default(0),
  },
  (t) => [unique('evaluation_appeal_rollups_key_uq').on(t.tenantId, t.day, t.unitId, t.staffId).nullsNotDistinct()],
);
