import crypto from 'node:crypto';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import type { TErrorCode } from '@huifang/shared';
import { ADMIN_PASSWORD, DEMO_PASSWORD, type TClient, type TTestApp } from './test-app.ts';

/** A short random suffix for names that must be unique within a test database. */
export const uniq = (prefix: string) => `${prefix}-${crypto.randomBytes(4).toString('hex')}`;

export async function unitIdByCode(t: TTestApp, code: string): Promise<string> {
  const r = await t.pool.query<{ id: string }>('select id from org_units where tenant_id = $1 and code = $2', [
    t.tenantId,
    code,
  ]);
  if (!r.rows[0]) throw new Error(`no unit ${code}`);
  return r.rows[0].id;
}

export async function rootUnitId(t: TTestApp): Promise<string> {
  const r = await t.pool.query<{ id: string }>('select id from org_units where tenant_id = $1 and parent_id is null', [
    t.tenantId,
  ]);
  return r.rows[0]!.id;
}

export async function userIdByName(t: TTestApp, username: string): Promise<string> {
  const r = await t.pool.query<{ id: string }>('select id from users where tenant_id = $1 and username = $2', [
    t.tenantId,
    username,
  ]);
  if (!r.rows[0]) throw new Error(`no user ${username}`);
  return r.rows[0].id;
}

export async function roleIdByKey(t: TTestApp, key: string): Promise<string> {
  const r = await t.pool.query<{ id: string }>('select id from roles where tenant_id = $1 and key = $2', [
    t.tenantId,
    key,
  ]);
  if (!r.rows[0]) throw new Error(`no role ${key}`);
  return r.rows[0].id;
}

/** Ids of the active units at and below a unit (by code). */
export async function subtreeUnitIds(t: TTestApp, code: string): Promise<string[]> {
  const r = await t.pool.query<{ id: string }>(
    `select id from org_units where tenant_id = $1 and is_active
       and path like (select path from org_units where tenant_id = $1 and code = $2) || '%' order by id`,
    [t.tenantId, code],
  );
  return r.rows.map((x) => x.id);
}

export async function countRows(t: TTestApp, sql: string, params: unknown[] = []): Promise<number> {
  const r = await t.pool.query<{ n: number }>(`select count(*)::int as n from (${sql}) x`, params);
  return r.rows[0]!.n;
}

export const auditCount = (t: TTestApp) => countRows(t, 'select 1 from audit_events');

export async function auditRowsOfRequest(t: TTestApp, res: LightMyRequestResponse) {
  const id = res.headers['x-request-id'];
  expect(typeof id).toBe('string');
  const r = await t.pool.query('select * from audit_events where request_id = $1 order by id', [id]);
  return r.rows as {
    id: string;
    actor_id: string | null;
    actor_name: string | null;
    action: string;
    entity_type: string;
    entity_id: string | null;
    unit_id: string | null;
    ip: string | null;
    request_id: string;
    before: unknown;
    after: unknown;
  }[];
}

/**
 * Assert the one error body `{ code, message, requestId, details? }`: status and code, the request id echoed in the
 * x-request-id header, and (when given) the field paths of details.
 */
export function expectError(res: LightMyRequestResponse, status: number, code: TErrorCode, paths?: string[]) {
  expect({ status: res.statusCode, body: res.body }).toMatchObject({ status });
  const body = res.json();
  expect(body.code).toBe(code);
  expect(typeof body.message).toBe('string');
  expect(body.requestId).toBe(res.headers['x-request-id']);
  expect(Object.keys(body).every((k) => ['code', 'message', 'requestId', 'details'].includes(k))).toBe(true);
  if (paths) expect((body.details ?? []).map((d: { path: string }) => d.path)).toEqual(expect.arrayContaining(paths));
  return body as { code: string; message: string; requestId: string; details?: { path: string; message: string }[] };
}

export interface TLoginOpts {
  password?: string;
  ip?: string;
  tenant?: string;
}

export const defaultPassword = (username: string) => (username === 'admin' ? ADMIN_PASSWORD : DEMO_PASSWORD);

export function loginRequest(t: TTestApp, username: string, opts: TLoginOpts = {}) {
  return t.app.inject({
    method: 'POST',
    url: '/api/auth/login',
    payload: {
      username,
      password: opts.password ?? defaultPassword(username),
      ...(opts.tenant ? { tenant: opts.tenant } : {}),
    },
    ...(opts.ip ? { remoteAddress: opts.ip } : {}),
  });
}

/** A client for an existing session cookie (e.g. the one a password change issued). */
export function clientFor(t: TTestApp, cookie: string, me: TClient['me']): TClient {
  const request = (o: InjectOptions) =>
    t.app.inject({ ...o, headers: { cookie: `hf_sid=${cookie}`, 'x-csrf-token': me.csrfToken, ...(o.headers ?? {}) } });
  return {
    me,
    cookie,
    request,
    get: (url) => request({ method: 'GET', url }),
    post: (url, payload) => request({ method: 'POST', url, payload: payload as InjectOptions['payload'] }),
    patch: (url, payload) => request({ method: 'PATCH', url, payload: payload as InjectOptions['payload'] }),
    del: (url) => request({ method: 'DELETE', url }),
  };
}

export const sessionCookie = (res: LightMyRequestResponse) => res.cookies.find((c) => c.name === 'hf_sid');

/** Log in with options (IP, password, tenant) the stock `t.login` does not take. */
export async function loginAs(t: TTestApp, username: string, opts: TLoginOpts = {}): Promise<TClient> {
  const res = await loginRequest(t, username, opts);
  if (res.statusCode !== 200) throw new Error(`login ${username} failed: ${res.statusCode} ${res.body}`);
  return clientFor(t, sessionCookie(res)!.value, res.json());
}

/** GET /api/auth/me with a bare cookie; 200 while the session lives. */
export const meStatus = async (t: TTestApp, cookie: string) =>
  (await t.app.inject({ method: 'GET', url: '/api/auth/me', headers: { cookie: `hf_sid=${cookie}` } })).statusCode;

export const TEST_PASSWORD = 'Passw0rd-test';

/** Create a user through the API as `admin` (a client holding user:write) and return its id and username. */
export async function createUser(
  t: TTestApp,
  by: TClient,
  o: {
    unitCode: string;
    roleKeys?: string[];
    roleIds?: string[];
    username?: string;
    password?: string;
    displayName?: string;
  },
): Promise<{ id: string; username: string; password: string }> {
  const username = o.username ?? uniq('u').toLowerCase();
  const password = o.password ?? TEST_PASSWORD;
  const roleIds = [...(o.roleIds ?? []), ...(await Promise.all((o.roleKeys ?? []).map((k) => roleIdByKey(t, k))))];
  const res = await by.post('/api/users', {
    username,
    password,
    displayName: o.displayName ?? `测试 ${username}`,
    unitId: await unitIdByCode(t, o.unitCode),
    roleIds,
  });
  if (res.statusCode !== 201) throw new Error(`create user failed: ${res.statusCode} ${res.body}`);
  return { id: res.json().id, username, password };
}

/** A 1×1 PNG as a data URL. */
export const PNG_BYTES = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);
export const PNG_DATA_URL = `data:image/png;base64,${PNG_BYTES.toString('base64')}`;
