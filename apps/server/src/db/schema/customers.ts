import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  date,
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
import { orgUnits } from './org.ts';
import { tenants } from './tenants.ts';
import { users } from './users.ts';

/**
 * Customer records 客户档案 (DESIGN §2). Large tables keep `tenant_id` first in their indexes (Citus-ready).
 * Phones are stored normalised (national format) in `phones`; `phone_digits` holds their digits joined by spaces
 * and carries a trigram index, so a fragment such as "5678" finds customers among millions.
 */
export const customers = pgTable(
  'customers',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** No per-row foreign key on tenant_id or unit_id: one statement-level trigger checks that the unit exists AND
     * belongs to the customer's tenant (migration 0021: 2 ms per 4,500-row import batch where the two foreign keys
     * cost 30 ms), and a trigger on org_units refuses to delete a unit that customers still reference. */
    tenantId: uuid('tenant_id').notNull(),
    kind: text('kind').notNull().default('individual'),
    name: text('name').notNull(),
    gender: text('gender'),
    birthday: date('birthday'),
    phones: text('phones').array().notNull().default([]),
    phoneDigits: text('phone_digits').notNull().default(''),
    email: text('email'),
    address: text('address'),
    idNumber: text('id_number'),
    /**
     * 卡号: bank or membership cards the customer holds (up to 5), digits only (normalizeCardNumber). An array and
     * not one indexed column, because a customer often holds several cards (debit + credit, a member card); exact
     * lookups (a card given when taking a queue number, the list search) go through `customer_cards` below, kept by
     * triggers as customer_phones is, so no GIN index on this column taxes every customer write.
     */
    cardNumbers: text('card_numbers').array().notNull().default([]),
    /** 信息来源 (dictionary customer_source) */
    source: text('source'),
    ownerId: uuid('owner_id').references(() => users.id),
    unitId: uuid('unit_id').notNull(),
    tags: text('tags').array().notNull().default([]),
    tier: text('tier'),
    lifecycleStage: text('lifecycle_stage'),
    /** 意向级别 (dictionary intent_level) */
    intentLevel: text('intent_level'),
    consentService: boolean('consent_service').notNull().default(true),
    consentMarketing: boolean('consent_marketing').notNull().default(false),
    doNotContactUntil: timestamp('do_not_contact_until', { withTimezone: true }),
    /** Tenant-defined fields, keyed by custom_field_defs.key. */
    custom: jsonb('custom').$type<Record<string, unknown>>().notNull().default({}),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('customers_tenant_unit_created_idx').on(t.tenantId, t.unitId, t.createdAt),
    index('customers_tenant_created_idx').on(t.tenantId, t.createdAt),
    // The usual list filters, newest first (list with a filter + sort + page at a million rows).
    index('customers_tenant_tier_created_idx').on(t.tenantId, t.tier, t.createdAt),
    index('customers_tenant_intent_created_idx').on(t.tenantId, t.intentLevel, t.createdAt),
    index('customers_tenant_owner_idx').on(t.tenantId, t.ownerId),
    index('customers_phone_trgm_idx').using('gin', sql`${t.phoneDigits} gin_trgm_ops`),
    index('customers_name_trgm_idx').using('gin', sql`${t.name} gin_trgm_ops`),
    index('customers_tags_idx').using('gin', t.tags),
    // Upsert key of imports by ID number. (By phone: customer_phones below.)
    index('customers_id_number_idx').on(t.tenantId, t.idNumber),
    // Duplicate finder: same name (then similar address).
    index('customers_tenant_name_idx').on(t.tenantId, t.name),
    // Only customers with custom values: most have none, and every '{}' row landed in one GIN posting list, which cut
    // bulk inserts to a quarter of their speed. The list filter adds the matching `custom <> '{}'` (customers.repository.ts).
    index('customers_custom_idx')
      .using('gin', sql`${t.custom} jsonb_path_ops`)
      .where(sql`${t.custom} <> '{}'::jsonb`),
  ],
);

/**
 * Exact phone lookup 电话 → 客户: one row per (customer, phone in customers.phones), kept in sync by statement-level
 * triggers on customers (migration 0012), whatever writes the customers (form, bulk, merge, erasure, import). A
 * btree probe here costs the same at any table size, where `phones @> array[…]` on a GIN index did not. A phone may
 * belong to several customers (duplicates are allowed until merged), hence the customer in the key. No foreign key:
 * the triggers keep it exact, and a per-row FK check would double the cost of bulk imports.
 */
export const customerPhones = pgTable(
  'customer_phones',
  {
    tenantId: uuid('tenant_id').notNull(),
    phone: text('phone').notNull(),
    customerId: uuid('customer_id').notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.phone, t.customerId] })],
);

/**
 * Exact card lookup 卡号 → 客户: one row per (customer, card in customers.card_numbers), kept in sync by triggers on
 * customers (migration `customer_card_numbers`), the same way and for the same reasons as customer_phones: a btree
 * probe at any table size, whatever writes the customers (form, import, merge, erasure), and customers without a
 * card (most) cost nothing. A card may show up on several customers until they are merged, hence the customer in
 * the key.
 */
export const customerCards = pgTable(
  'customer_cards',
  {
    tenantId: uuid('tenant_id').notNull(),
    cardNumber: text('card_number').notNull(),
    customerId: uuid('customer_id').notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.cardNumber, t.customerId] })],
);

