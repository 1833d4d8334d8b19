import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  ZIdParams,
  ZOk,
  ZPage,
  ZPathExplain,
  ZPathExplainQuery,
  ZPathListQuery,
  ZPathPoint,
  ZPathRunResult,
  ZPathSkipInput,
  ZPathStatusInput,
  ZPathTemplate,
  ZPathTemplateDetail,
  ZPathTemplateInput,
} from '@huifang/shared';
import {
  createPathTemplate,
  explainPath,
  getPathTemplate,
  listPathTemplates,
  listRecentRecords,
  runPathCatchUp,
  setPathStatus,
  updatePathTemplate,
} from './paths.service.ts';
import { getTaskPathPoint, skipPathTask } from './paths.tasks.ts';

const ZTaskPathPoint = z
  .object({ templateId: z.string(), templateName: z.string(), version: z.number(), no: z.number(), point: ZPathPoint })
  .nullable();
const ZRecentRecord = z.object({
  id: z.string(),
  serviceTypeName: z.string(),
  customerName: z.string(),
  occurredAt: z.string(),
  custom: z.record(z.string(), z.unknown()),
  templateName: z.string().nullable(),
});

/** 回访路径 (DESIGN §5 plan templates): templates with versions and matching rules, explain, catch-up run, skip a point. */
export const followupPathRoutes: FastifyPluginAsyncZod = async (app) => {
  const { deps } = app;
  const tags = ['followup'];
  app.get(
    '/followup/paths',
    {
      config: { access: 'followup:read' },
      schema: {
        tags,
        summary: '回访路径模板列表',
        querystring: ZPathListQuery,
        response: { 200: ZPage(ZPathTemplate) },
      },
    },
    async (req) => listPathTemplates(deps, req.scope(), req.query),
  );
  app.post(
    '/followup/paths',
    {
      config: { access: 'followup:manage' },
      schema: {
        tags,
        summary: '新建回访路径 (草稿, 版本 1)',
        body: ZPathTemplateInput,
        response: { 201: ZPathTemplateDetail },
      },
    },
    async (req, reply) => reply.status(201).send(await createPathTemplate(deps, req.scope(), req.auditCtx(), req.body)),
  );
  app.get(
    '/followup/paths/explain',
    {
      config: { access: 'followup:read' },
      schema: {
        tags,
        summary: '服务记录会匹配哪个路径、为什么, 以及会生成的任务 (templateId: 预览该模板)',
        querystring: ZPathExplainQuery,
        response: { 200: ZPathExplain },
      },
    },
    async (req) => explainPath(deps, req.scope(), req.query),
  );
  app.get(
    '/followup/paths/records',
    {
      config: { access: 'followup:read' },
      schema: {
        tags,
        summary: '最近的服务记录 (用于预览)',
        querystring: z.object({ q: z.string().trim().max(100).optional() }),
        response: { 200: z.object({ items: z.array(ZRecentRecord) }) },
      },
    },
    async (req) => ({ items: await listRecentRecords(deps, req.scope(), req.query.q) }),
  );
  app.post(
    '/followup/paths/run',
    {
      config: { access: 'followup:manage' },
      schema: { tags, summary: '补生成: 近期未匹配路径的服务记录 (幂等)', response: { 200: ZPathRunResult } },
    },
    async (req) => runPathCatchUp(deps, { tenantId: req.scope().tenantId }),
  );
  app.get(
    '/followup/paths/:id',
    {
      config: { access: 'followup:read' },
      schema: { tags, summary: '回访路径 (含版本历史)', params: ZIdParams, response: { 200: ZPathTemplateDetail } },
    },
    async (req) => getPathTemplate(deps, req.scope(), req.params.id),
  );
  app.put(
    '/followup/paths/:id',
    {
      config: { access: 'followup:manage' },
      schema: {
        tags,
        summary: '修改回访路径 (已生成任务的版本不改, 另存新版本)',
        params: ZIdParams,
        body: ZPathTemplateInput,
        response: { 200: ZPathTemplateDetail },
      },
    },
    async (req) => updatePathTemplate(deps, req.scope(), req.auditCtx(), req.params.id, req.body),
  );
  app.post(
    '/followup/paths/:id/status',
    {
      config: { access: 'followup:manage' },
      schema: {
        tags,
        summary: '启用 / 停用回访路径',
        params: ZIdParams,
        body: ZPathStatusInput,
        response: { 200: ZPathTemplateDetail },
      },
    },
    async (req) => setPathStatus(deps, req.scope(), req.auditCtx(), req.params.id, req.body.status),
  );
  app.get(
    '/followup/path-tasks/:id',
    {
      config: { access: 'followup:read' },
      schema: {
        tags,
        summary: '任务所属的路径节点 (方式、优先级、可跳过)',
        params: ZIdParams,
        response: { 200: ZTaskPathPoint },
      },
    },
    async (req) => getTaskPathPoint(deps, req.scope(), req.params.id),
  );
  app.post(
    '/followup/path-tasks/:id/skip',
    {
      config: { access: 'followup:work' },
      schema: {
        tags,
        summary: '跳过可跳过的路径节点 (须填原因)',
        params: ZIdParams,
        body: ZPathSkipInput,
        response: { 200: ZOk },
      },
    },
    async (req) => skipPathTask(deps, req.scope(), req.auditCtx(), req.params.id, req.body.reason),
  );
};
