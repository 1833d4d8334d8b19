import type { FastifyError, FastifyInstance } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import type { TErrorBody, TErrorDetail } from '@huifang/shared';
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
      const details: TErrorDetail[] = error.validation.map((v) => {
        const sub = v.instancePath.replace(/^\//, '').replace(/\//g, '.');
        return { path: sub ? `${where}.${sub}` : where, message: v.message ?? 'invalid' };
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
      return reply.status(503).send(body('DB_UNAVAILABLE', 'the database is unavailable; try again shortly', requestId));
    }
    req.log.error({ err: error }, 'unhandled error');
    return reply.status(500).send(body('INTERNAL', 'internal error', requestId));
  });

  app.setNotFoundHandler((req, reply) => {
    void reply.status(404).send(body('NOT_FOUND', `no route ${req.method} ${req.url.split('?')[0]}`, String(req.id)));
  });
}

function body(code: TErrorBody['code'], message: string, requestId: string, details?: TErrorDetail[]): TErrorBody {
  return details ? { code, message, requestId, details } : { code, message, requestId };
}
