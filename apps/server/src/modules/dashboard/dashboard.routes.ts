import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  ZAnalysis,
  ZAnalysisQuery,
  ZAnalyticsDashboard,
  ZAnalyticsDashboardQuery,
  ZDashboardSummary,
  ZRanking,
  ZRankingQuery,
} from '@huifang/shared';
import { AppError } from '../../lib/app-error.ts';
import { contentDisposition } from '../../lib/export-file.ts';
import { exportAnalysis } from './analysis.export.ts';
import { getRanking } from './analysis-ranking.ts';
import { getAnalysis } from './analysis.service.ts';
import { getAnalyticsDashboard } from './analytics.service.ts';
import { getSummary } from './dashboard.service.ts';

export const dashboardRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/dashboard/summary',
    {
      config: { access: 'dashboard:read' },
      schema: { tags: ['dashboard'], summary: '工作台概览', response: { 200: ZDashboardSummary } },
    },
    async (req) => {
      if (!req.session) throw new AppError('UNAUTHENTICATED');
      return getSummary(app.deps, req.scope(), req.session.timeZone, req.actor().permissions);
    },
  );

  app.get(
    '/analytics/dashboard',
    {
      config: { access: 'dashboard:read' },
      schema: {
        tags: ['dashboard'],
        summary: '驾驶舱: 本期指标、环比、同比、趋势与下级满意度排名',
        querystring: ZAnalyticsDashboardQuery,
        response: { 200: ZAnalyticsDashboard },
      },
    },
    async (req) => getAnalyticsDashboard(app.deps, req.scope(), req.actor().permissions, req.query),
  );

  app.get(
    '/analytics/analysis',
    {
      config: { access: 'evaluation:read' },
      schema: {
        tags: ['dashboard'],
        summary:
          '统计分析: figures of a unit subtree cut by unit, staff, counter, channel, business type, period or survey dimension',
        querystring: ZAnalysisQuery,
        response: { 200: ZAnalysis },
      },
    },
    async (req) => getAnalysis(app.deps, req.scope(), req.actor().permissions, req.query),
  );

  app.get(
    '/analytics/analysis/export',
    {
      config: { access: 'evaluation:read' },
      schema: {
        tags: ['dashboard'],
        summary: '导出统计分析 xlsx (filters written on the sheet), audited',
        querystring: ZAnalysisQuery,
      },
    },
    async (req, reply) => {
      const file = await exportAnalysis(app.deps, req.actor(), req.auditCtx(), req.query);
      return reply
        .header('content-type', file.contentType)
        .header('content-disposition', contentDisposition(file.fileName))
        .send(file.stream);
    },
  );

  app.get(
    '/analytics/ranking',
    {
      config: { access: 'evaluation:read' },
      schema: {
        tags: ['dashboard'],
        summary: '满意度排名 of staff, counters, outlets or branches (worst and best, minimum sample)',
        querystring: ZRankingQuery,
        response: { 200: ZRanking },
      },
    },
    async (req) => getRanking(app.deps, req.scope(), req.query),
  );
};
