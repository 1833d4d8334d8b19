import { sql } from 'drizzle-orm';
import {
  bigserial,
  boolean,
  date,
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
 * Queue ticketing 排队叫号 (DESIGN §4.4). Business types 业务类型 per outlet, each with its own number prefix (A, B, V…);
 * numbers run per type and local day (A001, A002…).
 */
export const queueBusinessTypes = pgTable(
  'queue_business_types',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id),
    outletId: uuid('outlet_id')
      .notNull()
      .references(() => orgUnits.id),
    name: text('name').notNull(),
    prefix: text('prefix').notNull(),
    sortOrder: integer('sort_order').notNull().default(0),
    isActive: boolean('is_active').notNull().default(true),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [uniqueIndex('queue_business_types_prefix_uq').on(t.tenantId, t.outletId, t.prefix)],
);

/** Which business types a counter serves 窗口可办业务 (its "next" takes from these queues). */
export const queueCounterTypes = pgTable(
  'queue_counter_types',
  {
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id),
    counterId: uuid('counter_id')
      .notNull()
      .references(() => orgUnits.id),
    typeId: uuid('type_id')
      .notNull()
      .references(() => queueBusinessTypes.id, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ columns: [t.counterId, t.typeId] }), index('queue_counter_types_type_idx').on(t.typeId)],
);

/** Per outlet: opening hours, the take-a-number link token (QR code), the priority rule. No row = queue not set up. */
export const queueSettings = pgTable(
  'queue_settings',
  {
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id),
    outletId: uuid('outlet_id')
      .notNull()
      .references(() => orgUnits.id),
    /** Local opening hours 'HH:MM' (tenant time zone); numbers are taken only within them. */
    opensAt: text('opens_at').notNull().default('09:00'),
    closesAt: text('closes_at').notNull().default('17:00'),
    /**
     * The outlet's public take-a-number link (touch screen at the door, QR code for phones). It only lets people take
     * numbers and see the queue lengths, so it is stored as is (the manager prints it) and can be rotated.
     */
    linkToken: text('link_token').notNull(),
    /** Priority rule 优先规则: customers of these tiers are called first, but never more than maxVipInRow in a row. */
    vipTiers: text('vip_tiers')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    maxVipInRow: integer('max_vip_in_row').notNull().default(3),
    /** Alerts 排队预警 to the outlet head: more than this many waiting, or anyone waiting longer than this (null: off). */
    alertQueueLength: integer('alert_queue_length'),
    alertWaitMinutes: integer('alert_wait_minutes'),
    /** 宣传信息 shown on the hall display between calls: text and/or an image (data URL), in order. */
    notices: jsonb('notices')
      .$type<{ text: string | null; image: string | null }[]>()
      .notNull()
      .default(sql`'[]'::jsonb`),
    updatedBy: uuid('updated_by').references(() => users.id),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.outletId] }), uniqueIndex('queue_settings_link_uq').on(t.linkToken)],
);

/**
 * The last number given per business type and local day. Taking a number increments it with one
 * `INSERT … ON CONFLICT DO UPDATE … RETURNING` in the ticket's own transaction: concurrent takers queue on the row
 * lock, and a rolled-back take gives its number back, so numbers are never given twice nor skipped.
 */
export const queueDayNumbers = pgTable(
  'queue_day_numbers',
  {
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id),
    typeId: uuid('type_id')
      .notNull()
      .references(() => queueBusinessTypes.id, { onDelete: 'cascade' }),
    day: date('day').notNull(),
    lastNo: integer('last_no').notNull(),
  },
  (t) => [primaryKey({ columns: [t.typeId, t.day] })],
);

/**
 * A ticket 号票. status: waiting 等候 → called 已叫 (a service session is open for it at `counterId`; its end is the
 * session's) ; skipped 过号 once goes back to waiting, twice is final (no_show); transferred tickets wait again in
 * another type's queue or for one counter (`targetCounterId`). Never-called tickets count as abandoned after closing.
 */
