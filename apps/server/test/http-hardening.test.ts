import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/env.ts';
import {
  auditCount,
  auditRowsOfRequest,
  countRows,
  expectError,
  loginAs,
  sessionCookie,
  unitIdByCode,
} from './helpers.ts';
import { ADMIN_PASSWORD, createTestApp, type TClient, type TTestApp } from './test-app.ts';

/** Issue 11: forwarded headers, control characters, framework errors, cookies and headers. */

const login = (
  t: TTestApp,
  o: { ip: string; headers?: Record<string, string>; username?: string; password?: string },
) =>
  t.app.inject({
    method: 'POST',
    url: '/api/auth/login',
    remoteAddress: o.ip,
    headers: o.headers ?? {},
    payload: { username: o.username ?? 'admin', password: o.password ?? ADMIN_PASSWORD },
  });

describe('TRUST_PROXY unset (the default): X-Forwarded-* are ignored', () => {
  let t: TTestApp;
  beforeAll(async () => {
    t = await createTestApp({
      demo: false,
      env: { LOGIN_MAX_FAILURES_PER_ACCOUNT: '3', LOGIN_MAX_FAILURES_PER_IP: '100' },
    });
  });
  afterAll(async () => t.close());

  it('a rotating X-Forwarded-For neither escapes the login slow-down nor forges the audited address', async () => {
    for (let i = 0; i < 3; i++) {
      const res = await login(t, {
        ip: '10.60.0.1',
        password: 'wrong-pass-1',
        headers: { 'x-forwarded-for': `203.0.113.${i + 1}` },
      });
      expectError(res, 401, 'INVALID_CREDENTIALS');
      expect((await auditRowsOfRequest(t, res))[0]!.ip).toBe('10.60.0.1');
    }
    const res = await login(t, {
      ip: '10.60.0.1',
      password: 'wrong-pass-1',
      headers: { 'x-forwarded-for': '203.0.113.99' },
    });
    expectError(res, 429, 'RATE_LIMITED');
  });

  it('X-Forwarded-Proto: https from a client does not make the cookie Secure; no HSTS on a plain-HTTP install', async () => {
    const res = await login(t, { ip: '10.60.0.2', headers: { 'x-forwarded-proto': 'https' } });
    expect(res.statusCode).toBe(200);
    expect(sessionCookie(res)!.secure).toBeFalsy();
    expect(res.headers['strict-transport-security']).toBeUndefined();
  });

  it('TRUST_PROXY=true (trust everyone) is refused at boot; addresses and CIDRs are accepted', () => {
    expect(() => loadConfig({ TRUST_PROXY: 'true' })).toThrow(/TRUST_PROXY/);
    expect(() => loadConfig({ TRUST_PROXY: '10.0.0.0/33' })).toThrow(/TRUST_PROXY/);
    expect(loadConfig({ TRUST_PROXY: '127.0.0.1, 10.0.0.0/8,loopback' }).trustProxy).toEqual([
      '127.0.0.1',
      '10.0.0.0/8',
      'loopback',
    ]);
    expect(loadConfig({}).trustProxy).toEqual([]);
  });
});

describe('TRUST_PROXY=127.0.0.1 (nginx on the same machine)', () => {
  let t: TTestApp;
  beforeAll(async () => {
    t = await createTestApp({
      demo: false,
      env: { TRUST_PROXY: '127.0.0.1', PUBLIC_BASE_URL: 'https://huifang.example.com' },
    });
  });
  afterAll(async () => t.close());

  it('believes X-Forwarded-For and -Proto from the proxy only: audited address, Secure cookie, HSTS', async () => {
    const viaProxy = await login(t, {
      ip: '127.0.0.1',
      headers: { 'x-forwarded-for': '198.51.100.7', 'x-forwarded-proto': 'https' },
    });
    expect(viaProxy.statusCode).toBe(200);
    expect((await auditRowsOfRequest(t, viaProxy))[0]!.ip).toBe('198.51.100.7');
    expect(sessionCookie(viaProxy)!.secure).toBe(true);
    expect(viaProxy.headers['strict-transport-security']).toBe('max-age=31536000');

    const direct = await login(t, {
      ip: '10.61.0.1',
      headers: { 'x-forwarded-for': '198.51.100.8', 'x-forwarded-proto': 'https' },
    });
    expect(direct.statusCode).toBe(200);
    expect((await auditRowsOfRequest(t, direct))[0]!.ip).toBe('10.61.0.1');
    expect(sessionCookie(direct)!.secure).toBeFalsy();
  });

  it('COOKIE_SECURE=true forces Secure even on a request that looks like plain HTTP', async () => {
    const forced = await createTestApp({ demo: false, env: { COOKIE_SECURE: 'true' } });
    try {
      const res = await login(forced, { ip: '10.61.0.2' });
      expect(sessionCookie(res)!.secure).toBe(true);
      expect(res.headers['strict-transport-security']).toBe('max-age=31536000');
    } finally {
      await forced.close();
    }
  });
});

