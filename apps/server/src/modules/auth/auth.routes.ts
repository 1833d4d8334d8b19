import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ZChangePasswordInput, ZLoginInput, ZMe, ZOk } from '@huifang/shared';
import { AppError } from '../../lib/app-error.ts';
import { isSecureRequest, SESSION_COOKIE } from '../../plugins/auth.ts';
import { changePassword, login, logout, toMe } from './auth.service.ts';

export const authRoutes: FastifyPluginAsyncZod = async (app) => {
  const { deps } = app;
  const setCookie = (req: FastifyRequest, reply: FastifyReply, token: string) =>
    reply.setCookie(SESSION_COOKIE, token, {
      path: '/',
      httpOnly: true,
      sameSite: 'lax',
      secure: isSecureRequest(req, deps.config),
      maxAge: deps.config.sessionMaxHours * 3600,
    });

  app.post(
    '/auth/login',
    {
      config: { access: 'public', rateLimit: { max: deps.config.loginRatePerMinute, timeWindow: '1 minute' } },
      schema: { tags: ['auth'], summary: '登录 log in', body: ZLoginInput, response: { 200: ZMe } },
    },
    async (req, reply) => {
      const { token, me } = await login(deps, req.body, req.meta());
      setCookie(req, reply, token);
      return me;
    },
  );

  app.post(
    '/auth/logout',
    {
      config: { access: 'authenticated' },
      schema: { tags: ['auth'], summary: '退出 log out', response: { 200: ZOk } },
    },
    async (req, reply) => {
      if (!req.session) throw new AppError('UNAUTHENTICATED');
      await logout(deps, req.session, req.meta());
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return { ok: true as const };
    },
  );

  app.get(
    '/auth/me',
    {
      config: { access: 'authenticated' },
      schema: { tags: ['auth'], summary: '当前用户 current user', response: { 200: ZMe } },
    },
    async (req) => {
      if (!req.session) throw new AppError('UNAUTHENTICATED');
      return toMe(req.session);
    },
  );

  app.post(
    '/auth/password',
    {
      config: { access: 'authenticated' },
      schema: {
        tags: ['auth'],
        summary: '修改密码 change own password',
        body: ZChangePasswordInput,
        response: { 200: ZMe },
      },
    },
    async (req, reply) => {
      if (!req.session) throw new AppError('UNAUTHENTICATED');
      const { token, me } = await changePassword(deps, req.session, req.body, req.meta());
      setCookie(req, reply, token);
      return me;
    },
  );
};
