import { sql, type SQL } from 'drizzle-orm';
import { maskName, type TOrderReview, type TOrderReviewListQuery, type TShopDimension } from '@huifang/shared';
import type { DbOrTx } from '../../db/client.ts';
import { unitVisible, type TScope } from '../../lib/scope.ts';
import { addDays, REPLY_WINDOW_DAYS, startOfLocalDay, windowClosesAt } from './review-rules.ts';

/** A completed order 已完成订单 (transaction of kind 'order'; occurred_at = completion, see db/schema/order-reviews.ts). */
export interface TOrderRef {
  tenantId: string;
  transactionId: string;
  orderNo: string | null;
  shopUnitId: string;
  shopName: string;
  buyerId: string;
  buyerName: string;
  amountFen: number;
  completedAt: Date;
  /** The shop's rating dimensions (only units marked as shops have orders here). */
  dimensions: TShopDimension[];
}

type TOrderRow = {
  id: string;
  tenant_id: string;
  order_no: string | null;
  unit_id: string;
  unit_name: string;
  customer_id: string;
  customer_name: string;
  amount_fen: string | number;
  occurred_at: Date | string;
  review_dimensions: TShopDimension[];
};
/** Orders are transactions of kind 'order' at a unit marked as a shop (a bank outlet's purchases are not reviewable). */
const ORDER_SELECT = sql`
  select t.id, t.tenant_id, t.order_no, t.unit_id, u.name as unit_name, t.customer_id, c.name as customer_name, t.amount_fen, t.occurred_at, s.review_dimensions
  from transactions t join org_units u on u.id = t.unit_id join customers c on c.id = t.customer_id
  join shops s on s.tenant_id = t.tenant_id and s.unit_id = t.unit_id`;
const toOrder = (r: TOrderRow): TOrderRef => ({
  tenantId: r.tenant_id,
  transactionId: r.id,
  orderNo: r.order_no,
  shopUnitId: r.unit_id,
  shopName: r.unit_name,
  buyerId: r.customer_id,
  buyerName: r.customer_name,
  amountFen: Number(r.amount_fen),
  completedAt: new Date(r.occurred_at),
  dimensions: r.review_dimensions,
});

/** An order of a shop visible to the scope (staff side). */
export async function findOrderInScope(db: DbOrTx, scope: TScope, transactionId: string): Promise<TOrderRef | null> {
  const res = await db.execute<TOrderRow>(
    sql`${ORDER_SELECT} where t.tenant_id = ${scope.tenantId} and t.id = ${transactionId} and t.kind = 'order' and ${unitVisible(scope, sql`t.unit_id`)}`,
  );
  return res.rows[0] ? toOrder(res.rows[0]) : null;
}

/** Whether a transaction (any kind, any unit) is visible to the scope: tells "not a shop's order" from "not found". */
export async function transactionVisible(db: DbOrTx, scope: TScope, transactionId: string): Promise<boolean> {
  const res = await db.execute(
    sql`select 1 from transactions t where t.tenant_id = ${scope.tenantId} and t.id = ${transactionId} and ${unitVisible(scope, sql`t.unit_id`)}`,
  );
  return res.rows.length > 0;
}

/** The order behind a buyer's link token (its SHA-256). */
export async function findOrderByLinkHash(db: DbOrTx, tokenHash: string): Promise<TOrderRef | null> {
  const res = await db.execute<TOrderRow>(
    sql`${ORDER_SELECT} join order_review_links l on l.tenant_id = t.tenant_id and l.transaction_id = t.id where l.token_hash = ${tokenHash} and t.kind = 'order'`,
  );
  return res.rows[0] ? toOrder(res.rows[0]) : null;
}

/** An order of the API client's shop, by order number or id (the newest if a number repeats). */
export async function findShopOrder(
  db: DbOrTx,
  tenantId: string,
  shopUnitId: string,
  order: string,
): Promise<TOrderRef | null> {
  const byId = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(order)
    ? sql` or t.id = ${order}::uuid`
    : sql``;
  const res = await db.execute<TOrderRow>(
    sql`${ORDER_SELECT} where t.tenant_id = ${tenantId} and t.unit_id = ${shopUnitId} and t.kind = 'order' and (t.order_no = ${order}${byId}) order by t.occurred_at desc limit 1`,
  );
  return res.rows[0] ? toOrder(res.rows[0]) : null;
}

