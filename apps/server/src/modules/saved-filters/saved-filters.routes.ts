import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ZCreateSavedFilterInput, ZIdParams, ZOk, ZSavedFilter } from '@huifang/shared';
import { createSavedFilter, deleteSavedFilter, listSavedFilters } from './saved-filters.service.ts';

export const savedFilterRoutes: FastifyPluginAsyncZod = async (app) => {
  const { deps } = app;
  const tags = ['customers'];
  app.get(
    '/saved-filters',
    {
      config: { access: 'customer:read' },
      schema: { tags, summary: '保存的筛选', response: { 200: z.object({ items: z.array(ZSavedFilter) }) } },
    },
    async (req) => ({ items: await listSavedFilters(deps.db, req.scope()) }),
  );
  app.post(
    '/saved-filters',
    {
      config: { access: 'customer:write' },
      schema: { tags, summary: '保存筛选', body: ZCreateSavedFilterInput, response: { 201: ZSavedFilter } },
    },
    async (req, reply) => reply.status(201).send(await createSavedFilter(deps, req.scope(), req.body)),
  );
  app.delete(
    '/saved-filters/:id',
    {
      config: { access: 'customer:write' },
      schema: { tags, summary: '删除保存的筛选 (own only)', params: ZIdParams, response: { 200: ZOk } },
    },
    async (req) => {
      await deleteSavedFilter(deps.db, req.scope(), req.params.id);
      return { ok: true as const };
    },
  );
};
