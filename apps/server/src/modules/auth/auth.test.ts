import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BUILTIN_ROLE_DEFAULTS } from '@huifang/shared';
import {
  auditCount,
  auditRowsOfRequest,
  clientFor,
  countRows,
  createUser,
  expectError,
  loginAs,
  loginRequest,
  meStatus,
  sessionCookie,
  TEST_PASSWORD,
  uniq,
  unitIdByCode,
  userIdByName,
} from '../../../test/helpers.ts';
import { createTestApp, type TClient, type TTestApp } from '../../../test/test-app.ts';
import { hashToken } from './auth.service.ts';

let t: TTestApp;
let admin: TClient;
const MINUTE = 60_000;
/** Each login comes from its own address so the per-IP counters and the login rate limit stay out of the way. */
let ipSeq = 0;
const nextIp = () => `10.20.${Math.floor(++ipSeq / 250)}.${(ipSeq % 250) + 1}`;

beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());
// Some tests move the clock by hours; every test gets a fresh admin session.
beforeEach(async () => {
  admin = await loginAs(t, 'admin', { ip: nextIp() });
});

describe('POST /api/auth/login', () => {
  it('sets an HttpOnly SameSite=Lax session cookie and returns me with a CSRF token', async () => {
    const res = await loginRequest(t, 'zhang.manager', { ip: nextIp() });
    expect(res.statusCode).toBe(200);
    const cookie = sessionCookie(res)!;
    expect(cookie).toMatchObject({ name: 'hf_sid', httpOnly: true, sameSite: 'Lax', path: '/' });
    expect(cookie.value.length).toBeGreaterThanOrEqual(40);
    const me = res.json();
    expect(me.user).toMatchObject({
      username: 'zhang.manager',
      displayName: '张伟',
      unitId: await unitIdByCode(t, 'SH'),
    });
    expect([...me.permissions].sort()).toEqual([...BUILTIN_ROLE_DEFAULTS.manager.permissions].sort());
    expect(me.dataScope).toBe('subtree');
    expect(typeof me.csrfToken).toBe('string');
    expect(me.csrfToken.length).toBeGreaterThanOrEqual(40);
    // The cookie is the session: /me answers with the same user.
    expect(await meStatus(t, cookie.value)).toBe(200);
  });

  it('answers wrong password and unknown user identically, and audits both', async () => {
    const before = await auditCount(t);
    const wrong = await loginRequest(t, 'zhang.manager', { password: 'not-the-password1', ip: nextIp() });
    const unknown = await loginRequest(t, uniq('nobody'), { password: 'not-the-password1', ip: nextIp() });
    const a = expectError(wrong, 401, 'INVALID_CREDENTIALS');
    const b = expectError(unknown, 401, 'INVALID_CREDENTIALS');
    expect({ ...a, requestId: '' }).toEqual({ ...b, requestId: '' });
    expect(wrong.cookies).toEqual([]);
    expect(await auditCount(t)).toBe(before + 2);
    const [row] = await auditRowsOfRequest(t, wrong);
    expect(row).toMatchObject({ action: 'auth.login_failed', actor_id: await userIdByName(t, 'zhang.manager') });
    expect((await auditRowsOfRequest(t, unknown)).map((r) => r.action)).toEqual(['auth.login_failed']);
  });

  it('writes an auth.login audit row with the caller address', async () => {
    const ip = nextIp();
    const res = await loginRequest(t, 'li.manager', { ip });
    expect(res.statusCode).toBe(200);
    const rows = await auditRowsOfRequest(t, res);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      action: 'auth.login',
      actor_id: res.json().user.id,
      entity_id: res.json().user.id,
      ip,
    });
  });

  it('refuses a disabled account with 403 ACCOUNT_DISABLED and no session', async () => {
    const u = await createUser(t, admin, { unitCode: 'SH-XJH', roleKeys: ['teller'] });
    expect((await admin.patch(`/api/users/${u.id}`, { isActive: false })).statusCode).toBe(200);
    const sessions = await countRows(t, 'select 1 from sessions');
    const res = await loginRequest(t, u.username, { password: u.password, ip: nextIp() });
    expectError(res, 403, 'ACCOUNT_DISABLED');
    expect(res.cookies).toEqual([]);
    expect(await countRows(t, 'select 1 from sessions')).toBe(sessions);
    expect((await auditRowsOfRequest(t, res)).map((r) => r.action)).toEqual(['auth.login_failed']);
  });

  it('answers 415 to a non-JSON body and 400 to malformed JSON', async () => {
    for (const type of ['text/plain', 'application/x-www-form-urlencoded']) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        headers: { 'content-type': type },
        payload: type === 'text/plain' ? `{"username":"admin","password":"x"}` : 'username=admin&password=x',
        remoteAddress: nextIp(),
      });
      expectError(res, 415, 'UNSUPPORTED_MEDIA_TYPE');
    }
    const bad = await t.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      headers: { 'content-type': 'application/json' },
      payload: '{"username": "admin", ',
      remoteAddress: nextIp(),
    });
    expectError(bad, 400, 'VALIDATION_FAILED', ['body']);
  });

  it('stores passwords as argon2id hashes', async () => {
    const u = await createUser(t, admin, { unitCode: 'SH', roleKeys: ['agent'] });
    const r = await t.pool.query<{ password_hash: string }>(
      'select password_hash from users where id = $1 or username = $2',
      [u.id, 'admin'],
    );
    expect(r.rows).toHaveLength(2);
    for (const row of r.rows) expect(row.password_hash.startsWith('$argon2id$')).toBe(true);
  });
});

