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
  smallint,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { transactions } from './customers.ts';
import { orgUnits } from './org.ts';
import { tenants } from './tenants.ts';
import { users } from './users.ts';

const bytea = customType<{ data: Buffer }>({ dataType: () => 'bytea' });

/**
 * Order reviews 订单评价 (DESIGN §4.3). The order is a transaction of kind 'order'; its `occurred_at` is the moment the
 * order completed (交易成功) — a transaction is only recorded once it succeeded, so no extra completed_at column.
 * The buyer is the order's customer (read through the transaction, so merges of duplicate customers carry over).
 *
 * Ratings, follow-ups, replies and images are append-only (triggers in migration 0011). The one exception: when the
 * order is deleted with its customer (deletion request), the rating stays (the shop score as of any date must stay
 * reproducible) but loses the order link, its text, its images and the follow-up text.
 */

/** Per-order link tokens for the buyer's review page. Only the SHA-256 of the ≥128-bit token is stored. */
export const orderReviewLinks = pgTable(
  'order_review_links',
  {
    id: uuid('id').notNull().defaultRandom(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id),
    transactionId: uuid('transaction_id')
      .notNull()
      .references(() => transactions.id, { onDelete: 'cascade' }),
    tokenHash: text('token_hash').notNull(),
    createdBy: uuid('created_by').references(() => users.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    uniqueIndex('order_review_links_token_uq').on(t.tokenHash),
    index('order_review_links_tx_idx').on(t.tenantId, t.transactionId),
  ],
);

/** Shop ratings 店铺评分: one per order, never changed. Counted-ness is decided at insert and kept. */
export const orderRatings = pgTable(
  'order_ratings',
  {
    id: uuid('id').notNull().defaultRandom(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id),
    /** Null only after the order was erased with its customer. */
    transactionId: uuid('transaction_id').references(() => transactions.id, { onDelete: 'set null' }),
    /** The buyer at rating time (kept for the monthly count; not a foreign key, see the table comment). */
    buyerKey: uuid('buyer_key').notNull(),
    shopUnitId: uuid('shop_unit_id')
      .notNull()
      .references(() => orgUnits.id),
    completedAt: timestamp('completed_at', { withTimezone: true }).notNull(),
    ratedAt: timestamp('rated_at', { withTimezone: true }).notNull(),
    /** Natural month of `rated_at` in the tenant's time zone, 'YYYY-MM'. */
    monthKey: text('month_key').notNull(),
    /** 1-based position of this rating among the buyer's ratings of this shop in that month. */
    monthSeq: integer('month_seq').notNull(),
    /** Counts towards the shop score (monthSeq ≤ 3). */
    isCounted: boolean('is_counted').notNull(),
    /** Dimension key → 1–5 (description 描述相符, service 服务态度, logistics 物流服务). */
    dimensions: jsonb('dimensions').$type<Record<string, number>>().notNull(),
    /** Rounded mean of the dimensions, 1–5. */
    score: smallint('score').notNull(),
    text: text('text'),
    isAnonymous: boolean('is_anonymous').notNull().default(false),
    /** link | api */
    sourceType: text('source_type').notNull(),
    sourceId: text('source_id'),
    idempotencyKey: text('idempotency_key'),
    /** sha256 of the request body sent with the Idempotency-Key: a repeat with another body is 422, not a replay. */
    requestHash: text('request_hash'),
    evaluationId: uuid('evaluation_id').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    uniqueIndex('order_ratings_tx_uq').on(t.tenantId, t.transactionId),
    index('order_ratings_shop_idx').on(t.tenantId, t.shopUnitId, t.ratedAt),
    index('order_ratings_buyer_month_idx').on(t.tenantId, t.shopUnitId, t.buyerKey, t.monthKey),
    // An Idempotency-Key names one request of its sender: the same key on another order is refused (422).
    index('order_ratings_idem_idx')
      .on(t.tenantId, t.sourceId, t.idempotencyKey)
      .where(sql`${t.idempotencyKey} is not null`),
  ],
);

/** 追评: at most one per rating, never edited, not part of the score. */
export const orderReviewFollowups = pgTable(
  'order_review_followups',
  {
    id: uuid('id').notNull().defaultRandom(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id),
    ratingId: uuid('rating_id').notNull(),
    text: text('text'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    sourceType: text('source_type').notNull(),
    sourceId: text('source_id'),
    idempotencyKey: text('idempotency_key'),
    /** sha256 of the request body sent with the Idempotency-Key. */
    requestHash: text('request_hash'),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    uniqueIndex('order_review_followups_rating_uq').on(t.tenantId, t.ratingId),
    index('order_review_followups_idem_idx')
      .on(t.tenantId, t.sourceId, t.idempotencyKey)
      .where(sql`${t.idempotencyKey} is not null`),
    foreignKey({ columns: [t.tenantId, t.ratingId], foreignColumns: [orderRatings.tenantId, orderRatings.id] }),
  ],
);

/** The shop's reply 解释: once per review and once per follow-up. */
export const orderReviewReplies = pgTable(
  'order_review_replies',
  {
    id: uuid('id').notNull().defaultRandom(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id),
    ratingId: uuid('rating_id').notNull(),
    /** rating | followup */
    target: text('target').notNull(),
    text: text('text').notNull(),
    repliedBy: uuid('replied_by').references(() => users.id),
    repliedAt: timestamp('replied_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    uniqueIndex('order_review_replies_uq').on(t.tenantId, t.ratingId, t.target),
    foreignKey({ columns: [t.tenantId, t.ratingId], foreignColumns: [orderRatings.tenantId, orderRatings.id] }),
  ],
);

/** Small images of a rating or follow-up, checked by magic bytes and size before they land here. */
export const orderReviewImages = pgTable(
  'order_review_images',
  {
    id: uuid('id').notNull().defaultRandom(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id),
    ratingId: uuid('rating_id').notNull(),
    /** rating | followup */
    target: text('target').notNull(),
    position: smallint('position').notNull(),
    mime: text('mime').notNull(),
    bytes: bytea('bytes').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    index('order_review_images_rating_idx').on(t.tenantId, t.ratingId),
    foreignKey({ columns: [t.tenantId, t.ratingId], foreignColumns: [orderRatings.tenantId, orderRatings.id] }),
  ],
);

/** API clients of a shop (shops that collect reviews elsewhere). Only the SHA-256 of the key is stored. */
export const apiClients = pgTable(
  'api_clients',
  {
    id: uuid('id').notNull().defaultRandom(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id),
    unitId: uuid('unit_id')
      .notNull()
      .references(() => orgUnits.id),
    name: text('name').notNull(),
    keyPrefix: text('key_prefix').notNull(),
    keyHash: text('key_hash').notNull(),
    createdBy: uuid('created_by').references(() => users.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    uniqueIndex('api_clients_key_uq').on(t.keyHash),
    index('api_clients_unit_idx')
      .on(t.tenantId, t.unitId)
      .where(sql`${t.revokedAt} is null`),
  ],
);

/**
 * Shops 店铺: the units whose transactions are e-commerce orders open to order reviews (DESIGN §4.3). A bank outlet's
 * transactions (e.g. a wealth-product purchase) are not reviewable: only a unit with a row here gets review links,
 * the buyer page and a shop score. `reviewDimensions` are the rating dimensions of this shop, in display order
 * (default 描述相符 / 服务态度 / 物流服务); a key once used keeps its meaning, names may be edited.
 */
export const shops = pgTable(
  'shops',
  {
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id),
    unitId: uuid('unit_id')
      .notNull()
      .references(() => orgUnits.id),
    reviewDimensions: jsonb('review_dimensions').$type<{ key: string; name: string }[]>().notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
    updatedBy: uuid('updated_by').references(() => users.id),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.unitId] })],
);
