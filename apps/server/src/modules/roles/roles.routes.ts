import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ZCreateRoleInput, ZIdParams, ZOk, ZPage, ZPageQuery, ZRole, ZUpdateRoleInput } from '@huifang/shared';
import { listRoles } from './roles.repository.ts';
import { createRole, deleteRole, getRole, updateRole } from './roles.service.ts';

export const roleRoutes: FastifyPluginAsyncZod = async (app) => {
  const { deps } = app;
  const tags = ['roles'];

  app.get(
    '/roles',
    {
      config: { access: 'role:read' },
      schema: { tags, summary: '角色列表', querystring: ZPageQuery, response: { 200: ZPage(ZRole) } },
    },
    async (req) => listRoles(deps.db, req.scope().tenantId, req.query),
  );
  app.get(
    '/roles/:id',
    { config: { access: 'role:read' }, schema: { tags, params: ZIdParams, response: { 200: ZRole } } },
    async (req) => getRole(deps, req.scope().tenantId, req.params.id),
  );
  app.post(
    '/roles',
    {
      config: { access: 'role:write' },
      schema: { tags, summary: '新建角色', body: ZCreateRoleInput, response: { 201: ZRole } },
    },
    async (req, reply) => reply.status(201).send(await createRole(deps, req.actor(), req.auditCtx(), req.body)),
  );
  app.patch(
    '/roles/:id',
    {
      config: { access: 'role:write' },
      schema: { tags, summary: '修改角色权限', params: ZIdParams, body: ZUpdateRoleInput, response: { 200: ZRole } },
    },
    async (req) => updateRole(deps, req.actor(), req.auditCtx(), req.params.id, req.body),
  );
  app.delete(
    '/roles/:id',
    {
      config: { access: 'role:write' },
      schema: { tags, summary: '删除角色', params: ZIdParams, response: { 200: ZOk } },
    },
    async (req) => {
      await deleteRole(deps, req.actor(), req.auditCtx(), req.params.id);
      return { ok: true as const };
    },
  );
};
