import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ZCloseLoopConfig, ZCloseLoopSettings, ZIdParams, ZTicketCallback } from '@huifang/shared';
import { requireVisibleTicket } from '../appeal/appeal.service.ts';
import { listTicketCallbacks } from './close-loop.service.ts';
import { getCloseLoopSettings, saveCloseLoopSettings } from './close-loop.settings.ts';

/** Close-the-loop settings 回访闭环设置 (系统设置; writes need settings:write, audited) and a ticket's callbacks. */
export const closeLoopRoutes: FastifyPluginAsyncZod = async (app) => {
  const { deps } = app;
  app.get(
    '/settings/close-loop',
    {
      config: { access: 'authenticated' },
      schema: { tags: ['settings'], summary: '回访闭环设置', response: { 200: ZCloseLoopSettings } },
    },
    async (req) => getCloseLoopSettings(deps.db, req.scope().tenantId),
  );
  app.put(
    '/settings/close-loop',
    {
      config: { access: 'settings:write' },
      schema: {
        tags: ['settings'],
        summary: '修改回访闭环设置',
        body: ZCloseLoopConfig.strict(),
        response: { 200: ZCloseLoopSettings },
      },
    },
    async (req) => saveCloseLoopSettings(deps, req.scope(), req.auditCtx(), req.body),
  );
  app.get(
    '/tickets/:id/callbacks',
    {
      config: { access: 'ticket:read' },
      schema: {
        tags: ['tickets'],
        summary: '工单的回访记录',
        params: ZIdParams,
        response: { 200: z.object({ items: z.array(ZTicketCallback) }) },
      },
    },
    async (req) => {
      const t = await requireVisibleTicket(deps.db, req.scope(), req.params.id);
      return { items: await listTicketCallbacks(deps.db, t.tenantId, t.id) };
    },
  );
};