export const queueTickets = pgTable(
  'queue_tickets',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id),
    outletId: uuid('outlet_id')
      .notNull()
      .references(() => orgUnits.id),
    /** The type it was taken for (its number's prefix); `typeId` is the queue it waits in now (after a transfer). */
    takenTypeId: uuid('taken_type_id')
      .notNull()
      .references(() => queueBusinessTypes.id),
    typeId: uuid('type_id')
      .notNull()
      .references(() => queueBusinessTypes.id),
    day: date('day').notNull(),
    seq: integer('seq').notNull(),
    number: text('number').notNull(),
    status: text('status').notNull(),
    isVip: boolean('is_vip').notNull().default(false),
    customerId: uuid('customer_id').references(() => customers.id, { onDelete: 'set null' }),
    /** screen 取号机 | phone 手机 */
    channel: text('channel').notNull(),
    idempotencyKey: text('idempotency_key').notNull(),
    takenAt: timestamp('taken_at', { withTimezone: true }).notNull(),
    /** Its place in the queue: the take, or the re-queue after a skip or transfer. */
    queuedAt: timestamp('queued_at', { withTimezone: true }).notNull(),
    firstCalledAt: timestamp('first_called_at', { withTimezone: true }),
    calledAt: timestamp('called_at', { withTimezone: true }),
    counterId: uuid('counter_id').references(() => orgUnits.id),
    staffId: uuid('staff_id').references(() => users.id),
    targetCounterId: uuid('target_counter_id').references(() => orgUnits.id),
    /** The service session 服务记录 the call opened (modules/counter): handling time and the kiosk rating are its. */
    sessionId: uuid('session_id'),
    skipCount: smallint('skip_count').notNull().default(0),
    callCount: smallint('call_count').notNull().default(0),
  },
  (t) => [
    uniqueIndex('queue_tickets_number_uq').on(t.takenTypeId, t.day, t.seq),
    uniqueIndex('queue_tickets_idem_uq').on(t.tenantId, t.idempotencyKey),
    index('queue_tickets_waiting_idx')
      .on(t.typeId, t.queuedAt)
      .where(sql`${t.status} = 'waiting'`),
    index('queue_tickets_outlet_day_idx').on(t.tenantId, t.outletId, t.day),
    index('queue_tickets_session_idx').on(t.sessionId),
    index('queue_tickets_counter_idx').on(t.counterId, t.calledAt),
  ],
);

/** Every state change of a ticket, append-only (a trigger refuses UPDATE/DELETE). */
export const queueTicketEvents = pgTable(
  'queue_ticket_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id),
    ticketId: uuid('ticket_id')
      .notNull()
      .references(() => queueTickets.id),
    /** taken | called | recalled | skipped | requeued | no_show | transferred */
    kind: text('kind').notNull(),
    at: timestamp('at', { withTimezone: true }).notNull(),
    counterId: uuid('counter_id').references(() => orgUnits.id),
    staffId: uuid('staff_id').references(() => users.id),
    data: jsonb('data').$type<Record<string, unknown>>(),
  },
  (t) => [index('queue_ticket_events_ticket_idx').on(t.ticketId, t.id)],
);

/**
 * Hall displays 叫号屏 (a TV browser), paired to an outlet like a kiosk is to a counter (modules/kiosk): a manager's
 * single-use code (10 minutes, stored hashed) is exchanged for a device token of which only the SHA-256 is stored.
 */
export const queueDisplayCodes = pgTable(
  'queue_display_codes',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id),
    outletId: uuid('outlet_id')
      .notNull()
      .references(() => orgUnits.id),
    codeHash: text('code_hash').notNull(),
    deviceName: text('device_name').notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    usedAt: timestamp('used_at', { withTimezone: true }),
    createdBy: uuid('created_by').references(() => users.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [uniqueIndex('queue_display_codes_hash_uq').on(t.codeHash)],
);

export const queueDisplays = pgTable(
  'queue_displays',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id),
    outletId: uuid('outlet_id')
      .notNull()
      .references(() => orgUnits.id),
    name: text('name').notNull(),
    tokenHash: text('token_hash').notNull(),
    createdBy: uuid('created_by').references(() => users.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('queue_displays_token_uq').on(t.tokenHash),
    index('queue_displays_outlet_idx').on(t.tenantId, t.outletId),
  ],
);

/**
 * Alert breaches 排队预警: one row per outlet and kind while the condition lasts (the partial unique index makes the
 * alert go out once per breach, not once per customer); `clearedAt` is set when the queue is back under the threshold.
 */
export const queueAlerts = pgTable(
  'queue_alerts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id),
    outletId: uuid('outlet_id')
      .notNull()
      .references(() => orgUnits.id),
    /** length | wait */
    kind: text('kind').notNull(),
    value: integer('value').notNull(),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull(),
    clearedAt: timestamp('cleared_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('queue_alerts_open_uq')
      .on(t.outletId, t.kind)
      .where(sql`${t.clearedAt} is null`),
  ],
);
