import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  ZCorrectionInput,
  ZEvaluationDetail,
  ZEvaluationListQuery,
  ZEvaluationStream,
  ZIdParams,
} from '@huifang/shared';
import { notFound } from '../../lib/app-error.ts';
import { contentDisposition } from '../../lib/export-file.ts';
import { exportEvaluations } from './evaluations.export.ts';
import { findEvaluation, listEvaluations } from './evaluations.repository.ts';
import { correctEvaluation } from './evaluations.service.ts';

const tags = ['evaluations'];

export const evaluationRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/evaluations',
    {
      config: { access: 'evaluation:read' },
      schema: {
        tags,
        summary: '评价（全部渠道）evaluations, newest first, keyset cursor',
        querystring: ZEvaluationListQuery,
        response: { 200: ZEvaluationStream },
      },
    },
    async (req) => listEvaluations(app.deps.db, req.scope(), req.query, req.actor().permissions.has('pii:reveal')),
  );

  app.get(
    '/evaluations/export',
    {
      config: { access: 'evaluation:read' },
      schema: {
        tags,
        summary: '导出评价 xlsx: the list with its filters (written on the sheet), audited',
        querystring: ZEvaluationListQuery.omit({ cursor: true, pageSize: true }),
      },
    },
    async (req, reply) => {
      const file = await exportEvaluations(app.deps, req.actor(), req.auditCtx(), req.query);
      return reply
        .header('content-type', file.contentType)
        .header('content-disposition', contentDisposition(file.fileName))
        .send(file.stream);
    },
  );

  app.get(
    '/evaluations/:id',
    {
      config: { access: 'evaluation:read' },
      schema: { tags, params: ZIdParams, response: { 200: ZEvaluationDetail } },
    },
    async (req) => {
      const e = await findEvaluation(
        app.deps.db,
        req.scope(),
        req.params.id,
        req.actor().permissions.has('pii:reveal'),
      );
      if (!e) throw notFound('evaluation');
      return e;
    },
  );

  const correction = (
    path: string,
    kind: 'appeal' | 'appeal_rejected' | 'exclude' | 'restore',
    access: 'evaluation:appeal' | 'evaluation:manage',
    summary: string,
  ) =>
    app.post(
      `/evaluations/:id/${path}`,
      {
        config: { access },
        schema: { tags, summary, params: ZIdParams, body: ZCorrectionInput, response: { 200: ZEvaluationDetail } },
      },
      async (req) =>
        correctEvaluation(
          app.deps,
          req.scope(),
          req.auditCtx(),
          req.params.id,
          kind,
          req.body.reason,
          req.actor().permissions.has('pii:reveal'),
        ),
    );
  correction('appeal', 'appeal', 'evaluation:appeal', '申诉 appeal a rating of my own service');
  correction('reject-appeal', 'appeal_rejected', 'evaluation:manage', '驳回申诉 reject an appeal');
  correction('exclude', 'exclude', 'evaluation:manage', '剔除 exclude from statistics, with a reason');
  correction('restore', 'restore', 'evaluation:manage', '恢复 restore into statistics');
};
