import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TAuditEvent } from '@huifang/shared';
import {
  auditCount,
  auditRowsOfRequest,
  countRows,
  createUser,
  expectError,
  loginAs,
  loginRequest,
  rootUnitId,
  subtreeUnitIds,
  uniq,
  unitIdByCode,
  userIdByName,
} from '../../../test/helpers.ts';
import { createTestApp, type TClient, type TTestApp } from '../../../test/test-app.ts';

let t: TTestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

const items = (res: LightMyRequestResponse) => {
  expect(res.statusCode, res.body).toBe(200);
  return res.json().items as TAuditEvent[];
};

describe('every write leaves exactly one audit row', () => {
  it('with actor, address, request id and before/after', async () => {
    const ip = '10.70.0.9';
    const loginRes = await loginRequest(t, 'admin', { ip });
    const admin = await loginAs(t, 'admin', { ip });
    const send = (c: TClient, method: 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown) =>
      c.request({ method, url, remoteAddress: ip, ...(payload ? { payload: payload as object } : {}) });
    const root = await rootUnitId(t);
    const checks: {
      res: LightMyRequestResponse;
      action: string;
      actor: string | null;
      before: boolean;
      after: boolean;
    }[] = [];
    const check = (
      res: LightMyRequestResponse,
      action: string,
      before: boolean,
      after: boolean,
      actor: string | null = admin.me.user.id,
    ) => {
      expect(res.statusCode, `${action}: ${res.body}`).toBeLessThan(300);
      checks.push({ res, action, actor, before, after });
      return res;
    };

    check(loginRes, 'auth.login', false, false);
    const unit = check(
      await send(admin, 'POST', '/api/org-units', { parentId: root, type: 'branch', name: uniq('审计分行') }),
      'org_unit.created',
      false,
      true,
    ).json();
    const child = check(
      await send(admin, 'POST', '/api/org-units', { parentId: root, type: 'outlet', name: uniq('审计网点') }),
      'org_unit.created',
      false,
      true,
    ).json();
    check(
      await send(admin, 'PATCH', `/api/org-units/${unit.id}`, { name: uniq('改名') }),
      'org_unit.updated',
      true,
      true,
    );
    check(
      await send(admin, 'POST', `/api/org-units/${child.id}/move`, { parentId: unit.id }),
      'org_unit.moved',
      true,
      true,
    );
    const role = check(
      await send(admin, 'POST', '/api/roles', {
        name: uniq('审计角色'),
        permissions: ['dashboard:read'],
        dataScope: 'own',
      }),
      'role.created',
      false,
      true,
    ).json();
    check(await send(admin, 'PATCH', `/api/roles/${role.id}`, { description: '改' }), 'role.updated', true, true);
    const password = 'Audit-pass-1';
    const user = check(
      await send(admin, 'POST', '/api/users', {
        username: uniq('audit.user'),
        password,
        displayName: '审计对象',
        unitId: child.id,
        roleIds: [role.id],
      }),
      'user.created',
      false,
      true,
    ).json();
    check(await send(admin, 'PATCH', `/api/users/${user.id}`, { title: '柜员' }), 'user.updated', true, true);
    check(
      await send(admin, 'POST', `/api/users/${user.id}/reset-password`, { password: 'Audit-pass-2' }),
      'user.password_reset',
      false,
      false,
    );
    const other = await loginAs(t, user.username, { password: 'Audit-pass-2', ip });
    check(
      await send(other, 'POST', '/api/auth/password', { currentPassword: 'Audit-pass-2', newPassword: 'Audit-pass-3' }),
      'auth.password_changed',
      false,
      false,
      user.id,
    );
    check(await send(admin, 'PATCH', `/api/users/${user.id}`, { roleIds: [] }), 'user.updated', true, true);
    check(await send(admin, 'DELETE', `/api/roles/${role.id}`), 'role.deleted', true, false);
    check(await send(admin, 'POST', '/api/auth/logout'), 'auth.logout', false, false);
    const failed = await loginRequest(t, user.username, { password: 'wrong-pass-1', ip });
    checks.push({ res: failed, action: 'auth.login_failed', actor: user.id, before: false, after: false });

    for (const c of checks) {
      const rows = await auditRowsOfRequest(t, c.res);
      expect(
        rows.map((r) => r.action),
        c.action,
      ).toEqual([c.action]);
      const row = rows[0]!;
      expect(row, c.action).toMatchObject({ actor_id: c.actor, ip, request_id: c.res.headers['x-request-id'] });
      expect(row.actor_name, c.action).toBeTruthy();
      expect(row.before !== null, `${c.action} before`).toBe(c.before);
      expect(row.after !== null, `${c.action} after`).toBe(c.after);
    }
    // The API shows the same row.
    const [first] = await auditRowsOfRequest(t, checks[1]!.res);
    const shown = (await (await loginAs(t, 'admin', { ip })).get(`/api/audit-events/${first!.id}`)).json();
    expect(shown).toMatchObject({
      id: String(first!.id),
      action: 'org_unit.created',
      ip,
      requestId: checks[1]!.res.headers['x-request-id'],
      after: unit,
    });
  });

  it('reads write nothing', async () => {
    const admin = await t.login('admin');
    const before = await auditCount(t);
    for (const url of [
      '/api/users',
      '/api/org-units/tree',
      '/api/roles',
      '/api/audit-events',
      '/api/dashboard/summary',
      '/api/auth/me',
    ]) {
      expect((await admin.get(url)).statusCode).toBe(200);
    }
    expect(await auditCount(t)).toBe(before);
  });
});

