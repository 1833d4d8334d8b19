import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  ZBulkCustomerInput,
  ZCreateCustomerInput,
  ZCustomer,
  ZCustomerDetail,
  ZCustomerListQuery,
  ZIdParams,
  ZNoteInput,
  ZPage,
  ZRevealInput,
  ZRevealResult,
  ZTimelineItem,
  ZUpdateCustomerInput,
} from '@huifang/shared';
import {
  bulkUpdate,
  createCustomer,
  findCustomers,
  getCustomer,
  revealField,
  updateCustomer,
} from './customers.service.ts';
import { exportCustomers } from './customers.export.ts';
import { eraseCustomer, exportCustomerData } from './privacy.ts';
import { addNote, getTimeline } from './timeline.ts';
import { contentDisposition } from '../../lib/export-file.ts';

export const customerRoutes: FastifyPluginAsyncZod = async (app) => {
  const { deps } = app;
  const tags = ['customers'];

  app.get(
    '/customers',
    {
      config: { access: 'customer:read' },
      schema: {
        tags,
        summary: '客户列表 (filter, sort, search by name or phone fragment)',
        querystring: ZCustomerListQuery,
        response: { 200: ZPage(ZCustomer) },
      },
    },
    async (req) => findCustomers(deps, req.scope(), req.query),
  );
  app.get(
    '/customers/export',
    {
      config: { access: 'customer:export' },
      schema: {
        tags,
        summary: '导出客户 (CSV/xlsx, audited; PII in clear only with pii:reveal)',
        querystring: ZCustomerListQuery.extend({ format: z.enum(['csv', 'xlsx']).default('xlsx') }),
      },
    },
    async (req, reply) => {
      const { format, ...q } = req.query;
      const file = await exportCustomers(deps, req.actor(), req.auditCtx(), q, format);
      return reply
        .header('content-type', file.contentType)
        .header('content-disposition', contentDisposition(file.fileName))
        .send(file.stream);
    },
  );
  app.get(
    '/customers/:id',
    {
      config: { access: 'customer:read' },
      schema: { tags, summary: '客户360', params: ZIdParams, response: { 200: ZCustomerDetail } },
    },
    async (req) => getCustomer(deps, req.scope(), req.params.id),
  );
  app.post(
    '/customers',
    {
      config: { access: 'customer:write' },
      schema: { tags, summary: '新建客户', body: ZCreateCustomerInput, response: { 201: ZCustomerDetail } },
    },
    async (req, reply) => reply.status(201).send(await createCustomer(deps, req.scope(), req.auditCtx(), req.body)),
  );
  app.patch(
    '/customers/:id',
    {
      config: { access: 'customer:write' },
      schema: {
        tags,
        summary: '修改客户',
        params: ZIdParams,
        body: ZUpdateCustomerInput,
        response: { 200: ZCustomerDetail },
      },
    },
    async (req) => updateCustomer(deps, req.scope(), req.auditCtx(), req.params.id, req.body),
  );
  app.post(
    '/customers/bulk',
    {
      config: { access: 'customer:write' },
      schema: {
        tags,
        summary: '批量打标签 / 转移归属',
        body: ZBulkCustomerInput,
        response: { 200: z.object({ updated: z.number().int(), notFound: z.number().int() }) },
      },
    },
    async (req) => bulkUpdate(deps, req.scope(), req.auditCtx(), req.body),
  );
  app.post(
    '/customers/:id/reveal',
    {
      config: { access: 'pii:reveal' },
      schema: {
        tags,
        summary: '查看完整个人信息 (audited)',
        params: ZIdParams,
        body: ZRevealInput,
        response: { 200: ZRevealResult },
      },
    },
    async (req) => revealField(deps, req.scope(), req.auditCtx(), req.params.id, req.body.field, req.body.index),
  );
  app.post(
    '/customers/:id/access-request',
    {
      config: { access: 'pii:reveal' },
      schema: { tags, summary: '查阅请求: all data of one customer in clear (audited)', params: ZIdParams },
    },
    async (req, reply) => {
      const data = await exportCustomerData(deps, req.scope(), req.auditCtx(), req.params.id);
      return reply.header('content-disposition', `attachment; filename="customer-${req.params.id}.json"`).send(data);
    },
  );
  app.delete(
    '/customers/:id',
    {
      config: { access: 'customer:erase' },
      schema: {
        tags,
        summary: '删除请求: erase the customer and all their data (audited)',
        params: ZIdParams,
        response: { 200: z.object({ ok: z.literal(true) }) },
      },
    },
    async (req) => {
      await eraseCustomer(deps, req.scope(), req.auditCtx(), req.params.id);
      return { ok: true as const };
    },
  );
  app.get(
    '/customers/:id/timeline',
    {
      config: { access: 'customer:read' },
      schema: {
        tags,
        summary: '客户时间线',
        params: ZIdParams,
        response: { 200: z.object({ items: z.array(ZTimelineItem) }) },
      },
    },
    async (req) => ({ items: await getTimeline(deps, req.scope(), req.params.id) }),
  );
  app.post(
    '/customers/:id/notes',
    {
      config: { access: 'customer:write' },
      schema: {
        tags,
        summary: '添加备注',
        params: ZIdParams,
        body: ZNoteInput,
        response: { 201: z.object({ items: z.array(ZTimelineItem) }) },
      },
    },
    async (req, reply) =>
      reply.status(201).send({ items: await addNote(deps, req.scope(), req.auditCtx(), req.params.id, req.body.body) }),
  );
};
