import { PassThrough, type Readable } from 'node:stream';
import { sql } from 'drizzle-orm';
import {
  maskName,
  type TOrderReviewListQuery,
  type TPage,
  type TReviewableOrder,
  type TReviewableOrderQuery,
  type TShopDimension,
  type TShopScore,
} from '@huifang/shared';
import type { Db } from '../../db/client.ts';
import { invalidField, notFound } from '../../lib/app-error.ts';
import type { TClock } from '../../lib/clock.ts';
import { unitVisible, type TActor, type TAuditCtx, type TScope } from '../../lib/scope.ts';
import { insertAuditEvent } from '../audit/audit.repository.ts';
import { createSpreadsheet, exportFileName } from '../../lib/export-file.ts';
import { countRatings, listConditions, listRatings, toOrderReview } from './order-reviews.repository.ts';
import { tenantTimeZone } from '../../lib/time.ts';
import {
  addDays,
  addMonths,
  localDate,
  RATING_WINDOW_DAYS,
  scoreWindow,
  startOfLocalDay,
  windowClosesAt,
} from './review-rules.ts';

type TDeps = { db: Db; clock: TClock };

/** A shop of the caller's scope: its name and rating dimensions. A unit that is not a shop has no score (404). */
async function visibleShop(db: Db, scope: TScope, unitId: string): Promise<{ name: string; dims: TShopDimension[] }> {
  const res = await db.execute<{ name: string; review_dimensions: TShopDimension[] }>(
    sql`select ou.name, s.review_dimensions from org_units ou join shops s on s.tenant_id = ou.tenant_id and s.unit_id = ou.id where ou.tenant_id = ${scope.tenantId} and ou.id = ${unitId} and ${unitVisible(scope, sql`ou.id`)}`,
  );
  if (!res.rows[0]) throw notFound('shop');
  return { name: res.rows[0].name, dims: res.rows[0].review_dimensions };
}

/**
 * The shop score 店铺评分 as of a local day: per dimension, the arithmetic mean (2 decimals) of the counted ratings
 * of the last six months (window in review-rules.ts `scoreWindow`). Counted-ness was fixed when each rating was
 * stored, so the score as of any past day is reproducible.
 */
async function scoreAsOf(
  db: Db,
  tenantId: string,
  unitId: string,
  shop: { name: string; dims: TShopDimension[] },
  asOf: string,
  tz: string,
): Promise<TShopScore> {
  const w = scoreWindow(asOf, tz);
  const avg = (k: string) => sql`round(avg((dimensions ->> ${k})::numeric) filter (where is_counted), 2)::float8`;
  const cnt = (k: string) => sql`(count(*) filter (where is_counted and dimensions ? ${k}))::int`;
  const res = await db.execute<Record<string, number | null>>(sql`
    select (count(*) filter (where is_counted))::int as counted, (count(*) filter (where not is_counted))::int as uncounted
      ${sql.join(
        shop.dims.map(
          (d, i) => sql`, ${avg(d.key)} as ${sql.identifier(`s_${i}`)}, ${cnt(d.key)} as ${sql.identifier(`n_${i}`)}`,
        ),
        sql``,
      )}
    from order_ratings where tenant_id = ${tenantId} and shop_unit_id = ${unitId} and rated_at >= ${w.from} and rated_at < ${w.to}`);
  const row = res.rows[0]!;
  return {
    unitId,
    unitName: shop.name,
    asOf,
    from: w.fromDate,
    to: w.toDate,
    dimensions: shop.dims.map((d, i) => ({
      key: d.key,
      name: d.name,
      score: row[`s_${i}`] ?? null,
      count: Number(row[`n_${i}`] ?? 0),
    })),
    countedRatings: Number(row.counted ?? 0),
    uncountedRatings: Number(row.uncounted ?? 0),
  };
}

