import type { FastifySchemaCompiler } from 'fastify';
import { validatorCompiler } from 'fastify-type-provider-zod';
import type { z } from 'zod';
import type { $ZodType } from 'zod/v4/core';

/**
 * Response serialisation for the ingestion hot paths (kiosk presses, open-link survey answers; see hotPathLogging in
 * logger.ts): the JSON of exactly the fields the response schema names, as the zod serializer writes them, without
 * its parse of every response (bench/README.md: ≈ 2 % of the server's CPU per press). Only for flat response
 * schemas whose values are JSON primitives or arrays of them, built by the handler itself: nested objects would
 * lose their fields (the key list applies at every level), so such a schema is refused at start-up.
 * Route option: `serializerCompiler: hotPathSerializer(ZSomeResult)`.
 */
export function hotPathSerializer(schema: z.ZodObject) {
  const keys = Object.keys(schema.shape);
  for (const key of keys) {
    const type = (schema.shape[key] as z.ZodType)._zod.def.type;
    const inner =
      type === 'nullable' || type === 'optional'
        ? (schema.shape[key] as z.ZodNullable)._zod.def.innerType._zod.def.type
        : type;
    if (inner === 'object' || inner === 'record' || inner === 'union' || inner === 'pipe')
      throw new Error(`hotPathSerializer: field ${key} is not flat (${inner})`);
  }
  return () => (data: unknown) => JSON.stringify(data, keys);
}

/**
 * For the `rateLimit` config of a hot-path route: the limit applies as everywhere (and a refused request still gets
 * 429 with Retry-After), but an accepted request carries no X-RateLimit-Limit/-Remaining/-Reset headers — three
 * header writes per press that no kiosk or answer page reads.
 */
export const hotPathRateLimitHeaders = {
  addHeadersOnExceeding: { 'x-ratelimit-limit': false, 'x-ratelimit-remaining': false, 'x-ratelimit-reset': false },
} as const;

/**
 * For the `validatorCompiler` of a hot-path route: the body first goes through `accept`, a hand-written check that
 * returns exactly what the route's zod body schema would (same value) or undefined when it cannot tell; only then
 * does zod run (and for params, querystring and headers always), so every refused body gets zod's 400 with its
 * field paths as before. Zod's parse of an open-link answer sheet (an object of a three-way union) was ~4–6 µs, 3–4 %
 * of the server's CPU per answer (bench/README.md). `accept` must be tested against the schema (a property test).
 */
export function hotPathBodyValidator<TSchema>(accept: (body: unknown) => unknown): FastifySchemaCompiler<TSchema> {
  return (route) => {
    const zod = validatorCompiler(route as unknown as Parameters<FastifySchemaCompiler<$ZodType>>[0]);
    if (route.httpPart !== 'body') return zod;
    return (data: unknown) => {
      const value = accept(data);
      return value === undefined ? zod(data) : { value };
    };
  };
}

type TProjector = (value: unknown) => unknown;

/** A copy of a value with only the fields the schema names, at every level (then one JSON.stringify: V8's fast path). */
function compileProjector(schema: z.ZodType, path: string): TProjector {
  const def = schema._zod.def as { type: string; innerType?: z.ZodType; element?: z.ZodType };
  switch (def.type) {
    case 'optional':
    case 'nullable': {
      const inner = compileProjector(def.innerType!, path);
      return (v) => (v === null || v === undefined ? v : inner(v));
    }
    case 'object': {
      const fields = Object.entries((schema as z.ZodObject).shape).map(
        ([key, field]) => [key, compileProjector(field as z.ZodType, `${path}.${key}`)] as const,
      );
      return (v) => {
        const o = v as Record<string, unknown>;
        const out: Record<string, unknown> = {};
        for (const [key, project] of fields) out[key] = project(o[key]);
        return out;
      };
    }
    case 'array': {
      const element = compileProjector(def.element!, `${path}[]`);
      return (v) => (v as unknown[]).map(element);
    }
    case 'string':
    case 'number':
    case 'boolean':
    case 'enum':
    case 'literal':
      return (v) => v;
    default:
      throw new Error(`shapeSerializer: ${path || 'the schema'} is a ${def.type}, which it does not write`);
  }
}

/**
 * Response serialisation for large report responses (员工绩效: 2,000 rows of 14 fields): the JSON of exactly the fields
 * the schema names, at every level (objects, arrays, nullable and optional fields of primitives), without zod's parse
 * of the whole response — 5–6 ms of the event loop per HQ request (bench/README.md, 2026-12-06). The handler builds
 * the response from typed code; a field the schema does not name is never written. A schema with other types
 * (unions, records, dates…) is refused at start-up. Route option: `serializerCompiler: shapeSerializer(ZSomeResult)`.
 */
export function shapeSerializer(schema: z.ZodObject) {
  const project = compileProjector(schema, '');
  return () => (data: unknown) => JSON.stringify(project(data));
}
