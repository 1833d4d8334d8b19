import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  ZCreateOrgUnitInput,
  ZIdParams,
  ZMoveOrgUnitInput,
  ZOrgUnit,
  ZOrgUnitListQuery,
  ZPage,
  ZPageQuery,
  ZUpdateOrgUnitInput,
} from '@huifang/shared';
import { toPage } from '../../lib/pagination.ts';
import { listVisibleUnits, toOrgUnitDto } from './org-units.repository.ts';
import { changeUnit, createUnit, getUnit, moveUnit } from './org-units.service.ts';

export const orgUnitRoutes: FastifyPluginAsyncZod = async (app) => {
  const { deps } = app;
  const tags = ['org-units'];

  app.get(
    '/org-units/tree',
    {
      config: { access: 'org:read' },
      schema: {
        tags,
        summary: '组织架构树 (all visible units, flat)',
        querystring: ZOrgUnitListQuery,
        response: { 200: z.object({ items: z.array(ZOrgUnit) }) },
      },
    },
    async (req) => {
      const rows = await listVisibleUnits(deps.db, req.scope(), {
        includeInactive: req.query.includeInactive === 'true',
      });
      return { items: rows.map(toOrgUnitDto) };
    },
  );

  app.get(
    '/org-units',
    {
      config: { access: 'org:read' },
      schema: {
        tags,
        summary: 'search units',
        querystring: ZPageQuery.extend(ZOrgUnitListQuery.shape),
        response: { 200: ZPage(ZOrgUnit) },
      },
    },
    async (req) => {
      const q = req.query;
      const rows = await listVisibleUnits(deps.db, req.scope(), {
        includeInactive: q.includeInactive === 'true',
        q: q.q,
      });
      const start = (q.page - 1) * q.pageSize;
      return toPage(rows.slice(start, start + q.pageSize).map(toOrgUnitDto), rows.length, q);
    },
  );

  app.get(
    '/org-units/:id',
    { config: { access: 'org:read' }, schema: { tags, params: ZIdParams, response: { 200: ZOrgUnit } } },
    async (req) => getUnit(deps, req.scope(), req.params.id),
  );

  app.post(
    '/org-units',
    {
      config: { access: 'org:write' },
      schema: { tags, summary: '新建单位', body: ZCreateOrgUnitInput, response: { 201: ZOrgUnit } },
    },
    async (req, reply) => reply.status(201).send(await createUnit(deps, req.scope(), req.auditCtx(), req.body)),
  );

  app.patch(
    '/org-units/:id',
    {
      config: { access: 'org:write' },
      schema: {
        tags,
        summary: '修改/停用单位',
        params: ZIdParams,
        body: ZUpdateOrgUnitInput,
        response: { 200: ZOrgUnit },
      },
    },
    async (req) => changeUnit(deps, req.scope(), req.auditCtx(), req.params.id, req.body),
  );

  app.post(
    '/org-units/:id/move',
    {
      config: { access: 'org:write' },
      schema: { tags, summary: '移动单位', params: ZIdParams, body: ZMoveOrgUnitInput, response: { 200: ZOrgUnit } },
    },
    async (req) => moveUnit(deps, req.scope(), req.auditCtx(), req.params.id, req.body.parentId),
  );
};
