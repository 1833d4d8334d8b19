import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ZAuditEvent, ZAuditListQuery, ZPage } from '@huifang/shared';
import { notFound } from '../../lib/app-error.ts';
import { findAuditEvent, listAuditEvents } from './audit.repository.ts';

export const auditRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/audit-events',
    {
      config: { access: 'audit:read' },
      schema: {
        tags: ['audit'],
        summary: '审计日志 audit log',
        querystring: ZAuditListQuery,
        response: { 200: ZPage(ZAuditEvent) },
      },
    },
    async (req) => listAuditEvents(app.deps.db, req.scope(), req.query),
  );

  app.get(
    '/audit-events/:id',
    {
      config: { access: 'audit:read' },
      schema: {
        tags: ['audit'],
        params: z.object({ id: z.coerce.number().int().positive() }),
        response: { 200: ZAuditEvent },
      },
    },
    async (req) => {
      const event = await findAuditEvent(app.deps.db, req.scope(), req.params.id);
      if (!event) throw notFound('audit event');
      return event;
    },
  );
};