const wrong = 'wrong-pass-1';

describe('login throttling', () => {
  let lt: TTestApp;
  let ltAdmin: TClient;
  beforeAll(async () => {
    lt = await createTestApp({
      env: {
        LOGIN_MAX_FAILURES_PER_ACCOUNT: '3',
        LOGIN_MAX_FAILURES_PER_IP: '12',
        LOGIN_BACKOFF_SECONDS: '30',
        LOGIN_LOCK_MINUTES: '15',
      },
    });
  });
  afterAll(async () => lt.close());
  // Some tests move the clock by many minutes: a fresh admin session each time.
  beforeEach(async () => {
    ltAdmin = await loginAs(lt, 'admin', { ip: nextIp() });
  });

  it("a stranger's failures slow only his own source: the account holder logs in from his own network meanwhile", async () => {
    const attacker = '10.30.0.1';
    for (let i = 0; i < 3; i++)
      expectError(
        await loginRequest(lt, 'wang.supervisor', { password: wrong, ip: attacker }),
        401,
        'INVALID_CREDENTIALS',
      );
    // Even the right password waits at the attacker's source.
    const locked = await loginRequest(lt, 'wang.supervisor', { ip: attacker });
    expectError(locked, 429, 'RATE_LIMITED');
    expect(locked.headers['retry-after']).toBe('30');
    expect(locked.cookies).toEqual([]);
    // The holder, from his own address, is not shut out.
    const own = await loginRequest(lt, 'wang.supervisor', { ip: '10.30.0.2' });
    expect(own.statusCode).toBe(200);
    expect(own.json().user.username).toBe('wang.supervisor');
    // After the wait the attacker's source may try again.
    lt.clock.advance(31_000);
    expect((await loginRequest(lt, 'wang.supervisor', { ip: attacker })).statusCode).toBe(200);
  });

  it('each further failure doubles the wait, up to LOGIN_LOCK_MINUTES; a success starts the count over', async () => {
    const ip = '10.30.1.1';
    const waits: number[] = [];
    for (let i = 0; i < 2; i++)
      expectError(await loginRequest(lt, 'liu.agent', { password: wrong, ip }), 401, 'INVALID_CREDENTIALS');
    for (let i = 0; i < 7; i++) {
      expectError(await loginRequest(lt, 'liu.agent', { password: wrong, ip }), 401, 'INVALID_CREDENTIALS');
      const refused = await loginRequest(lt, 'liu.agent', { password: wrong, ip });
      expectError(refused, 429, 'RATE_LIMITED');
      const wait = Number(refused.headers['retry-after']);
      waits.push(wait);
      lt.clock.advance(wait * 1000);
    }
    expect(waits).toEqual([30, 60, 120, 240, 480, 900, 900]);
    expect((await loginRequest(lt, 'liu.agent', { ip })).statusCode).toBe(200);
    // Counting starts over: three free failures again.
    for (let i = 0; i < 3; i++)
      expectError(await loginRequest(lt, 'liu.agent', { password: wrong, ip }), 401, 'INVALID_CREDENTIALS');
    expectError(await loginRequest(lt, 'liu.agent', { password: wrong, ip }), 429, 'RATE_LIMITED');
  });

  it('the failure that starts a wait is audited (auth.login_locked, with the source) and the holder is notified once', async () => {
    const u = await createUser(lt, ltAdmin, { unitCode: 'SH-LJZ', roleKeys: ['agent'] });
    const ip = '10.30.2.1';
    let last = await loginRequest(lt, u.username, { password: wrong, ip });
    for (let i = 0; i < 2; i++) {
      expect(
        await countRows(lt, "select 1 from audit_events where action = 'auth.login_locked' and entity_id = $1", [u.id]),
      ).toBe(0);
      last = await loginRequest(lt, u.username, { password: wrong, ip });
    }
    const rows = await auditRowsOfRequest(lt, last);
    expect(rows.map((r) => r.action)).toEqual(['auth.login_failed', 'auth.login_locked']);
    expect(rows[1]).toMatchObject({ entity_id: u.id, ip, after: { source: ip, failures: 3, waitSeconds: 30 } });
    lt.clock.advance(30_000);
    expectError(await loginRequest(lt, u.username, { password: wrong, ip }), 401, 'INVALID_CREDENTIALS');
    expect(
      await countRows(lt, "select 1 from audit_events where action = 'auth.login_locked' and entity_id = $1", [u.id]),
    ).toBe(2);
    const notes = await lt.pool.query('select kind, title, body from notifications where user_id = $1', [u.id]);
    expect(notes.rows).toHaveLength(1);
    expect(notes.rows[0]).toMatchObject({ kind: 'auth.login_locked' });
    expect(notes.rows[0].body).toContain(ip);
  });

  it('an admin lifts the waits from every source at once (audited); the button is refused outside scope and without user:write', async () => {
    const u = await createUser(lt, ltAdmin, { unitCode: 'SH-LJZ', roleKeys: ['agent'] });
    for (const ip of ['10.30.3.1', '10.30.3.2']) {
      for (let i = 0; i < 3; i++) await loginRequest(lt, u.username, { password: wrong, ip });
      expectError(await loginRequest(lt, u.username, { password: u.password, ip }), 429, 'RATE_LIMITED');
    }
    // A manager of another branch sees no such user; a teller may not.
    const li = await loginAs(lt, 'li.manager', { ip: '10.30.3.8' });
    const teller = await loginAs(lt, 'chen.teller', { ip: '10.30.3.9' });
    const before = await auditCount(lt);
    expectError(await li.post(`/api/users/${u.id}/unlock-login`), 404, 'NOT_FOUND');
    expectError(await teller.post(`/api/users/${u.id}/unlock-login`), 403, 'FORBIDDEN');
    expect(await auditCount(lt)).toBe(before);
    expectError(await loginRequest(lt, u.username, { password: u.password, ip: '10.30.3.1' }), 429, 'RATE_LIMITED');

    const res = await ltAdmin.post(`/api/users/${u.id}/unlock-login`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ unlockedSources: 2 });
    expect((await auditRowsOfRequest(lt, res)).map((r) => [r.action, r.entity_id])).toEqual([
      ['user.login_unlocked', u.id],
    ]);
    for (const ip of ['10.30.3.1', '10.30.3.2'])
      expect((await loginRequest(lt, u.username, { password: u.password, ip })).statusCode).toBe(200);
  });

  it('slows an address down after too many failures for any account, but not other addresses', async () => {
    const ip = '10.40.0.1';
    for (let i = 0; i < 12; i++) {
      expectError(await loginRequest(lt, uniq('ghost'), { password: wrong, ip }), 401, 'INVALID_CREDENTIALS');
    }
    const blocked = await loginRequest(lt, 'zhang.manager', { ip });
    expectError(blocked, 429, 'RATE_LIMITED');
    expect(Number(blocked.headers['retry-after'])).toBe(30);
    expect((await loginRequest(lt, 'zhang.manager', { ip: '10.40.0.2' })).statusCode).toBe(200);
  });

  it('successful logins from one shared address (an office) do not use up its failures', async () => {
    const ip = '10.40.1.1';
    for (let i = 0; i < 10; i++)
      expect((await loginRequest(lt, i % 2 ? 'zhang.manager' : 'liu.agent', { ip })).statusCode).toBe(200);
    for (let i = 0; i < 5; i++)
      expectError(await loginRequest(lt, uniq('ghost'), { password: wrong, ip }), 401, 'INVALID_CREDENTIALS');
    expect((await loginRequest(lt, 'zhang.manager', { ip })).statusCode).toBe(200);
  });
});

