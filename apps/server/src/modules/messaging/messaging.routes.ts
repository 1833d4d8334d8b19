import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { maskEmail, ZIdParams, ZOutboxListQuery, ZOutboxMessage, ZOutboxPage, type TOutboxMessage } from '@huifang/shared';
import { AppError, notFound } from '../../lib/app-error.ts';
import { insertAuditEvent } from '../audit/audit.repository.ts';
import { findVisibleMessage, listOutbox, setStatus, type TOutboxRow } from './outbox.repository.ts';

const toDto = (r: TOutboxRow, canReveal: boolean): TOutboxMessage => ({
  id: r.id,
  channel: r.channel as TOutboxMessage['channel'],
  to: canReveal || r.channel !== 'email' ? r.to : maskEmail(r.to),
  subject: r.subject,
  status: r.status as TOutboxMessage['status'],
  attempts: r.attempts,
  lastError: r.lastError,
  createdAt: r.createdAt.toISOString(),
  sendAfter: r.sendAfter.toISOString(),
  sentAt: r.sentAt?.toISOString() ?? null,
  refType: r.refType,
});

/** The admin's outbox page 发件箱: what was sent, what waits, what failed (DESIGN §8). */
export const messagingRoutes: FastifyPluginAsyncZod = async (app) => {
  const { deps } = app;
  const tags = ['messaging'];
  app.get(
    '/outbox',
    { config: { access: 'audit:read' }, schema: { tags, summary: '发件箱 outbound messages', querystring: ZOutboxListQuery, response: { 200: ZOutboxPage } } },
    async (req) => {
      const { rows, total, counts } = await listOutbox(deps.db, req.scope(), req.query);
      const canReveal = req.actor().permissions.has('pii:reveal');
      return { items: rows.map((r) => toDto(r, canReveal)), total, page: req.query.page, pageSize: req.query.pageSize, smtpConfigured: Boolean(deps.config.smtpUrl), counts };
    },
  );
  app.post(
    '/outbox/:id/requeue',
    { config: { access: 'settings:write' }, schema: { tags, summary: '重新发送 requeue a failed message', params: ZIdParams, response: { 200: ZOutboxMessage } } },
    async (req) => {
      const scope = req.scope();
      const now = deps.clock.now();
      const row = await deps.db.transaction(async (tx) => {
        const m = await findVisibleMessage(tx, scope, req.params.id);
        if (!m) throw notFound('message');
        if (m.status !== 'failed') throw new AppError('CONFLICT', 'only failed messages can be requeued', { details: [{ path: 'params.id', message: `status is ${m.status}` }] });
        await setStatus(tx, [m], { status: 'queued', sendAfter: now, attempts: 0 });
        await insertAuditEvent(tx, req.auditCtx(), { action: 'outbox.requeued', entityType: 'outbox_message', entityId: m.id, unitId: m.unitId, summary: '重新发送消息' }, now);
        return { ...m, status: 'queued', sendAfter: now, attempts: 0 };
      });
      await deps.jobs.send('outbox-send', {});
      return toDto(row, req.actor().permissions.has('pii:reveal'));
    },
  );
};
