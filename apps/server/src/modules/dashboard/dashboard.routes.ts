import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ZAnalyticsDashboard, ZAnalyticsDashboardQuery, ZDashboardSummary } from '@huifang/shared';
import { AppError } from '../../lib/app-error.ts';
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
};
