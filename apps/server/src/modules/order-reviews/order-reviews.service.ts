import crypto from 'node:crypto';
import { sql } from 'drizzle-orm';
import {
  ZRatingInput,
  ZFollowupInput,
  type TBuyerReview,
  type TOrderReview,
  type TOrderReviewListQuery,
  type TPage,
  type TReplyInput,
  type TReviewLink,
} from '@huifang/shared';
import type { z } from 'zod';
import type { Db, DbOrTx } from '../../db/client.ts';
import {
  orderRatings,
  orderReviewFollowups,
  orderReviewImages,
  orderReviewLinks,
  orderReviewReplies,
} from '../../db/schema/index.ts';
import { AppError, invalidField, notFound, unknownRef } from '../../lib/app-error.ts';
import type { TClock } from '../../lib/clock.ts';
import { tenantTimeZone } from '../../lib/time.ts';
import type { TAuditCtx, TScope } from '../../lib/scope.ts';
import { insertAuditEvent } from '../audit/audit.repository.ts';
import { recordEvaluation } from '../evaluations/evaluations.write.ts';
import {
  countMonthRatings,
  countRatings,
  findOrderByLinkHash,
  findOrderInScope,
  findRatingInScope,
  findRatingOfOrder,
  listConditions,
  listRatings,
  toOrderReview,
  transactionVisible,
  type TOrderRef,
  type TRatingRow,
} from './order-reviews.repository.ts';
import { decodeReviewImages } from './review-images.ts';
import { checkRatingDimensions } from './shops.ts';
import {
  canFollowup,
  canRate,
  canReply,
  countedness,
  FOLLOWUP_WINDOW_DAYS,
  monthKey,
  overallScore,
  RATING_WINDOW_DAYS,
  REPLY_WINDOW_DAYS,
  windowClosesAt,
} from './review-rules.ts';

type TDeps = { db: Db; clock: TClock };
export type TRatingData = z.output<typeof ZRatingInput>;
export type TFollowupData = z.output<typeof ZFollowupInput>;
/** Who submits: the buyer through a link, or a shop's API client. */
export interface TReviewSource {
  type: 'link' | 'api';
  id: string;
  /** For the audit row (never the buyer's name: audit rows hold no personal data). */
  actorName: string;
  ip: string | null;
  requestId: string | null;
}

export const sha256 = (s: string) => crypto.createHash('sha256').update(s).digest('hex');

const windowClosed = (what: string, closedAt: Date) =>
  new AppError('REVIEW_WINDOW_CLOSED', `${what} window closed at ${closedAt.toISOString()}`, {
    details: [{ path: 'window', message: closedAt.toISOString() }],
  });
const alreadyExists = (what: string) =>
  new AppError('REVIEW_ALREADY_EXISTS', `${what} already exists and cannot be changed`);
const sourceCtx = (tenantId: string, s: TReviewSource): TAuditCtx => ({
  tenantId,
  actorId: null,
  actorName: s.actorName,
  ip: s.ip,
  requestId: s.requestId,
});

/**
 * Store the buyer's rating of a completed order (DESIGN §4.3), from the link page or the shop API — same rules:
 * inside the 15-day window, once per order, counted only as one of the buyer's first three for this shop in the
 * natural month. The count runs under a transaction-scoped advisory lock on (tenant, shop, buyer), so two ratings of
 * the pair at the same moment are serialised and cannot both be the 3rd. Counted-ness is stored with the rating.
 * A repeat with the same Idempotency-Key returns the stored rating (`isReplay`).
 */
