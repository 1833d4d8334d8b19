import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { validationDetail, type TErrorBody, type TErrorDetail } from '@huifang/shared';
import { AppError } from '../lib/app-error.ts';
import { isDbUnavailable } from '../lib/db-errors.ts';

/**
 * The single error handler: every failure leaves as `{ code, message, requestId, details? }`.
 * Validation → 400 VALIDATION_FAILED with field paths (`body.username`); unknown → 500 with the message hidden
 * (the log keeps it, with the request id).
 */
export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, req, reply) => {
    const requestId = String(req.id);
    if (error instanceof AppError) {
      if (error.status >= 500) req.log.error({ err: error }, 'application error');
      if (error.headers) void reply.headers(error.headers);
      return reply.status(error.status).send(body(error.code, error.message, requestId, error.details));
    }
    if (hasZodFastifySchemaValidationErrors(error)) {
      const where = error.validationContext ?? 'body';
      const input: unknown =
        where === 'querystring'
          ? req.query
          : where === 'params'
            ? req.params
            : where === 'headers'
              ? req.headers
              : req.body;
      const details: TErrorDetail[] = error.validation.map((v) => {
        const segments = v.instancePath.replace(/^\//, '').split('/').filter(Boolean);
        const sub = segments.join('.');
        // A stable code and params besides the message, so that the web app can say it in the user's language.
        const { code, params } = validationDetail({ ...v.params, code: v.keyword }, valueAt(input, segments));
        return { path: sub ? `${where}.${sub}` : where, message: v.message ?? 'invalid', code, params };
      });
      return reply.status(400).send(body('VALIDATION_FAILED', 'request validation failed', requestId, details));
    }
    if (isResponseSerializationError(error)) {
      req.log.error({ err: error, cause: error.cause }, 'response does not match its schema');
      return reply.status(500).send(body('INTERNAL', 'internal error', requestId));
    }
    if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      return reply.status(415).send(body('UNSUPPORTED_MEDIA_TYPE', 'send application/json', requestId));
    }
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return reply.status(413).send(body('PAYLOAD_TOO_LARGE', 'request body too large', requestId));
    }
    if (error.statusCode === 429) {
      return reply.status(429).send(body('RATE_LIMITED', 'too many requests', requestId));
    }
    if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
      // Malformed JSON, empty body with a JSON content type and the like.
      return reply
        .status(400)
        .send(body('VALIDATION_FAILED', error.message, requestId, [{ path: 'body', message: error.message }]));
    }
    if (isDbUnavailable(error)) {
      // Postgres restarting or a connection killed: the client may retry (every public write is idempotent by key).
      req.log.warn({ err: error }, 'database unavailable');
      void reply.header('retry-after', '5');
      return reply
        .status(503)
        .send(body('DB_UNAVAILABLE', 'the database is unavailable; try again shortly', requestId));
    }
    req.log.error({ err: error }, 'unhandled error');
    return reply.status(500).send(body('INTERNAL', 'internal error', requestId));
  });

  app.setNotFoundHandler((req, reply) => {
    void reply.status(404).send(body('NOT_FOUND', `no route ${req.method} ${req.url.split('?')[0]}`, String(req.id)));
  });
}

function valueAt(root: unknown, segments: string[]): unknown {
  let v = root;
  for (const s of segments) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[s];
  }
  return v;
}

/**
 * Fastify's `frameworkErrors`: router failures that happen before any hook runs (so no error handler, no request-id
 * header) leave in the one error body too.
 */
export function frameworkErrorHandler(error: FastifyError, req: FastifyRequest, reply: FastifyReply): void {
  const requestId = String(req.id);
  void reply.header('x-request-id', requestId);
  if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') {
    void reply
      .status(414)
      .send(body('URI_TOO_LONG', 'a path parameter is too long', requestId, [{ path: 'params', message: 'too long' }]));
    return;
  }
  if (error.code === 'FST_ERR_BAD_URL') {
    void reply
      .status(400)
      .send(
        body('VALIDATION_FAILED', 'malformed URL', requestId, [{ path: 'params', message: 'malformed URL encoding' }]),
      );
    return;
  }
  req.log.error({ err: error }, 'framework error');
  void reply.status(500).send(body('INTERNAL', 'internal error', requestId));
}

function body(code: TErrorBody['code'], message: string, requestId: string, details?: TErrorDetail[]): TErrorBody {
  return details ? { code, message, requestId, details } : { code, message, requestId };
}
