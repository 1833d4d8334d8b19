import crypto from 'node:crypto';
import fc from 'fast-check';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CODES } from '@huifang/shared';
import { loginAs } from './helpers.ts';
import { createTestApp, type TClient, type TTestApp } from './test-app.ts';

/**
 * Issue 11's standing fuzz test: every mutating route of the route registry gets generated hostile bodies and path
 * parameters (wrong types, control characters, huge strings, deep nesting, `__proto__`), as an admin so requests
 * pass auth. Expected: no 5xx, every error in the one body `{ code, message, requestId, details? }`, and nothing
 * written by a request answered 4xx (row counts of every table before and after).
 */

const SEED = 20_261_104;
const BODIES_PER_ROUTE = 2;
const PARAMS_PER_ROUTE = 1;
const MUTATIONS_PER_ROUTE = 7;

let t: TTestApp;
let admin: TClient;
beforeAll(async () => {
  t = await createTestApp();
  admin = await loginAs(t, 'admin', { ip: '10.99.0.1' });
});
afterAll(async () => t.close());

// ---- hostile values --------------------------------------------------------------------------------------------
const nasty = fc.constantFrom(
  '',
  ' ',
  '\u0000',
  'fuzz\u0000x',
  '\u001b[31m红\u0007',
  '\ud800',
  '%00',
  "' or 1=1 --",
  '<script>alert(1)</script>',
  '../../etc/passwd',
  '2026-02-30T25:61:00Z',
  '13800138000'.repeat(3),
  '😀'.repeat(50),
);
const hugeString = fc.constantFrom('x'.repeat(300_000), '长'.repeat(60_000), '\u0000'.repeat(1000));
const hostileString = fc.oneof(fc.string({ unit: 'binary', maxLength: 24 }), nasty, hugeString);
const hostileNumber = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true }),
  fc.constantFrom(-1, 0, 1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, 0.1),
);
const scalar = fc.oneof(hostileString, hostileNumber, fc.boolean(), fc.constant(null), fc.uuid());
const deeplyNested = fc.integer({ min: 30, max: 80 }).map((n) => {
  let v: unknown = 'deep';
  for (let i = 0; i < n; i++) v = i % 2 ? [v] : { a: v };
  return v;
});
const key = fc.oneof(
  fc.constantFrom('__proto__', 'constructor', 'prototype', 'id', 'tenantId', 'name'),
  fc.string({ unit: 'binary', maxLength: 8 }),
);
const { value } = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalar,
    deeplyNested,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(key, tie('value'), { maxKeys: 4 }),
  ),
}));

// ---- almost-valid bodies from the route's OpenAPI schema, with one field made hostile ------------------------------
type TSchema = {
  $ref?: string;
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  items?: TSchema;
  properties?: Record<string, TSchema>;
  anyOf?: TSchema[];
  oneOf?: TSchema[];
  allOf?: TSchema[];
};
let components: Record<string, TSchema> = {};
let someUnitId = '';

/** A value the schema accepts (as far as a JSON schema can say; business rules may still refuse it). */
function exampleOf(s: TSchema | undefined, seed: number, depth = 0): unknown {
  if (!s || depth > 10) return null;
  if (s.$ref) return exampleOf(components[s.$ref.split('/').pop()!], seed, depth + 1);
  const alt = s.anyOf ?? s.oneOf;
  if (alt) return exampleOf(alt.find((x) => x.type !== 'null') ?? alt[0], seed, depth + 1);
  if (s.allOf) return Object.assign({}, ...s.allOf.map((x) => exampleOf(x, seed, depth + 1) as object));
  if ('const' in s) return s.const;
  if (s.enum) return s.enum[0];
  const type = Array.isArray(s.type) ? s.type.find((x) => x !== 'null') : s.type;
  switch (type) {
    case 'string': {
      if (s.format === 'uuid') return someUnitId;
      if (s.format === 'date-time') return new Date().toISOString();
      if (s.format === 'date') return '2026-01-15';
      if (s.format === 'email') return 'fuzz@example.com';
      if (s.pattern) return fc.sample(fc.stringMatching(new RegExp(s.pattern)), { numRuns: 1, seed })[0];
      return 'f'.repeat(Math.min(Math.max(s.minLength ?? 1, 4), s.maxLength ?? 4));
    }
    case 'integer':
    case 'number':
      return s.minimum ?? Math.min(1, s.maximum ?? 1);
    case 'boolean':
      return true;
    case 'array':
      return Array.from({ length: s.minItems ?? 1 }, () => exampleOf(s.items, seed, depth + 1));
    case 'object':
      return Object.fromEntries(Object.entries(s.properties ?? {}).map(([k, v]) => [k, exampleOf(v, seed, depth + 1)]));
    default:
      return s.default ?? 'f';
  }
}

