import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  date,
  foreignKey,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { customers } from './customers.ts';
import { orgUnits } from './org.ts';
import { tenants } from './tenants.ts';
import { users } from './users.ts';

/**
 * Follow-up 回访 (DESIGN §5). A plan 回访计划 targets a segment (saved filter), an explicit list, or a rule; tasks
 * 回访任务 are generated set-based (INSERT … SELECT … ON CONFLICT DO NOTHING) and are unique per
 * (tenant, plan, customer, occurrence): the occurrence key names what caused the task (`once`, `sr:<service record>`,
 * `period:2026-04`, `birthday:2026`, `holiday:2026-10-01`, `complaint:<ticket>`, `next:<task>`), so re-running a rule
 * never duplicates a task.
 */
export const followupPlans = pgTable(
  'followup_plans',
  {
    id: uuid('id').notNull().defaultRandom(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id),
    /** The owning unit: the plan reaches customers of this unit and below; scoping goes by it. */
    unitId: uuid('unit_id')
      .notNull()
      .references(() => orgUnits.id),
    name: text('name').notNull(),
    /** satisfaction | care | birthday | reminder | complaint_check | churn_save | marketing */
    topic: text('topic').notNull(),
    /** Codes of the tenant dictionary `followup_method` (phone, sms, email, visit, wechat, …). */
    methods: text('methods').array().notNull().default([]),
    /** segment | list | rule */
    targetKind: text('target_kind').notNull(),
    savedFilterId: uuid('saved_filter_id'),
    customerIds: uuid('customer_ids').array().notNull().default([]),
    /** Rule of a rule plan: { kind, … } (see shared/schemas/followup.ts ZFollowupRule). */
    rule: jsonb('rule').$type<Record<string, unknown>>(),
    /** 话术 with placeholders ({客户姓名}…), rendered server-side. */
    script: text('script').notNull().default(''),
    /** Questionnaire: a survey of modules/surveys (no FK: surveys are keyed by (tenant, id) and versioned). */
    surveyId: uuid('survey_id'),
    startDate: date('start_date').notNull(),
    /** Due window length in days from the day a task becomes due. */
    dueDays: integer('due_days').notNull().default(7),
    /** owner | round_robin | fixed */
    assignment: text('assignment').notNull(),
    assignUnitId: uuid('assign_unit_id').references(() => orgUnits.id),
    assigneeId: uuid('assignee_id').references(() => users.id),
    maxAttempts: integer('max_attempts').notNull().default(3),
    retryHours: integer('retry_hours').notNull().default(4),
    /** Contact hours (local hours of the tenant time zone): outside them is quiet time (default 09–21). */
    contactFromHour: smallint('contact_from_hour').notNull().default(9),
    contactToHour: smallint('contact_to_hour').notNull().default(21),
    /** At most one contact per customer per this many days, across channels. */
    minGapDays: integer('min_gap_days').notNull().default(7),
    budgetFen: bigint('budget_fen', { mode: 'number' }),
    giftName: text('gift_name'),
    giftFen: bigint('gift_fen', { mode: 'number' }),
    /** 下次回访: create one next task this many days after completion (null = only when the agent sets a date). */
    nextFollowupDays: integer('next_followup_days'),
    /** Reminders (followup-reminders job): also e-mail the assignee (when they have an address), not only in-app. */
    remindByEmail: boolean('remind_by_email').notNull().default(false),
    /** Escalate to the supervisor when a task is overdue by more than this many days. */
    escalateAfterDays: integer('escalate_after_days').notNull().default(2),
    /** draft → active → paused → closed */
    status: text('status').notNull().default('draft'),
    activatedAt: timestamp('activated_at', { withTimezone: true }),
    createdBy: uuid('created_by').references(() => users.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    index('followup_plans_unit_idx').on(t.tenantId, t.unitId),
    index('followup_plans_status_idx').on(t.tenantId, t.status),
  ],
);

/**
 * One generation run 生成批次: the auditable creation record of the tasks it made (plan, rule, occurrence, count, who).
 * Generation writes this ONE row instead of a `created` log row per task; each task names its run (created_by_run)
 * and every later change of a task is still logged per task in followup_task_events.
 */
export const followupGenerationRuns = pgTable(
  'followup_generation_runs',
  {
    id: uuid('id').notNull().defaultRandom(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id),
    planId: uuid('plan_id').notNull(),
    /** The plan's rule kind (null: a segment / list plan's activation). */
    ruleKind: text('rule_kind'),
    /** What ran: `activation`, `rule:<local date>`, or the occurrence key of a single task (`next:<task>`, `complaint:<ticket>`). */
    occurrence: text('occurrence').notNull(),
    actorId: uuid('actor_id'),
    at: timestamp('at', { withTimezone: true }).notNull(),
    created: integer('created').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    foreignKey({ columns: [t.tenantId, t.planId], foreignColumns: [followupPlans.tenantId, followupPlans.id] }),
    index('followup_generation_runs_plan_idx').on(t.tenantId, t.planId, t.at),
  ],
);

/**
 * Tasks 回访任务: one customer, one plan, one occurrence. Generation inserts up to a million rows in one statement,
 * so it declares no per-row foreign keys (each costs a trigger call and a FOR KEY SHARE row lock on the customer per
 * generated row): tasks are only ever made by an INSERT … SELECT from customers and plans, plans are never deleted
 * (only closed), and a statement-level trigger on customers deletes the tasks of erased customers (migration 0014).
 */
export const followupTasks = pgTable(
  'followup_tasks',
  {
    id: uuid('id').notNull().defaultRandom(),
    tenantId: uuid('tenant_id').notNull(),
    planId: uuid('plan_id').notNull(),
    customerId: uuid('customer_id').notNull(),
    occurrenceKey: text('occurrence_key').notNull(),
    /** The generation run that created the task (its creation record); null for tasks made before runs existed. */
    createdByRun: uuid('created_by_run'),
    /** The customer's unit when the task was made: scoping goes by it. */
    unitId: uuid('unit_id').notNull(),
    /** Responsible person; null = the team (team_unit_id) — rotation never orphans a task. */
    assigneeId: uuid('assignee_id'),
    teamUnitId: uuid('team_unit_id'),
    claimedBy: uuid('claimed_by'),
    claimedAt: timestamp('claimed_at', { withTimezone: true }),
    /** Who actually executed it (the last person who recorded an attempt). */
    executedBy: uuid('executed_by'),
    /** pending 待回访 | in_progress 进行中 | follow_up 跟进 | done 已完成 | failed 失败 | cancelled 已取消 */
    state: text('state').notNull().default('pending'),
    dueFrom: timestamp('due_from', { withTimezone: true }).notNull(),
    dueUntil: timestamp('due_until', { withTimezone: true }).notNull(),
    /** Retry policy: the next attempt is not before this (inside contact hours). */
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }),
    attempts: integer('attempts').notNull().default(0),
    /** Attempts that reached someone (reached / replied / refused). */
    reachedAttempts: integer('reached_attempts').notNull().default(0),
    lastOutcome: text('last_outcome'),
    satisfaction: smallint('satisfaction'),
    serviceRecordId: uuid('service_record_id'),
    sourceTaskId: uuid('source_task_id'),
    completedAt: timestamp('completed_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    // The uniqueness that makes generation idempotent (never the same task twice). Customer first: it also serves
    // "tasks of this customer" (timeline, merge, history), so no separate customer index is kept.
    uniqueIndex('followup_tasks_customer_occurrence_uq').on(t.tenantId, t.customerId, t.planId, t.occurrenceKey),
    index('followup_tasks_assignee_idx').on(t.tenantId, t.assigneeId, t.state, t.dueUntil),
    index('followup_tasks_unit_idx').on(t.tenantId, t.unitId, t.state),
  ],
);

