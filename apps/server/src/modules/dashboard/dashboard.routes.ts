import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ZDashboardSummary } from '@huifang/shared';
import { AppError } from '../../lib/app-error.ts';
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
};
