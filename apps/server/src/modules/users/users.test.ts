import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { TUser } from '@huifang/shared';
import {
  auditCount,
  auditRowsOfRequest,
  countRows,
  createUser,
  expectError,
  loginAs,
  loginRequest,
  meStatus,
  PNG_BYTES,
  PNG_DATA_URL,
  roleIdByKey,
  TEST_PASSWORD,
  uniq,
  unitIdByCode,
  userIdByName,
} from '../../../test/helpers.ts';
import { createTestApp, type TClient, type TTestApp } from '../../../test/test-app.ts';

let t: TTestApp;
let admin: TClient;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());
beforeEach(async () => {
  admin = await t.login('admin');
});

const userCount = () => countRows(t, 'select 1 from users');
const validInput = async (over: Record<string, unknown> = {}) => ({
  username: uniq('new.user'),
  password: TEST_PASSWORD,
  displayName: '新员工',
  unitId: await unitIdByCode(t, 'SH-LJZ'),
  roleIds: [await roleIdByKey(t, 'teller')],
  ...over,
});

describe('POST /api/users', () => {
  it('creates a user: lower-cased username, must change password, roles attached, audited without secrets', async () => {
    const username = uniq('Mixed.Case_User');
    const input = await validInput({
      username,
      staffNo: 'T9001',
      phone: '13812345678',
      email: 'a@example.com',
      photo: PNG_DATA_URL,
      businessHandled: ['开户'],
    });
    const res = await admin.post('/api/users', input);
    expect(res.statusCode).toBe(201);
    const user: TUser = res.json();
    expect(user).toMatchObject({
      username: username.toLowerCase(),
      displayName: '新员工',
      unitId: input.unitId,
      unitName: '陆家嘴支行',
      staffNo: 'T9001',
      phone: '13812345678',
      hasPhoto: true,
      isActive: true,
      mustChangePassword: true,
      businessHandled: ['开户'],
    });
    expect(user.roles.map((r) => r.key)).toEqual(['teller']);
    expect(JSON.stringify(user)).not.toContain('base64');

    const rows = await auditRowsOfRequest(t, res);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ action: 'user.created', entity_id: user.id, actor_id: admin.me.user.id });
    const after = rows[0]!.after as Record<string, unknown>;
    expect(after).toMatchObject({ id: user.id, username: user.username, hasPhoto: true });
    expect(Object.keys(after)).not.toContain('passwordHash');
    expect(Object.keys(after)).not.toContain('photo');
    expect(JSON.stringify(after)).not.toMatch(/argon2|base64|Passw0rd/);
    // The new user logs in with the lower-cased name, whatever case they type.
    expect(
      (await loginRequest(t, username.toUpperCase(), { password: TEST_PASSWORD, ip: '10.50.0.1' })).statusCode,
    ).toBe(200);
  });

  it('lists the newest users first by default, so a user just created is on the first page', async () => {
    // The test clock stands at noon; the demo users were stamped by the database when the tenant was set up.
    t.clock.advance(2 * 24 * 3600_000);
    const later = await loginAs(t, 'admin', { ip: '10.50.3.1' });
    const created = await createUser(t, later, { unitCode: 'SH', roleKeys: ['agent'] });
    const page = (await later.get('/api/users?pageSize=20')).json();
    t.clock.advance(-2 * 24 * 3600_000);
    expect(page.total).toBeGreaterThan(20);
    expect(page.items[0].username).toBe(created.username);
  });

  it('refuses a taken username, case-insensitively, with 409 USERNAME_TAKEN and no second row', async () => {
    const first = await createUser(t, admin, { unitCode: 'SH', roleKeys: ['agent'] });
    const before = [await userCount(), await auditCount(t)];
    const res = await admin.post('/api/users', await validInput({ username: first.username.toUpperCase() }));
    expectError(res, 409, 'USERNAME_TAKEN', ['body.username']);
    expectError(await admin.post('/api/users', await validInput({ username: 'Admin' })), 409, 'USERNAME_TAKEN', [
      'body.username',
    ]);
    expect([await userCount(), await auditCount(t)]).toEqual(before);
    expect(await countRows(t, 'select 1 from users where lower(username) = $1', [first.username])).toBe(1);
  });

  it('rejects bad fields with their paths and writes nothing', async () => {
    const before = [await userCount(), await auditCount(t)];
    const cases: [Record<string, unknown>, string][] = [
      [{ phone: '12345' }, 'body.phone'],
      [{ phone: '138123456789' }, 'body.phone'],
      [{ email: 'not-an-email' }, 'body.email'],
      [{ password: 'Short1' }, 'body.password'],
      [{ password: 'nodigitshere' }, 'body.password'],
      [{ roleIds: ['not-a-uuid'] }, 'body.roleIds.0'],
      [{ username: 'has space' }, 'body.username'],
      [{ displayName: '' }, 'body.displayName'],
      [{ photo: 'data:text/html;base64,PHA+' }, 'body.photo'],
    ];
    for (const [over, path] of cases) {
      const body = expectError(await admin.post('/api/users', await validInput(over)), 400, 'VALIDATION_FAILED', [
        path,
      ]);
      expect(body.details!.every((d) => d.path === path)).toBe(true);
    }
    // Well-formed ids of nothing: 404 on the field, the answer an out-of-scope id gets.
    for (const [over, path] of [
      [{ unitId: crypto.randomUUID() }, 'body.unitId'],
      [{ roleIds: [crypto.randomUUID()] }, 'body.roleIds'],
    ] as const) {
      const body = expectError(await admin.post('/api/users', await validInput(over)), 404, 'NOT_FOUND', [path]);
      expect(body.details!.every((d) => d.path === path)).toBe(true);
    }
    expect([await userCount(), await auditCount(t)]).toEqual(before);
  });
});

