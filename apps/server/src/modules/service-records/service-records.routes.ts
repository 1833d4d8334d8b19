import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ZCreateServiceRecordInput, ZCreateTransactionInput, ZIdParams } from '@huifang/shared';
import { addServiceRecord, addTransaction } from './service-records.service.ts';

const ZCreated = z.object({ id: z.string() });

export const serviceRecordRoutes: FastifyPluginAsyncZod = async (app) => {
  const { deps } = app;
  app.post(
    '/customers/:id/service-records',
    {
      config: { access: 'customer:write' },
      schema: {
        tags: ['customers'],
        summary: '登记服务记录',
        params: ZIdParams,
        body: ZCreateServiceRecordInput,
        response: { 201: ZCreated },
      },
    },
    async (req, reply) =>
      reply.status(201).send(await addServiceRecord(deps, req.scope(), req.auditCtx(), req.params.id, req.body)),
  );
  app.post(
    '/customers/:id/transactions',
    {
      config: { access: 'customer:write' },
      schema: {
        tags: ['customers'],
        summary: '登记交易 (订单/退货/回款)',
        params: ZIdParams,
        body: ZCreateTransactionInput,
        response: { 201: ZCreated },
      },
    },
    async (req, reply) =>
      reply.status(201).send(await addTransaction(deps, req.scope(), req.auditCtx(), req.params.id, req.body)),
  );
};
