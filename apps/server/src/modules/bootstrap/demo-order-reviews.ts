import crypto from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { DEFAULT_REVIEW_DIMENSIONS } from '@huifang/shared';
import type { Db } from '../../db/client.ts';
import {
  customers,
  orderRatings,
  orderReviewFollowups,
  orderReviewReplies,
  orgUnits,
  shops,
  transactions,
  users,
} from '../../db/schema/index.ts';
import type { TClock } from '../../lib/clock.ts';
import { tenantTimeZone } from '../../lib/time.ts';
import { canFollowup, canReply, monthKey, overallScore, windowClosesAt } from '../order-reviews/review-rules.ts';
import { recordEvaluations } from '../evaluations/evaluations.write.ts';
import { phoneDigitsOf } from '../customers/customers.repository.ts';

export const DEMO_SHOP_CODE = 'SH-SHOP';
const DAY = 86_400_000;
const SURNAMES = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁';
const GIVEN =
  '伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超霞平刚玉萍红玲芬燕彬鑫斌宇浩凯健俊帆婷雪琳晨阳欣怡梓涵轩然诺远嘉桐';
const PRAISE = [
  '宝贝和描述一致，质量很好',
  '发货很快，包装严实',
  '客服态度很好，耐心解答',
  '物流有点慢，但东西不错',
  '第二次购买了，一如既往的好',
  '性价比高，推荐',
  '颜色有点色差',
  '包装破损了，还好东西没坏',
  '物流太慢了，等了一周',
  '和图片不太一样，有点失望',
  '',
  '',
  '',
];
const FOLLOWUPS = [
  '用了一个月，依然很好用',
  '洗过几次没有掉色',
  '用了一段时间出了点小问题，客服帮忙解决了',
  '质量一般，有点起球',
  '回购了，家人也很喜欢',
];
const REPLIES = [
  '感谢您的支持，期待再次光临！',
  '非常抱歉给您带来不便，我们已与快递公司沟通改进。',
  '感谢反馈，色差问题我们会在详情页补充说明。',
  '亲，已为您安排客服专人跟进，请留意消息。',
];

function rng(seed: number) {
  let s = seed >>> 0;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n: number) => Math.floor(next() * n),
    pick: <T>(a: readonly T[]) => a[Math.floor(next() * a.length)]!,
  };
}

/**
 * Demo e-commerce shop 线上商城旗舰店 (an outlet under 上海分行) with 18 months of completed orders and reviews that
 * follow the rules: ratings inside the 15-day window, the first three of a buyer per month counted (a few eager buyers
 * rate more often, so non-counted ratings exist), follow-ups inside 180 days, replies inside 30 days. The last two
 * weeks keep some unrated orders open for the review link. Set-based inserts in one transaction.
 */