describe('GET /api/users', () => {
  it('pages with {items,total,page,pageSize}, bounds pageSize and checks sort fields', async () => {
    const total = await countRows(t, 'select 1 from users where tenant_id = $1', [t.tenantId]);
    const res = await admin.get('/api/users?page=2&pageSize=5&sort=username');
    expect(res.statusCode).toBe(200);
    const page = res.json();
    expect(Object.keys(page).sort()).toEqual(['items', 'page', 'pageSize', 'total']);
    expect(page).toMatchObject({ total, page: 2, pageSize: 5 });
    const all = (
      await t.pool.query<{ username: string }>('select username from users where tenant_id = $1 order by username', [
        t.tenantId,
      ])
    ).rows;
    expect(page.items.map((u: TUser) => u.username)).toEqual(all.slice(5, 10).map((r) => r.username));
    const desc = (await admin.get('/api/users?pageSize=1&sort=-username')).json();
    expect(desc.items[0].username).toBe(all.at(-1)!.username);

    expectError(await admin.get('/api/users?pageSize=101'), 400, 'VALIDATION_FAILED', ['querystring.pageSize']);
    expectError(await admin.get('/api/users?page=0'), 400, 'VALIDATION_FAILED', ['querystring.page']);
    expectError(await admin.get('/api/users?sort=passwordHash'), 400, 'VALIDATION_FAILED', ['querystring.sort']);
    expectError(await admin.get('/api/users?sort=-nope'), 400, 'VALIDATION_FAILED', ['querystring.sort']);
  });

  it('searches by name, username and 工号 (staff number)', async () => {
    const byName = (await admin.get(`/api/users?q=${encodeURIComponent('张伟')}`)).json();
    expect(byName.items.map((u: TUser) => u.username)).toEqual(['zhang.manager']);
    const byStaffNo = (await admin.get('/api/users?q=S1101')).json();
    expect(byStaffNo.items.map((u: TUser) => u.username)).toEqual(['wang.supervisor']);
    expect((await admin.get('/api/users?q=li.man')).json().items.map((u: TUser) => u.username)).toEqual(['li.manager']);
    expect((await admin.get('/api/users?q=%25')).json().total).toBe(0);
  });

  it('filters by unit, including its subtree unless subtree=false', async () => {
    const ljz = await unitIdByCode(t, 'SH-LJZ');
    const expected = (
      await t.pool.query<{ username: string }>(
        `select u.username from users u join org_units o on o.id = u.unit_id
          where o.path like (select path from org_units where id = $1) || '%' order by u.username`,
        [ljz],
      )
    ).rows.map((r) => r.username);
    expect(expected).toEqual(expect.arrayContaining(['chen.teller', 'kiosk.sh-ljz-w1', 'wang.supervisor']));
    const sub = (await admin.get(`/api/users?unitId=${ljz}&pageSize=100&sort=username`)).json();
    expect(sub.items.map((u: TUser) => u.username)).toEqual(expected);
    expect(sub.total).toBe(expected.length);
    const only = (await admin.get(`/api/users?unitId=${ljz}&subtree=false&pageSize=100`)).json();
    expect(only.items.every((u: TUser) => u.unitId === ljz)).toBe(true);
    expect(only.items.map((u: TUser) => u.username)).toContain('wang.supervisor');
    expect(only.items.map((u: TUser) => u.username)).not.toContain('chen.teller');
  });
});