export async function getShopScore(
  deps: TDeps,
  scope: TScope,
  unitId: string,
  asOf: string | undefined,
): Promise<TShopScore> {
  const shop = await visibleShop(deps.db, scope, unitId);
  const tz = await tenantTimeZone(deps.db, scope.tenantId);
  return scoreAsOf(deps.db, scope.tenantId, unitId, shop, asOf ?? localDate(deps.clock.now(), tz), tz);
}

/** Six points: the score as of the last day of each of the five months before `asOf`'s month, then as of `asOf`. */
export async function getShopScoreTrend(
  deps: TDeps,
  scope: TScope,
  unitId: string,
  asOf: string | undefined,
): Promise<{ points: TShopScore[] }> {
  const shop = await visibleShop(deps.db, scope, unitId);
  const tz = await tenantTimeZone(deps.db, scope.tenantId);
  const day = asOf ?? localDate(deps.clock.now(), tz);
  const firstOfMonth = `${day.slice(0, 7)}-01`;
  const days = [5, 4, 3, 2, 1].map((i) => addDays(addMonths(firstOfMonth, -i + 1), -1));
  days.push(day);
  return { points: await Promise.all(days.map((d) => scoreAsOf(deps.db, scope.tenantId, unitId, shop, d, tz))) };
}

const MAX_EXPORT = 50_000;

/** The filtered review list as xlsx (formula-injection safe, buyer names as on screen); audited. */
export async function exportReviews(
  deps: TDeps,
  actor: TActor,
  ctx: TAuditCtx,
  q: TOrderReviewListQuery,
): Promise<{ stream: Readable; fileName: string }> {
  const tz = await tenantTimeZone(deps.db, actor.tenantId);
  const where = listConditions(actor, q, tz);
  const canReveal = actor.permissions.has('pii:reveal');
  // The audit row is written before the file streams, so it exists as soon as the response starts.
  const total = Math.min(await countRatings(deps.db, where), MAX_EXPORT);
  await insertAuditEvent(
    deps.db,
    ctx,
    {
      action: 'order_review.exported',
      entityType: 'order_review',
      entityId: null,
      unitId: actor.unitId,
      summary: `导出订单评价 ${total} 条`,
      after: { rows: total, filters: q },
    },
    deps.clock.now(),
  );
  // One column per dimension key of the shops in scope (first name met wins when shops name a key differently).
  const shopDims = await deps.db.execute<{ review_dimensions: TShopDimension[] }>(
    sql`select s.review_dimensions from shops s join org_units ou on ou.id = s.unit_id where s.tenant_id = ${actor.tenantId} and ${unitVisible(actor, sql`s.unit_id`)} order by ou.path`,
  );
  const dims: TShopDimension[] = [];
  for (const d of shopDims.rows.flatMap((r) => r.review_dimensions))
    if (!dims.some((x) => x.key === d.key)) dims.push(d);
  const out = new PassThrough();
  const run = async () => {
    const file = createSpreadsheet(out, 'xlsx', tz);
    const ws = file.addSheet(
      '订单评价',
      [
        '评价时间',
        '店铺',
        '订单号',
        '买家',
        ...dims.map((d) => d.name),
        '综合',
        '计入评分',
        '当月序号',
        '评价内容',
        '追评',
        '商家解释',
      ].map((header) => ({ header })),
    );
    for (let offset = 0; offset < MAX_EXPORT; offset += 1000) {
      const batch = await listRatings(deps.db, where, q.sort, 1000, offset);
      for (const raw of batch) {
        const r = toOrderReview(raw, tz, canReveal);
        ws.addRow([
          new Date(r.ratedAt),
          r.shopName,
          r.orderNo,
          r.isAnonymous ? '匿名' : r.buyerName,
          ...dims.map((d) => r.dimensions[d.key] ?? null),
          r.score,
          r.isCounted ? '是' : '否',
          r.monthSeq,
          r.text,
          r.followup?.text ?? null,
          r.reply?.text ?? null,
        ]);
      }
      if (batch.length < 1000) break;
    }
    await file.finish();
  };
  run().catch((err: unknown) => out.destroy(err instanceof Error ? err : new Error(String(err))));
  return { stream: out, fileName: exportFileName('order-reviews', deps.clock.now(), tz, 'xlsx') };
}

