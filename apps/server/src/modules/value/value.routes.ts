import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  ZChurnWarning,
  ZChurnWarningQuery,
  ZCustomerValueHistory,
  ZExpertScoresInput,
  ZId,
  ZIdParams,
  ZOk,
  ZPage,
  ZPreviewInput,
  ZPreviewRow,
  ZRunComparison,
  ZStarOverrideInput,
  ZValueConfig,
  ZValueModelVersion,
  ZValueRun,
} from '@huifang/shared';
import {
  compareValueRuns,
  customerValue,
  getValueConfig,
  getValueRun,
  listChurnWarnings,
  listValueRuns,
  listValueVersions,
  previewValueConfig,
  saveValueConfig,
  setExpertScores,
  setStarOverride,
  startValueRun,
} from './value.service.ts';

/** Customer value 客户分级 (DESIGN §3): models, recompute runs, a customer's values, churn warnings. */
export const valueRoutes: FastifyPluginAsyncZod = async (app) => {
  const { deps } = app;
  const tags = ['value'];
  const ZConfigOut = z.object({ version: z.number().int(), config: ZValueConfig });

  app.get(
    '/value/config',
    { config: { access: 'customer:read' }, schema: { tags, summary: '当前分级模型', response: { 200: ZConfigOut } } },
    async (req) => getValueConfig(deps, req.scope()),
  );
  app.put(
    '/value/config',
    {
      config: { access: 'value:manage' },
      schema: { tags, summary: '保存分级模型 (新版本)', body: ZValueConfig, response: { 200: ZConfigOut } },
    },
    async (req) => saveValueConfig(deps, req.scope(), req.auditCtx(), req.body),
  );
  app.get(
    '/value/config/versions',
    {
      config: { access: 'customer:read' },
      schema: { tags, summary: '模型版本', response: { 200: z.object({ items: z.array(ZValueModelVersion) }) } },
    },
    async (req) => ({ items: await listValueVersions(deps, req.scope()) }),
  );
  app.post(
    '/value/preview',
    {
      config: { access: 'value:manage' },
      schema: {
        tags,
        summary: '模型预览 (样本客户)',
        body: ZPreviewInput,
        response: { 200: z.object({ items: z.array(ZPreviewRow) }) },
      },
    },
    async (req) => ({ items: await previewValueConfig(deps, req.scope(), req.body.config, req.body.sampleSize) }),
  );
  app.post(
    '/value/runs',
    {
      config: { access: 'value:manage' },
      schema: { tags, summary: '重新计算 (全租户, 后台任务)', response: { 202: ZValueRun } },
    },
    async (req, reply) => reply.status(202).send(await startValueRun(deps, req.scope(), req.auditCtx())),
  );
  app.get(
    '/value/runs',
    {
      config: { access: 'customer:read' },
      schema: { tags, summary: '计算记录', response: { 200: z.object({ items: z.array(ZValueRun) }) } },
    },
    async (req) => ({ items: await listValueRuns(deps, req.scope()) }),
  );
  app.get(
    '/value/runs/compare',
    {
      config: { access: 'customer:read' },
      schema: {
        tags,
        summary: '两次计算对比 (升/降)',
        querystring: z.object({ from: ZId, to: ZId }),
        response: { 200: ZRunComparison },
      },
    },
    async (req) => compareValueRuns(deps, req.scope(), req.query.from, req.query.to),
  );
  app.get(
    '/value/runs/:id',
    {
      config: { access: 'customer:read' },
      schema: { tags, summary: '计算进度', params: ZIdParams, response: { 200: ZValueRun } },
    },
    async (req) => getValueRun(deps, req.scope(), req.params.id),
  );
  app.get(
    '/customers/:id/value',
    {
      config: { access: 'customer:read' },
      schema: { tags, summary: '客户价值与得分明细', params: ZIdParams, response: { 200: ZCustomerValueHistory } },
    },
    async (req) => customerValue(deps, req.scope(), req.params.id),
  );
  app.put(
    '/customers/:id/value/stars',
    {
      config: { access: 'value:manage' },
      schema: {
        tags,
        summary: '手工设定服务星级 (须填原因)',
        params: ZIdParams,
        body: ZStarOverrideInput,
        response: { 200: ZCustomerValueHistory },
      },
    },
    async (req) => setStarOverride(deps, req.scope(), req.auditCtx(), req.params.id, req.body),
  );
  app.put(
    '/customers/:id/value/expert-scores',
    {
      config: { access: 'value:manage' },
      schema: { tags, summary: '大客户评价打分', params: ZIdParams, body: ZExpertScoresInput, response: { 200: ZOk } },
    },
    async (req) => setExpertScores(deps, req.scope(), req.auditCtx(), req.params.id, req.body),
  );
  app.get(
    '/value/churn-warnings',
    {
      config: { access: 'customer:read' },
      schema: { tags, summary: '流失预警', querystring: ZChurnWarningQuery, response: { 200: ZPage(ZChurnWarning) } },
    },
    async (req) => listChurnWarnings(deps, req.scope(), req.query),
  );
};