describe('exact limits under concurrency', () => {
  it('50 concurrent wrong logins for one account and source: exactly LOGIN_MAX_FAILURES_PER_ACCOUNT are checked, the rest 429 with Retry-After', async () => {
    const ct = await createTestApp({
      demo: false,
      env: { LOGIN_MAX_FAILURES_PER_ACCOUNT: '7', LOGIN_MAX_FAILURES_PER_IP: '1000', LOGIN_RATE_PER_MINUTE: '1000' },
    });
    try {
      const all = await Promise.all(
        Array.from({ length: 50 }, () => loginRequest(ct, 'admin', { password: wrong, ip: '10.50.0.1' })),
      );
      const checked = all.filter((r) => r.statusCode === 401);
      const refused = all.filter((r) => r.statusCode === 429);
      expect([checked.length, refused.length]).toEqual([7, 43]);
      for (const r of checked) expectError(r, 401, 'INVALID_CREDENTIALS');
      for (const r of refused) {
        expectError(r, 429, 'RATE_LIMITED');
        expect(Number(r.headers['retry-after'])).toBeGreaterThan(0);
      }
      expect(await countRows(ct, "select 1 from audit_events where action = 'auth.login_failed'")).toBe(7);
    } finally {
      await ct.close();
    }
  });

  it('50 concurrent logins from one address against LOGIN_RATE_PER_MINUTE=N: exactly N pass, the rest 429 with Retry-After in the one error body', async () => {
    const ct = await createTestApp({
      demo: false,
      env: { LOGIN_RATE_PER_MINUTE: '9', LOGIN_MAX_FAILURES_PER_ACCOUNT: '1000', LOGIN_MAX_FAILURES_PER_IP: '1000' },
    });
    try {
      const all = await Promise.all(Array.from({ length: 50 }, () => loginRequest(ct, 'admin', { ip: '10.50.0.2' })));
      const passed = all.filter((r) => r.statusCode !== 429);
      expect(passed.map((r) => r.statusCode)).toEqual(Array(9).fill(200));
      const limited = all.filter((r) => r.statusCode === 429);
      expect(limited).toHaveLength(41);
      for (const r of limited) {
        expectError(r, 429, 'RATE_LIMITED');
        expect(Number(r.headers['retry-after'])).toBeGreaterThan(0);
      }
      // Another address has its own allowance.
      expect((await loginRequest(ct, 'admin', { ip: '10.50.0.3' })).statusCode).toBe(200);
    } finally {
      await ct.close();
    }
  });
});

