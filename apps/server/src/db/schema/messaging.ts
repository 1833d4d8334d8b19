import { sql } from 'drizzle-orm';
import { boolean, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
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
    /** The customer the message goes to: the sender enforces the contact policy (DESIGN §5) for it. Null = staff. */
    customerId: uuid('customer_id'),
    /** Marketing needs consent_marketing and carries the opt-out text (SMS). */
    isMarketing: boolean('is_marketing').notNull().default(false),
    /** SMS: the provider's template (Aliyun TemplateCode / Tencent TemplateId) and its variables. */
    templateCode: text('template_code'),
    templateParams: jsonb('template_params').$type<Record<string, string>>(),
    /** The provider's id of a sent SMS (BizId / SerialNo) — the delivery status handle. */
    providerMessageId: text('provider_message_id'),
    /** The contact policy's last word: deferred:<reason> (send_after moved) or blocked:<reason> (status cancelled). */
    policyOutcome: text('policy_outcome'),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    // The sender claims due rows of every tenant: a partial index over the (small) queued set.
    index('outbox_due_idx').on(t.sendAfter).where(sql`${t.status} = 'queued'`),
    index('outbox_tenant_created_idx').on(t.tenantId, t.createdAt),
    index('outbox_ref_idx').on(t.tenantId, t.refType, t.refId),
  ],
);

/**
 * Per-tenant SMS provider settings 短信设置. `provider` log = write to the app log (default, no settings row needed).
 * The secret is write-only: the API never returns it.
 */
export const smsSettings = pgTable('sms_settings', {
  tenantId: uuid('tenant_id')
    .primaryKey()
    .references(() => tenants.id),
  /** log | aliyun | tencent */
  provider: text('provider').notNull().default('log'),
  accessKeyId: text('access_key_id'),
  accessKeySecret: text('access_key_secret'),
  signName: text('sign_name'),
  /** Tencent SmsSdkAppId. */
  sdkAppId: text('sdk_app_id'),
  region: text('region'),
  /** Appended to every marketing SMS. */
  optOutText: text('opt_out_text').notNull().default('拒收请回复R'),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
});
