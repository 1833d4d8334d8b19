import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  check,
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
import { customers } from './customers.ts';
import { orgUnits } from './org.ts';
import { tenants } from './tenants.ts';
import { users } from './users.ts';

/**
 * Complaint tickets 工单 (DESIGN §6), owned by modules/tickets. The row is the current state; the truth of what
 * happened is `ticket_events` (append-only), and every state change goes through `applyTicketAction`, which writes
 * both in one transaction. The `sla_*` columns are a cache of the SLA derived from the events and the business
 * calendar (modules/tickets/sla), kept for lists and boards; `sla_event_id` is the last event it was derived from.
 */
export const tickets = pgTable(
  'tickets',
  {
    id: uuid('id').notNull().defaultRandom(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id),
    /** Human number shown as GD + zero-padded seq (GD000123). */
    seq: bigserial('seq', { mode: 'number' }).notNull(),
    /** evaluation | feedback | manual */
    source: text('source').notNull(),
    /** The negative evaluation it came from: unique, so a replayed event never opens a second ticket. */
    sourceEvaluationId: uuid('source_evaluation_id'),
    /** The complaint-class feedback item it came from (modules/feedback). */
    sourceFeedbackId: uuid('source_feedback_id'),
    category: text('category').notNull().default('other'),
    priority: text('priority').notNull().default('normal'),
    title: text('title').notNull(),
    description: text('description').notNull().default(''),
    customerId: uuid('customer_id').references(() => customers.id, { onDelete: 'set null' }),
    /** The staff member complained about. */
    staffId: uuid('staff_id').references(() => users.id),
    /** The unit the ticket belongs to (the outlet complained about); scoping goes by it. */
    unitId: uuid('unit_id')
      .notNull()
      .references(() => orgUnits.id),
    assigneeId: uuid('assignee_id').references(() => users.id),
    /** Index into ESCALATION_LEVELS: 0 客服, 1 主管, 2 经理, 3 服务监督团队. */
    escalationLevel: smallint('escalation_level').notNull().default(0),
    status: text('status').notNull().default('new'),
    createdBy: uuid('created_by').references(() => users.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
    firstRespondedAt: timestamp('first_responded_at', { withTimezone: true }),
    resolvedAt: timestamp('resolved_at', { withTimezone: true }),
    closedAt: timestamp('closed_at', { withTimezone: true }),
    reopenCount: smallint('reopen_count').notNull().default(0),
    /** at_fault | no_fault, decided by the supervision team on a staff appeal; null = no decision. */
    faultDecision: text('fault_decision'),
    /** SLA cache (see above). */
    firstResponseDueAt: timestamp('first_response_due_at', { withTimezone: true }),
    resolutionDueAt: timestamp('resolution_due_at', { withTimezone: true }),
    slaState: text('sla_state').notNull().default('ok'),
    slaEventId: bigint('sla_event_id', { mode: 'number' }).notNull().default(0),
    slaComputedAt: timestamp('sla_computed_at', { withTimezone: true }),
    /** When the derived SLA next changes by time alone (a warning point or deadline); the SLA job looks again then. */
    slaNextCheckAt: timestamp('sla_next_check_at', { withTimezone: true }),
    /**
     * An event came after `sla_event_id`: set by a trigger on every insert into ticket_events (migration
     * `ticket_sla_stale`), cleared when the SLA job derives the ticket again. The job finds these by a partial index
     * instead of probing every ticket's events (50,000 tickets: 89 ms every 5 s).
     */
    slaStale: boolean('sla_stale').notNull().default(false),
    /**
     * Some SLA target of the ticket was ever breached (it has an `sla_breached` event; the SLA job, the only writer of
     * those, keeps it): 员工投诉指标's 超时 per ticket without a look into ticket_events.
     */
    slaBreached: boolean('sla_breached').notNull().default(false),
    /** Bumped by every action: clients send the version they saw, a stale one gets 409. */
    version: integer('version').notNull().default(1),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    uniqueIndex('tickets_seq_uq').on(t.seq),
    uniqueIndex('tickets_source_evaluation_uq')
      .on(t.tenantId, t.sourceEvaluationId)
      .where(sql`${t.sourceEvaluationId} is not null`),
    uniqueIndex('tickets_source_feedback_uq')
      .on(t.tenantId, t.sourceFeedbackId)
      .where(sql`${t.sourceFeedbackId} is not null`),
    index('tickets_unit_status_idx').on(t.tenantId, t.unitId, t.status, t.createdAt),
    index('tickets_assignee_idx')
      .on(t.tenantId, t.assigneeId, t.status)
      .where(sql`${t.assigneeId} is not null`),
    index('tickets_staff_idx')
      .on(t.tenantId, t.staffId, t.createdAt)
      .where(sql`${t.staffId} is not null`),
    index('tickets_customer_idx')
      .on(t.tenantId, t.customerId, t.createdAt)
      .where(sql`${t.customerId} is not null`),
    index('tickets_open_sla_idx')
      .on(t.tenantId, t.resolutionDueAt)
      .where(sql`${t.status} not in ('resolved', 'closed')`),
    index('tickets_sla_stale_idx')
      .on(t.tenantId, t.id)
      .where(sql`${t.slaStale}`),
    index('tickets_sla_next_check_idx')
      .on(t.slaNextCheckAt)
      .where(sql`${t.slaNextCheckAt} is not null and ${t.status} not in ('resolved', 'closed')`),
    check(
      'tickets_status_ck',
      sql`${t.status} in ('new', 'assigned', 'in_progress', 'waiting_customer', 'resolved', 'closed', 'reopened')`,
    ),
    check('tickets_priority_ck', sql`${t.priority} in ('urgent', 'high', 'normal', 'low')`),
    check('tickets_source_ck', sql`${t.source} in ('evaluation', 'feedback', 'manual')`),
    check('tickets_level_ck', sql`${t.escalationLevel} between 0 and 3`),
    check('tickets_sla_state_ck', sql`${t.slaState} in ('ok', 'warning', 'breached', 'paused', 'met')`),
    check('tickets_fault_ck', sql`${t.faultDecision} is null or ${t.faultDecision} in ('at_fault', 'no_fault')`),
  ],
);

/**
 * The append-only history of a ticket (a trigger refuses UPDATE/DELETE/TRUNCATE). `type` is one of
 * TICKET_EVENT_TYPES; action events carry from/to status; `payload` holds the rest (assignee, reason, note text,
 * internal flag, escalation level, SLA target, callback score…).
 */
export const ticketEvents = pgTable(
  'ticket_events',
  {
    id: bigserial('id', { mode: 'number' }).notNull(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id),
    ticketId: uuid('ticket_id').notNull(),
    type: text('type').notNull(),
    /** null = the system (a job). */
    actorId: uuid('actor_id').references(() => users.id),
    at: timestamp('at', { withTimezone: true }).notNull(),
    fromStatus: text('from_status'),
    toStatus: text('to_status'),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull().default({}),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    index('ticket_events_ticket_idx').on(t.tenantId, t.ticketId, t.id),
  ],
);

/** Files attached to a ticket (stored under DATA_DIR like imports); each upload is also a ticket event. */
export const ticketAttachments = pgTable(
  'ticket_attachments',
  {
    id: uuid('id').notNull().defaultRandom(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id),
    ticketId: uuid('ticket_id').notNull(),
    fileName: text('file_name').notNull(),
    mimeType: text('mime_type').notNull(),
    sizeBytes: integer('size_bytes').notNull(),
    /** Path relative to DATA_DIR. */
    storagePath: text('storage_path').notNull(),
    uploadedBy: uuid('uploaded_by').references(() => users.id),
    uploadedAt: timestamp('uploaded_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    index('ticket_attachments_ticket_idx').on(t.tenantId, t.ticketId),
  ],
);

/**
 * SLA targets per priority, in working minutes of the tenant's business calendar: first response and resolution,
 * the share of a target after which a warning is raised, and each escalation level's own internal target (OLA,
 * `level_minutes[i]` for level i). No row = the defaults in modules/tickets/sla.
 */
export const ticketSlaPolicies = pgTable(
  'ticket_sla_policies',
  {
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id),
    priority: text('priority').notNull(),
    firstResponseMinutes: integer('first_response_minutes').notNull(),
    resolutionMinutes: integer('resolution_minutes').notNull(),
    warnRatio: numeric('warn_ratio', { precision: 3, scale: 2, mode: 'number' }).notNull().default(0.8),
    levelMinutes: integer('level_minutes')
      .array()
      .notNull()
      .default(sql`'{}'::integer[]`),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
    updatedBy: uuid('updated_by'),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.priority] }),
    check('ticket_sla_policies_priority_ck', sql`${t.priority} in ('urgent', 'high', 'normal', 'low')`),
    check(
      'ticket_sla_policies_minutes_ck',
      sql`${t.firstResponseMinutes} > 0 and ${t.resolutionMinutes} >= ${t.firstResponseMinutes}`,
    ),
    check('ticket_sla_policies_warn_ck', sql`${t.warnRatio} > 0 and ${t.warnRatio} < 1`),
  ],
);

/**
 * A tenant's ticket policy: when a negative evaluation opens a ticket (score at or below `auto_max_score` of 5, or the
 * 不满意 label), the priority of auto-opened tickets, and the close-the-loop settings in `close_loop` (share of
 * resolved tickets sampled, delay, expiry, the score at or below which a comment is required / the ticket reopens,
 * callback task or survey; shape owned by modules/tickets). No row = the defaults.
 */
export const tenantTicketPolicies = pgTable(
  'tenant_ticket_policies',
  {
    tenantId: uuid('tenant_id')
      .primaryKey()
      .references(() => tenants.id),
    autoMaxScore: smallint('auto_max_score').notNull().default(2),
    autoPriority: text('auto_priority').notNull().default('normal'),
    closeLoop: jsonb('close_loop').$type<Record<string, unknown>>().notNull().default({}),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
    updatedBy: uuid('updated_by'),
  },
  (t) => [
    check('tenant_ticket_policies_score_ck', sql`${t.autoMaxScore} between 0 and 4`),
    check('tenant_ticket_policies_priority_ck', sql`${t.autoPriority} in ('urgent', 'high', 'normal', 'low')`),
  ],
);