export type TRatingRow = {
  id: string;
  transaction_id: string | null;
  order_no: string | null;
  shop_unit_id: string;
  shop_name: string | null;
  buyer_name: string | null;
  is_anonymous: boolean;
  dimensions: Record<string, number>;
  score: number;
  text: string | null;
  completed_at: Date | string;
  rated_at: Date | string;
  month_key: string;
  month_seq: number;
  is_counted: boolean;
  source_type: string;
  source_id: string | null;
  idempotency_key: string | null;
  request_hash: string | null;
  evaluation_id: string;
  image_ids: string[];
  reply_text: string | null;
  reply_at: Date | string | null;
  reply_by: string | null;
  f_text: string | null;
  f_at: Date | string | null;
  f_key: string | null;
  f_hash: string | null;
  f_image_ids: string[];
  f_reply_text: string | null;
  f_reply_at: Date | string | null;
  f_reply_by: string | null;
};

const images = (target: 'rating' | 'followup') =>
  sql`(select coalesce(json_agg(i.id order by i.position), '[]'::json) from order_review_images i where i.tenant_id = r.tenant_id and i.rating_id = r.id and i.target = ${target})`;

export const RATING_SELECT = sql`
  select r.id, r.transaction_id, t.order_no, r.shop_unit_id, u.name as shop_name,
         case when r.is_anonymous then null else c.name end as buyer_name, r.is_anonymous, r.dimensions, r.score, r.text,
         r.completed_at, r.rated_at, r.month_key, r.month_seq, r.is_counted, r.source_type, r.source_id, r.idempotency_key, r.request_hash, r.evaluation_id,
         ${images('rating')} as image_ids,
         rr.text as reply_text, rr.replied_at as reply_at, ru.display_name as reply_by,
         f.text as f_text, f.created_at as f_at, f.idempotency_key as f_key, f.request_hash as f_hash, ${images('followup')} as f_image_ids,
         fr.text as f_reply_text, fr.replied_at as f_reply_at, fru.display_name as f_reply_by
  from order_ratings r
  left join transactions t on t.id = r.transaction_id
  left join customers c on c.id = t.customer_id
  left join org_units u on u.id = r.shop_unit_id
  left join order_review_replies rr on rr.tenant_id = r.tenant_id and rr.rating_id = r.id and rr.target = 'rating'
  left join users ru on ru.id = rr.replied_by
  left join order_review_followups f on f.tenant_id = r.tenant_id and f.rating_id = r.id
  left join order_review_replies fr on fr.tenant_id = r.tenant_id and fr.rating_id = r.id and fr.target = 'followup'
  left join users fru on fru.id = fr.replied_by`;

const iso = (d: Date | string) => new Date(d).toISOString();

/** The shop's view of a rating. Anonymous → no buyer name; otherwise masked unless the reader may reveal. */
export function toOrderReview(r: TRatingRow, timeZone: string, canReveal: boolean): TOrderReview {
  const reply = (text: string | null, at: Date | string | null, by: string | null) =>
    text !== null && at !== null ? { text, repliedAt: iso(at), repliedByName: by } : null;
  return {
    id: r.id,
    transactionId: r.transaction_id,
    orderNo: r.order_no,
    shopUnitId: r.shop_unit_id,
    shopName: r.shop_name,
    buyerName: r.buyer_name === null ? null : canReveal ? r.buyer_name : maskName(r.buyer_name),
    isAnonymous: r.is_anonymous,
    dimensions: r.dimensions,
    score: r.score,
    text: r.text,
    imageIds: r.image_ids,
    completedAt: iso(r.completed_at),
    ratedAt: iso(r.rated_at),
    monthKey: r.month_key,
    monthSeq: r.month_seq,
    isCounted: r.is_counted,
    sourceType: r.source_type,
    evaluationId: r.evaluation_id,
    reply: reply(r.reply_text, r.reply_at, r.reply_by),
    replyDeadline: windowClosesAt(new Date(r.rated_at), REPLY_WINDOW_DAYS, timeZone).toISOString(),
    followup:
      r.f_at === null
        ? null
        : {
            text: r.f_text,
            createdAt: iso(r.f_at),
            imageIds: r.f_image_ids,
            reply: reply(r.f_reply_text, r.f_reply_at, r.f_reply_by),
            replyDeadline: windowClosesAt(new Date(r.f_at), REPLY_WINDOW_DAYS, timeZone).toISOString(),
          },
  };
}

export async function findRatingOfOrder(
  db: DbOrTx,
  tenantId: string,
  transactionId: string,
): Promise<TRatingRow | null> {
  const res = await db.execute<TRatingRow>(
    sql`${RATING_SELECT} where r.tenant_id = ${tenantId} and r.transaction_id = ${transactionId}`,
  );
  return res.rows[0] ?? null;
}

export async function findRatingInScope(db: DbOrTx, scope: TScope, id: string): Promise<TRatingRow | null> {
  const res = await db.execute<TRatingRow>(
    sql`${RATING_SELECT} where r.tenant_id = ${scope.tenantId} and r.id = ${id} and ${unitVisible(scope, sql`r.shop_unit_id`)}`,
  );
  return res.rows[0] ?? null;
}

