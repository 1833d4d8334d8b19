import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  ZIdParams,
  ZReportDelivery,
  ZReportSchedule,
  ZReportScheduleInput,
  ZReportSendResult,
  ZReportSummary,
  ZReportSummaryQuery,
  ZStaffPerformance,
  ZStaffPerformanceQuery,
} from '@huifang/shared';
import { shapeSerializer } from '../../lib/hot-path.ts';
import { contentDisposition, EXPORT_CONTENT_TYPE } from '../../lib/export-file.ts';
import { exportStaffPerformance, getReportSummary, getStaffPerformance } from './reports.service.ts';
import {
  createReportSchedule,
  deleteReportSchedule,
  getScheduleDeliveries,
  listReportSchedules,
  sendScheduleNow,
  updateReportSchedule,
} from './schedules.service.ts';

const tags = ['reports'];

/** Reports 报表: staff performance 员工绩效 (+ xlsx), the printable report 报表打印, scheduled reports 定时报表. */
export const reportRoutes: FastifyPluginAsyncZod = async (app) => {
  const { deps } = app;

  app.get(
    '/reports/staff-performance',
    {
      config: { access: 'evaluation:read' },
      // 2,000 rows for HQ: written by the schema's shape, without zod's parse of the whole response (lib/hot-path.ts).
      serializerCompiler: shapeSerializer(ZStaffPerformance),
      schema: {
        tags,
        summary: '员工绩效: per staff member of the unit (in the caller’s scope) over local days [from, to]',
        querystring: ZStaffPerformanceQuery,
        response: { 200: ZStaffPerformance },
      },
    },
    async (req) => getStaffPerformance(deps, req.scope(), req.query),
  );
  app.get(
    '/reports/staff-performance/export',
    {
      config: { access: 'evaluation:read' },
      schema: {
        tags,
        summary: '导出员工绩效 xlsx (filters on the sheet; audited)',
        querystring: ZStaffPerformanceQuery,
      },
    },
    async (req, reply) => {
      const file = await exportStaffPerformance(deps, req.actor(), req.auditCtx(), req.query);
      return reply
        .header('content-type', EXPORT_CONTENT_TYPE.xlsx)
        .header('content-disposition', contentDisposition(file.fileName))
        .send(file.content);
    },
  );
  app.get(
    '/reports/summary',
    {
      config: { access: 'dashboard:read' },
      schema: {
        tags,
        summary: '报表打印: the 驾驶舱 of a unit for a period, and its staff performance',
        querystring: ZReportSummaryQuery,
        response: { 200: ZReportSummary },
      },
    },
    async (req) => getReportSummary(deps, req.scope(), req.actor().permissions, req.query),
  );

  app.get(
    '/report-schedules',
    {
      config: { access: 'report:read' },
      schema: { tags, summary: '定时报表列表', response: { 200: z.object({ items: z.array(ZReportSchedule) }) } },
    },
    async (req) => ({ items: await listReportSchedules(deps, req.scope()) }),
  );
  app.post(
    '/report-schedules',
    {
      config: { access: 'report:manage' },
      schema: { tags, summary: '新建定时报表', body: ZReportScheduleInput, response: { 201: ZReportSchedule } },
    },
    async (req, reply) => reply.code(201).send(await createReportSchedule(deps, req.actor(), req.auditCtx(), req.body)),
  );
  app.put(
    '/report-schedules/:id',
    {
      config: { access: 'report:manage' },
      schema: {
        tags,
        summary: '修改定时报表',
        params: ZIdParams,
        body: ZReportScheduleInput,
        response: { 200: ZReportSchedule },
      },
    },
    async (req) => updateReportSchedule(deps, req.actor(), req.auditCtx(), req.params.id, req.body),
  );
  app.delete(
    '/report-schedules/:id',
    {
      config: { access: 'report:manage' },
      schema: { tags, summary: '删除定时报表', params: ZIdParams },
    },
    async (req, reply) => {
      await deleteReportSchedule(deps, req.actor(), req.auditCtx(), req.params.id);
      return reply.code(204).send();
    },
  );
  app.get(
    '/report-schedules/:id/deliveries',
    {
      config: { access: 'report:read' },
      schema: {
        tags,
        summary: '发送记录 (newest first)',
        params: ZIdParams,
        response: { 200: z.object({ items: z.array(ZReportDelivery) }) },
      },
    },
    async (req) => ({ items: await getScheduleDeliveries(deps, req.scope(), req.params.id) }),
  );
  app.post(
    '/report-schedules/:id/send',
    {
      config: { access: 'report:manage' },
      schema: {
        tags,
        summary: '立即发送 (the period just past; once per recipient)',
        params: ZIdParams,
        response: { 200: ZReportSendResult },
      },
    },
    async (req) => ({ deliveries: await sendScheduleNow(deps, req.actor(), req.auditCtx(), req.params.id) }),
  );
};
