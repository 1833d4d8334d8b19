import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  ZApiClient,
  ZApiClientCreated,
  ZApiClientInput,
  ZIdParams,
  ZOrderReview,
  ZOrderReviewListQuery,
  ZPage,
  ZReplyInput,
  ZReviewableOrder,
  ZReviewableOrderQuery,
  ZReviewLink,
  ZReviewLinkInput,
  ZShopScore,
  ZShopScoreQuery,
  ZShopScoreTrend,
  ZShop,
  ZShopCreateInput,
  ZShopDimensionsInput,
} from '@huifang/shared';
import { notFound } from '../../lib/app-error.ts';
import { createApiClient, listApiClients, revokeApiClient } from './api-clients.ts';
import { findImage } from './order-reviews.repository.ts';
import { createReviewLink, getReview, listReviews, replyToReview } from './order-reviews.service.ts';
import { createShop, listShops, updateShopDimensions } from './shops.ts';
import { exportReviews, getShopScore, getShopScoreTrend, listReviewableOrders } from './shop-score.ts';
import { contentDisposition, EXPORT_CONTENT_TYPE } from '../../lib/export-file.ts';

const tags = ['order-reviews'];

/** Shop side of order reviews 订单评价 (review:read / review:reply, scoped by the unit subtree). */
export const orderReviewRoutes: FastifyPluginAsyncZod = async (app) => {
  const { deps } = app;
  const reveal = (req: { actor(): { permissions: ReadonlySet<string> } }) => req.actor().permissions.has('pii:reveal');

  app.get(
    '/order-reviews',
    {
      config: { access: 'review:read' },
      schema: {
        tags,
        summary: '订单评价列表 reviews of the shops in scope, with filters',
        querystring: ZOrderReviewListQuery,
        response: { 200: ZPage(ZOrderReview) },
      },
    },
    async (req) => listReviews(deps, req.scope(), req.query, reveal(req)),
  );
  app.get(
    '/order-reviews/export',
    {
      config: { access: 'review:read' },
      schema: { tags, summary: '导出订单评价 xlsx (same filters; audited)', querystring: ZOrderReviewListQuery },
    },
    async (req, reply) => {
      const file = await exportReviews(deps, req.actor(), req.auditCtx(), req.query);
      return reply
        .header('content-type', EXPORT_CONTENT_TYPE.xlsx)
        .header('content-disposition', contentDisposition(file.fileName))
        .send(file.stream);
    },
  );
  app.get(
    '/order-reviews/orders',
    {
      config: { access: 'review:read' },
      schema: {
        tags,
        summary: '已完成订单及评价状态 completed orders with their review state',
        querystring: ZReviewableOrderQuery,
        response: { 200: ZPage(ZReviewableOrder) },
      },
    },
    async (req) => listReviewableOrders(deps, req.scope(), req.query, reveal(req)),
  );
  app.post(
    '/order-reviews/links',
    {
      config: { access: 'review:reply' },
      schema: {
        tags,
        summary: '生成买家评价链接 a per-order link token for the buyer (≥128-bit, shown once)',
        body: ZReviewLinkInput,
        response: { 201: ZReviewLink },
      },
    },
    async (req, reply) =>
      reply.status(201).send(await createReviewLink(deps, req.scope(), req.auditCtx(), req.body.transactionId)),
  );
  app.get(
    '/order-reviews/shops',
    {
      config: { access: 'review:read' },
      schema: {
        tags,
        summary: '店铺 the units in scope marked as shops, with their rating dimensions',
        response: { 200: z.object({ items: z.array(ZShop) }) },
      },
    },
    async (req) => listShops(deps, req.scope()),
  );
  app.post(
    '/order-reviews/shops',
    {
      config: { access: 'review:reply' },
      schema: {
        tags,
        summary: '设为店铺 mark a unit as a shop (its orders become reviewable; default dimensions unless given)',
        body: ZShopCreateInput,
        response: { 201: ZShop },
      },
    },
    async (req, reply) => reply.status(201).send(await createShop(deps, req.scope(), req.auditCtx(), req.body)),
  );
  app.put(
    '/order-reviews/shops/:unitId',
    {
      config: { access: 'review:reply' },
      schema: {
        tags,
        summary: "店铺评价维度 edit a shop's rating dimensions (used by the buyer page and the shop score)",
        params: z.object({ unitId: z.uuid() }),
        body: ZShopDimensionsInput,
        response: { 200: ZShop },
      },
    },
    async (req) =>
      updateShopDimensions(deps, req.scope(), req.auditCtx(), req.params.unitId, req.body.reviewDimensions),
  );
  app.get(
    '/order-reviews/score',
    {
      config: { access: 'review:read' },
      schema: {
        tags,
        summary: '店铺评分 per-dimension score as of a day (counted ratings of the last six months)',
        querystring: ZShopScoreQuery,
        response: { 200: ZShopScore },
      },
    },
    async (req) => getShopScore(deps, req.scope(), req.query.unitId, req.query.asOf),
  );
  app.get(
    '/order-reviews/score/trend',
    {
      config: { access: 'review:read' },
      schema: {
        tags,
        summary: '店铺评分走势 the score as of each of the last six month ends',
        querystring: ZShopScoreQuery,
        response: { 200: ZShopScoreTrend },
      },
    },
    async (req) => getShopScoreTrend(deps, req.scope(), req.query.unitId, req.query.asOf),
  );
  app.get(
    '/order-reviews/:id',
    { config: { access: 'review:read' }, schema: { tags, params: ZIdParams, response: { 200: ZOrderReview } } },
    async (req) => getReview(deps, req.scope(), req.params.id, reveal(req)),
  );
  app.get(
    '/order-reviews/:id/images/:imageId',
    {
      config: { access: 'review:read' },
      schema: {
        tags,
        summary: 'an image of a review (PNG/JPEG/WebP as sniffed at upload)',
        params: ZIdParams.extend({ imageId: z.uuid() }),
      },
    },
    async (req, reply) => {
      const img = await findImage(deps.db, req.scope(), req.params.id, req.params.imageId);
      if (!img) throw notFound('image');
      return reply
        .header('content-type', img.mime)
        .header('content-disposition', 'inline')
        .header('cache-control', 'private, max-age=3600')
        .send(img.bytes);
    },
  );
  app.post(
    '/order-reviews/:id/reply',
    {
      config: { access: 'review:reply' },
      schema: {
        tags,
        summary: '商家解释 reply once to a review or its follow-up, within 30 days of it',
        params: ZIdParams,
        body: ZReplyInput,
        response: { 200: ZOrderReview },
      },
    },
    async (req) => replyToReview(deps, req.scope(), req.auditCtx(), req.params.id, req.body, reveal(req)),
  );

  app.get(
    '/api-clients',
    {
      config: { access: 'review:read' },
      schema: {
        tags,
        summary: '开放接口密钥 API clients of the shops in scope (keys never shown again)',
        response: { 200: z.object({ items: z.array(ZApiClient) }) },
      },
    },
    async (req) => listApiClients(deps, req.scope()),
  );
  app.post(
    '/api-clients',
    {
      config: { access: 'settings:write' },
      schema: {
        tags,
        summary: '创建开放接口密钥 a key for one shop unit; the key is in this response only',
        body: ZApiClientInput,
        response: { 201: ZApiClientCreated },
      },
    },
    async (req, reply) => reply.status(201).send(await createApiClient(deps, req.scope(), req.auditCtx(), req.body)),
  );
  app.post(
    '/api-clients/:id/revoke',
    {
      config: { access: 'settings:write' },
      schema: { tags, summary: '停用密钥 revoke an API key', params: ZIdParams, response: { 200: ZApiClient } },
    },
    async (req) => revokeApiClient(deps, req.scope(), req.auditCtx(), req.params.id),
  );
};