describe('no personal data in audit rows', () => {
  it("an export searched by phone, ID number or e-mail stores them masked in the row's filters (the auditor reads them)", async () => {
    const admin = await t.login('admin');
    const auditor = await t.login('zhao.auditor');
    for (const [q, masked] of [
      ['13528528043', '135****8043'],
      ['135 2852 8043', '135****8043'],
      ['33010619850312123X', '330106********123X'],
      ['zhang.san@example.com', 'zh***@example.com'],
    ] as const) {
      const res = await admin.get(`/api/customers/export?format=csv&q=${encodeURIComponent(q)}`);
      expect(res.statusCode, res.body).toBe(200);
      const rows = await auditRowsOfRequest(t, res);
      expect(rows.map((r) => r.action)).toEqual(['customer.exported']);
      expect((rows[0]!.after as { filters: { q: string } }).filters.q).toBe(masked);
      const seen = await auditor.get(`/api/audit-events/${rows[0]!.id}`);
      expect(seen.statusCode).toBe(200);
      expect(seen.body).not.toContain(q);
    }
  });
});

describe('GET /api/audit-events filters', () => {
  it('filters by action, entity type, actor, time range and text', async () => {
    const t0 = new Date('2027-05-01T02:00:00Z');
    t.clock.set(t0);
    const admin = await t.login('admin');
    const tag = uniq('筛选');
    const root = await rootUnitId(t);
    const a = (await admin.post('/api/org-units', { parentId: root, type: 'department', name: `${tag}-A` })).json();
    t.clock.set(new Date(t0.getTime() + 20 * 60_000));
    const b = (await admin.post('/api/org-units', { parentId: root, type: 'department', name: `${tag}-B` })).json();
    t.clock.set(new Date(t0.getTime() + 40 * 60_000));
    const zhang = await t.login('zhang.manager');
    const made = await createUser(t, zhang, { unitCode: 'SH-XJH', roleKeys: ['teller'], displayName: `${tag}-U` });

    const q = (s: string) => admin.get(`/api/audit-events?pageSize=100&${s}`);
    const mid = new Date(t0.getTime() + 10 * 60_000).toISOString();
    const tagQ = `q=${encodeURIComponent(tag)}`;
    expect(
      items(await q(tagQ))
        .map((e) => e.entityId)
        .sort(),
    ).toEqual([a.id, b.id, made.id].sort());
    expect(
      items(await q(`${tagQ}&action=org_unit.created`))
        .map((e) => e.entityId)
        .sort(),
    ).toEqual([a.id, b.id].sort());
    expect(items(await q(`${tagQ}&entityType=user`)).map((e) => e.entityId)).toEqual([made.id]);
    expect(
      items(await q(`${tagQ}&from=${mid}`))
        .map((e) => e.entityId)
        .sort(),
    ).toEqual([b.id, made.id].sort());
    expect(items(await q(`${tagQ}&to=${mid}`)).map((e) => e.entityId)).toEqual([a.id]);
    expect(
      items(
        await q(
          `${tagQ}&from=${encodeURIComponent('2027-05-01T10:15:00+08:00')}&to=${encodeURIComponent('2027-05-01T10:25:00+08:00')}`,
        ),
      ).map((e) => e.entityId),
    ).toEqual([b.id]);
    expect(items(await q(`q=${made.username}`)).map((e) => e.action)).toEqual(['user.created']);

    const byZhang = items(await q(`actorId=${zhang.me.user.id}&from=${t0.toISOString()}`));
    expect(byZhang.map((e) => e.action).sort()).toEqual(['auth.login', 'user.created']);
    expect(byZhang.every((e) => e.actorId === zhang.me.user.id)).toBe(true);
    // Newest first by default.
    const ordered = items(await q(tagQ)).map((e) => e.entityId);
    expect(ordered).toEqual([made.id, b.id, a.id]);

    expectError(await q('from=yesterday'), 400, 'VALIDATION_FAILED', ['querystring.from']);
    expectError(await q('actorId=42'), 400, 'VALIDATION_FAILED', ['querystring.actorId']);
    expectError(await q('sort=before'), 400, 'VALIDATION_FAILED', ['querystring.sort']);
  });
});

