import { sql } from 'drizzle-orm';
import {
  boolean,
  date,
  foreignKey,
  index,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { orgUnits } from './org.ts';
import { tenants } from './tenants.ts';
import { users } from './users.ts';

/**
 * Scheduled reports 定时报表 (DESIGN §7), written by modules/reports only. A schedule sends its report of the period
 * just past (daily: yesterday; weekly: last ISO week; monthly: last month) at `send_time` in the tenant's zone, as
 * an xlsx e-mailed through the outbox to each recipient, computed with that recipient's own scope.
 */
export const reportSchedules = pgTable(
  'report_schedules',
  {
    id: uuid('id').notNull().defaultRandom(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id),
    name: text('name').notNull(),
    /** dashboard_summary 驾驶舱摘要 | staff_performance 员工绩效 */
    kind: text('kind').notNull(),
    /** daily | weekly | monthly */
    frequency: text('frequency').notNull(),
    /** weekly: 1 = Monday … 7 = Sunday */
    weekday: smallint('weekday'),
    /** monthly: 1–31 (a shorter month sends on its last day) */
    monthDay: smallint('month_day'),
    /** HH:mm, local time of the tenant */
    sendTime: text('send_time').notNull(),
    unitId: uuid('unit_id')
      .notNull()
      .references(() => orgUnits.id),
    recipientIds: uuid('recipient_ids').array().notNull(),
    enabled: boolean('enabled').notNull().default(true),
    createdBy: uuid('created_by').references(() => users.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    // The job reads the enabled schedules of every tenant each run: a partial index over them.
    index('report_schedules_enabled_idx')
      .on(t.tenantId)
      .where(sql`${t.enabled}`),
  ],
);

/**
 * One row per schedule × period × recipient: the once-only record of a delivery (the unique index makes a re-run of
 * the job, or 立即发送 for a period already sent, insert nothing). queued = the e-mail is in the outbox
 * (outbox_message_id); skipped = nothing sent, `error` says why.
 */
export const reportDeliveries = pgTable(
  'report_deliveries',
  {
    id: uuid('id').notNull().defaultRandom(),
    tenantId: uuid('tenant_id').notNull(),
    scheduleId: uuid('schedule_id').notNull(),
    periodFrom: date('period_from', { mode: 'string' }).notNull(),
    periodTo: date('period_to', { mode: 'string' }).notNull(),
    recipientId: uuid('recipient_id').notNull(),
    status: text('status').notNull(),
    error: text('error'),
    outboxMessageId: uuid('outbox_message_id'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    foreignKey({
      columns: [t.tenantId, t.scheduleId],
      foreignColumns: [reportSchedules.tenantId, reportSchedules.id],
    }).onDelete('cascade'),
    uniqueIndex('report_deliveries_once_uq').on(t.tenantId, t.scheduleId, t.periodFrom, t.recipientId),
    index('report_deliveries_schedule_idx').on(t.tenantId, t.scheduleId, t.createdAt),
  ],
);
