import { z } from 'zod';
import { ZPageQuery } from '../pagination.ts';
import { ZId } from './common.ts';
import { REVIEW_IMAGE_MAX_BYTES, REVIEW_IMAGE_MAX_COUNT } from '../review-limits.ts';

/**
 * Order reviews 订单评价 (DESIGN §4.3): shop ratings 店铺评分 on three dimensions, a follow-up 追评, the shop's reply 解释.
 * The windows and counting rules live in apps/server/src/modules/order-reviews/review-rules.ts.
 */
export const REVIEW_DIMENSIONS = ['description', 'service', 'logistics'] as const;
export type TReviewDimension = (typeof REVIEW_DIMENSIONS)[number];
/** zh-CN names of the default dimensions (the UI translates through its locale files). */
export const REVIEW_DIMENSION_LABELS: Record<TReviewDimension, string> = {
  description: '描述相符',
  service: '服务态度',
  logistics: '物流服务',
};

export const ZReviewImage = z
  .string()
  .max(Math.ceil((REVIEW_IMAGE_MAX_BYTES * 4) / 3) + 40, '图片不能超过 200 KB')
  .regex(/^data:image\/(png|jpeg|webp);base64,[A-Za-z0-9+/]+=*$/, '图片须为 PNG、JPEG 或 WebP');

const ZDimValue = z.number().int('评分须为 1–5 的整数').min(1, '评分须为 1–5').max(5, '评分须为 1–5');
/** A rating: dimension key → 1–5. Which keys a shop asks for is its own setting (checked on the server). */
const ZDimensionKey = z.string().regex(/^[a-z][a-z0-9_]{0,29}$/, '维度键须为小写字母开头的字母、数字或下划线（≤30）');
export const ZReviewDimensions = z.record(ZDimensionKey, ZDimValue);
export type TReviewDimensions = z.infer<typeof ZReviewDimensions>;

/** One rating dimension of a shop, in display order. */
export const ZShopDimension = z
  .object({ key: ZDimensionKey, name: z.string().trim().min(1, '请填写维度名称').max(20, '维度名称最多 20 字') })
  .strict();
export type TShopDimension = z.infer<typeof ZShopDimension>;
export const DEFAULT_REVIEW_DIMENSIONS: TShopDimension[] = REVIEW_DIMENSIONS.map((key) => ({
  key,
  name: REVIEW_DIMENSION_LABELS[key],
}));
export const ZShopDimensionsInput = z
  .object({ reviewDimensions: z.array(ZShopDimension).min(1, '至少一个维度').max(6, '最多 6 个维度') })
  .strict()
  .superRefine((v, ctx) => {
    const seen = new Set<string>();
    v.reviewDimensions.forEach((d, i) => {
      if (seen.has(d.key))
        ctx.addIssue({ code: 'custom', path: ['reviewDimensions', i, 'key'], message: '维度键重复' });
      seen.add(d.key);
    });
  });
export type TShopDimensionsInput = z.infer<typeof ZShopDimensionsInput>;
/** A shop 店铺: a unit whose transactions are reviewable orders (DESIGN §4.3), with its rating dimensions. */
export const ZShop = z.object({
  unitId: z.string(),
  unitName: z.string(),
  reviewDimensions: z.array(ZShopDimension),
  updatedAt: z.string(),
});
export type TShop = z.infer<typeof ZShop>;
export const ZShopCreateInput = z
  .object({ unitId: ZId, reviewDimensions: z.array(ZShopDimension).min(1).max(6).optional() })
  .strict();

export const ZRatingInput = z
  .object({
    dimensions: ZReviewDimensions,
    text: z.string().trim().max(500, '评价内容最多 500 字').optional(),
    images: z.array(ZReviewImage).max(REVIEW_IMAGE_MAX_COUNT, `最多 ${REVIEW_IMAGE_MAX_COUNT} 张图片`).default([]),
    isAnonymous: z.boolean().default(false),
  })
  .strict();
export type TRatingInput = z.input<typeof ZRatingInput>;

export const ZFollowupInput = z
  .object({
    text: z.string().trim().min(1, '请填写追评内容').max(500, '追评最多 500 字'),
    images: z.array(ZReviewImage).max(REVIEW_IMAGE_MAX_COUNT, `最多 ${REVIEW_IMAGE_MAX_COUNT} 张图片`).default([]),
  })
  .strict();
export type TFollowupInput = z.input<typeof ZFollowupInput>;

export const REPLY_TARGETS = ['rating', 'followup'] as const;
export const ZReplyInput = z
  .object({
    target: z.enum(REPLY_TARGETS),
    text: z.string().trim().min(1, '请填写解释内容').max(500, '解释最多 500 字'),
  })
  .strict();
export type TReplyInput = z.infer<typeof ZReplyInput>;

const ZReply = z.object({ text: z.string(), repliedAt: z.string(), repliedByName: z.string().nullable() });
const ZFollowup = z.object({
  text: z.string().nullable(),
  createdAt: z.string(),
  imageIds: z.array(z.string()),
  reply: ZReply.nullable(),
  replyDeadline: z.string(),
});

/** A review as the shop sees it. `buyerName` is null for anonymous reviews, masked without pii:reveal. */
export const ZOrderReview = z.object({
  id: z.string(),
  transactionId: z.string().nullable(),
  orderNo: z.string().nullable(),
  shopUnitId: z.string(),
  shopName: z.string().nullable(),
  buyerName: z.string().nullable(),
  isAnonymous: z.boolean(),
  dimensions: z.record(z.string(), z.number()),
  score: z.number(),
  text: z.string().nullable(),
  imageIds: z.array(z.string()),
  completedAt: z.string(),
  ratedAt: z.string(),
  monthKey: z.string(),
  monthSeq: z.number().int(),
  isCounted: z.boolean(),
  sourceType: z.string(),
  evaluationId: z.string(),
  reply: ZReply.nullable(),
  replyDeadline: z.string(),
  followup: ZFollowup.nullable(),
});
export type TOrderReview = z.infer<typeof ZOrderReview>;

const ZDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, '日期格式须为 YYYY-MM-DD');
const ZBool = z.enum(['true', 'false']);
export const ZOrderReviewListQuery = ZPageQuery.extend({
  unitId: ZId.optional(),
  /** With `dimScore`: only reviews whose `dimension` has that value. */
  dimension: ZDimensionKey.optional(),
  dimScore: z.coerce.number().int().min(1).max(5).optional(),
  /** Overall (rounded mean) score. */
  score: z.coerce.number().int().min(1).max(5).optional(),
  hasText: ZBool.optional(),
  counted: ZBool.optional(),
  hasFollowup: ZBool.optional(),
  replied: ZBool.optional(),
  /** Rating dates, inclusive, in the tenant's time zone. */
  from: ZDate.optional(),
  to: ZDate.optional(),
});
export type TOrderReviewListQuery = z.infer<typeof ZOrderReviewListQuery>;

export const ZShopScoreQuery = z.object({ unitId: ZId, asOf: ZDate.optional() });
export type TShopScoreQuery = z.infer<typeof ZShopScoreQuery>;

export const ZShopScore = z.object({
  unitId: z.string(),
  unitName: z.string(),
  asOf: z.string(),
  /** The six-month window, local dates inclusive. */
  from: z.string(),
  to: z.string(),
  /** The shop's configured dimensions, in its order. */
  dimensions: z.array(
    z.object({ key: z.string(), name: z.string(), score: z.number().nullable(), count: z.number().int() }),
  ),
  countedRatings: z.number().int(),
  /** Ratings in the window that do not count (4th and later of a buyer in a month). */
  uncountedRatings: z.number().int(),
});
export type TShopScore = z.infer<typeof ZShopScore>;

export const ZShopScoreTrend = z.object({ points: z.array(ZShopScore) });
export type TShopScoreTrend = z.infer<typeof ZShopScoreTrend>;

/** Completed orders of the shops in scope, with their review state (for "copy review link"). */
export const ZReviewableOrder = z.object({
  transactionId: z.string(),
  orderNo: z.string().nullable(),
  shopUnitId: z.string(),
  shopName: z.string().nullable(),
  buyerName: z.string(),
  amountFen: z.number(),
  completedAt: z.string(),
  rateDeadline: z.string(),
  state: z.enum(['open', 'rated', 'closed']),
  ratingId: z.string().nullable(),
});
export type TReviewableOrder = z.infer<typeof ZReviewableOrder>;
export const ZReviewableOrderQuery = ZPageQuery.extend({
  unitId: ZId.optional(),
  state: z.enum(['open', 'rated', 'closed']).optional(),
});
export type TReviewableOrderQuery = z.infer<typeof ZReviewableOrderQuery>;

export const ZReviewLinkInput = z.object({ transactionId: ZId }).strict();
export const ZReviewLink = z.object({ token: z.string(), path: z.string(), rateDeadline: z.string() });
export type TReviewLink = z.infer<typeof ZReviewLink>;

/** What the buyer's review page shows: only this order. */
export const ZBuyerReview = z.object({
  shopName: z.string(),
  /** The shop's rating dimensions, in order: the buyer rates each. */
  reviewDimensions: z.array(ZShopDimension),
  orderNo: z.string().nullable(),
  amountFen: z.number(),
  completedAt: z.string(),
  rateDeadline: z.string(),
  followupDeadline: z.string(),
  /** open: may rate; closed: window over, no rating; rated: rated (see canFollowup). */
  state: z.enum(['open', 'closed', 'rated']),
  canFollowup: z.boolean(),
  rating: z
    .object({
      dimensions: z.record(z.string(), z.number()),
      text: z.string().nullable(),
      ratedAt: z.string(),
      isAnonymous: z.boolean(),
      imageCount: z.number().int(),
      reply: ZReply.omit({ repliedByName: true }).nullable(),
    })
    .nullable(),
  followup: z
    .object({
      text: z.string().nullable(),
      createdAt: z.string(),
      imageCount: z.number().int(),
      reply: ZReply.omit({ repliedByName: true }).nullable(),
    })
    .nullable(),
});
export type TBuyerReview = z.infer<typeof ZBuyerReview>;
export const ZReviewTokenParams = z.object({ token: z.string().regex(/^[A-Za-z0-9_-]{20,100}$/, 'invalid link') });

/** Shop API 开放接口 clients: a key for one shop unit, shown once. */
export const ZApiClientInput = z.object({ unitId: ZId, name: z.string().trim().min(1).max(60) }).strict();
export const ZApiClient = z.object({
  id: z.string(),
  unitId: z.string(),
  unitName: z.string().nullable(),
  name: z.string(),
  keyPrefix: z.string(),
  createdAt: z.string(),
  revokedAt: z.string().nullable(),
});
export type TApiClient = z.infer<typeof ZApiClient>;
export const ZApiClientCreated = ZApiClient.extend({ key: z.string() });
export const ZShopApiOrderParams = z.object({ order: z.string().min(1).max(64) });
export const ZShopApiRatingResult = z.object({
  ratingId: z.string(),
  isCounted: z.boolean(),
  monthSeq: z.number().int(),
  ratedAt: z.string(),
});
export const ZShopApiFollowupResult = z.object({ ratingId: z.string(), createdAt: z.string() });
