import { PassThrough } from 'node:stream';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  ZAbsence,
  ZAbsenceInput,
  ZAttemptInput,
  ZBulkTaskActionInput,
  ZBulkTaskActionResult,
  ZCreatePlanInput,
  ZFollowupPlan,
  ZIdParams,
  ZKpiQuery,
  ZKpis,
  ZMethod,
  ZMethodInput,
  ZOk,
  ZPage,
  ZPlanListQuery,
  ZPlanPreview,
  ZPlanStatusInput,
  ZReassignInput,
  ZReassignResult,
  ZTask,
  ZTaskActionInput,
  ZTaskDetail,
  ZTaskListQuery,
  ZTaskSummary,
  ZUpdatePlanInput,
} from '@huifang/shared';
import { createAbsence, listAbsences, listWorkers } from './tasks/absences.ts';
import { computeKpis, writeKpisWorkbook } from './figures/kpis.ts';
import {
  addMethod,
  createPlan,
  getPlan,
  listMethods,
  listPlans,
  previewPlan,
  setPlanStatus,
  updatePlan,
} from './plans/plans.service.ts';
import { runFollowupRules } from './rules/rules.ts';
import {
  bulkChangeTaskState,
  changeTaskState,
  claimTask,
  getTask,
  listTasks,
  reassignTasks,
  recordAttempt,
  releaseTask,
  revealTaskPhone,
  summarizeTasks,
} from './tasks/tasks.service.ts';
import { contentDisposition, EXPORT_CONTENT_TYPE, exportFileName } from '../../lib/export-file.ts';
import { tenantTimeZone } from '../../lib/time.ts';

