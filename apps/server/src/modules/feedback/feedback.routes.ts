import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  ZFeedbackClassifyInput,
  ZFeedbackClassifyResult,
  ZFeedbackItem,
  ZFeedbackItemDetail,
  ZFeedbackLabelInput,
  ZFeedbackListQuery,
  ZFeedbackSummary,
  ZFeedbackSummaryQuery,
  ZIdParams,
  ZPage,
} from '@huifang/shared';
import {
  classifyFeedback,
  correctFeedbackLabels,
  feedbackSummary,
  getFeedbackItem,
  listFeedback,
} from './feedback.service.ts';

const tags = ['feedback'];

export const feedbackRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post(
    '/feedback/classify',
    {
      config: { access: 'feedback:read' },
      // 1,000 texts of 2,000 characters are ~6 MB of UTF-8 JSON, past the app's 1 MB default.
      bodyLimit: 8 * 1024 * 1024,
      schema: {
        tags,
        summary: '反馈文本分类 classify texts: category, sentiment, score, topics, keywords, in order',
        body: ZFeedbackClassifyInput,
        response: { 200: ZFeedbackClassifyResult },
      },
    },
    async (req) => classifyFeedback(req.body.texts),
  );

  app.get(
    '/feedback/items',
    {
      config: { access: 'feedback:read' },
      schema: {
        tags,
        summary: '反馈分析 classified feedback, one page',
        querystring: ZFeedbackListQuery,
        response: { 200: ZPage(ZFeedbackItem) },
      },
    },
    async (req) => listFeedback(app.deps, req.scope(), req.query, req.actor().permissions.has('pii:reveal')),
  );

  app.get(
    '/feedback/summary',
    {
      config: { access: 'feedback:read' },
      schema: {
        tags,
        summary: '反馈汇总 counts per label and corrections',
        querystring: ZFeedbackSummaryQuery,
        response: { 200: ZFeedbackSummary },
      },
    },
    async (req) => feedbackSummary(app.deps, req.scope(), req.query),
  );

  app.get(
    '/feedback/items/:id',
    {
      config: { access: 'feedback:read' },
      schema: { tags, params: ZIdParams, response: { 200: ZFeedbackItemDetail } },
    },
    async (req) => getFeedbackItem(app.deps.db, req.scope(), req.params.id, req.actor().permissions.has('pii:reveal')),
  );

  app.patch(
    '/feedback/items/:id/labels',
    {
      config: { access: 'feedback:label' },
      schema: {
        tags,
        summary: '修正标签 correct the labels of an item (kept with its history)',
        params: ZIdParams,
        body: ZFeedbackLabelInput,
        response: { 200: ZFeedbackItemDetail },
      },
    },
    async (req) =>
      correctFeedbackLabels(
        app.deps,
        req.scope(),
        req.auditCtx(),
        req.params.id,
        req.body,
        req.actor().permissions.has('pii:reveal'),
      ),
  );
};
