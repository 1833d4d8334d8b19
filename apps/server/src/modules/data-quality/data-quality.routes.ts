import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ZDataQualitySettings, ZDataQualitySummary, ZDuplicateGroup, ZMergeInput } from '@huifang/shared';
import { findDuplicates, getSettings, getSummary, mergeCustomers, saveSettings } from './data-quality.service.ts';

export const dataQualityRoutes: FastifyPluginAsyncZod = async (app) => {
  const { deps } = app;
  const tags = ['data-quality'];
  app.get(
    '/data-quality/summary',
    {
      config: { access: 'customer:read' },
      schema: {
        tags,
        summary: '数据质量概览 (valid rule, completeness, invalid phones, what to fix)',
        response: { 200: ZDataQualitySummary },
      },
    },
    async (req) => getSummary(deps, req.scope()),
  );
  app.get(
    '/data-quality/duplicates',
    {
      config: { access: 'customer:read' },
      schema: { tags, summary: '疑似重复客户', response: { 200: z.object({ items: z.array(ZDuplicateGroup) }) } },
    },
    async (req) => ({ items: await findDuplicates(deps, req.scope()) }),
  );
  app.get(
    '/data-quality/settings',
    {
      config: { access: 'customer:read' },
      schema: { tags, summary: '有效客户规则与完整度字段', response: { 200: ZDataQualitySettings } },
    },
    async (req) => getSettings(deps.db, req.scope().tenantId),
  );
  app.put(
    '/data-quality/settings',
    {
      config: { access: 'settings:write' },
      schema: {
        tags,
        summary: '修改有效客户规则与完整度字段',
        body: ZDataQualitySettings,
        response: { 200: ZDataQualitySettings },
      },
    },
    async (req) => saveSettings(deps, req.scope(), req.auditCtx(), req.body),
  );
  app.post(
    '/customers/merge',
    {
      config: { access: 'customer:write' },
      schema: {
        tags,
        summary: '合并重复客户 (keeps both histories)',
        body: ZMergeInput,
        response: { 200: z.object({ keepId: z.string(), merged: z.number().int() }) },
      },
    },
    async (req) => mergeCustomers(deps, req.scope(), req.auditCtx(), req.body.keepId, req.body.mergeIds),
  );
};