/** Every leaf of a value with its path. */
function leaves(v: unknown, path: (string | number)[] = []): { path: (string | number)[]; value: unknown }[] {
  if (v !== null && typeof v === 'object') {
    const entries = Array.isArray(v) ? v.map((x, i) => [i, x] as const) : Object.entries(v);
    return entries.flatMap(([k, x]) => leaves(x, [...path, k]));
  }
  return [{ path, value: v }];
}

function withLeaf(base: unknown, path: (string | number)[], value: unknown): unknown {
  const copy = structuredClone(base) as Record<string | number, unknown>;
  let at = copy;
  for (const k of path.slice(0, -1)) at = at[k] as Record<string | number, unknown>;
  at[path[path.length - 1]!] = value;
  return copy;
}

/** The almost-valid body, then one leaf at a time made hostile: control characters inside its text, a huge string, the wrong type, deep nesting. */
function mutationsOf(base: unknown, seed: number): InjectOptions[] {
  const ls = leaves(base).filter((l) => l.path.length > 0);
  const hostile = (v: unknown, i: number): unknown => {
    const text = typeof v === 'string' ? v : String(v);
    return [
      `${text.slice(0, 1)}\u0000${text.slice(1)}`,
      `${text}\u0008`,
      'x'.repeat(200_000),
      typeof v === 'string' ? 12 : 'not-a-number',
      { nested: [v] },
      null,
    ][i % 6];
  };
  const out: unknown[] = [base];
  const picks = fc.sample(fc.nat({ max: Math.max(ls.length - 1, 0) }), { numRuns: MUTATIONS_PER_ROUTE, seed });
  picks.forEach((p, i) => {
    const leaf = ls[p];
    if (leaf) out.push(withLeaf(base, leaf.path, hostile(leaf.value, i)));
  });
  if (ls[0]) out.push(withLeaf(base, ls[0].path, fc.sample(deeplyNested, { numRuns: 1, seed })[0]));
  return [
    ...out.map((b) => ({ payload: JSON.stringify(b), headers: { 'content-type': 'application/json' } })),
    // The valid body again, with a prototype-pollution key on top.
    {
      payload: JSON.stringify(base).replace(/^\{/, '{"__proto__":{"isAdmin":true},'),
      headers: { 'content-type': 'application/json' },
    },
  ];
}

/** Bodies for a route: whole-body garbage, and objects with the route's own fields (from OpenAPI) filled with hostile values. */
function bodiesFor(fields: string[], seed: number): InjectOptions[] {
  const shaped = fc.dictionary(fields.length > 0 ? fc.oneof(fc.constantFrom(...fields), key) : key, value, {
    minKeys: 1,
    maxKeys: Math.max(3, fields.length),
  });
  const json = fc.sample(fc.oneof(value, shaped, shaped), { numRuns: BODIES_PER_ROUTE, seed });
  const raw = [
    '{"__proto__":{"isAdmin":true},"name":"x"}',
    '{"constructor":{"prototype":{"isAdmin":true}}}',
    `{"${fields[0] ?? 'name'}":"a\\u0000b"}`,
    '{"name": "x",', // malformed
  ];
  return [
    ...json.map((b) => ({ payload: JSON.stringify(b) ?? 'null', headers: { 'content-type': 'application/json' } })),
    ...raw.map((payload) => ({ payload, headers: { 'content-type': 'application/json' } })),
  ];
}

const paramValues = (seed: number) => [
  'not-an-id',
  crypto.randomUUID(),
  '%00',
  'a%01b',
  '-1',
  '%E0%A4%A',
  'p'.repeat(5000),
  ...fc
    .sample(fc.string({ unit: 'binary', minLength: 1, maxLength: 30 }), { numRuns: PARAMS_PER_ROUTE, seed })
    .map(encodeURIComponent),
];

// ---- what "nothing written" means -------------------------------------------------------------------------------
let countSql = '';
async function rowCounts(): Promise<Record<string, number>> {
  if (!countSql) {
    const tables = await t.pool.query<{ name: string }>(
      `select quote_ident(schemaname) || '.' || quote_ident(relname) as name from pg_stat_user_tables where schemaname = 'public' order by 1`,
    );
    countSql = `select ${tables.rows.map((r, i) => `(select count(*) from ${r.name})::int as "${i}:${r.name.replace(/"/g, '')}"`).join(', ')}`;
  }
  return (await t.pool.query<Record<string, number>>(countSql)).rows[0]!;
}