describe('sessions', () => {
  it('GET /api/auth/me is 401 without a cookie or with an unknown one', async () => {
    expectError(await t.app.inject({ method: 'GET', url: '/api/auth/me' }), 401, 'UNAUTHENTICATED');
    expect(await meStatus(t, 'not-a-session-token')).toBe(401);
  });

  it('expires after SESSION_IDLE_MINUTES without activity; activity keeps it alive', async () => {
    const idle = t.config.sessionIdleMinutes;
    const active = await loginAs(t, 'wang.supervisor', { ip: nextIp() });
    const idler = await loginAs(t, 'wang.supervisor', { ip: nextIp() });
    // Three idle windows in all, with activity on `active` inside each one.
    for (let i = 0; i < 3; i++) {
      t.clock.advance((idle - 1) * MINUTE);
      expect(await meStatus(t, active.cookie)).toBe(200);
    }
    expect(await meStatus(t, idler.cookie)).toBe(401);
    // last_seen is written at most once a minute: a request 30 s after the last write leaves it as it was.
    const lastSeen = async () =>
      (await t.pool.query('select last_seen_at from sessions where token_hash = $1', [hashToken(active.cookie)]))
        .rows[0]?.last_seen_at;
    const seen = await lastSeen();
    expect(seen.getTime()).toBe(t.clock.now().getTime());
    t.clock.advance(30_000);
    expect(await meStatus(t, active.cookie)).toBe(200);
    expect(await lastSeen()).toEqual(seen);
    t.clock.advance(idle * MINUTE);
    expect(await meStatus(t, active.cookie)).toBe(401);
    // Expired sessions are deleted, not just refused.
    expect(
      await countRows(t, 'select 1 from sessions where token_hash in ($1, $2)', [
        hashToken(active.cookie),
        hashToken(idler.cookie),
      ]),
    ).toBe(0);
  });

  it('expires after SESSION_MAX_HOURS however active', async () => {
    const c = await loginAs(t, 'wang.supervisor', { ip: nextIp() });
    const step = 20 * MINUTE;
    const steps = Math.floor((t.config.sessionMaxHours * 60 * MINUTE - 1000) / step);
    for (let i = 0; i < steps; i++) {
      t.clock.advance(step);
      expect(await meStatus(t, c.cookie)).toBe(200);
    }
    t.clock.advance(step);
    expectError(await c.get('/api/auth/me'), 401, 'UNAUTHENTICATED');
  });

  it('logout deletes the session; the cookie no longer works', async () => {
    const c = await loginAs(t, 'liu.agent', { ip: nextIp() });
    const res = await c.post('/api/auth/logout');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ ok: true });
    expect(sessionCookie(res)?.value).toBe('');
    expect((await auditRowsOfRequest(t, res)).map((r) => r.action)).toEqual(['auth.logout']);
    expect(await meStatus(t, c.cookie)).toBe(401);
    expect(await countRows(t, 'select 1 from sessions where token_hash = $1', [hashToken(c.cookie)])).toBe(0);
    expectError(await c.post('/api/auth/logout'), 401, 'UNAUTHENTICATED');
  });
});