describe('photos', () => {
  it('stores an uploaded data URL and serves the image bytes with their content type', async () => {
    const u = await createUser(t, admin, { unitCode: 'SH-XJH', roleKeys: ['teller'] });
    expectError(await admin.get(`/api/users/${u.id}/photo`), 404, 'NOT_FOUND');
    const res = await admin.patch(`/api/users/${u.id}`, { photo: PNG_DATA_URL });
    expect(res.statusCode).toBe(200);
    expect(res.json().hasPhoto).toBe(true);
    const photo = await admin.get(`/api/users/${u.id}/photo`);
    expect(photo.statusCode).toBe(200);
    expect(photo.headers['content-type']).toBe('image/png');
    expect(photo.rawPayload.equals(PNG_BYTES)).toBe(true);
  });
});

describe('disabling and password resets', () => {
  it('a disabled user is logged out everywhere at once', async () => {
    const u = await createUser(t, admin, { unitCode: 'SH-ZJ', roleKeys: ['supervisor'] });
    const c = await loginAs(t, u.username, { password: u.password, ip: '10.50.1.1' });
    expect((await c.get('/api/users?pageSize=1')).statusCode).toBe(200);
    const res = await admin.patch(`/api/users/${u.id}`, { isActive: false });
    expect(res.statusCode).toBe(200);
    expect(res.json().isActive).toBe(false);
    expectError(await c.get('/api/users?pageSize=1'), 401, 'UNAUTHENTICATED');
    expect(await countRows(t, 'select 1 from sessions where user_id = $1', [u.id])).toBe(0);
    expectError(await loginRequest(t, u.username, { password: u.password, ip: '10.50.1.2' }), 403, 'ACCOUNT_DISABLED');
    const [row] = await auditRowsOfRequest(t, res);
    expect(row).toMatchObject({ action: 'user.updated', before: { isActive: true }, after: { isActive: false } });
  });

  it('reset password revokes sessions, forces a change at next login and is audited', async () => {
    const u = await createUser(t, admin, { unitCode: 'HZ-XH', roleKeys: ['teller'] });
    const first = await loginAs(t, u.username, { password: u.password, ip: '10.50.2.1' });
    const own = 'Own-choice-77';
    expect((await first.post('/api/auth/password', { currentPassword: u.password, newPassword: own })).statusCode).toBe(
      200,
    );
    const c = await loginAs(t, u.username, { password: own, ip: '10.50.2.2' });
    expect(c.me.user).toMatchObject({ mustChangePassword: false });

    const reset = 'Reset-by-admin-1';
    const res = await admin.post(`/api/users/${u.id}/reset-password`, { password: reset });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ ok: true });
    expect(await meStatus(t, c.cookie)).toBe(401);
    expect((await admin.get(`/api/users/${u.id}`)).json().mustChangePassword).toBe(true);
    const rows = await auditRowsOfRequest(t, res);
    expect(rows.map((r) => [r.action, r.entity_id, r.actor_id])).toEqual([
      ['user.password_reset', u.id, admin.me.user.id],
    ]);
    expect(JSON.stringify(rows[0])).not.toContain(reset);
    expectError(await loginRequest(t, u.username, { password: own, ip: '10.50.2.3' }), 401, 'INVALID_CREDENTIALS');
    const again = await loginRequest(t, u.username, { password: reset, ip: '10.50.2.4' });
    expect(again.statusCode).toBe(200);
    expect(again.json().user.mustChangePassword).toBe(true);
    // A weak reset password is refused.
    expectError(await admin.post(`/api/users/${u.id}/reset-password`, { password: 'weak' }), 400, 'VALIDATION_FAILED', [
      'body.password',
    ]);
  });

  it('nobody can disable themselves or change their own roles', async () => {
    const zhang = await t.login('zhang.manager');
    const before = await auditCount(t);
    expectError(await admin.patch(`/api/users/${admin.me.user.id}`, { isActive: false }), 400, 'VALIDATION_FAILED', [
      'body.isActive',
    ]);
    expectError(await zhang.patch(`/api/users/${zhang.me.user.id}`, { isActive: false }), 400, 'VALIDATION_FAILED', [
      'body.isActive',
    ]);
    expectError(await zhang.patch(`/api/users/${zhang.me.user.id}`, { roleIds: [] }), 400, 'VALIDATION_FAILED', [
      'body.roleIds',
    ]);
    expect(await auditCount(t)).toBe(before);
    expect(
      await countRows(t, 'select 1 from users where id = any($1) and is_active', [
        [admin.me.user.id, zhang.me.user.id],
      ]),
    ).toBe(2);
  });
});

