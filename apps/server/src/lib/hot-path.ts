import type { z } from 'zod';

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
