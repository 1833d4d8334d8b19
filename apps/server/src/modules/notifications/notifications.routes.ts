import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ZIdParams, ZNotificationList, ZNotificationQuery, ZOk, ZReadAllQuery } from '@huifang/shared';
import { listMyNotifications, markAllRead, markRead } from './notifications.service.ts';

const tags = ['notifications'];

export const notificationRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/notifications',
    {
      config: { access: 'authenticated' },
      schema: {
        tags,
        summary: '我的通知 my notifications and the unread count',
        querystring: ZNotificationQuery,
        response: { 200: ZNotificationList },
      },
    },
    async (req) => {
      const s = req.scope();
      return listMyNotifications(app.deps.db, s.tenantId, s.userId, {
        unreadOnly: req.query.unread === 'true',
        limit: req.query.limit,
        kind: req.query.kind,
      });
    },
  );
  app.post(
    '/notifications/:id/read',
    {
      config: { access: 'authenticated' },
      schema: { tags, summary: 'mark one read', params: ZIdParams, response: { 200: ZOk } },
    },
    async (req) => {
      const s = req.scope();
      await markRead(app.deps.db, s.tenantId, s.userId, req.params.id, app.deps.clock.now());
      return { ok: true as const };
    },
  );
  app.post(
    '/notifications/read-all',
    {
      config: { access: 'authenticated' },
      schema: {
        tags,
        summary: 'mark all mine read (or all mine of one kind)',
        querystring: ZReadAllQuery,
        response: { 200: z.object({ ok: z.literal(true), marked: z.number() }) },
      },
    },
    async (req) => {
      const s = req.scope();
      return {
        ok: true as const,
        marked: await markAllRead(app.deps.db, s.tenantId, s.userId, app.deps.clock.now(), req.query.kind),
      };
    },
  );
};