describe('no privilege escalation', () => {
  it('a manager cannot create a user with the admin or auditor role', async () => {
    const zhang = await t.login('zhang.manager');
    const before = [await userCount(), await auditCount(t)];
    for (const key of ['admin', 'auditor']) {
      const username = uniq(`esc.${key}`);
      const res = await zhang.post(
        '/api/users',
        await validInput({ username, unitId: await unitIdByCode(t, 'SH'), roleIds: [await roleIdByKey(t, key)] }),
      );
      expectError(res, 403, 'FORBIDDEN', ['body.roleIds']);
      expect(await countRows(t, 'select 1 from users where username = $1', [username])).toBe(0);
    }
    // Granting a role within his own rights works.
    const ok = await zhang.post('/api/users', await validInput({ unitId: await unitIdByCode(t, 'SH-XJH') }));
    expect(ok.statusCode).toBe(201);
    expect([await userCount(), await auditCount(t)]).toEqual([before[0]! + 1, before[1]! + 1]);
  });

  it('a manager cannot edit, reset or re-role a user who holds the admin role, even in his subtree', async () => {
    const boss = await createUser(t, admin, { unitCode: 'SH', roleKeys: ['admin'] });
    const zhang = await t.login('zhang.manager');
    const before = [JSON.stringify((await admin.get(`/api/users/${boss.id}`)).json()), await auditCount(t)];
    // He can see the user (same subtree) ...
    expect((await zhang.get(`/api/users/${boss.id}`)).statusCode).toBe(200);
    // ... but not manage them.
    expectError(await zhang.patch(`/api/users/${boss.id}`, { displayName: '被改名' }), 403, 'FORBIDDEN');
    expectError(await zhang.patch(`/api/users/${boss.id}`, { isActive: false }), 403, 'FORBIDDEN');
    expectError(
      await zhang.patch(`/api/users/${boss.id}`, { roleIds: [await roleIdByKey(t, 'teller')] }),
      403,
      'FORBIDDEN',
    );
    expectError(
      await zhang.post(`/api/users/${boss.id}/reset-password`, { password: 'Taken-over-1' }),
      403,
      'FORBIDDEN',
    );
    expect([JSON.stringify((await admin.get(`/api/users/${boss.id}`)).json()), await auditCount(t)]).toEqual(before);
    expect((await loginRequest(t, boss.username, { password: boss.password, ip: '10.50.3.1' })).statusCode).toBe(200);
  });

  it('a manager cannot give an existing user a role above his own', async () => {
    const zhang = await t.login('zhang.manager');
    const teller = await userIdByName(t, 'chen.teller');
    const res = await zhang.patch(`/api/users/${teller}`, { roleIds: [await roleIdByKey(t, 'admin')] });
    expectError(res, 403, 'FORBIDDEN', ['body.roleIds']);
    const roles = (await admin.get(`/api/users/${teller}`)).json().roles;
    expect(roles.map((r: { key: string }) => r.key)).toEqual(['teller']);
  });
});