/** How many ratings the buyer already made for the shop in the natural month (the caller holds the pair's lock). */
export async function countMonthRatings(
  db: DbOrTx,
  tenantId: string,
  shopUnitId: string,
  buyerKey: string,
  month: string,
): Promise<number> {
  const res = await db.execute<{ n: number }>(
    sql`select count(*)::int as n from order_ratings where tenant_id = ${tenantId} and shop_unit_id = ${shopUnitId} and buyer_key = ${buyerKey} and month_key = ${month}`,
  );
  return res.rows[0]?.n ?? 0;
}

const SORTS: Record<string, SQL> = {
  ratedAt: sql`r.rated_at asc, r.id asc`,
  '-ratedAt': sql`r.rated_at desc, r.id desc`,
  score: sql`r.score asc, r.rated_at desc, r.id desc`,
  '-score': sql`r.score desc, r.rated_at desc, r.id desc`,
};

export function listConditions(scope: TScope, q: TOrderReviewListQuery, timeZone: string): SQL {
  const conds: SQL[] = [sql`r.tenant_id = ${scope.tenantId}`, unitVisible(scope, sql`r.shop_unit_id`)];
  if (q.unitId)
    conds.push(
      sql`r.shop_unit_id in (select ou.id from org_units ou where ou.tenant_id = ${scope.tenantId} and ou.path like (select p.path from org_units p where p.id = ${q.unitId} and p.tenant_id = ${scope.tenantId}) || '%')`,
    );
  if (q.dimension && q.dimScore !== undefined) conds.push(sql`(r.dimensions ->> ${q.dimension})::int = ${q.dimScore}`);
  else if (q.dimScore !== undefined)
    conds.push(sql`exists (select 1 from jsonb_each_text(r.dimensions) d where d.value::int = ${q.dimScore})`);
  if (q.score !== undefined) conds.push(sql`r.score = ${q.score}`);
  if (q.hasText) conds.push(q.hasText === 'true' ? sql`coalesce(r.text, '') <> ''` : sql`coalesce(r.text, '') = ''`);
  if (q.counted) conds.push(sql`r.is_counted = ${q.counted === 'true'}`);
  if (q.hasFollowup)
    conds.push(
      sql`${q.hasFollowup === 'true' ? sql`` : sql`not`} exists (select 1 from order_review_followups f2 where f2.tenant_id = r.tenant_id and f2.rating_id = r.id)`,
    );
  if (q.replied)
    conds.push(
      sql`${q.replied === 'true' ? sql`` : sql`not`} exists (select 1 from order_review_replies r2 where r2.tenant_id = r.tenant_id and r2.rating_id = r.id)`,
    );
  if (q.from) conds.push(sql`r.rated_at >= ${startOfLocalDay(q.from, timeZone)}`);
  if (q.to) conds.push(sql`r.rated_at < ${startOfLocalDay(addDays(q.to, 1), timeZone)}`);
  if (q.q) conds.push(sql`(t.order_no ilike ${`%${q.q}%`} or r.text ilike ${`%${q.q}%`})`);
  return sql.join(conds, sql` and `);
}

export async function listRatings(
  db: DbOrTx,
  where: SQL,
  sort: string | undefined,
  limit: number,
  offset: number,
): Promise<TRatingRow[]> {
  const order = SORTS[sort ?? '-ratedAt'] ?? SORTS['-ratedAt']!;
  const res = await db.execute<TRatingRow>(
    sql`${RATING_SELECT} where ${where} order by ${order} limit ${limit} offset ${offset}`,
  );
  return res.rows;
}

export async function countRatings(db: DbOrTx, where: SQL): Promise<number> {
  const res = await db.execute<{ n: number }>(
    sql`select count(*)::int as n from order_ratings r left join transactions t on t.id = r.transaction_id where ${where}`,
  );
  return res.rows[0]?.n ?? 0;
}

export async function findImage(
  db: DbOrTx,
  scope: TScope,
  ratingId: string,
  imageId: string,
): Promise<{ mime: string; bytes: Buffer } | null> {
  const res = await db.execute<{ mime: string; bytes: Buffer }>(sql`
    select i.mime, i.bytes from order_review_images i join order_ratings r on r.tenant_id = i.tenant_id and r.id = i.rating_id
    where i.tenant_id = ${scope.tenantId} and i.rating_id = ${ratingId} and i.id = ${imageId} and ${unitVisible(scope, sql`r.shop_unit_id`)}`);
  return res.rows[0] ?? null;
}