describe('Origin of writes', () => {
  let t: TTestApp;
  let admin: TClient;
  beforeAll(async () => {
    t = await createTestApp({ demo: false });
    admin = await loginAs(t, 'admin', { ip: '10.62.0.1' });
  });
  afterAll(async () => t.close());

  it('refuses a write with a valid CSRF token but a foreign Origin (or Origin: null), and writes nothing', async () => {
    const unitId = admin.me.user.unitId;
    const before = [await auditCount(t), await countRows(t, 'select 1 from org_units')];
    for (const origin of ['https://evil.example', 'null', 'http://localhost.evil.example']) {
      const res = await admin.request({
        method: 'POST',
        url: '/api/org-units',
        headers: { origin, host: 'localhost' },
        payload: { parentId: unitId, type: 'outlet', name: '跨站' },
      });
      expectError(res, 403, 'CSRF_FAILED');
      // The public login too: a foreign page must not log a browser in.
      expectError(await login(t, { ip: '10.62.0.2', headers: { origin, host: 'localhost' } }), 403, 'CSRF_FAILED');
    }
    expect([await auditCount(t), await countRows(t, 'select 1 from org_units')]).toEqual(before);
  });

  it('accepts its own origin (the Host it was reached at, or PUBLIC_BASE_URL) and callers that send no Origin', async () => {
    const unitId = admin.me.user.unitId;
    for (const headers of [
      { origin: 'http://huifang.lan:3000', host: 'huifang.lan:3000' },
      { origin: 'http://localhost:3000', host: '10.0.0.5:3000' },
      {},
    ]) {
      const res = await admin.request({
        method: 'POST',
        url: '/api/org-units',
        headers,
        payload: { parentId: unitId, type: 'outlet', name: `本站 ${JSON.stringify(headers)}` },
      });
      expect(res.statusCode).toBe(201);
    }
    // Reads are not judged by Origin.
    expect(
      (await admin.request({ method: 'GET', url: '/api/auth/me', headers: { origin: 'https://evil.example' } }))
        .statusCode,
    ).toBe(200);
  });
});