describe('append-only', () => {
  it('refuses UPDATE, DELETE and TRUNCATE of audit rows, even straight in SQL', async () => {
    const before = await t.pool.query('select * from audit_events order by id');
    expect(before.rowCount).toBeGreaterThan(0);
    await expect(t.pool.query(`update audit_events set summary = 'tampered'`)).rejects.toThrow(/append-only/);
    await expect(
      t.pool.query(`update audit_events set actor_id = null where id = $1`, [before.rows[0].id]),
    ).rejects.toThrow(/append-only/);
    await expect(t.pool.query('delete from audit_events')).rejects.toThrow(/append-only/);
    await expect(t.pool.query('truncate audit_events')).rejects.toThrow(/append-only/);
    const after = await t.pool.query('select * from audit_events where id <= $1 order by id', [before.rows.at(-1).id]);
    expect(after.rows).toEqual(before.rows);
  });
});

describe('who sees which events', () => {
  it('the auditor sees the whole tenant; a manager only his subtree; an agent none', async () => {
    const li = await t.login('li.manager');
    const zhang = await t.login('zhang.manager');
    const auditor = await t.login('zhao.auditor');
    const liLogin = items(await auditor.get(`/api/audit-events?action=auth.login&actorId=${li.me.user.id}`));
    const zhangLogin = items(await auditor.get(`/api/audit-events?action=auth.login&actorId=${zhang.me.user.id}`));
    expect(liLogin.length).toBeGreaterThan(0);
    expect(zhangLogin.length).toBeGreaterThan(0);
    const all = await auditor.get('/api/audit-events?pageSize=1');
    expect(all.json().total).toBe(await countRows(t, 'select 1 from audit_events where tenant_id = $1', [t.tenantId]));

    // zhang: SH events yes (his own, and wang's in SH-LJZ), HZ events no.
    await t.login('wang.supervisor');
    const wangId = await userIdByName(t, 'wang.supervisor');
    expect(items(await zhang.get(`/api/audit-events?action=auth.login&actorId=${wangId}`)).length).toBeGreaterThan(0);
    expect(items(await zhang.get(`/api/audit-events?actorId=${li.me.user.id}`))).toEqual([]);
    const notFound = await zhang.get(`/api/audit-events/${liLogin[0]!.id}`);
    expectError(notFound, 404, 'NOT_FOUND');
    expect(notFound.body).not.toContain('李娜');
    expect((await zhang.get(`/api/audit-events/${zhangLogin[0]!.id}`)).statusCode).toBe(200);
    const sh = new Set(await subtreeUnitIds(t, 'SH'));
    const visible = items(await zhang.get('/api/audit-events?pageSize=100'));
    expect(visible.length).toBeGreaterThan(0);
    expect(visible.every((e) => e.unitId !== null && sh.has(e.unitId))).toBe(true);
    const hz = await unitIdByCode(t, 'HZ');
    expect(visible.some((e) => e.unitId === hz)).toBe(false);

    const agent = await t.login('liu.agent');
    expectError(await agent.get('/api/audit-events'), 403, 'FORBIDDEN');
    expectError(await agent.get(`/api/audit-events/${zhangLogin[0]!.id}`), 403, 'FORBIDDEN');
  });
});