export async function submitRating(
  deps: TDeps,
  order: TOrderRef,
  input: TRatingData,
  source: TReviewSource,
  idempotencyKey: string | null,
): Promise<{ rating: TRatingRow; isReplay: boolean }> {
  checkRatingDimensions(order.dimensions, input.dimensions);
  const images = decodeReviewImages(input.images, 'body.images');
  const requestHash = idempotencyKey ? hashRequest(order, input) : null;
  const tz = await tenantTimeZone(deps.db, order.tenantId);
  return deps.db.transaction(async (tx) => {
    await tx.execute(
      sql`select pg_advisory_xact_lock(hashtextextended(${`order-rating:${order.tenantId}:${order.shopUnitId}:${order.buyerId}`}, 0))`,
    );
    const now = deps.clock.now();
    const existing = await findRatingOfOrder(tx, order.tenantId, order.transactionId);
    if (existing) {
      if (idempotencyKey && existing.idempotency_key === idempotencyKey && existing.source_id === source.id) {
        assertSameRequest(existing.request_hash, requestHash);
        return { rating: existing, isReplay: true };
      }
      throw alreadyExists('rating');
    }
    await assertKeyUnused(tx, order.tenantId, 'order_ratings', source.id, idempotencyKey);
    if (!canRate(order.completedAt, now, tz))
      throw windowClosed('rating', windowClosesAt(order.completedAt, RATING_WINDOW_DAYS, tz));
    const month = monthKey(now, tz);
    const { monthSeq, isCounted } = countedness(
      await countMonthRatings(tx, order.tenantId, order.shopUnitId, order.buyerId, month),
    );
    const id = crypto.randomUUID();
    const dimensions = { ...input.dimensions };
    const score = overallScore(dimensions);
    const text = input.text ? input.text : null;
    const evaluation = await recordEvaluation(tx, {
      tenantId: order.tenantId,
      channel: 'order_review',
      occurredAt: now,
      unitId: order.shopUnitId,
      customerId: order.buyerId,
      refType: 'order_review',
      refId: id,
      sourceType: source.type,
      sourceId: source.id,
      score,
      dimensions,
      text,
      // One rating per order: the order decides the key, whatever channel submits it.
      idempotencyKey: `order_review:${order.transactionId}`,
    });
    // A 差评 (overall ≤ 2) tells the shop's managers through the evaluation event, as every other channel does.
    await tx.insert(orderRatings).values({
      id,
      tenantId: order.tenantId,
      transactionId: order.transactionId,
      buyerKey: order.buyerId,
      shopUnitId: order.shopUnitId,
      completedAt: order.completedAt,
      ratedAt: now,
      monthKey: month,
      monthSeq,
      isCounted,
      dimensions,
      score,
      text,
      isAnonymous: input.isAnonymous,
      sourceType: source.type,
      sourceId: source.id,
      idempotencyKey,
      requestHash,
      evaluationId: evaluation.id,
    });
    if (images.length)
      await tx.insert(orderReviewImages).values(
        images.map((img, i) => ({
          tenantId: order.tenantId,
          ratingId: id,
          target: 'rating',
          position: i,
          mime: img.mime,
          bytes: img.bytes,
          createdAt: now,
        })),
      );
    await insertAuditEvent(
      tx,
      sourceCtx(order.tenantId, source),
      {
        action: 'order_review.rated',
        entityType: 'order_review',
        entityId: id,
        unitId: order.shopUnitId,
        summary: `订单 ${order.orderNo ?? order.transactionId} 评分 ${score}（${isCounted ? '计入店铺评分' : `本月第 ${monthSeq} 次，不计分`}）`,
        after: { dimensions, isCounted, monthSeq, month, source: source.type },
      },
      now,
    );
    const rating = await findRatingOfOrder(tx, order.tenantId, order.transactionId);
    return { rating: rating!, isReplay: false };
  });
}

/** sha256 of what a request asks for (the order and the parsed body, keys sorted), stored with its Idempotency-Key. */
function hashRequest(order: TOrderRef, input: object): string {
  const canonical = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(canonical)
      : v && typeof v === 'object'
        ? Object.fromEntries(
            Object.entries(v)
              .sort(([a], [b]) => (a < b ? -1 : 1))
              .map(([k, x]) => [k, canonical(x)]),
          )
        : v;
  return crypto
    .createHash('sha256')
    .update(JSON.stringify(canonical({ order: order.transactionId, body: input })))
    .digest('hex');
}

/** A repeated Idempotency-Key is a replay only with the same body; rows stored before hashes existed are trusted. */
/**
 * The sender's Idempotency-Key is not already the key of another order's rating or follow-up: a key names one request,
 * so a key reused on another order is 422, never a second row (the replay of the same order returned earlier).
 */
async function assertKeyUnused(
  tx: DbOrTx,
  tenantId: string,
  table: 'order_ratings' | 'order_review_followups',
  sourceId: string | null,
  idempotencyKey: string | null,
): Promise<void> {
  if (!idempotencyKey) return;
  const used = await tx.execute(
    sql`select 1 from ${sql.identifier(table)} where tenant_id = ${tenantId} and source_id is not distinct from ${sourceId} and idempotency_key = ${idempotencyKey} limit 1`,
  );
  if (used.rows.length)
    throw new AppError('IDEMPOTENCY_KEY_REUSED', 'this Idempotency-Key was already used for another order', {
      details: [{ path: 'headers.idempotency-key', message: 'already used for a different request' }],
    });
}

