import { sql } from 'drizzle-orm';
import {
  boolean,
  customType,
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
import { followupPlans } from './followup.ts';
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
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id),
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
    /**
     * SMS: the provider's template (Aliyun TemplateCode / Tencent TemplateId) and its variables. Stored as an array of
     * [name, value] pairs: jsonb does not keep the key order of an object, and Tencent's parameters are positional.
     * (Rows written before this are objects; the sender reads both.)
     */
    templateCode: text('template_code'),
    templateParams: jsonb('template_params').$type<Record<string, string> | [string, string][]>(),
    /** The provider's id of a sent SMS (BizId / SerialNo) — the delivery status handle. */
    providerMessageId: text('provider_message_id'),
    /** The contact policy's last word: deferred:<reason> (send_after moved) or blocked:<reason> (status cancelled). */
    policyOutcome: text('policy_outcome'),
    /**
     * Once-only key of the business fact that caused the message (e.g. `followup_task:<task>:<attempt no>`): a rerun
     * of the job that queues it inserts nothing (ON CONFLICT DO NOTHING on the partial unique index below).
     */
    dedupeKey: text('dedupe_key'),
    /** Provider receipt 回执 of a sent SMS: delivered | undelivered (null = no receipt yet / not applicable). */
    deliveryStatus: text('delivery_status'),
    /** The provider's report time (the customer's handset received it, or the carrier gave up). */
    deliveredAt: timestamp('delivered_at', { withTimezone: true }),
    /** The receipt's status code and text, e.g. `DELIVERED 用户接收成功` / `MK:0001 空号`. */
    deliveryError: text('delivery_error'),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    // The sender claims due rows of every tenant: a partial index over the (small) queued set.
    index('outbox_due_idx')
      .on(t.sendAfter)
      .where(sql`${t.status} = 'queued'`),
    index('outbox_tenant_created_idx').on(t.tenantId, t.createdAt),
    index('outbox_ref_idx').on(t.tenantId, t.refType, t.refId),
    uniqueIndex('outbox_dedupe_uq')
      .on(t.tenantId, t.dedupeKey)
      .where(sql`${t.dedupeKey} is not null`),
    // Receipts find their message by the provider's id (BizId / SerialNo) within the tenant of the webhook token.
    index('outbox_provider_msg_idx')
      .on(t.tenantId, t.providerMessageId)
      .where(sql`${t.providerMessageId} is not null`),
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
  /**
   * Secret path segment of the tenant's receipt webhooks (/api/public/sms-receipts/<provider>/<token>): the
   * providers' push cannot sign requests, so the unguessable URL is the credential. Shown once when (re)generated;
   * only its SHA-256 (hex) is stored, like session and survey-link tokens, so a database copy cannot forge receipts.
   */
  receiptTokenHash: text('receipt_token_hash').unique('sms_settings_receipt_token_hash_uq'),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
});

/**
 * The automatic message of a follow-up plan 自动短信/邮件 (DESIGN §5, §8): when a plan has one, its due tasks are not
 * worked by an agent — the followup-auto-send job renders this template for each task's customer and queues it in the
 * outbox. `channel` is one of the plan's methods (sms | email). No row = the plan is worked by hand.
 */
export const followupPlanMessages = pgTable(
  'followup_plan_messages',
  {
    tenantId: uuid('tenant_id').notNull(),
    planId: uuid('plan_id').notNull(),
    /** sms | email */
    channel: text('channel').notNull(),
    /** Text with the script placeholders ({客户姓名}…). */
    template: text('template').notNull(),
    /** SMS: the provider's approved template (Aliyun TemplateCode / Tencent TemplateId). */
    templateCode: text('template_code'),
    /** E-mail subject (placeholders allowed). */
    subject: text('subject'),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.planId] }),
    foreignKey({
      columns: [t.tenantId, t.planId],
      foreignColumns: [followupPlans.tenantId, followupPlans.id],
    }).onDelete('cascade'),
  ],
);

const bytea = customType<{ data: Buffer; driverData: Buffer }>({ dataType: () => 'bytea' });

/**
 * Files attached to an outbox e-mail (e.g. a scheduled report's xlsx), written in the same transaction as the
 * message. Kept apart from outbox_messages so that the outbox list and the sender's claim never read the bytes.
 */
export const outboxAttachments = pgTable(
  'outbox_attachments',
  {
    tenantId: uuid('tenant_id').notNull(),
    messageId: uuid('message_id').notNull(),
    position: integer('position').notNull(),
    fileName: text('file_name').notNull(),
    contentType: text('content_type').notNull(),
    content: bytea('content').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.messageId, t.position] }),
    foreignKey({
      columns: [t.tenantId, t.messageId],
      foreignColumns: [outboxMessages.tenantId, outboxMessages.id],
    }).onDelete('cascade'),
  ],
);
