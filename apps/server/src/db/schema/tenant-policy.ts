import { sql } from 'drizzle-orm';
import { check, date, integer, pgTable, primaryKey, smallint, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { tenants } from './tenants.ts';

/**
 * A tenant's contact policy (DESIGN §5): quiet hours 免打扰时段 [quiet_from_hour, quiet_to_hour) local time (may wrap
 * midnight: 21 → 9 is the default) and the minimum gap in days between two contacts of one customer across channels.
 * No row = the defaults (21:00–09:00, 7 days). The sender reads it per tenant; new plans are pre-filled from it.
 */
export const tenantContactPolicies = pgTable(
  'tenant_contact_policies',
  {
    tenantId: uuid('tenant_id')
      .primaryKey()
      .references(() => tenants.id),
    quietFromHour: smallint('quiet_from_hour').notNull().default(21),
    quietToHour: smallint('quiet_to_hour').notNull().default(9),
    minGapDays: smallint('min_gap_days').notNull().default(7),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
    updatedBy: uuid('updated_by'),
  },
  (t) => [
    check(
      'tenant_contact_policies_hours_ck',
      sql`${t.quietFromHour} between 0 and 23 and ${t.quietToHour} between 0 and 23 and ${t.quietFromHour} <> ${t.quietToHour}`,
    ),
    check('tenant_contact_policies_gap_ck', sql`${t.minGapDays} between 0 and 365`),
  ],
);

/**
 * Business calendar 工作日历 of a tenant: the exceptions to "Monday–Friday are working days" — public holidays
 * (kind 'holiday', also when they fall on a weekday) and make-up working days 调休上班 (kind 'workday', a Saturday or
 * Sunday that is worked). Seeded per year from the State Council notice, then edited by the tenant.
 */
export const businessCalendarDays = pgTable(
  'business_calendar_days',
  {
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id),
    day: date('day', { mode: 'string' }).notNull(),
    kind: text('kind').notNull(),
    name: text('name').notNull().default(''),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.day] }),
    check('business_calendar_days_kind_ck', sql`${t.kind} in ('holiday', 'workday')`),
  ],
);

/** Which official years were seeded for a tenant: seeding happens once, so a day the tenant removed stays removed. */
export const businessCalendarYears = pgTable(
  'business_calendar_years',
  {
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id),
    year: integer('year').notNull(),
    seededAt: timestamp('seeded_at', { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.year] })],
);

/**
 * A tenant's evaluation policy: 不满意提醒阈值 — an evaluation whose overall score (1–5) is at most
 * `negative_score_max` alerts the unit's managers (a 不满意 label and a kiosk's lowest key always alert).
 * No row = the default 2 (1–2 points alert).
 */
export const tenantEvaluationPolicies = pgTable(
  'tenant_evaluation_policies',
  {
    tenantId: uuid('tenant_id')
      .primaryKey()
      .references(() => tenants.id),
    negativeScoreMax: smallint('negative_score_max').notNull().default(2),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
    updatedBy: uuid('updated_by'),
  },
  (t) => [check('tenant_evaluation_policies_score_ck', sql`${t.negativeScoreMax} between 1 and 4`)],
);
