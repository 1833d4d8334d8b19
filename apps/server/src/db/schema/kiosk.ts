import { sql } from 'drizzle-orm';
import {
  boolean,
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
import { customers } from './customers.ts';
import { orgUnits } from './org.ts';
import { tenants } from './tenants.ts';
import { users } from './users.ts';

/**
 * Counter evaluator 窗口评价器 (DESIGN §4.1). A kiosk (tablet or second screen) is paired to one counter unit with a
 * short-lived pairing code created by a manager; pairing hands out a device token of which only the SHA-256 is stored.
 */
export const kioskPairingCodes = pgTable(
  'kiosk_pairing_codes',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id),
    counterId: uuid('counter_id')
      .notNull()
      .references(() => orgUnits.id),
    /** SHA-256 of the code (the kiosk enters the code without saying which tenant it belongs to). */
    codeHash: text('code_hash').notNull(),
    deviceName: text('device_name').notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    usedAt: timestamp('used_at', { withTimezone: true }),
    createdBy: uuid('created_by').references(() => users.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    uniqueIndex('kiosk_pairing_codes_hash_uq').on(t.codeHash),
    index('kiosk_pairing_codes_counter_idx').on(t.tenantId, t.counterId),
  ],
);

export const kioskDevices = pgTable(
  'kiosk_devices',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id),
    counterId: uuid('counter_id')
      .notNull()
      .references(() => orgUnits.id),
    /** The outlet 网点 above the counter: evaluations count for it and its key settings apply. */
    outletId: uuid('outlet_id')
      .notNull()
      .references(() => orgUnits.id),
    name: text('name').notNull(),
    /** SHA-256 (hex) of the 256-bit device token. */
    tokenHash: text('token_hash').notNull(),
    createdBy: uuid('created_by').references(() => users.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true }),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    revokedBy: uuid('revoked_by').references(() => users.id),
  },
  (t) => [
    uniqueIndex('kiosk_devices_token_uq').on(t.tokenHash),
    index('kiosk_devices_counter_idx').on(t.tenantId, t.counterId),
  ],
);

/** Per outlet: 3–5 keys (label + score on 1–5, best first) and the rating timeout. No row = the defaults. */
export const kioskSettings = pgTable(
  'kiosk_settings',
  {
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id),
    outletId: uuid('outlet_id')
      .notNull()
      .references(() => orgUnits.id),
    keys: jsonb('keys').$type<{ label: string; score: number }[]>().notNull(),
    timeoutSeconds: integer('timeout_seconds').notNull().default(30),
    updatedBy: uuid('updated_by').references(() => users.id),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.outletId] })],
);

/**
 * Service sessions 服务记录 at a counter: start, end, handling time, business type. Customer flow 客流量 and staff
 * efficiency come from here; the kiosk evaluation of a session is the evaluation with idempotency key
 * `kiosk:session:<id>` (one per session, whoever writes it: the customer's press or the timeout sweep).
 */
export const serviceSessions = pgTable(
  'service_sessions',
  {
    id: uuid('id').notNull().defaultRandom(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id),
    counterId: uuid('counter_id')
      .notNull()
      .references(() => orgUnits.id),
    outletId: uuid('outlet_id')
      .notNull()
      .references(() => orgUnits.id),
    staffId: uuid('staff_id')
      .notNull()
      .references(() => users.id),
    businessType: text('business_type').notNull(),
    customerId: uuid('customer_id').references(() => customers.id, { onDelete: 'set null' }),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull(),
    endedAt: timestamp('ended_at', { withTimezone: true }),
    handlingSeconds: integer('handling_seconds'),
    /** Set by the timeout sweep once the session's rating window is closed (rated or recorded as 未评价). */
    ratingClosed: boolean('rating_closed').notNull().default(false),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    // One open session per counter.
    uniqueIndex('service_sessions_open_uq')
      .on(t.tenantId, t.counterId)
      .where(sql`${t.endedAt} is null`),
    index('service_sessions_outlet_idx').on(t.tenantId, t.outletId, t.startedAt),
    index('service_sessions_staff_idx').on(t.tenantId, t.staffId, t.startedAt),
    index('service_sessions_counter_idx').on(t.tenantId, t.counterId, t.startedAt),
    index('service_sessions_unclosed_idx')
      .on(t.endedAt)
      .where(sql`${t.endedAt} is not null and not ${t.ratingClosed}`),
  ],
);