/** Completed orders of visible shops (units in `shops`) with their review state, newest first (the "copy review link" list). */
export async function listReviewableOrders(
  deps: TDeps,
  scope: TScope,
  q: TReviewableOrderQuery,
  canReveal: boolean,
): Promise<TPage<TReviewableOrder>> {
  const tz = await tenantTimeZone(deps.db, scope.tenantId);
  const now = deps.clock.now();
  // Open ⇔ not rated and completed on or after local day (today − 15) (see review-rules.ts).
  const openFrom = startOfLocalDay(addDays(localDate(now, tz), -RATING_WINDOW_DAYS), tz);
  const conds = [
    sql`t.tenant_id = ${scope.tenantId}`,
    sql`t.kind = 'order'`,
    sql`t.occurred_at <= ${now}`,
    unitVisible(scope, sql`t.unit_id`),
  ];
  // Only a shop's orders are reviewable: a bank outlet's wealth-product purchase never shows here as 可评价.
  if (q.unitId) {
    const ok = await deps.db.execute(
      sql`select 1 from org_units ou where ou.tenant_id = ${scope.tenantId} and ou.id = ${q.unitId} and ${unitVisible(scope, sql`ou.id`)}`,
    );
    if (!ok.rows[0]) throw invalidField('querystring.unitId', 'unit not found');
    conds.push(sql`t.unit_id = ${q.unitId}`);
  }
  if (q.state === 'rated') conds.push(sql`r.id is not null`);
  if (q.state === 'open') conds.push(sql`r.id is null and t.occurred_at >= ${openFrom}`);
  if (q.state === 'closed') conds.push(sql`r.id is null and t.occurred_at < ${openFrom}`);
  if (q.q) conds.push(sql`t.order_no ilike ${`%${q.q}%`}`);
  const where = sql.join(conds, sql` and `);
  const from = sql`from transactions t join shops s on s.tenant_id = t.tenant_id and s.unit_id = t.unit_id join org_units u on u.id = t.unit_id join customers c on c.id = t.customer_id left join order_ratings r on r.tenant_id = t.tenant_id and r.transaction_id = t.id`;
  const [rows, total] = await Promise.all([
    deps.db.execute<{
      id: string;
      order_no: string | null;
      unit_id: string;
      unit_name: string;
      customer_name: string;
      amount_fen: string;
      occurred_at: string | Date;
      rating_id: string | null;
    }>(
      sql`select t.id, t.order_no, t.unit_id, u.name as unit_name, c.name as customer_name, t.amount_fen, t.occurred_at, r.id as rating_id ${from} where ${where} order by t.occurred_at desc, t.id desc limit ${q.pageSize} offset ${(q.page - 1) * q.pageSize}`,
    ),
    deps.db.execute<{ n: number }>(sql`select count(*)::int as n ${from} where ${where}`),
  ]);
  return {
    items: rows.rows.map((r) => {
      const completedAt = new Date(r.occurred_at);
      return {
        transactionId: r.id,
        orderNo: r.order_no,
        shopUnitId: r.unit_id,
        shopName: r.unit_name,
        buyerName: canReveal ? r.customer_name : maskName(r.customer_name),
        amountFen: Number(r.amount_fen),
        completedAt: completedAt.toISOString(),
        rateDeadline: windowClosesAt(completedAt, RATING_WINDOW_DAYS, tz).toISOString(),
        state: r.rating_id ? 'rated' : completedAt >= openFrom ? 'open' : 'closed',
        ratingId: r.rating_id,
      };
    }),
    total: total.rows[0]?.n ?? 0,
    page: q.page,
    pageSize: q.pageSize,
  };
}