const CODES = new Set(Object.keys(ERROR_CODES));

function problemOf(res: LightMyRequestResponse): string | null {
  if (res.statusCode >= 500) return `status ${res.statusCode} ${res.body.slice(0, 200)}`;
  if (res.statusCode < 400) return null;
  let body: Record<string, unknown>;
  try {
    body = res.json();
  } catch {
    return `non-JSON error body: ${res.body.slice(0, 120)}`;
  }
  const keys = Object.keys(body);
  if (!keys.every((k) => ['code', 'message', 'requestId', 'details'].includes(k)))
    return `extra keys ${keys.join(',')}`;
  if (typeof body.code !== 'string' || !CODES.has(body.code)) return `unknown code ${String(body.code)}`;
  if (ERROR_CODES[body.code as keyof typeof ERROR_CODES] !== res.statusCode)
    return `code ${body.code} with status ${res.statusCode}`;
  if (typeof body.message !== 'string') return 'no message';
  if (body.requestId !== res.headers['x-request-id'] || typeof body.requestId !== 'string')
    return 'requestId missing or not the x-request-id header';
  return null;
}

describe('fuzz: hostile input on every mutating route', () => {
  it('never answers 5xx, always the one error body, and writes nothing on a 4xx', { timeout: 180_000 }, async () => {
    const spec = t.app.swagger() as {
      paths: Record<string, Record<string, { requestBody?: { content?: Record<string, { schema?: TSchema }> } }>>;
      components?: { schemas?: Record<string, TSchema> };
    };
    components = spec.components?.schemas ?? {};
    someUnitId = admin.me.user.unitId;
    const routes = t.app.routeAccess.filter(
      (r) =>
        !['GET', 'HEAD', 'OPTIONS'].includes(r.method) &&
        !r.url.startsWith('/api/docs') &&
        r.url !== '/api/auth/logout',
    );
    expect(routes.length).toBeGreaterThan(40);

    const problems: string[] = [];
    let requests = 0;
    const statuses = new Map<number, number>();
    let ipSeq = 0;
    let before = await rowCounts();
    const send = async (label: string, opts: InjectOptions) => {
      // Each request from its own address so the per-address rate limits and login slow-down stay out of the way.
      const res = await admin.request({
        ...opts,
        remoteAddress: `10.98.${Math.floor(ipSeq / 250)}.${(ipSeq++ % 250) + 1}`,
      });
      requests++;
      statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
      const problem = problemOf(res);
      if (problem) problems.push(`${label} → ${problem}`);
      const after = await rowCounts();
      if (res.statusCode >= 400) {
        const changed = Object.keys(after).filter((k) => after[k] !== before[k]);
        if (changed.length > 0) problems.push(`${label} → ${res.statusCode} but wrote ${changed.join(', ')}`);
      }
      before = after;
    };

    for (const [i, route] of routes.entries()) {
      const openapiPath = route.url.replace(/:(\w+)/g, '{$1}');
      const op = spec.paths[openapiPath]?.[route.method.toLowerCase()];
      const schema = op?.requestBody?.content?.['application/json']?.schema;
      const fields = Object.keys(schema?.properties ?? {});
      const params = [...route.url.matchAll(/:(\w+)/g)].map((m) => m[1]!);
      const validish = route.url.replace(/:(\w+)/g, () => crypto.randomUUID());

      const bodies = [
        ...(schema ? mutationsOf(exampleOf(schema, SEED + i), SEED + i) : []),
        ...bodiesFor(fields, SEED + i),
      ];
      for (const [j, b] of bodies.entries()) {
        await send(`${route.method} ${route.url} body#${j} ${String(b.payload).slice(0, 80)}`, {
          method: route.method as InjectOptions['method'],
          url: validish,
          ...b,
        });
      }
      for (const p of params.length > 0 ? paramValues(SEED + i) : []) {
        const url = route.url.replace(/:(\w+)/g, () => p);
        await send(`${route.method} ${url.slice(0, 120)}`, {
          method: route.method as InjectOptions['method'],
          url,
          payload: {},
        });
      }
    }
    expect(problems).toEqual([]);
    expect(requests).toBeGreaterThan(routes.length * (BODIES_PER_ROUTE + MUTATIONS_PER_ROUTE));
    // The almost-valid bodies get past validation: some hostile requests must reach the services and succeed.
    expect((statuses.get(200) ?? 0) + (statuses.get(201) ?? 0)).toBeGreaterThan(0);
  });
});