function assertSameRequest(stored: string | null, requestHash: string | null): void {
  if (stored && requestHash && stored !== requestHash) {
    throw new AppError('IDEMPOTENCY_KEY_REUSED', 'this Idempotency-Key was already used with a different body', {
      details: [{ path: 'headers.idempotency-key', message: 'already used for a different request' }],
    });
  }
}

/** The one follow-up 追评 of a rated order, within 180 days (inclusive) of completion; never edited, not scored. */
export async function submitFollowup(
  deps: TDeps,
  order: TOrderRef,
  input: TFollowupData,
  source: TReviewSource,
  idempotencyKey: string | null,
): Promise<{ rating: TRatingRow; isReplay: boolean }> {
  const images = decodeReviewImages(input.images, 'body.images');
  const requestHash = idempotencyKey ? hashRequest(order, input) : null;
  const tz = await tenantTimeZone(deps.db, order.tenantId);
  return deps.db.transaction(async (tx) => {
    const rating = await findRatingOfOrder(tx, order.tenantId, order.transactionId);
    if (!rating) throw new AppError('CONFLICT', 'the order has not been rated; a follow-up needs a rating first');
    await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`order-followup:${rating.id}`}, 0))`);
    const now = deps.clock.now();
    const again = (await findRatingOfOrder(tx, order.tenantId, order.transactionId))!;
    if (again.f_at !== null) {
      if (idempotencyKey && again.f_key === idempotencyKey) {
        assertSameRequest(again.f_hash, requestHash);
        return { rating: again, isReplay: true };
      }
      throw alreadyExists('follow-up');
    }
    await assertKeyUnused(tx, order.tenantId, 'order_review_followups', source.id, idempotencyKey);
    if (!canFollowup(order.completedAt, now, tz))
      throw windowClosed('follow-up', windowClosesAt(order.completedAt, FOLLOWUP_WINDOW_DAYS, tz));
    await tx.insert(orderReviewFollowups).values({
      tenantId: order.tenantId,
      ratingId: rating.id,
      text: input.text,
      createdAt: now,
      sourceType: source.type,
      sourceId: source.id,
      idempotencyKey,
      requestHash,
    });
    if (images.length)
      await tx.insert(orderReviewImages).values(
        images.map((img, i) => ({
          tenantId: order.tenantId,
          ratingId: rating.id,
          target: 'followup',
          position: i,
          mime: img.mime,
          bytes: img.bytes,
          createdAt: now,
        })),
      );
    await insertAuditEvent(
      tx,
      sourceCtx(order.tenantId, source),
      {
        action: 'order_review.followed_up',
        entityType: 'order_review',
        entityId: rating.id,
        unitId: order.shopUnitId,
        summary: `订单 ${order.orderNo ?? order.transactionId} 追评`,
      },
      now,
    );
    return { rating: (await findRatingOfOrder(tx, order.tenantId, order.transactionId))!, isReplay: false };
  });
}

/** The shop's reply 解释: once per review and once per follow-up, within 30 days of what it answers. */
export async function replyToReview(
  deps: TDeps,
  scope: TScope,
  ctx: TAuditCtx,
  id: string,
  input: TReplyInput,
  canReveal: boolean,
): Promise<TOrderReview> {
  const tz = await tenantTimeZone(deps.db, scope.tenantId);
  await deps.db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`order-reply:${id}`}, 0))`);
    const r = await findRatingInScope(tx, scope, id);
    if (!r) throw notFound('review');
    const madeAt = input.target === 'rating' ? r.rated_at : r.f_at;
    if (madeAt === null) throw notFound('follow-up');
    if ((input.target === 'rating' ? r.reply_at : r.f_reply_at) !== null) throw alreadyExists('reply');
    const now = deps.clock.now();
    if (!canReply(new Date(madeAt), now, tz))
      throw windowClosed('reply', windowClosesAt(new Date(madeAt), REPLY_WINDOW_DAYS, tz));
    await tx.insert(orderReviewReplies).values({
      tenantId: scope.tenantId,
      ratingId: id,
      target: input.target,
      text: input.text,
      repliedBy: scope.userId,
      repliedAt: now,
    });
    await insertAuditEvent(
      tx,
      ctx,
      {
        action: 'order_review.replied',
        entityType: 'order_review',
        entityId: id,
        unitId: r.shop_unit_id,
        summary: `解释${input.target === 'followup' ? '追评' : '评价'}：${input.text.slice(0, 60)}`,
        after: { target: input.target },
      },
      now,
    );
  });
  const after = await findRatingInScope(deps.db, scope, id);
  if (!after) throw notFound('review');
  return toOrderReview(after, tz, canReveal);
}

