import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BUILTIN_ROLE_DEFAULTS, BUILTIN_ROLES, type TRole } from '@huifang/shared';
import {
  auditCount,
  auditRowsOfRequest,
  countRows,
  createUser,
  expectError,
  loginAs,
  roleIdByKey,
  subtreeUnitIds,
  uniq,
  unitIdByCode,
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

const roleCount = () => countRows(t, 'select 1 from roles');
let ipSeq = 0;
const ip = () => `10.60.0.${++ipSeq}`;

async function createRole(input: {
  name?: string;
  permissions: string[];
  dataScope: string;
  description?: string;
}): Promise<TRole> {
  const res = await admin.post('/api/roles', { name: uniq('角色'), ...input });
  expect(res.statusCode, res.body).toBe(201);
  return res.json();
}

describe('GET /api/roles', () => {
  it('lists the seven built-in roles with their default permissions and scopes', async () => {
    const res = await admin.get('/api/roles?pageSize=100');
    expect(res.statusCode).toBe(200);
    const builtins = (res.json().items as TRole[]).filter((r) => r.isBuiltin);
    expect(builtins.map((r) => r.key).sort()).toEqual([...BUILTIN_ROLES].sort());
    for (const r of builtins) {
      const def = BUILTIN_ROLE_DEFAULTS[r.key as keyof typeof BUILTIN_ROLE_DEFAULTS];
      expect(r).toMatchObject({ name: def.name, dataScope: def.dataScope });
      expect([...r.permissions].sort()).toEqual([...def.permissions].sort());
    }
    const admins = builtins.find((r) => r.key === 'admin')!;
    expect(admins.userCount).toBeGreaterThanOrEqual(1);
    expect((await admin.get(`/api/roles/${admins.id}`)).json()).toEqual(admins);
  });
});

describe('custom roles', () => {
  it('a holder gets exactly the ticked permissions and sees data by the role scope', async () => {
    const create = await admin.post('/api/roles', {
      name: uniq('网点查询员'),
      description: '只读本网点',
      permissions: ['user:read', 'dashboard:read', 'org:read'],
      dataScope: 'unit',
    });
    expect(create.statusCode).toBe(201);
    const role: TRole = create.json();
    expect(role).toMatchObject({
      isBuiltin: false,
      key: null,
      dataScope: 'unit',
      userCount: 0,
      description: '只读本网点',
    });
    // Stored in the canonical order, whatever order they were ticked in.
    expect(role.permissions).toEqual(['dashboard:read', 'org:read', 'user:read']);
    const [row] = await auditRowsOfRequest(t, create);
    expect(row).toMatchObject({
      action: 'role.created',
      entity_id: role.id,
      after: { name: role.name, permissions: role.permissions },
    });

    const u = await createUser(t, admin, { unitCode: 'SH-LJZ', roleIds: [role.id] });
    const c = await loginAs(t, u.username, { password: u.password, ip: ip() });
    expect(c.me.permissions).toEqual(['dashboard:read', 'org:read', 'user:read']);
    expect(c.me).toMatchObject({ dataScope: 'unit', roles: [{ id: role.id, key: null, name: role.name }] });

    // Scope `unit`: SH-LJZ only, not its counters.
    const ljz = await unitIdByCode(t, 'SH-LJZ');
    expect((await c.get('/api/org-units/tree')).json().items.map((x: { id: string }) => x.id)).toEqual([ljz]);
    const users = (await c.get('/api/users?pageSize=100')).json();
    expect(users.items.length).toBeGreaterThan(1);
    expect(users.items.every((x: { unitId: string }) => x.unitId === ljz)).toBe(true);
    expect(users.total).toBe(await countRows(t, 'select 1 from users where unit_id = $1', [ljz]));
    // Not ticked: writes and role/audit reads.
    expectError(await c.get('/api/roles'), 403, 'FORBIDDEN');
    expectError(await c.get('/api/audit-events'), 403, 'FORBIDDEN');
    expectError(await c.post('/api/org-units', { parentId: ljz, type: 'counter', name: 'x' }), 403, 'FORBIDDEN');
  });

  it('a change of permissions or scope applies to holders already logged in, on their next request', async () => {
    const role = await createRole({ permissions: ['dashboard:read', 'org:read'], dataScope: 'unit' });
    const u = await createUser(t, admin, { unitCode: 'HZ', roleIds: [role.id] });
    const c = await loginAs(t, u.username, { password: u.password, ip: ip() });
    expectError(await c.get('/api/users'), 403, 'FORBIDDEN');
    expect((await c.get('/api/org-units/tree')).json().items).toHaveLength(1);

    const res = await admin.patch(`/api/roles/${role.id}`, {
      permissions: ['org:read', 'user:read'],
      dataScope: 'subtree',
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ permissions: ['org:read', 'user:read'], dataScope: 'subtree', userCount: 1 });
    const [row, ...more] = await auditRowsOfRequest(t, res);
    expect(more).toEqual([]);
    expect(row).toMatchObject({
      action: 'role.updated',
      before: { permissions: ['dashboard:read', 'org:read'], dataScope: 'unit' },
      after: { permissions: ['org:read', 'user:read'], dataScope: 'subtree' },
    });

    expect((await c.get('/api/users')).statusCode).toBe(200);
    expectError(await c.get('/api/dashboard/summary'), 403, 'FORBIDDEN');
    const ids = (await c.get('/api/org-units/tree'))
      .json()
      .items.map((x: { id: string }) => x.id)
      .sort();
    expect(ids).toEqual(await subtreeUnitIds(t, 'HZ'));
    expect((await c.get('/api/auth/me')).json()).toMatchObject({
      permissions: ['org:read', 'user:read'],
      dataScope: 'subtree',
    });
  });

  it('deletes an unused custom role, audited; it is gone afterwards', async () => {
    const role = await createRole({ permissions: [], dataScope: 'own' });
    const before = await roleCount();
    const res = await admin.del(`/api/roles/${role.id}`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ ok: true });
    expect(await roleCount()).toBe(before - 1);
    const rows = await auditRowsOfRequest(t, res);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ action: 'role.deleted', entity_id: role.id, before: { name: role.name } });
    expectError(await admin.get(`/api/roles/${role.id}`), 404, 'NOT_FOUND');
    expectError(await admin.del(`/api/roles/${role.id}`), 404, 'NOT_FOUND');
  });
});