/** 回访 (DESIGN §5): plans, rules, tasks, attempts, workbench, supervisor view, KPIs. */
export const followupRoutes: FastifyPluginAsyncZod = async (app) => {
  const { deps } = app;
  const tags = ['followup'];

  app.get(
    '/followup/methods',
    {
      config: { access: 'followup:read' },
      schema: { tags, summary: '回访方式 (字典)', response: { 200: z.object({ items: z.array(ZMethod) }) } },
    },
    async (req) => ({
      items: await listMethods(deps.db, req.scope().tenantId),
    }),
  );
  app.post(
    '/followup/methods',
    {
      config: { access: 'followup:manage' },
      schema: { tags, summary: '新增回访方式', body: ZMethodInput, response: { 201: ZMethod } },
    },
    async (req, reply) => reply.status(201).send(await addMethod(deps, req.scope(), req.auditCtx(), req.body)),
  );
  app.get(
    '/followup/workers',
    {
      config: { access: 'followup:read' },
      schema: {
        tags,
        summary: '可分配的回访员',
        response: {
          200: z.object({
            items: z.array(z.object({ id: z.string(), displayName: z.string(), unitName: z.string() })),
          }),
        },
      },
    },
    async (req) => ({
      items: await listWorkers(deps.db, req.scope()),
    }),
  );

  // Plans 回访计划
  app.get(
    '/followup/plans',
    {
      config: { access: 'followup:read' },
      schema: { tags, summary: '回访计划列表', querystring: ZPlanListQuery, response: { 200: ZPage(ZFollowupPlan) } },
    },
    async (req) => listPlans(deps, req.scope(), req.query),
  );
  app.post(
    '/followup/plans',
    {
      config: { access: 'followup:manage' },
      schema: { tags, summary: '新建回访计划 (草稿)', body: ZCreatePlanInput, response: { 201: ZFollowupPlan } },
    },
    async (req, reply) => reply.status(201).send(await createPlan(deps, req.scope(), req.auditCtx(), req.body)),
  );
  app.get(
    '/followup/plans/:id',
    {
      config: { access: 'followup:read' },
      schema: { tags, summary: '回访计划', params: ZIdParams, response: { 200: ZFollowupPlan } },
    },
    async (req) => getPlan(deps, req.scope(), req.params.id),
  );
  app.put(
    '/followup/plans/:id',
    {
      config: { access: 'followup:manage' },
      schema: {
        tags,
        summary: '修改回访计划 (草稿或暂停中)',
        params: ZIdParams,
        body: ZUpdatePlanInput,
        response: { 200: ZFollowupPlan },
      },
    },
    async (req) => updatePlan(deps, req.scope(), req.auditCtx(), req.params.id, req.body),
  );
  app.get(
    '/followup/plans/:id/preview',
    {
      config: { access: 'followup:read' },
      schema: {
        tags,
        summary: '预览: 激活将生成多少任务, 联系策略排除多少 (按原因)',
        params: ZIdParams,
        response: { 200: ZPlanPreview },
      },
    },
    async (req) => previewPlan(deps, req.scope(), req.params.id),
  );
  app.post(
    '/followup/plans/:id/status',
    {
      config: { access: 'followup:manage' },
      schema: {
        tags,
        summary: '激活 / 暂停 / 结束计划 (激活即生成任务)',
        params: ZIdParams,
        body: ZPlanStatusInput,
        response: { 200: z.object({ plan: ZFollowupPlan, created: z.number() }) },
      },
    },
    async (req) => {
      const res = await setPlanStatus(deps, req.scope(), req.auditCtx(), req.params.id, req.body.status);
      // An automatic SMS / e-mail plan sends its due tasks now, not at the next 5-minute run (idempotent either way).
      if (req.body.status === 'active') await deps.jobs.send('followup-auto-send', { tenantId: req.scope().tenantId });
      return res;
    },
  );
  app.post(
    '/followup/rules/run',
    {
      config: { access: 'followup:manage' },
      schema: {
        tags,
        summary: '立即运行规则 (今天的批次; 幂等)',
        response: { 200: z.object({ plans: z.number(), created: z.number() }) },
      },
    },
    async (req) => runFollowupRules(deps, { tenantId: req.scope().tenantId }),
  );

  // Tasks 回访任务
  app.get(
    '/followup/tasks',
    {
      config: { access: 'followup:read' },
      schema: {
        tags,
        summary: '回访任务 (我的 / 范围内)',
        querystring: ZTaskListQuery,
        response: { 200: ZPage(ZTask) },
      },
    },
    async (req) => listTasks(deps, req.scope(), req.query),
  );
  app.get(
    '/followup/tasks/summary',
    {
      config: { access: 'followup:read' },
      schema: {
        tags,
        summary: '任务统计: 按状态、按负责人 (与列表同样的筛选)',
        querystring: ZTaskListQuery,
        response: { 200: ZTaskSummary },
      },
    },
    async (req) => summarizeTasks(deps, req.scope(), req.query),
  );
  app.get(
    '/followup/tasks/:id',
    {
      config: { access: 'followup:read' },
      schema: {
        tags,
        summary: '任务详情 (客户卡片、话术、记录、日志)',
        params: ZIdParams,
        response: { 200: ZTaskDetail },
      },
    },
    async (req) => getTask(deps, req.actor(), req.params.id),
  );
  app.post(
    '/followup/tasks/:id/claim',
    {
      config: { access: 'followup:work' },
      schema: { tags, summary: '领取任务 (并发时只有一人成功, 其余 409)', params: ZIdParams, response: { 200: ZOk } },
    },
    async (req) => claimTask(deps, req.scope(), req.params.id),
  );
  app.post(
    '/followup/tasks/:id/release',
    {
      config: { access: 'followup:work' },
      schema: { tags, summary: '放回任务', params: ZIdParams, response: { 200: ZOk } },
    },
    async (req) => releaseTask(deps, req.scope(), req.params.id),
  );
  app.post(
    '/followup/tasks/:id/attempts',
    {
      config: { access: 'followup:work' },
      schema: {
        tags,
        summary: '记录一次联系 (结果、满意度、问卷、异常、下次回访)',
        params: ZIdParams,
        body: ZAttemptInput,
        response: {
          201: z.object({
            state: z.string(),
            attemptId: z.string(),
            evaluationId: z.string().nullable(),
            nextTaskCreated: z.boolean(),
          }),
        },
      },
    },
    async (req, reply) =>
      reply.status(201).send(await recordAttempt(deps, req.actor(), req.auditCtx(), req.params.id, req.body)),
  );
  app.post(
    '/followup/tasks/:id/reveal-phone',
    {
      config: { access: 'followup:work' },
      schema: {
        tags,
        summary: '查看客户完整电话以拨打 (本人任务; audited)',
        params: ZIdParams,
        body: z.object({ index: z.number().int().min(0).max(9).default(0) }),
        response: { 200: z.object({ field: z.literal('phone'), value: z.string().nullable() }) },
      },
    },
    async (req) => revealTaskPhone(deps, req.scope(), req.auditCtx(), req.params.id, req.body.index),
  );
  app.post(
    '/followup/tasks/reassign',
    {
      config: { access: 'followup:manage' },
      schema: { tags, summary: '批量转派', body: ZReassignInput, response: { 200: ZReassignResult } },
    },
    async (req) => reassignTasks(deps, req.scope(), req.auditCtx(), req.body),
  );
  app.post(
    '/followup/tasks/bulk-cancel',
    {
      config: { access: 'followup:manage' },
      schema: {
        tags,
        summary: `批量取消 (≤500; 全部成功或全部不变: 范围外 404, 状态不允许 409 并列出)`,
        body: ZBulkTaskActionInput,
        response: { 200: ZBulkTaskActionResult },
      },
    },
    async (req) => bulkChangeTaskState(deps, req.scope(), req.auditCtx(), 'cancel', req.body),
  );
  app.post(
    '/followup/tasks/bulk-reopen',
    {
      config: { access: 'followup:manage' },
      schema: {
        tags,
        summary: `批量重新打开 (≤500; 全部成功或全部不变)`,
        body: ZBulkTaskActionInput,
        response: { 200: ZBulkTaskActionResult },
      },
    },
    async (req) => bulkChangeTaskState(deps, req.scope(), req.auditCtx(), 'reopen', req.body),
  );
  app.post(
    '/followup/tasks/:id/cancel',
    {
      config: { access: 'followup:manage' },
      schema: { tags, summary: '取消任务', params: ZIdParams, body: ZTaskActionInput, response: { 200: ZOk } },
    },
    async (req) => changeTaskState(deps, req.scope(), req.auditCtx(), req.params.id, 'cancel', req.body.reason ?? null),
  );
  app.post(
    '/followup/tasks/:id/reopen',
    {
      config: { access: 'followup:manage' },
      schema: { tags, summary: '重新打开任务', params: ZIdParams, body: ZTaskActionInput, response: { 200: ZOk } },
    },
    async (req) => changeTaskState(deps, req.scope(), req.auditCtx(), req.params.id, 'reopen', req.body.reason ?? null),
  );

  // KPIs, absences
  app.get(
    '/followup/kpis',
    {
      config: { access: 'followup:read' },
      schema: {
        tags,
        summary: '回访指标 (覆盖率、接通率、完成率、按时率、满意度)',
        querystring: ZKpiQuery,
        response: { 200: ZKpis },
      },
    },
    async (req) => computeKpis(deps, req.scope(), req.query),
  );
  app.get(
    '/followup/kpis/export',
    { config: { access: 'followup:read' }, schema: { tags, summary: '导出回访指标 xlsx', querystring: ZKpiQuery } },
    async (req, reply) => {
      const kpis = await computeKpis(deps, req.scope(), req.query); // before the response starts: an error stays JSON
      const timeZone = await tenantTimeZone(deps.db, req.scope().tenantId);
      const out = new PassThrough();
      writeKpisWorkbook(out, kpis, timeZone).catch((err: unknown) =>
        out.destroy(err instanceof Error ? err : new Error(String(err))),
      );
      return reply
        .header('content-type', EXPORT_CONTENT_TYPE.xlsx)
        .header(
          'content-disposition',
          contentDisposition(exportFileName('followup-kpis', deps.clock.now(), timeZone, 'xlsx')),
        )
        .send(out);
    },
  );
  app.get(
    '/followup/absences',
    {
      config: { access: 'followup:read' },
      schema: { tags, summary: '缺勤与代理人', response: { 200: z.object({ items: z.array(ZAbsence) }) } },
    },
    async (req) => ({
      items: await listAbsences(deps.db, req.scope()),
    }),
  );
  app.post(
    '/followup/absences',
    {
      config: { access: 'followup:manage' },
      schema: { tags, summary: '登记缺勤 (代理人接收新任务)', body: ZAbsenceInput, response: { 201: ZAbsence } },
    },
    async (req, reply) => reply.status(201).send(await createAbsence(deps, req.scope(), req.auditCtx(), req.body)),
  );
};