/** Contact persons of a company customer (one primary). */
export const customerContacts = pgTable(
  'customer_contacts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id),
    customerId: uuid('customer_id')
      .notNull()
      .references(() => customers.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    title: text('title'),
    phone: text('phone'),
    email: text('email'),
    isPrimary: boolean('is_primary').notNull().default(false),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('customer_contacts_customer_idx').on(t.tenantId, t.customerId)],
);

/** Tenant-defined fields: appear in forms, lists, filters and exports without code changes. */
export const customFieldDefs = pgTable(
  'custom_field_defs',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id),
    /** 'customer' or 'service_record' */
    entity: text('entity').notNull(),
    /** For service-record fields: the service type they belong to (null = all types). */
    serviceTypeId: uuid('service_type_id'),
    key: text('key').notNull(),
    label: text('label').notNull(),
    type: text('type').$type<'text' | 'number' | 'date' | 'option'>().notNull(),
    options: text('options').array().notNull().default([]),
    isRequired: boolean('is_required').notNull().default(false),
    sortOrder: integer('sort_order').notNull().default(0),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('custom_field_defs_key_uq').on(t.tenantId, t.entity, t.key)],
);

/** Dictionaries a tenant edits: intent_level 意向级别, customer_source 信息来源, tier, lifecycle_stage. */
export const dictionaryItems = pgTable(
  'dictionary_items',
  {
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id),
    dict: text('dict').notNull(),
    code: text('code').notNull(),
    label: text('label').notNull(),
    sortOrder: integer('sort_order').notNull().default(0),
    isActive: boolean('is_active').notNull().default(true),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.dict, t.code] })],
);

/** Service types 服务类型: counter visit, sale/delivery, repair, outpatient visit, discharge… */
export const serviceTypes = pgTable(
  'service_types',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id),
    key: text('key').notNull(),
    name: text('name').notNull(),
    isActive: boolean('is_active').notNull().default(true),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('service_types_key_uq').on(t.tenantId, t.key)],
);

/** Service records 服务记录: what the organisation did for a customer; triggers of follow-up rules. */
export const serviceRecords = pgTable(
  'service_records',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id),
    customerId: uuid('customer_id')
      .notNull()
      .references(() => customers.id, { onDelete: 'cascade' }),
    serviceTypeId: uuid('service_type_id')
      .notNull()
      .references(() => serviceTypes.id),
    unitId: uuid('unit_id')
      .notNull()
      .references(() => orgUnits.id),
    staffId: uuid('staff_id').references(() => users.id),
    occurredAt: timestamp('occurred_at', { withTimezone: true }).notNull(),
    summary: text('summary'),
    custom: jsonb('custom').$type<Record<string, unknown>>().notNull().default({}),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('service_records_customer_idx').on(t.tenantId, t.customerId, t.occurredAt)],
);

/** Transactions 交易: orders, returns, payments received 回款. Money in integer fen. */
export const transactions = pgTable(
  'transactions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id),
    customerId: uuid('customer_id')
      .notNull()
      .references(() => customers.id, { onDelete: 'cascade' }),
    unitId: uuid('unit_id')
      .notNull()
      .references(() => orgUnits.id),
    /** order | return | payment */
    kind: text('kind').notNull(),
    orderNo: text('order_no'),
    amountFen: bigint('amount_fen', { mode: 'number' }).notNull(),
    occurredAt: timestamp('occurred_at', { withTimezone: true }).notNull(),
    note: text('note'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  // INCLUDE (kind, amount_fen) is added by migration 0048 (custom SQL: drizzle-kit cannot express it): the value
  // recompute reads a range of customers' transactions from this index alone (index-only scan).
  (t) => [index('transactions_customer_idx').on(t.tenantId, t.customerId, t.occurredAt)],
);

/** Notes on the customer timeline. */
export const customerNotes = pgTable(
  'customer_notes',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id),
    customerId: uuid('customer_id')
      .notNull()
      .references(() => customers.id, { onDelete: 'cascade' }),
    authorId: uuid('author_id').references(() => users.id),
    body: text('body').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('customer_notes_customer_idx').on(t.tenantId, t.customerId, t.createdAt)],
);

/** Saved list filters; later the segments that feed follow-up plans. */
export const savedFilters = pgTable(
  'saved_filters',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id),
    ownerId: uuid('owner_id')
      .notNull()
      .references(() => users.id),
    entity: text('entity').notNull(),
    name: text('name').notNull(),
    filter: jsonb('filter').$type<Record<string, unknown>>().notNull(),
    isShared: boolean('is_shared').notNull().default(false),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('saved_filters_owner_idx').on(t.tenantId, t.ownerId)],
);

/** Per-tenant data-quality settings: the 有效客户 rule and the fields that make up the completeness score. */
export const tenantDataQuality = pgTable('tenant_data_quality', {
  tenantId: uuid('tenant_id')
    .primaryKey()
    .references(() => tenants.id),
  validRequired: text('valid_required').array().notNull().default(['name', 'phones']),
  completenessFields: text('completeness_fields')
    .array()
    .notNull()
    .default(['name', 'phones', 'gender', 'birthday', 'address', 'email', 'source', 'intentLevel', 'tier', 'ownerId']),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});
