import { sql } from 'drizzle-orm';
import {
  bigint,
  check,
  index,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { tenants } from './tenants.ts';

/**
 * Close-the-loop callbacks 回访闭环 (DESIGN §6), owned by modules/tickets/close-loop: one row per resolution of a
 * ticket (the `resolve` event it answers), at most one still open per ticket. Created waiting (`send_after`), then
 * sent by the close-loop job (a personal survey link by SMS, or a follow-up call task) — or, with a `skip_reason`,
 * never sent and only closed at `auto_close_at` — then finished with an `outcome`: satisfied (closed), reopened (low
 * score), timeout (auto-closed), cancelled (the ticket moved on by hand), no_contact / not_sampled (nothing sent).
 */
export const ticketCallbacks = pgTable(
  'ticket_callbacks',
  {
    id: uuid('id').notNull().defaultRandom(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id),
    ticketId: uuid('ticket_id').notNull(),
    /** The `resolve` ticket event this callback follows up: unique, so a replayed listener creates nothing. */
    resolveEventId: bigint('resolve_event_id', { mode: 'number' }).notNull(),
    /** null: the ticket has no customer (nothing to send; closed after the auto-close period). */
    customerId: uuid('customer_id'),
    /** callback | survey */
    mode: text('mode').notNull(),
    sendAfter: timestamp('send_after', { withTimezone: true }).notNull(),
    sentAt: timestamp('sent_at', { withTimezone: true }),
    /** Survey link validity (survey mode). */
    expiresAt: timestamp('expires_at', { withTimezone: true }),
    /** N working days after sending: unanswered by then → the ticket is closed. */
    autoCloseAt: timestamp('auto_close_at', { withTimezone: true }),
    surveyLinkId: uuid('survey_link_id'),
    followupTaskId: uuid('followup_task_id'),
    messageId: uuid('message_id'),
    /** Why nothing is sent: not_sampled (closed at once) | no_customer | no_contact (closed after the auto-close period). */
    skipReason: text('skip_reason'),
    answeredAt: timestamp('answered_at', { withTimezone: true }),
    evaluationId: uuid('evaluation_id'),
    score: smallint('score'),
    comment: text('comment'),
    outcome: text('outcome'),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    uniqueIndex('ticket_callbacks_resolve_uq').on(t.tenantId, t.ticketId, t.resolveEventId),
    uniqueIndex('ticket_callbacks_open_uq')
      .on(t.tenantId, t.ticketId)
      .where(sql`${t.outcome} is null`),
    index('ticket_callbacks_due_send_idx')
      .on(t.sendAfter)
      .where(sql`${t.outcome} is null and ${t.sentAt} is null and ${t.skipReason} is null`),
    index('ticket_callbacks_due_close_idx')
      .on(t.autoCloseAt)
      .where(sql`${t.outcome} is null`),
    index('ticket_callbacks_link_idx')
      .on(t.tenantId, t.surveyLinkId)
      .where(sql`${t.surveyLinkId} is not null`),
    index('ticket_callbacks_task_idx')
      .on(t.tenantId, t.followupTaskId)
      .where(sql`${t.followupTaskId} is not null`),
    check('ticket_callbacks_mode_ck', sql`${t.mode} in ('callback', 'survey')`),
    check(
      'ticket_callbacks_skip_ck',
      sql`${t.skipReason} is null or ${t.skipReason} in ('not_sampled', 'no_customer', 'no_contact')`,
    ),
    check(
      'ticket_callbacks_outcome_ck',
      sql`${t.outcome} is null or ${t.outcome} in ('satisfied', 'reopened', 'timeout', 'cancelled', 'no_contact', 'not_sampled')`,
    ),
  ],
);
