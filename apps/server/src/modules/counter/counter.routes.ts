import { PassThrough } from 'node:stream';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  ZCounterContext,
  ZIdParams,
  ZPage,
  ZPotentialCustomerFlag,
  ZPotentialCustomerInput,
  ZServiceSession,
  ZSessionListQuery,
  ZSessionReport,
  ZSessionReportQuery,
  ZStartSessionInput,
  ZTopMarkOutliers,
  type TSessionReportQuery,
} from '@huifang/shared';
import { notFound } from '../../lib/app-error.ts';
import {
  contentDisposition,
  createSpreadsheet,
  EXPORT_CONTENT_TYPE,
  exportFileName,
  localDay,
  PERCENT_FORMAT,
} from '../../lib/export-file.ts';
import { tenantTimeZone } from '../../lib/time.ts';
import { endSession, getCounterContext, startSession } from './counter.service.ts';
import { flagPotentialCustomer } from './potential-customer.service.ts';
import { findSession, listSessions, sessionReport, topMarkOutliers } from './sessions.repository.ts';

const tags = ['counter'];

const GROUP_TITLE: Record<TSessionReportQuery['groupBy'], string> = { outlet: '网点', staff: '员工', day: '日期' };

export const counterRoutes: FastifyPluginAsyncZod = async (app) => {
  const { deps } = app;

  // ---- teller side 柜员端 (counter:serve) -------------------------------------------------------------------------
  app.get(
    '/counter/context',
    {
      config: { access: 'authenticated' },
      schema: { tags, summary: 'my counters, business types, open session, today', response: { 200: ZCounterContext } },
    },
    async (req) => getCounterContext(deps, req.scope()),
  );
  app.post(
    '/counter/sessions',
    {
      config: { access: 'counter:serve' },
      schema: {
        tags,
        summary: '开始服务 start serving a customer',
        body: ZStartSessionInput,
        response: { 200: ZServiceSession },
      },
    },
    async (req) => startSession(deps, req.scope(), req.body),
  );
  app.post(
    '/counter/sessions/:id/end',
    {
      config: { access: 'counter:serve' },
      schema: {
        tags,
        summary: '结束服务 end it; the kiosk prompts for a rating',
        params: ZIdParams,
        response: { 200: ZServiceSession },
      },
    },
    async (req) => endSession(deps, req.scope(), req.params.id),
  );
  app.post(
    '/counter/sessions/:id/potential-customer',
    {
      config: { access: 'counter:serve' },
      schema: {
        tags,
        summary: '潜力客户 flag the customer of my service: SMS to the outlet head, follow-up task (once per session)',
        params: ZIdParams,
        body: ZPotentialCustomerInput,
        response: { 200: ZPotentialCustomerFlag },
      },
    },
    async (req) => flagPotentialCustomer(deps, req.scope(), req.auditCtx(), req.params.id, req.body),
  );

  // ---- sessions and the report (evaluation:read, scoped) ---------------------------------------------------------
  app.get(
    '/service-sessions',
    {
      config: { access: 'evaluation:read' },
      schema: {
        tags,
        summary: '服务记录 service sessions',
        querystring: ZSessionListQuery,
        response: { 200: ZPage(ZServiceSession) },
      },
    },
    async (req) => listSessions(deps.db, req.scope(), req.query),
  );
  app.get(
    '/service-sessions/report',
    {
      config: { access: 'evaluation:read' },
      schema: {
        tags,
        summary: '客流量/办理时长/满意度 per outlet, staff or day',
        querystring: ZSessionReportQuery,
        response: { 200: ZSessionReport },
      },
    },
    async (req) => sessionReport(deps.db, req.scope(), req.query, await tenantTimeZone(deps.db, req.scope().tenantId)),
  );
  app.get(
    '/service-sessions/report.xlsx',
    {
      config: { access: 'evaluation:read' },
      schema: { tags, summary: 'the same report as xlsx', querystring: ZSessionReportQuery },
    },
    async (req, reply) => {
      const timeZone = await tenantTimeZone(deps.db, req.scope().tenantId);
      // Computed before the response starts: a failing query is a JSON error, never half a file.
      const report = await sessionReport(deps.db, req.scope(), req.query, timeZone);
      const out = new PassThrough();
      const file = createSpreadsheet(out, 'xlsx', timeZone);
      const ws = file.addSheet('服务统计', [
        { header: GROUP_TITLE[req.query.groupBy] },
        ...['服务笔数', '平均办理时长(秒)', '已评价', '未评价', '平均分'].map((header) => ({ header })),
        { header: '满意率', numFmt: PERCENT_FORMAT },
        { header: '不满意' },
      ]);
      for (const r of report.rows) {
        const label = req.query.groupBy === 'day' ? localDay(r.label) : r.label;
        ws.addRow([
          label,
          r.sessions,
          r.avgHandlingSeconds,
          r.rated,
          r.unrated,
          r.avgScore,
          r.satisfaction === null ? null : Number((r.satisfaction * 100).toFixed(2)) / 100,
          r.unsatisfied,
        ]);
      }
      void file.finish().catch((err: unknown) => out.destroy(err instanceof Error ? err : new Error(String(err))));
      return reply
        .header('content-type', EXPORT_CONTENT_TYPE.xlsx)
        .header(
          'content-disposition',
          contentDisposition(
            exportFileName(`service-sessions-${req.query.groupBy}`, deps.clock.now(), timeZone, 'xlsx'),
          ),
        )
        .send(out);
    },
  );
  app.get(
    '/service-sessions/outliers',
    {
      config: { access: 'evaluation:read' },
      schema: {
        tags,
        summary: '好评率异常 staff whose top-mark share is an outlier (30 days)',
        response: { 200: ZTopMarkOutliers },
      },
    },
    async (req) =>
      topMarkOutliers(deps.db, req.scope(), deps.clock.now(), await tenantTimeZone(deps.db, req.scope().tenantId)),
  );
  app.get(
    '/service-sessions/:id',
    { config: { access: 'evaluation:read' }, schema: { tags, params: ZIdParams, response: { 200: ZServiceSession } } },
    async (req) => {
      const s = await findSession(deps.db, req.scope(), req.params.id);
      if (!s) throw notFound('service session');
      return s;
    },
  );
};
