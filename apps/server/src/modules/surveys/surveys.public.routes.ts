import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ZPublicSurvey, ZSubmitResult, ZSubmitSurveyInput } from '@huifang/shared';
import { hotPathBodyValidator, hotPathRateLimitHeaders, hotPathSerializer } from '../../lib/hot-path.ts';
import { hotPathLogging } from '../../lib/logger.ts';
import { acceptSubmitSurveyInput } from './submit-input.ts';
import { getPublicSurvey, submitByLink } from './surveys.responses.ts';

const ZTokenParams = z.object({ token: z.string().max(100) });

/**
 * The public answer endpoints behind the H5 page /s/:token. No session: the token is the credential (256-bit random,
 * only its hash stored). Rate-limited per IP and link; a used personal link answers 410 SURVEY_LINK_USED.
 */
export const surveyPublicRoutes: FastifyPluginAsyncZod = async (app) => {
  const { deps } = app;
  const tags = ['surveys (public)'];
  const perLink = (req: { ip: string; params: unknown }) =>
    `${req.ip}:${(req.params as { token?: string }).token ?? ''}`;
  app.get(
    '/s/:token',
    {
      config: { access: 'public', rateLimit: { max: 120, timeWindow: '1 minute', keyGenerator: perLink } },
      schema: { tags, summary: '问卷（公开答题页）', params: ZTokenParams, response: { 200: ZPublicSurvey } },
    },
    async (req) => {
      // The answer page sends its per-device key (the one it submits with) so the answer says whether it already answered.
      const key = req.headers['idempotency-key'];
      return getPublicSurvey(deps, req.params.token, typeof key === 'string' ? key : undefined);
    },
  );
  app.post(
    '/s/:token/responses',
    {
      ...hotPathLogging,
      config: {
        access: 'public',
        rateLimit: {
          max: deps.config.surveySubmitRatePerMinute,
          timeWindow: '1 minute',
          keyGenerator: perLink,
          ...hotPathRateLimitHeaders,
        },
      },
      serializerCompiler: hotPathSerializer(ZSubmitResult),
      // a well-formed answer sheet skips zod's parse of the body; any other body is judged by zod as before
      validatorCompiler: hotPathBodyValidator(acceptSubmitSurveyInput),
      schema: {
        tags,
        summary: '提交答卷（Idempotency-Key 头）',
        params: ZTokenParams,
        body: ZSubmitSurveyInput,
        response: { 201: ZSubmitResult, 200: ZSubmitResult },
      },
    },
    async (req, reply) => {
      const key = req.headers['idempotency-key'];
      const res = await submitByLink(
        deps,
        req.params.token,
        req.body.answers,
        typeof key === 'string' ? key : undefined,
      );
      return reply.status(res.isDuplicate ? 200 : 201).send(res);
    },
  );
};
