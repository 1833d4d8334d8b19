import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  ZIdParams,
  ZStaffComplaintFigures,
  ZStaffComplaintQuery,
  ZTicketAppealInput,
  ZTicketAppealState,
  ZTicketFaultDecisionInput,
} from '@huifang/shared';
import { complaintFiguresForStaff, decideFault, fileAppeal, getAppealState } from './appeal.service.ts';

/** 处理结果异议申诉 and the fault decision of the supervision team; complaint figures per staff member. */
export const appealRoutes: FastifyPluginAsyncZod = async (app) => {
  const { deps } = app;
  const tags = ['tickets'];
  app.get(
    '/tickets/:id/appeal',
    {
      config: { access: 'ticket:read' },
      schema: { tags, summary: '工单的异议申诉与责任认定', params: ZIdParams, response: { 200: ZTicketAppealState } },
    },
    async (req) => getAppealState(deps, req.actor(), req.params.id),
  );
  app.post(
    '/tickets/:id/appeal',
    {
      // The staff member's right to dispute a judgement of their service (the same as appealing an evaluation);
      // the service also checks that the ticket is about them.
      config: { access: 'evaluation:appeal' },
      schema: {
        tags,
        summary: '被投诉员工提出异议申诉',
        params: ZIdParams,
        body: ZTicketAppealInput,
        response: { 200: ZTicketAppealState },
      },
    },
    async (req) => fileAppeal(deps, req.actor(), req.auditCtx(), req.params.id, req.body),
  );
  app.post(
    '/tickets/:id/appeal/decision',
    {
      config: { access: 'ticket:supervise' },
      schema: {
        tags,
        summary: '服务监督团队责任认定',
        params: ZIdParams,
        body: ZTicketFaultDecisionInput,
        response: { 200: ZTicketAppealState },
      },
    },
    async (req) => decideFault(deps, req.actor(), req.auditCtx(), req.params.id, req.body),
  );
  app.get(
    '/ticket-figures/staff',
    {
      config: { access: 'ticket:read' },
      schema: {
        tags,
        summary: '员工投诉指标（受理、有责、处理时长、超时）',
        querystring: ZStaffComplaintQuery,
        response: { 200: z.object({ items: z.array(ZStaffComplaintFigures) }) },
      },
    },
    async (req) => ({ items: await complaintFiguresForStaff(deps.db, req.scope(), req.query) }),
  );
};