describe('refusals', () => {
  it('the admin role cannot be changed', async () => {
    const id = await roleIdByKey(t, 'admin');
    const before = [await admin.get(`/api/roles/${id}`).then((r) => r.body), await auditCount(t)];
    expectError(await admin.patch(`/api/roles/${id}`, { permissions: ['dashboard:read'] }), 409, 'BUILTIN_ROLE_LOCKED');
    expectError(await admin.patch(`/api/roles/${id}`, { name: '超级管理员' }), 409, 'BUILTIN_ROLE_LOCKED');
    expect([await admin.get(`/api/roles/${id}`).then((r) => r.body), await auditCount(t)]).toEqual(before);
  });

  it('built-in roles cannot be deleted', async () => {
    const before = [await roleCount(), await auditCount(t)];
    for (const key of ['admin', 'teller', 'kiosk']) {
      expectError(await admin.del(`/api/roles/${await roleIdByKey(t, key)}`), 409, 'BUILTIN_ROLE_LOCKED');
    }
    expect([await roleCount(), await auditCount(t)]).toEqual(before);
  });

  it('a role somebody holds cannot be deleted', async () => {
    const role = await createRole({ permissions: ['dashboard:read'], dataScope: 'own' });
    await createUser(t, admin, { unitCode: 'SH-ZJ', roleIds: [role.id] });
    const before = [await roleCount(), await auditCount(t)];
    expectError(await admin.del(`/api/roles/${role.id}`), 409, 'CONFLICT');
    expect([await roleCount(), await auditCount(t)]).toEqual(before);
    expect((await admin.get(`/api/roles/${role.id}`)).json().userCount).toBe(1);
  });

  it('a duplicate name is 409 on body.name, on create and on rename', async () => {
    const role = await createRole({ permissions: [], dataScope: 'own' });
    const before = [await roleCount(), await auditCount(t)];
    const dup = await admin.post('/api/roles', { name: role.name, permissions: [], dataScope: 'own' });
    expectError(dup, 409, 'ROLE_KEY_TAKEN', ['body.name']);
    expectError(
      await admin.post('/api/roles', { name: '经理', permissions: [], dataScope: 'own' }),
      409,
      'ROLE_KEY_TAKEN',
      ['body.name'],
    );
    const other = await createRole({ permissions: [], dataScope: 'own' });
    const afterCreate = [before[0]! + 1, before[1]! + 1];
    expectError(await admin.patch(`/api/roles/${other.id}`, { name: role.name }), 409, 'ROLE_KEY_TAKEN', ['body.name']);
    expect([await roleCount(), await auditCount(t)]).toEqual(afterCreate);
  });

  it('an unknown permission or scope is 400 with its path', async () => {
    const before = [await roleCount(), await auditCount(t)];
    expectError(
      await admin.post('/api/roles', {
        name: uniq('坏角色'),
        permissions: ['org:read', 'rocket:launch'],
        dataScope: 'own',
      }),
      400,
      'VALIDATION_FAILED',
      ['body.permissions.1'],
    );
    expectError(
      await admin.post('/api/roles', { name: uniq('坏角色'), permissions: [], dataScope: 'galaxy' }),
      400,
      'VALIDATION_FAILED',
      ['body.dataScope'],
    );
    expectError(
      await admin.post('/api/roles', { name: ' ', permissions: [], dataScope: 'own' }),
      400,
      'VALIDATION_FAILED',
      ['body.name'],
    );
    expect([await roleCount(), await auditCount(t)]).toEqual(before);
  });

  it('nobody can create or widen a role beyond their own rights', async () => {
    // A custom role that may manage roles but only holds role rights and a unit scope.
    const limited = await createRole({ permissions: ['role:read', 'role:write'], dataScope: 'unit' });
    const u = await createUser(t, admin, { unitCode: 'SH', roleIds: [limited.id] });
    const c = await loginAs(t, u.username, { password: u.password, ip: ip() });
    const before = [await roleCount(), await auditCount(t)];
    expectError(
      await c.post('/api/roles', { name: uniq('越权'), permissions: ['user:write'], dataScope: 'own' }),
      403,
      'FORBIDDEN',
      ['body.permissions'],
    );
    expectError(
      await c.post('/api/roles', { name: uniq('越权'), permissions: [], dataScope: 'tenant' }),
      403,
      'FORBIDDEN',
    );
    expectError(
      await c.patch(`/api/roles/${await roleIdByKey(t, 'teller')}`, { permissions: ['role:read'] }),
      403,
      'FORBIDDEN',
    );
    expect([await roleCount(), await auditCount(t)]).toEqual(before);
  });
});
