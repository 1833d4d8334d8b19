import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  ZCreateInvitationsInput,
  ZCreatePersonalLinkInput,
  ZCreateSurveyInput,
  ZIdParams,
  ZInvitationResult,
  ZPage,
  ZPersonalLink,
  ZStaffResponseInput,
  ZSubmitResult,
  ZSurvey,
  ZSurveyDetail,
  ZSurveyListQuery,
  ZSurveyResults,
  ZSurveyResultsQuery,
  ZSurveyVersionDetail,
  ZUpdateSurveyInput,
} from '@huifang/shared';
import { inviteCustomers } from './surveys.invitations.ts';
import { listSurveys } from './surveys.repository.ts';
import { enterStaffResponse } from './surveys.responses.ts';
import { exportResults, surveyResults } from './surveys.results.ts';
import {
  closeSurvey,
  createPersonalLink,
  createSurvey,
  ensureOpenLink,
  getSurveyDetail,
  getSurveyVersion,
  publishSurvey,
  updateSurvey,
} from './surveys.service.ts';
import { contentDisposition, EXPORT_CONTENT_TYPE } from '../../lib/export-file.ts';

const tags = ['surveys'];
const idempotencyKey = (h: unknown) => (typeof h === 'string' ? h : undefined);

/** The survey designer, links, invitations, staff entry and results (DESIGN §4.2). Public answering: surveys.public.routes.ts. */
export const surveyRoutes: FastifyPluginAsyncZod = async (app) => {
  const { deps } = app;
  app.get(
    '/surveys',
    {
      config: { access: 'survey:read' },
      schema: { tags, summary: '问卷列表', querystring: ZSurveyListQuery, response: { 200: ZPage(ZSurvey) } },
    },
    async (req) => ({
      ...(await listSurveys(deps.db, req.scope(), req.query)),
      page: req.query.page,
      pageSize: req.query.pageSize,
    }),
  );
  app.post(
    '/surveys',
    {
      config: { access: 'survey:write' },
      schema: { tags, summary: '新建问卷（或从模板新建）', body: ZCreateSurveyInput, response: { 201: ZSurveyDetail } },
    },
    async (req, reply) => reply.status(201).send(await createSurvey(deps, req.scope(), req.auditCtx(), req.body)),
  );
  app.get(
    '/surveys/:id',
    {
      config: { access: 'survey:read' },
      schema: { tags, summary: '问卷（最新版本的定义）', params: ZIdParams, response: { 200: ZSurveyDetail } },
    },
    async (req) => getSurveyDetail(deps, req.scope(), req.params.id),
  );
  app.get(
    '/surveys/:id/versions/:version',
    {
      config: { access: 'survey:read' },
      schema: {
        tags,
        summary: '问卷历史版本',
        params: ZIdParams.extend({ version: z.coerce.number().int().min(1) }),
        response: { 200: ZSurveyVersionDetail },
      },
    },
    async (req) => getSurveyVersion(deps, req.scope(), req.params.id, req.params.version),
  );
  app.put(
    '/surveys/:id',
    {
      config: { access: 'survey:write' },
      schema: {
        tags,
        summary: '保存问卷（已发布或已有答卷时生成新版本）',
        params: ZIdParams,
        body: ZUpdateSurveyInput,
        response: { 200: ZSurveyDetail },
      },
    },
    async (req) => updateSurvey(deps, req.scope(), req.auditCtx(), req.params.id, req.body.definition),
  );
  app.post(
    '/surveys/:id/publish',
    {
      config: { access: 'survey:write' },
      schema: { tags, summary: '发布最新版本', params: ZIdParams, response: { 200: ZSurveyDetail } },
    },
    async (req) => publishSurvey(deps, req.scope(), req.auditCtx(), req.params.id),
  );
  app.post(
    '/surveys/:id/close',
    {
      config: { access: 'survey:write' },
      schema: { tags, summary: '结束问卷', params: ZIdParams, response: { 200: ZSurveyDetail } },
    },
    async (req) => closeSurvey(deps, req.scope(), req.auditCtx(), req.params.id),
  );
  app.post(
    '/surveys/:id/open-link',
    {
      config: { access: 'survey:write' },
      schema: { tags, summary: '生成公开链接', params: ZIdParams, response: { 200: ZSurveyDetail } },
    },
    async (req) => ensureOpenLink(deps, req.scope(), req.auditCtx(), req.params.id),
  );
  app.post(
    '/surveys/:id/links',
    {
      config: { access: 'survey:write' },
      schema: {
        tags,
        summary: '生成客户专属链接（一次性）',
        params: ZIdParams,
        body: ZCreatePersonalLinkInput,
        response: { 201: ZPersonalLink },
      },
    },
    async (req, reply) =>
      reply.status(201).send(await createPersonalLink(deps, req.scope(), req.auditCtx(), req.params.id, req.body)),
  );
  app.post(
    '/surveys/:id/invitations',
    {
      config: { access: 'survey:write' },
      schema: {
        tags,
        summary: '邮件邀请客户（含未答提醒）',
        params: ZIdParams,
        body: ZCreateInvitationsInput,
        response: { 201: ZInvitationResult },
      },
    },
    async (req, reply) =>
      reply.status(201).send(await inviteCustomers(deps, req.scope(), req.auditCtx(), req.params.id, req.body)),
  );
  // Agents enter answers during a phone follow-up: it is customer work, so customer:write (which agents hold).
  app.post(
    '/surveys/:id/responses',
    {
      config: { access: 'customer:write' },
      schema: {
        tags,
        summary: '员工代客户填写',
        params: ZIdParams,
        body: ZStaffResponseInput,
        response: { 201: ZSubmitResult },
      },
    },
    async (req, reply) =>
      reply
        .status(201)
        .send(
          await enterStaffResponse(
            deps,
            req.scope(),
            req.auditCtx(),
            req.params.id,
            req.body,
            idempotencyKey(req.headers['idempotency-key']),
          ),
        ),
  );
  app.get(
    '/surveys/:id/results',
    {
      config: { access: 'survey:read' },
      schema: {
        tags,
        summary: '问卷结果（满意度指数、CSAT、NPS、分布）',
        params: ZIdParams,
        querystring: ZSurveyResultsQuery,
        response: { 200: ZSurveyResults },
      },
    },
    async (req) => surveyResults(deps, req.scope(), req.params.id, req.query),
  );
  app.get(
    '/surveys/:id/results/export',
    {
      config: { access: 'survey:read' },
      schema: { tags, summary: '导出答卷 xlsx', params: ZIdParams, querystring: ZSurveyResultsQuery },
    },
    async (req, reply) => {
      const file = await exportResults(deps, req.actor(), req.auditCtx(), req.params.id, req.query);
      return reply
        .header('content-type', EXPORT_CONTENT_TYPE.xlsx)
        .header('content-disposition', contentDisposition(file.fileName))
        .send(file.stream);
    },
  );
};
