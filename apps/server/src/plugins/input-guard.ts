import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { TErrorDetail } from '@huifang/shared';
import { AppError } from '../lib/app-error.ts';

/** C0 control characters other than tab, line feed and carriage return. PostgreSQL refuses NUL in text and jsonb. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F]/;
/** Deeper JSON than any schema needs; jsonb and recursive code have their own (lower, less friendly) limits. */
export const MAX_INPUT_DEPTH = 32;
const MAX_DETAILS = 20;

/** An uploaded file (Buffer, typed array, stream) is not text to check. */
const isBinary = (v: object) =>
  ArrayBuffer.isView(v) || v instanceof ArrayBuffer || typeof (v as { pipe?: unknown }).pipe === 'function';

/** A value to visit; its path ("body.answers.q1") is spelled out only for a problem found (most requests have none). */
interface TVisit {
  parent: TVisit | null;
  key: string;
  value: unknown;
  depth: number;
}
const pathOf = (v: TVisit): string => (v.parent ? `${pathOf(v.parent)}.${v.key}` : v.key);

/**
 * Problems in one request part (body, query or params): strings or object keys holding control characters, and
 * nesting deeper than MAX_INPUT_DEPTH. Walks with its own stack, so a hostile million-level body cannot overflow it.
 */
export function findInputProblems(where: string, value: unknown): TErrorDetail[] {
  const problems: TErrorDetail[] = [];
  const stack: TVisit[] = [{ parent: null, key: where, value, depth: 0 }];
  while (stack.length > 0 && problems.length < MAX_DETAILS) {
    const visit = stack.pop()!;
    const v = visit.value;
    if (typeof v === 'string') {
      if (CONTROL.test(v)) problems.push({ path: pathOf(visit), message: 'control characters are not allowed' });
      continue;
    }
    // Parsed JSON, query strings and route parameters are walked; an uploaded file arrives as a Buffer or a stream.
    if (v === null || typeof v !== 'object' || isBinary(v)) continue;
    if (visit.depth >= MAX_INPUT_DEPTH) {
      problems.push({ path: pathOf(visit), message: `nested deeper than ${MAX_INPUT_DEPTH} levels` });
      continue;
    }
    const o = v as Record<string, unknown>;
    for (const k of Object.keys(o)) {
      if (CONTROL.test(k)) {
        problems.push({ path: `${pathOf(visit)}.${k}`, message: 'control characters are not allowed' });
        continue;
      }
      const child = o[k];
      // numbers, booleans and nulls (most of an answer sheet) need no visit of their own
      if (child !== null && (typeof child === 'string' || typeof child === 'object'))
        stack.push({ parent: visit, key: k, value: child, depth: visit.depth + 1 });
    }
  }
  return problems;
}

/**
 * Refuses control characters and absurd nesting in every text field of every API request, centrally, with
 * 400 VALIDATION_FAILED naming the field. Registered after the auth plugin, so a caller without a session or
 * permission still gets 401/403 first.
 */
export const inputGuardPlugin = fp(
  async (app: FastifyInstance) => {
    // Callback-style (not async): it runs on every API request and never waits for anything.
    app.addHook('preValidation', (req, _reply, done) => {
      if (!req.routeOptions.config.access) return done();
      const details = [
        ...findInputProblems('params', req.params),
        ...findInputProblems('query', req.query),
        ...findInputProblems('body', req.body),
      ];
      if (details.length > 0) return done(new AppError('VALIDATION_FAILED', 'request validation failed', { details }));
      done();
    });
  },
  { name: 'huifang-input-guard', dependencies: ['huifang-auth'] },
);