/** Contact attempts 回访记录. */
export const followupAttempts = pgTable(
  'followup_attempts',
  {
    id: uuid('id').notNull().defaultRandom(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id),
    taskId: uuid('task_id').notNull(),
    planId: uuid('plan_id').notNull(),
    customerId: uuid('customer_id')
      .notNull()
      .references(() => customers.id, { onDelete: 'cascade' }),
    unitId: uuid('unit_id')
      .notNull()
      .references(() => orgUnits.id),
    byUserId: uuid('by_user_id').references(() => users.id),
    at: timestamp('at', { withTimezone: true }).notNull(),
    channel: text('channel').notNull(),
    /** customer | family | contact_person */
    reachedWhom: text('reached_whom'),
    contactName: text('contact_name'),
    /** reached | no_answer | busy | wrong_number | refused | replied */
    outcome: text('outcome').notNull(),
    notes: text('notes'),
    satisfaction: smallint('satisfaction'),
    answers: jsonb('answers'),
    evaluationId: uuid('evaluation_id'),
    isAbnormal: boolean('is_abnormal').notNull().default(false),
    abnormalNote: text('abnormal_note'),
    /** continue | bring_forward | escalate | close */
    nextAction: text('next_action'),
    nextFollowupDate: date('next_followup_date'),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    foreignKey({
      columns: [t.tenantId, t.taskId],
      foreignColumns: [followupTasks.tenantId, followupTasks.id],
    }).onDelete('cascade'),
    index('followup_attempts_task_idx').on(t.tenantId, t.taskId, t.at),
    index('followup_attempts_customer_idx').on(t.tenantId, t.customerId, t.at),
  ],
);

