import crypto from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  ZBuyerReview,
  ZFollowupInput,
  ZRatingInput,
  ZReviewTokenParams,
  ZShopApiFollowupResult,
  ZShopApiOrderParams,
  ZShopApiRatingResult,
} from '@huifang/shared';
import { invalidField, notFound } from '../../lib/app-error.ts';
import { authenticateApiClient, type TApiCaller } from './api-clients.ts';
import { findShopOrder } from './order-reviews.repository.ts';
import { buyerView, orderOfToken, submitFollowup, submitRating, type TReviewSource } from './order-reviews.service.ts';

const BODY_LIMIT = 2 * 1024 * 1024; // up to 5 images of ≤ 200 KB, base64
const hashed = (s: string) => crypto.createHash('sha256').update(s).digest('hex').slice(0, 32);

/** The optional `Idempotency-Key` header: printable ASCII, ≤ 100 characters. */
function idempotencyKey(req: FastifyRequest): string | null {
  const v = req.headers['idempotency-key'];
  if (v === undefined) return null;
  if (typeof v !== 'string' || !/^[\x21-\x7e]{1,100}$/.test(v))
    throw invalidField('headers.idempotency-key', 'Idempotency-Key must be 1–100 printable ASCII characters');
  return v;
}

/**
 * Public order-review routes, authenticated by their own tokens (access 'public'):
 * - the buyer's review page, reached through a per-order link token (only that order; no names);
 * - the shop API for shops that collect reviews elsewhere (`Authorization: Bearer <key>` of an API client of the
 *   order's shop; an order of another shop is 404). Same rules and errors as the page; idempotent by
 *   `Idempotency-Key`; rate-limited per key.
 */
export const reviewPublicRoutes: FastifyPluginAsyncZod = async (app) => {
  const { deps } = app;
  const tags = ['order-reviews (buyer link)'];
  const perLink = (req: FastifyRequest) => `review-link:${hashed(req.url.split('/')[3] ?? '')}:${req.ip}`;
  const linkSource = (req: FastifyRequest, token: string): TReviewSource => ({
    type: 'link',
    id: hashed(token),
    actorName: '买家（评价链接）',
    ip: req.ip,
    requestId: String(req.id),
  });

  app.get(
    '/review-links/:token',
    {
      config: { access: 'public', rateLimit: { max: 60, timeWindow: '1 minute', keyGenerator: perLink } },
      schema: {
        tags,
        security: [],
        summary: '买家评价页 what the buyer sees for this order',
        params: ZReviewTokenParams,
        response: { 200: ZBuyerReview },
      },
    },
    async (req) => buyerView(deps, await orderOfToken(deps.db, req.params.token)),
  );
  app.post(
    '/review-links/:token/rating',
    {
      bodyLimit: BODY_LIMIT,
      config: { access: 'public', rateLimit: { max: 10, timeWindow: '1 minute', keyGenerator: perLink } },
      schema: {
        tags,
        security: [],
        summary: '买家评分 rate the order (within 15 days of completion; once; never changed)',
        params: ZReviewTokenParams,
        body: ZRatingInput,
        response: { 200: ZBuyerReview, 201: ZBuyerReview },
      },
    },
    async (req, reply) => {
      const order = await orderOfToken(deps.db, req.params.token);
      const r = await submitRating(deps, order, req.body, linkSource(req, req.params.token), idempotencyKey(req));
      return reply.status(r.isReplay ? 200 : 201).send(await buyerView(deps, order));
    },
  );
  app.post(
    '/review-links/:token/followup',
    {
      bodyLimit: BODY_LIMIT,
      config: { access: 'public', rateLimit: { max: 10, timeWindow: '1 minute', keyGenerator: perLink } },
      schema: {
        tags,
        security: [],
        summary: '追评 the one follow-up, within 180 days of completion (inclusive)',
        params: ZReviewTokenParams,
        body: ZFollowupInput,
        response: { 200: ZBuyerReview, 201: ZBuyerReview },
      },
    },
    async (req, reply) => {
      const order = await orderOfToken(deps.db, req.params.token);
      const r = await submitFollowup(deps, order, req.body, linkSource(req, req.params.token), idempotencyKey(req));
      return reply.status(r.isReplay ? 200 : 201).send(await buyerView(deps, order));
    },
  );

  const apiTags = ['shop API 开放接口'];
  const perKey = (req: FastifyRequest) => `shop-api:${hashed(req.headers.authorization ?? req.ip)}`;
  // The key is checked before the body is validated: a caller without a valid key learns nothing about the schema.
  const callers = new WeakMap<FastifyRequest, TApiCaller>();
  const preValidation = async (req: FastifyRequest) => {
    callers.set(req, await authenticateApiClient(deps.db, req));
  };
  const apiOrder = async (req: FastifyRequest & { params: { order: string } }) => {
    const client = callers.get(req);
    if (!client) throw new Error('API client not resolved');
    const order = await findShopOrder(deps.db, client.tenantId, client.unitId, req.params.order);
    if (!order) throw notFound('order');
    return {
      client,
      order,
      source: {
        type: 'api',
        id: client.id,
        actorName: `开放接口：${client.name}`,
        ip: req.ip,
        requestId: String(req.id),
      } satisfies TReviewSource,
    };
  };
  const security = [{ shopApiKey: [] }];

  app.post(
    '/shop-api/orders/:order/rating',
    {
      bodyLimit: BODY_LIMIT,
      preValidation,
      config: { access: 'public', rateLimit: { max: 120, timeWindow: '1 minute', keyGenerator: perKey } },
      schema: {
        tags: apiTags,
        security,
        summary:
          "提交店铺评分 rate an order of the key's shop (by order number or id). Authorization: Bearer <key>; Idempotency-Key recommended. 201 created, 200 replay of the same key; 404 order of another shop; 409 REVIEW_WINDOW_CLOSED / REVIEW_ALREADY_EXISTS",
        params: ZShopApiOrderParams,
        body: ZRatingInput,
        response: { 200: ZShopApiRatingResult, 201: ZShopApiRatingResult },
      },
    },
    async (req, reply) => {
      const { order, source } = await apiOrder(req);
      const { rating, isReplay } = await submitRating(deps, order, req.body, source, idempotencyKey(req));
      return reply.status(isReplay ? 200 : 201).send({
        ratingId: rating.id,
        isCounted: rating.is_counted,
        monthSeq: rating.month_seq,
        ratedAt: new Date(rating.rated_at).toISOString(),
      });
    },
  );
  app.post(
    '/shop-api/orders/:order/followup',
    {
      bodyLimit: BODY_LIMIT,
      preValidation,
      config: { access: 'public', rateLimit: { max: 120, timeWindow: '1 minute', keyGenerator: perKey } },
      schema: {
        tags: apiTags,
        security,
        summary:
          '提交追评 the one follow-up of a rated order, within 180 days of completion. Same auth, idempotency and errors as the rating',
        params: ZShopApiOrderParams,
        body: ZFollowupInput,
        response: { 200: ZShopApiFollowupResult, 201: ZShopApiFollowupResult },
      },
    },
    async (req, reply) => {
      const { order, source } = await apiOrder(req);
      const { rating, isReplay } = await submitFollowup(deps, order, req.body, source, idempotencyKey(req));
      return reply
        .status(isReplay ? 200 : 201)
        .send({ ratingId: rating.id, createdAt: new Date(rating.f_at!).toISOString() });
    },
  );
};