export async function loadDemoOrderReviews(
  deps: { db: Db; clock: TClock },
  tenantId: string,
  orderCount = 2400,
): Promise<number> {
  const [exists] = await deps.db
    .select({ id: orgUnits.id })
    .from(orgUnits)
    .where(and(eq(orgUnits.tenantId, tenantId), eq(orgUnits.code, DEMO_SHOP_CODE)));
  if (exists) return 0;
  const [branch] = await deps.db
    .select()
    .from(orgUnits)
    .where(and(eq(orgUnits.tenantId, tenantId), eq(orgUnits.code, 'SH')));
  if (!branch) return 0;
  const tz = await tenantTimeZone(deps.db, tenantId);
  const [replier] = await deps.db
    .select({ id: users.id })
    .from(users)
    .where(and(eq(users.tenantId, tenantId), eq(users.username, 'zhang.manager')));
  const r = rng(20260404);
  const now = deps.clock.now();
  const shopId = crypto.randomUUID();

  const buyers: (typeof customers.$inferInsert)[] = [];
  for (let i = 0; i < 320; i++) {
    const phone = `13${5 + r.int(5)}${String(10_000_000 + i * 7919).slice(-8)}`;
    buyers.push({
      id: crypto.randomUUID(),
      tenantId,
      kind: 'individual',
      name: r.pick([...SURNAMES]) + r.pick([...GIVEN]) + (r.next() < 0.5 ? r.pick([...GIVEN]) : ''),
      phones: [phone],
      phoneDigits: phoneDigitsOf([phone]),
      unitId: shopId,
      source: '线上渠道',
      tags: ['网购'],
      createdAt: new Date(now.getTime() - 560 * DAY),
      updatedAt: now,
    });
  }
  // Eager buyers (the first 8) order and rate several times a month.
  const orders: (typeof transactions.$inferInsert & { id: string; occurredAt: Date; customerId: string })[] = [];
  for (let i = 0; i < orderCount; i++) {
    const eager = i % 6 === 0;
    const buyer = eager ? buyers[r.int(8)]! : buyers[8 + r.int(buyers.length - 8)]!;
    const at = new Date(now.getTime() - r.int(548) * DAY - r.int(DAY));
    orders.push({
      id: crypto.randomUUID(),
      tenantId,
      customerId: buyer.id!,
      unitId: shopId,
      kind: 'order',
      orderNo: `TB${String(2024000000 + i)}`,
      amountFen: (19 + r.int(600)) * 100 + 90,
      occurredAt: at,
      note: '线上订单',
      createdAt: at,
    });
  }

  type TR = typeof orderRatings.$inferInsert & {
    id: string;
    ratedAt: Date;
    completedAt: Date;
    buyerKey: string;
    evaluationId: string;
  };
  const ratings: TR[] = [];
  for (const o of orders) {
    if (r.next() > 0.72) continue;
    const ratedAt = new Date(o.occurredAt.getTime() + r.int(14 * DAY));
    if (ratedAt > now || ratedAt >= windowClosesAt(o.occurredAt, 15, tz)) continue;
    const base = r.next() < 0.8 ? 5 : r.next() < 0.6 ? 4 : 1 + r.int(3);
    const d = (x: number) => Math.max(1, Math.min(5, x - (r.next() < 0.25 ? 1 : 0)));
    const dimensions = { description: d(base), service: d(base), logistics: d(base) };
    const text = r.pick(PRAISE);
    ratings.push({
      id: crypto.randomUUID(),
      tenantId,
      transactionId: o.id,
      buyerKey: o.customerId,
      shopUnitId: shopId,
      completedAt: o.occurredAt,
      ratedAt,
      monthKey: monthKey(ratedAt, tz),
      monthSeq: 0,
      isCounted: false,
      dimensions,
      score: overallScore(dimensions),
      text: text || null,
      isAnonymous: r.next() < 0.15,
      sourceType: r.next() < 0.2 ? 'api' : 'link',
      sourceId: null,
      evaluationId: crypto.randomUUID(),
    });
  }
  // Counted-ness as the service decides it: in rating order, per buyer, shop and natural month.
  ratings.sort((a, b) => a.ratedAt.getTime() - b.ratedAt.getTime());
  const seen = new Map<string, number>();
  for (const x of ratings) {
    const k = `${x.buyerKey}:${x.monthKey}`;
    const n = (seen.get(k) ?? 0) + 1;
    seen.set(k, n);
    x.monthSeq = n;
    x.isCounted = n <= 3;
  }
  const followups: (typeof orderReviewFollowups.$inferInsert)[] = [];
  const replies: (typeof orderReviewReplies.$inferInsert)[] = [];
  for (const x of ratings) {
    if (r.next() < 0.3) {
      const at = new Date(x.ratedAt.getTime() + r.int(20 * DAY) + 3_600_000);
      if (at <= now && canReply(x.ratedAt, at, tz))
        replies.push({
          tenantId,
          ratingId: x.id,
          target: 'rating',
          text: r.pick(REPLIES),
          repliedBy: replier?.id ?? null,
          repliedAt: at,
        });
    }
    if (r.next() < 0.15) {
      const at = new Date(x.ratedAt.getTime() + (10 + r.int(150)) * DAY);
      if (at > now || !canFollowup(x.completedAt, at, tz)) continue;
      followups.push({ tenantId, ratingId: x.id, text: r.pick(FOLLOWUPS), createdAt: at, sourceType: 'link' });
      const replyAt = new Date(at.getTime() + r.int(5 * DAY) + 3_600_000);
      if (r.next() < 0.4 && replyAt <= now)
        replies.push({
          tenantId,
          ratingId: x.id,
          target: 'followup',
          text: r.pick(REPLIES),
          repliedBy: replier?.id ?? null,
          repliedAt: replyAt,
        });
    }
  }

  const chunk = async <T>(rows: T[], size: number, fn: (part: T[]) => Promise<unknown>) => {
    for (let i = 0; i < rows.length; i += size) await fn(rows.slice(i, i + size));
  };
  await deps.db.transaction(async (tx) => {
    await tx.insert(orgUnits).values({
      id: shopId,
      tenantId,
      parentId: branch.id,
      type: 'outlet',
      name: '线上商城旗舰店',
      code: DEMO_SHOP_CODE,
      path: `${branch.path}${shopId}/`,
      depth: branch.depth + 1,
      sortOrder: 9,
      createdAt: now,
      updatedAt: now,
    });
    // The unit is a shop 店铺 (its orders are reviewable), with the default dimensions 描述相符 / 服务态度 / 物流服务.
    await tx.insert(shops).values({
      tenantId,
      unitId: shopId,
      reviewDimensions: DEFAULT_REVIEW_DIMENSIONS,
      createdAt: now,
      updatedAt: now,
    });
    await tx.insert(customers).values(buyers);
    await chunk(orders, 1000, (p) => tx.insert(transactions).values(p));
    // Through the evaluation store's write path (one statement per chunk), marked as loaded history for the consumers.
    await chunk(ratings, 1000, (p) =>
      recordEvaluations(
        tx,
        p.map((x) => ({
          id: x.evaluationId,
          tenantId,
          channel: 'order_review' as const,
          occurredAt: x.ratedAt,
          receivedAt: x.ratedAt,
          unitId: shopId,
          customerId: x.buyerKey,
          refType: 'order_review',
          refId: x.id,
          sourceType: x.sourceType as 'api' | 'link',
          score: x.score,
          dimensions: x.dimensions,
          text: x.text ?? null,
          idempotencyKey: `order_review:${x.transactionId}`,
          event: { isBackfill: true },
        })),
      ),
    );
    await chunk(ratings, 1000, (p) => tx.insert(orderRatings).values(p));
    await chunk(followups, 1000, (p) => tx.insert(orderReviewFollowups).values(p));
    await chunk(replies, 1000, (p) => tx.insert(orderReviewReplies).values(p));
  });
  return ratings.length;
}
