import { PassThrough } from 'node:stream';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  ZCounterQueue,
  ZIdempotencyHeaders,
  ZIdParams,
  ZOutletParams,
  ZQueueBoard,
  ZQueueFigures,
  ZQueueFiguresQuery,
  ZQueueLinkParams,
  ZQueueOutlets,
  ZQueuePublicTicket,
  ZQueueSetup,
  ZQueueSetupInput,
  ZQueueTicket,
  ZTakeTicketInput,
  ZTransferInput,
} from '@huifang/shared';
import {
  contentDisposition,
  createSpreadsheet,
  EXPORT_CONTENT_TYPE,
  exportFileName,
  PERCENT_FORMAT,
} from '../../lib/export-file.ts';
import { tenantTimeZone } from '../../lib/time.ts';
import { insertAuditEvent } from '../audit/audit.repository.ts';
import { queueFigures } from './queue-figures.ts';
import { queueLiveRoutes } from './queue-live.routes.ts';
import { callNext, readCounterQueue, recallTicket, skipTicket, transferTicket } from './queue-call.service.ts';
import { getQueueSetup, listQueueOutlets, putQueueSetup } from './queue-setup.service.ts';
import { readBoard, readPublicTicket, takeTicket } from './queue-take.service.ts';

const tags = ['queue'];

/** Public endpoints are limited per link (or ticket) and client address: one door screen must not starve another. */
const perLink = (req: { params: unknown; ip: string }) => {
  const p = req.params as { token?: string; id?: string };
  return `queue:${p.token ?? p.id ?? ''}:${req.ip}`;
};

