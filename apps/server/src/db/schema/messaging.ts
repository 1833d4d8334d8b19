import { sql } from 'drizzle-orm';
import { index, integer, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { orgUnits } from './org.ts';
import { tenants } from './tenants.ts';

/**
 * The outbox 发件箱 (DESIGN §8): every outbound message is written here in the same transaction as the change that
 * caused it, and a job sends it. Status: queued → sending → sent | failed (or cancelled: a reminder whose purpose
 * is gone, e.g. the customer already answered). `send_after` delays a message (reminders).
 */
export const outboxMessages = pgTable(
  'outbox_messages',
  {
    id: uuid('id').notNull().defaultRandom(),
    tenantId: uuid('tenant_id').notNull().references(() => tenants.id),
    /** The unit the message is about (scoping of the admin list); null = tenant-wide. */
    unitId: uuid('unit_id').references(() => orgUnits.id),
    /** email | sms */
    channel: text('channel').notNull(),
    to: text('to_address').notNull(),
    subject: text('subject'),
    body: text('body').notNull(),
    status: text('status').notNull().default('queued'),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    sendAfter: timestamp('send_after', { withTimezone: true }).notNull(),
    claimedAt: timestamp('claimed_at', { withTimezone: true }),
    sentAt: timestamp('sent_at', { withTimezone: true }),
    /** What the message is about, e.g. survey_invitation / survey_reminder + the link id. */
    refType: text('ref_type'),
    refId: uuid('ref_id'),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    // The sender claims due rows of every tenant: a partial index over the (small) queued set.
    index('outbox_due_idx').on(t.sendAfter).where(sql`${t.status} = 'queued'`),
    index('outbox_tenant_created_idx').on(t.tenantId, t.createdAt),
    index('outbox_ref_idx').on(t.tenantId, t.refType, t.refId),
  ],
);
