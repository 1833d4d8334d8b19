import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ZIdParams, ZPlanMessageStats } from '@huifang/shared';
import { notFound } from '../../../lib/app-error.ts';
import { planMessageStats } from '../plans/plan-messages.ts';
import { findVisiblePlan } from '../plans/plans.service.ts';

/** Automatic plan messages 自动发送: their figures beside the plan's KPIs. */
export const autoSendRoutes: FastifyPluginAsyncZod = async (app) => {
  const { deps } = app;
  app.get(
    '/followup/plans/:id/message-stats',
    {
      config: { access: 'followup:read' },
      schema: {
        tags: ['followup'],
        summary: '自动发送统计 messages of the plan by outcome',
        params: ZIdParams,
        response: { 200: ZPlanMessageStats },
      },
    },
    async (req) => {
      const scope = req.scope();
      if (!(await findVisiblePlan(deps.db, scope, req.params.id))) throw notFound('plan');
      return planMessageStats(deps.db, scope.tenantId, req.params.id);
    },
  );
};