describe('control characters in text', () => {
  let t: TTestApp;
  let admin: TClient;
  beforeAll(async () => {
    t = await createTestApp();
    admin = await loginAs(t, 'admin', { ip: '10.63.0.1' });
  });
  afterAll(async () => t.close());

  it('400 VALIDATION_FAILED naming the field, before anything is written (login, customers, saved filters, API clients, shop API path, query)', async () => {
    const unitId = await unitIdByCode(t, 'SH-LJZ');
    const shopKey = (await admin.post('/api/api-clients', { unitId, name: '接口' })).json().key as string;
    const before = [
      await auditCount(t),
      await countRows(t, 'select 1 from customers'),
      await countRows(t, 'select 1 from login_throttle'),
    ];
    const cases: [Promise<import('fastify').LightMyRequestResponse>, string][] = [
      [login(t, { ip: '10.63.0.2', username: 'fuzz\u0000x' }), 'body.username'],
      [admin.post('/api/customers', { name: '客户\u0000', unitId }), 'body.name'],
      [admin.post('/api/saved-filters', { name: '筛选', filter: { tags: 'a\u0001b' } }), 'body.filter.tags'],
      [admin.post('/api/api-clients', { unitId, name: '接口\u001f' }), 'body.name'],
      [admin.post('/api/customers', { name: '键', unitId, attrs: { 'k\u0000': 'v' } }), 'body.attrs.k\u0000'],
      [
        t.app.inject({
          method: 'POST',
          url: '/api/shop-api/orders/A%00B/rating',
          remoteAddress: '10.63.0.3',
          headers: { authorization: `Bearer ${shopKey}` },
          payload: {},
        }),
        'params.order',
      ],
      [admin.get('/api/users?q=%00'), 'query.q'],
    ];
    for (const [pending, path] of cases) expectError(await pending, 400, 'VALIDATION_FAILED', [path]);
    expect([
      await auditCount(t),
      await countRows(t, 'select 1 from customers'),
      await countRows(t, 'select 1 from login_throttle'),
    ]).toEqual(before);
  });

  it('tab, line feed and carriage return stay allowed', async () => {
    const res = await admin.post('/api/customers', {
      name: `多行\t客户\r\n${Date.now()}`,
      unitId: await unitIdByCode(t, 'SH-LJZ'),
    });
    expect(res.statusCode).toBe(201);
  });

  it('refuses JSON nested deeper than 32 levels centrally with 400 naming where, before any schema, stack or jsonb limit', async () => {
    const deep = `${'['.repeat(5000)}"x"${']'.repeat(5000)}`;
    const res = await admin.request({
      method: 'POST',
      url: '/api/saved-filters',
      headers: { 'content-type': 'application/json' },
      payload: `{"name":"深","filter":{"tags":${deep}}}`,
    });
    const body = expectError(res, 400, 'VALIDATION_FAILED');
    expect(body.details).toEqual([
      { path: `body.filter.tags${'.0'.repeat(30)}`, message: 'nested deeper than 32 levels' },
    ]);
  });
});

describe('framework errors use the one error body', () => {
  let t: TTestApp;
  let admin: TClient;
  beforeAll(async () => {
    // Without the built SPA: its catch-all route would take the over-long /api path first and answer 404 NOT_FOUND
    // (also the one error body; the fuzz test covers that case).
    t = await createTestApp({ demo: false, env: { WEB_DIST: '/nonexistent-web-dist' } });
    admin = await loginAs(t, 'admin', { ip: '10.64.0.1' });
  });
  afterAll(async () => t.close());

  it('a 5,000-character path parameter → 414 URI_TOO_LONG with the request id', async () => {
    expectError(await admin.get(`/api/users/${'a'.repeat(5000)}`), 414, 'URI_TOO_LONG', ['params']);
    expectError(await t.app.inject({ method: 'GET', url: `/api/s/${'b'.repeat(5000)}` }), 414, 'URI_TOO_LONG');
  });

  it('malformed URL encoding → 400; unknown route and unknown method → 404', async () => {
    expectError(await admin.get('/api/users/%E0%A4%A'), 400, 'VALIDATION_FAILED');
    expectError(await admin.get('/api/no-such-thing'), 404, 'NOT_FOUND');
    expectError(await admin.request({ method: 'PUT', url: '/api/auth/login', payload: {} }), 404, 'NOT_FOUND');
  });

  it('body too large → 413, wrong media type → 415, malformed JSON → 400', async () => {
    expectError(
      await admin.request({
        method: 'POST',
        url: '/api/org-units',
        headers: { 'content-type': 'application/json' },
        payload: `{"name":"${'x'.repeat(1_100_000)}"}`,
      }),
      413,
      'PAYLOAD_TOO_LARGE',
    );
    expectError(
      await admin.request({
        method: 'POST',
        url: '/api/org-units',
        headers: { 'content-type': 'text/plain' },
        payload: 'hi',
      }),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    );
    expectError(
      await admin.request({
        method: 'POST',
        url: '/api/org-units',
        headers: { 'content-type': 'application/json' },
        payload: '{"name":',
      }),
      400,
      'VALIDATION_FAILED',
    );
  });
});
