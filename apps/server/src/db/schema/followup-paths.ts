import {
  foreignKey,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { serviceRecords } from './customers.ts';
import { followupPlans } from './followup.ts';
import { orgUnits } from './org.ts';
import { tenants } from './tenants.ts';

/**
 * Plan templates 回访路径 (DESIGN §5): "discharge + 7 days ± 2 by phone, + 30 days ± 5, + 90 days by SMS". A template
 * belongs to a follow-up plan (which gives assignment, retry and contact settings) and has matching rules (service type,
 * a custom field equals / contains a value, with weights; negative rules exclude). Its time points live in versions:
 * a version that has created tasks is never edited — editing makes a new version, the old one keeps what it made.
 */
export const followupPathTemplates = pgTable(
  'followup_path_templates',
  {
    id: uuid('id').notNull().defaultRandom(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id),
    /** The owning unit: the template applies to customers of this unit and below; scoping goes by it. */
    unitId: uuid('unit_id')
      .notNull()
      .references(() => orgUnits.id),
    planId: uuid('plan_id').notNull(),
    name: text('name').notNull(),
    /** draft → active ⇄ retired */
    status: text('status').notNull().default('draft'),
    /** The version new service records get (followup_path_versions.version). */
    currentVersion: integer('current_version').notNull().default(1),
    /** Matching rules [{ kind, serviceTypeId | key+value, weight, negative }] (shared ZPathRule); not versioned. */
    rules: jsonb('rules').$type<unknown[]>().notNull().default([]),
    createdBy: uuid('created_by'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    foreignKey({ columns: [t.tenantId, t.planId], foreignColumns: [followupPlans.tenantId, followupPlans.id] }),
    index('followup_path_templates_status_idx').on(t.tenantId, t.status),
  ],
);

/** Versions of a template: the time points [{ anchor, offsetDays, windowDays, method, script, surveyId, priority, skippable }]. */
export const followupPathVersions = pgTable(
  'followup_path_versions',
  {
    id: uuid('id').notNull().defaultRandom(),
    tenantId: uuid('tenant_id').notNull(),
    templateId: uuid('template_id').notNull(),
    version: integer('version').notNull(),
    points: jsonb('points').$type<unknown[]>().notNull(),
    createdBy: uuid('created_by'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    foreignKey({
      columns: [t.tenantId, t.templateId],
      foreignColumns: [followupPathTemplates.tenantId, followupPathTemplates.id],
    }),
    uniqueIndex('followup_path_versions_template_uq').on(t.tenantId, t.templateId, t.version),
  ],
);

/**
 * Which template (and version) a service record got: ONE row per service record, so a record is never instantiated
 * twice (the primary key, not luck); its tasks carry occurrence keys `path:<service record>:<point no>`.
 */
export const followupPathInstances = pgTable(
  'followup_path_instances',
  {
    tenantId: uuid('tenant_id').notNull(),
    serviceRecordId: uuid('service_record_id')
      .notNull()
      .references(() => serviceRecords.id, { onDelete: 'cascade' }),
    templateId: uuid('template_id').notNull(),
    versionId: uuid('version_id').notNull(),
    planId: uuid('plan_id').notNull(),
    customerId: uuid('customer_id').notNull(),
    /** Tasks created when the record was instantiated (points without an anchor date, past or excluded make none). */
    tasks: integer('tasks').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.serviceRecordId] }),
    foreignKey({
      columns: [t.tenantId, t.versionId],
      foreignColumns: [followupPathVersions.tenantId, followupPathVersions.id],
    }),
    index('followup_path_instances_version_idx').on(t.tenantId, t.versionId),
  ],
);
