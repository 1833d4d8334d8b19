import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  DICTIONARIES,
  ZCreateCustomFieldInput,
  ZCreateServiceTypeInput,
  ZCustomFieldDef,
  ZDictionaryItem,
  ZServiceType,
} from '@huifang/shared';
import { policyRoutes } from './policy.routes.ts';
import {
  createCustomField,
  createServiceType,
  listCustomFields,
  listDictionary,
  listServiceTypes,
} from './settings.service.ts';

export const settingsRoutes: FastifyPluginAsyncZod = async (app) => {
  const { deps } = app;
  const tags = ['settings'];
  await app.register(policyRoutes);
  app.get(
    '/dictionaries/:dict',
    {
      config: { access: 'authenticated' },
      schema: {
        tags,
        summary: '字典 (意向级别、信息来源…)',
        params: z.object({ dict: z.enum(DICTIONARIES) }),
        response: { 200: z.object({ items: z.array(ZDictionaryItem) }) },
      },
    },
    async (req) => ({ items: await listDictionary(deps.db, req.scope().tenantId, req.params.dict) }),
  );
  app.get(
    '/custom-fields',
    {
      config: { access: 'customer:read' },
      schema: {
        tags,
        summary: '自定义字段',
        querystring: z.object({ entity: z.enum(['customer', 'service_record']).default('customer') }),
        response: { 200: z.object({ items: z.array(ZCustomFieldDef) }) },
      },
    },
    async (req) => ({ items: await listCustomFields(deps.db, req.scope().tenantId, req.query.entity) }),
  );
  app.post(
    '/custom-fields',
    {
      config: { access: 'settings:write' },
      schema: { tags, summary: '新建自定义字段', body: ZCreateCustomFieldInput, response: { 201: ZCustomFieldDef } },
    },
    async (req, reply) => reply.status(201).send(await createCustomField(deps, req.scope(), req.auditCtx(), req.body)),
  );
  app.get(
    '/service-types',
    {
      config: { access: 'customer:read' },
      schema: { tags, summary: '服务类型', response: { 200: z.object({ items: z.array(ZServiceType) }) } },
    },
    async (req) => ({ items: await listServiceTypes(deps.db, req.scope().tenantId) }),
  );
  app.post(
    '/service-types',
    {
      config: { access: 'settings:write' },
      schema: { tags, summary: '新建服务类型', body: ZCreateServiceTypeInput, response: { 201: ZServiceType } },
    },
    async (req, reply) => reply.status(201).send(await createServiceType(deps, req.scope(), req.auditCtx(), req.body)),
  );
};
