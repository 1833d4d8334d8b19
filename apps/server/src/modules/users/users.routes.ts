import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  ZCreateUserInput,
  ZIdParams,
  ZOk,
  ZPage,
  ZResetPasswordInput,
  ZUnlockLoginResult,
  ZUpdateUserInput,
  ZUser,
  ZUserListQuery,
} from '@huifang/shared';
import {
  createUser,
  findUsers,
  getUser,
  getUserPhoto,
  resetPassword,
  unlockLogin,
  updateUser,
} from './users.service.ts';

export const userRoutes: FastifyPluginAsyncZod = async (app) => {
  const { deps } = app;
  const tags = ['users'];

  app.get(
    '/users',
    {
      config: { access: 'user:read' },
      schema: { tags, summary: '用户列表', querystring: ZUserListQuery, response: { 200: ZPage(ZUser) } },
    },
    async (req) => findUsers(deps, req.scope(), req.query),
  );

  app.get(
    '/users/:id',
    { config: { access: 'user:read' }, schema: { tags, params: ZIdParams, response: { 200: ZUser } } },
    async (req) => getUser(deps, req.scope(), req.params.id),
  );

  app.get(
    '/users/:id/photo',
    { config: { access: 'user:read' }, schema: { tags, summary: 'staff photo (image)', params: ZIdParams } },
    async (req, reply) => {
      const { mime, bytes } = await getUserPhoto(deps, req.scope(), req.params.id);
      return reply.header('content-type', mime).header('cache-control', 'private, max-age=60').send(bytes);
    },
  );

  app.post(
    '/users',
    {
      config: { access: 'user:write' },
      schema: { tags, summary: '新建用户', body: ZCreateUserInput, response: { 201: ZUser } },
    },
    async (req, reply) => reply.status(201).send(await createUser(deps, req.actor(), req.auditCtx(), req.body)),
  );

  app.patch(
    '/users/:id',
    {
      config: { access: 'user:write' },
      schema: { tags, summary: '修改/停用用户', params: ZIdParams, body: ZUpdateUserInput, response: { 200: ZUser } },
    },
    async (req) => updateUser(deps, req.actor(), req.auditCtx(), req.params.id, req.body),
  );

  app.post(
    '/users/:id/reset-password',
    {
      config: { access: 'user:write' },
      schema: { tags, summary: '重置密码', params: ZIdParams, body: ZResetPasswordInput, response: { 200: ZOk } },
    },
    async (req) => {
      await resetPassword(deps, req.actor(), req.auditCtx(), req.params.id, req.body.password);
      return { ok: true as const };
    },
  );

  app.post(
    '/users/:id/unlock-login',
    {
      config: { access: 'user:write' },
      schema: {
        tags,
        summary: '解除登录锁定 lift failed-login waits',
        params: ZIdParams,
        response: { 200: ZUnlockLoginResult },
      },
    },
    async (req) => unlockLogin(deps, req.actor(), req.auditCtx(), req.params.id),
  );
};