describe('POST /api/auth/password', () => {
  it('refuses a wrong current password and changes nothing', async () => {
    const u = await createUser(t, admin, { unitCode: 'SH-ZJ', roleKeys: ['teller'] });
    const c = await loginAs(t, u.username, { password: u.password, ip: nextIp() });
    const hash = async () =>
      (await t.pool.query('select password_hash from users where id = $1', [u.id])).rows[0].password_hash;
    const before = [await hash(), await auditCount(t)];
    const res = await c.post('/api/auth/password', {
      currentPassword: 'Wrong-pass-9',
      newPassword: 'Brand-new-pass-9',
    });
    expectError(res, 400, 'WRONG_PASSWORD', ['body.currentPassword']);
    const weak = await c.post('/api/auth/password', { currentPassword: u.password, newPassword: 'short' });
    expectError(weak, 400, 'VALIDATION_FAILED', ['body.newPassword']);
    const noDigit = await c.post('/api/auth/password', { currentPassword: u.password, newPassword: 'onlyletters' });
    expectError(noDigit, 400, 'VALIDATION_FAILED', ['body.newPassword']);
    expect([await hash(), await auditCount(t)]).toEqual(before);
    expect(await meStatus(t, c.cookie)).toBe(200);
  });

  it('changes the password, revokes every other session and issues a fresh cookie', async () => {
    const u = await createUser(t, admin, { unitCode: 'SH-ZJ', roleKeys: ['teller'] });
    const a = await loginAs(t, u.username, { password: u.password, ip: nextIp() });
    const b = await loginAs(t, u.username, { password: u.password, ip: nextIp() });
    expect(a.me.user).toMatchObject({ mustChangePassword: true });
    const newPassword = 'Changed-pass-42';
    const res = await a.post('/api/auth/password', { currentPassword: u.password, newPassword });
    expect(res.statusCode).toBe(200);
    const fresh = sessionCookie(res)!;
    expect(fresh).toMatchObject({ httpOnly: true, sameSite: 'Lax' });
    expect(fresh.value).not.toBe(a.cookie);
    expect(res.json().user.mustChangePassword).toBe(false);
    expect(await meStatus(t, fresh.value)).toBe(200);
    expect(await meStatus(t, a.cookie)).toBe(401);
    expect(await meStatus(t, b.cookie)).toBe(401);
    // The fresh session carries its own CSRF token for writes.
    const c = clientFor(t, fresh.value, res.json());
    expect((await c.post('/api/auth/logout')).statusCode).toBe(200);

    const rows = await auditRowsOfRequest(t, res);
    expect(rows.map((r) => [r.action, r.actor_id])).toEqual([['auth.password_changed', u.id]]);
    expectError(await loginRequest(t, u.username, { password: u.password, ip: nextIp() }), 401, 'INVALID_CREDENTIALS');
    expect((await loginRequest(t, u.username, { password: newPassword, ip: nextIp() })).statusCode).toBe(200);
  });
});