export async function getReview(deps: TDeps, scope: TScope, id: string, canReveal: boolean): Promise<TOrderReview> {
  const r = await findRatingInScope(deps.db, scope, id);
  if (!r) throw notFound('review');
  return toOrderReview(r, await tenantTimeZone(deps.db, scope.tenantId), canReveal);
}

export async function listReviews(
  deps: TDeps,
  scope: TScope,
  q: TOrderReviewListQuery,
  canReveal: boolean,
): Promise<TPage<TOrderReview>> {
  const tz = await tenantTimeZone(deps.db, scope.tenantId);
  const where = listConditions(scope, q, tz);
  const [rows, total] = await Promise.all([
    listRatings(deps.db, where, q.sort, q.pageSize, (q.page - 1) * q.pageSize),
    countRatings(deps.db, where),
  ]);
  return { items: rows.map((r) => toOrderReview(r, tz, canReveal)), total, page: q.page, pageSize: q.pageSize };
}

/**
 * A buyer link for one order: a random 256-bit token, only its SHA-256 stored. Each call makes a new link; earlier
 * links of the order stay valid (they may already have been sent).
 */
export async function createReviewLink(
  deps: TDeps,
  scope: TScope,
  ctx: TAuditCtx,
  transactionId: string,
): Promise<TReviewLink> {
  const order = await findOrderInScope(deps.db, scope, transactionId);
  if (!order) {
    // A transaction the caller sees but whose unit is not a shop (e.g. a bank wealth-product purchase): say why.
    if (await transactionVisible(deps.db, scope, transactionId))
      throw invalidField('body.transactionId', '该交易所属单位不是店铺，订单评价只适用于店铺的订单');
    throw unknownRef('body.transactionId', 'order');
  }
  const tz = await tenantTimeZone(deps.db, scope.tenantId);
  const token = crypto.randomBytes(32).toString('base64url');
  const now = deps.clock.now();
  await deps.db.transaction(async (tx) => {
    await tx.insert(orderReviewLinks).values({
      tenantId: scope.tenantId,
      transactionId,
      tokenHash: sha256(token),
      createdBy: scope.userId,
      createdAt: now,
    });
    await insertAuditEvent(
      tx,
      ctx,
      {
        action: 'order_review.link_created',
        entityType: 'order',
        entityId: transactionId,
        unitId: order.shopUnitId,
        summary: `生成订单 ${order.orderNo ?? transactionId} 的评价链接`,
      },
      now,
    );
  });
  return {
    token,
    path: `/r/${token}`,
    rateDeadline: windowClosesAt(order.completedAt, RATING_WINDOW_DAYS, tz).toISOString(),
  };
}

/** Resolve a buyer's link token; unknown tokens are 404 (nothing about other orders leaks). */
export async function orderOfToken(db: DbOrTx, token: string): Promise<TOrderRef> {
  const order = await findOrderByLinkHash(db, sha256(token));
  if (!order) throw notFound('review link');
  return order;
}

/** The buyer's page: this order only, no names. */
export async function buyerView(deps: TDeps, order: TOrderRef): Promise<TBuyerReview> {
  const tz = await tenantTimeZone(deps.db, order.tenantId);
  const now = deps.clock.now();
  const r = await findRatingOfOrder(deps.db, order.tenantId, order.transactionId);
  const reply = (text: string | null, at: Date | string | null) =>
    text !== null && at !== null ? { text, repliedAt: new Date(at).toISOString() } : null;
  return {
    shopName: order.shopName,
    reviewDimensions: order.dimensions,
    orderNo: order.orderNo,
    amountFen: order.amountFen,
    completedAt: order.completedAt.toISOString(),
    rateDeadline: windowClosesAt(order.completedAt, RATING_WINDOW_DAYS, tz).toISOString(),
    followupDeadline: windowClosesAt(order.completedAt, FOLLOWUP_WINDOW_DAYS, tz).toISOString(),
    state: r ? 'rated' : canRate(order.completedAt, now, tz) ? 'open' : 'closed',
    canFollowup: !!r && r.f_at === null && canFollowup(order.completedAt, now, tz),
    rating: r
      ? {
          dimensions: r.dimensions,
          text: r.text,
          ratedAt: new Date(r.rated_at).toISOString(),
          isAnonymous: r.is_anonymous,
          imageCount: r.image_ids.length,
          reply: reply(r.reply_text, r.reply_at),
        }
      : null,
    followup:
      r && r.f_at !== null
        ? {
            text: r.f_text,
            createdAt: new Date(r.f_at).toISOString(),
            imageCount: r.f_image_ids.length,
            reply: reply(r.f_reply_text, r.f_reply_at),
          }
        : null,
  };
}