export const queueRoutes: FastifyPluginAsyncZod = async (app) => {
  const { deps } = app;
  await app.register(queueLiveRoutes);

  // ---- outlet set-up 排队设置 (reads org:read, writes queue:manage) -------------------------------------------------
  app.get(
    '/queue/outlets',
    {
      config: { access: 'org:read' },
      schema: { tags, summary: 'outlets I may set up, and whether their queue is', response: { 200: ZQueueOutlets } },
    },
    async (req) => listQueueOutlets(deps.db, req.scope()),
  );
  app.get(
    '/queue/outlets/:outletId/setup',
    { config: { access: 'org:read' }, schema: { tags, params: ZOutletParams, response: { 200: ZQueueSetup } } },
    async (req) => getQueueSetup(deps.db, req.scope(), req.params.outletId),
  );
  app.put(
    '/queue/outlets/:outletId/setup',
    {
      config: { access: 'queue:manage' },
      schema: {
        tags,
        summary: '业务类型、窗口、营业时间、优先规则 business types, counters, hours, priority rule',
        params: ZOutletParams,
        body: ZQueueSetupInput,
        response: { 200: ZQueueSetup },
      },
    },
    async (req) => putQueueSetup(deps, req.scope(), req.auditCtx(), req.params.outletId, req.body),
  );

  // ---- the counter page: calling 叫号 (counter:serve) ---------------------------------------------------------------
  app.get(
    '/queue/counters/:id',
    {
      // Reads take a read permission (the tellers' evaluation:read); the counter must still be one they serve at.
      config: { access: 'evaluation:read' },
      schema: { tags, summary: "this counter's queue", params: ZIdParams, response: { 200: ZCounterQueue } },
    },
    async (req) => readCounterQueue(deps, req.scope(), req.params.id),
  );
  app.post(
    '/queue/counters/:id/call-next',
    {
      config: { access: 'counter:serve' },
      schema: {
        tags,
        summary: '叫号 call the next number; starts its service',
        params: ZIdParams,
        response: { 200: ZQueueTicket },
      },
    },
    async (req) => callNext(deps, req.scope(), req.params.id),
  );
  app.post(
    '/queue/tickets/:id/recall',
    {
      config: { access: 'counter:serve' },
      schema: { tags, summary: '重呼 call again', params: ZIdParams, response: { 200: ZQueueTicket } },
    },
    async (req) => recallTicket(deps, req.scope(), req.params.id),
  );
  app.post(
    '/queue/tickets/:id/skip',
    {
      config: { access: 'counter:serve' },
      schema: {
        tags,
        summary: '过号 no-show: re-queued once, then final',
        params: ZIdParams,
        response: { 200: ZQueueTicket },
      },
    },
    async (req) => skipTicket(deps, req.scope(), req.params.id),
  );
  app.post(
    '/queue/tickets/:id/transfer',
    {
      config: { access: 'counter:serve' },
      schema: {
        tags,
        summary: '转移 to another business type or counter',
        params: ZIdParams,
        body: ZTransferInput,
        response: { 200: ZQueueTicket },
      },
    },
    async (req) => transferTicket(deps, req.scope(), req.params.id, req.body),
  );

  // ---- figures 排队统计 (evaluation:read, scoped to the outlets the caller sees) -----------------------------------------
  app.get(
    '/queue/figures',
    {
      config: { access: 'evaluation:read' },
      schema: {
        tags,
        summary: '取号/服务/弃号、等候与办理时长 per outlet, type, counter or hour; heat map; rating by wait',
        querystring: ZQueueFiguresQuery,
        response: { 200: ZQueueFigures },
      },
    },
    async (req) =>
      queueFigures(
        deps.db,
        req.scope(),
        req.query,
        await tenantTimeZone(deps.db, req.scope().tenantId),
        deps.clock.now(),
      ),
  );
  app.get(
    '/queue/figures.xlsx',
    {
      config: { access: 'evaluation:read' },
      schema: { tags, summary: 'the same figures as xlsx (audited)', querystring: ZQueueFiguresQuery },
    },
    async (req, reply) => {
      const scope = req.scope();
      const timeZone = await tenantTimeZone(deps.db, scope.tenantId);
      const now = deps.clock.now();
      // Computed before the response starts: a failing query is a JSON error, never half a file.
      const f = await queueFigures(deps.db, scope, req.query, timeZone, now);
      await insertAuditEvent(
        deps.db,
        req.auditCtx(),
        {
          action: 'queue.figures_exported',
          entityType: 'queue_figures',
          entityId: null,
          unitId: scope.unitId,
          summary: `导出排队统计（${f.rows.length} 行）`,
          after: { filters: req.query },
        },
        now,
      );
      const out = new PassThrough();
      const file = createSpreadsheet(out, 'xlsx', timeZone);
      const min = (s: number | null) => (s === null ? null : Math.round(s / 6) / 10);
      const rows = file.addSheet('排队统计', [
        { header: '分组' },
        ...['取号', '服务', '弃号', '平均等候(分)', 'P90等候(分)', '平均办理(分)', 'P90办理(分)'].map((header) => ({
          header,
        })),
      ]);
      for (const r of f.rows)
        rows.addRow([
          r.label,
          r.taken,
          r.served,
          r.abandoned,
          min(r.avgWaitSeconds),
          min(r.p90WaitSeconds),
          min(r.avgHandlingSeconds),
          min(r.p90HandlingSeconds),
        ]);
      const heat = file.addSheet('时段热力图', [
        { header: '星期' },
        { header: '时' },
        { header: '取号' },
        { header: '平均等候(分)' },
      ]);
      for (const h of f.heatmap) heat.addRow([h.weekday, h.hour, h.taken, min(h.avgWaitSeconds)]);
      const bands = file.addSheet('等候与满意度', [
        { header: '等候(分钟)' },
        { header: '已评价' },
        { header: '平均分' },
        { header: '满意率', numFmt: PERCENT_FORMAT },
      ]);
      for (const b of f.waitBands) bands.addRow([b.band, b.rated, b.avgScore, b.satisfaction]);
      void file.finish().catch((err: unknown) => out.destroy(err instanceof Error ? err : new Error(String(err))));
      return reply
        .header('content-type', EXPORT_CONTENT_TYPE.xlsx)
        .header('content-disposition', contentDisposition(exportFileName('queue-figures', now, timeZone, 'xlsx')))
        .send(out);
    },
  );

  // ---- public: take a number 取号 (touch screen at the door, phone page by QR code) --------------------------------
  app.get(
    '/queue/take/:token',
    {
      config: { access: 'public', rateLimit: { max: 240, timeWindow: '1 minute', keyGenerator: perLink } },
      schema: {
        tags,
        summary: "the outlet's business types and queues",
        params: ZQueueLinkParams,
        response: { 200: ZQueueBoard },
      },
    },
    async (req) => readBoard(deps, req.params.token),
  );
  app.post(
    '/queue/take/:token/tickets',
    {
      config: { access: 'public', rateLimit: { max: 60, timeWindow: '1 minute', keyGenerator: perLink } },
      schema: {
        tags,
        summary: '取号 take a number (Idempotency-Key required)',
        params: ZQueueLinkParams,
        headers: ZIdempotencyHeaders,
        body: ZTakeTicketInput,
        response: { 200: ZQueuePublicTicket },
      },
    },
    async (req) => takeTicket(deps, req.params.token, req.body, req.headers['idempotency-key']),
  );
  app.get(
    '/queue/tickets/:id/public',
    {
      config: { access: 'public', rateLimit: { max: 240, timeWindow: '1 minute', keyGenerator: perLink } },
      schema: {
        tags,
        summary: 'my ticket: people ahead, called to which counter',
        params: ZIdParams,
        response: { 200: ZQueuePublicTicket },
      },
    },
    async (req) => readPublicTicket(deps, req.params.id),
  );
};