describe('CSRF', () => {
  it('refuses cookie-authenticated writes without the session CSRF token and changes nothing', async () => {
    const unitId = await unitIdByCode(t, 'HZ-BJ');
    const name = async () => (await t.pool.query('select name from org_units where id = $1', [unitId])).rows[0].name;
    const other = await loginAs(t, 'admin', { ip: nextIp() });
    const before = [await name(), await auditCount(t)];
    for (const token of [undefined, 'wrong-token', other.me.csrfToken]) {
      const headers: Record<string, string> = { cookie: `hf_sid=${admin.cookie}` };
      if (token) headers['x-csrf-token'] = token;
      const res = await t.app.inject({
        method: 'PATCH',
        url: `/api/org-units/${unitId}`,
        headers,
        payload: { name: uniq('csrf') },
      });
      expectError(res, 403, 'CSRF_FAILED');
      const created = await t.app.inject({
        method: 'POST',
        url: '/api/users',
        headers,
        payload: { username: uniq('csrf'), password: TEST_PASSWORD, displayName: 'x', unitId, roleIds: [] },
      });
      expectError(created, 403, 'CSRF_FAILED');
      expectError(await t.app.inject({ method: 'POST', url: '/api/auth/logout', headers }), 403, 'CSRF_FAILED');
    }
    expect([await name(), await auditCount(t)]).toEqual(before);
    expect(await meStatus(t, admin.cookie)).toBe(200);
    // Reads need no token.
    expect(
      (
        await t.app.inject({
          method: 'GET',
          url: `/api/org-units/${unitId}`,
          headers: { cookie: `hf_sid=${admin.cookie}` },
        })
      ).statusCode,
    ).toBe(200);
  });
});