/** Append-only log of every task change (created, reminded, escalated, claimed, reassigned, completed, …). */
export const followupTaskEvents = pgTable(
  'followup_task_events',
  {
    id: bigserial('id', { mode: 'number' }).notNull(),
    tenantId: uuid('tenant_id').notNull(),
    taskId: uuid('task_id').notNull(),
    kind: text('kind').notNull(),
    at: timestamp('at', { withTimezone: true }).notNull(),
    actorId: uuid('actor_id'),
    fromState: text('from_state'),
    toState: text('to_state'),
    data: jsonb('data'),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    foreignKey({
      columns: [t.tenantId, t.taskId],
      foreignColumns: [followupTasks.tenantId, followupTasks.id],
    }).onDelete('cascade'),
    index('followup_task_events_task_idx').on(t.tenantId, t.taskId, t.at),
    // Automatic reminders and escalations happen once per task and kind (data.reminder = due | overdue | escalation):
    // the reminder job inserts with ON CONFLICT DO NOTHING, so re-running it (or two workers at once) never repeats one.
    uniqueIndex('followup_task_events_reminder_uq')
      .on(t.tenantId, t.taskId, sql`(data ->> 'reminder')`)
      .where(sql`kind in ('reminded', 'escalated') and data ? 'reminder'`),
  ],
);

/**
 * Every contact with a customer on any channel (follow-up attempts now; the outbox sender later): the ledger the
 * contact policy counts ("at most one contact per customer per N days across channels").
 */
export const contactEvents = pgTable(
  'contact_events',
  {
    id: bigserial('id', { mode: 'number' }).notNull(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id),
    customerId: uuid('customer_id')
      .notNull()
      .references(() => customers.id, { onDelete: 'cascade' }),
    at: timestamp('at', { withTimezone: true }).notNull(),
    channel: text('channel').notNull(),
    refType: text('ref_type'),
    refId: uuid('ref_id'),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    index('contact_events_customer_idx').on(t.tenantId, t.customerId, t.at),
  ],
);

/** Staff absences: a delegate receives new tasks of the absent person meanwhile. */
export const staffAbsences = pgTable(
  'staff_absences',
  {
    id: uuid('id').notNull().defaultRandom(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    delegateId: uuid('delegate_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    startsOn: date('starts_on').notNull(),
    endsOn: date('ends_on').notNull(),
    note: text('note'),
    createdBy: uuid('created_by').references(() => users.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    index('staff_absences_user_idx').on(t.tenantId, t.userId, t.startsOn),
  ],
);
