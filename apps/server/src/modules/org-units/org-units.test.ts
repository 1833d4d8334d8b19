import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { TOrgUnit } from '@huifang/shared';
import {
  auditCount,
  auditRowsOfRequest,
  countRows,
  expectError,
  rootUnitId,
  uniq,
  unitIdByCode,
} from '../../../test/helpers.ts';
import { createTestApp, type TClient, type TTestApp } from '../../../test/test-app.ts';

let t: TTestApp;
let admin: TClient;
let root: string;
beforeAll(async () => {
  t = await createTestApp();
  root = await rootUnitId(t);
});
afterAll(async () => t.close());
beforeEach(async () => {
  admin = await t.login('admin');
});

const unitCount = () => countRows(t, 'select 1 from org_units');
const pathOf = async (id: string) =>
  (await t.pool.query<{ path: string }>('select path from org_units where id = $1', [id])).rows[0]!.path;
const tree = async (c: TClient, includeInactive = false) => {
  const res = await c.get(`/api/org-units/tree${includeInactive ? '?includeInactive=true' : ''}`);
  expect(res.statusCode).toBe(200);
  return res.json().items as TOrgUnit[];
};

async function create(parentId: string, type: TOrgUnit['type'], name = uniq('单位'), code?: string): Promise<TOrgUnit> {
  const res = await admin.post('/api/org-units', { parentId, type, name, ...(code ? { code } : {}) });
  expect(res.statusCode, res.body).toBe(201);
  return res.json();
}

describe('creating units', () => {
  it('creates a branch under the root and an outlet below it, with path and depth, audited', async () => {
    const code = uniq('BR').toUpperCase();
    const res = await admin.post('/api/org-units', { parentId: root, type: 'branch', name: '  苏州分行  ', code });
    expect(res.statusCode).toBe(201);
    const branch = res.json();
    expect(branch).toMatchObject({ parentId: root, type: 'branch', name: '苏州分行', code, depth: 1, isActive: true });
    const rows = await auditRowsOfRequest(t, res);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      action: 'org_unit.created',
      entity_type: 'org_unit',
      entity_id: branch.id,
      actor_id: admin.me.user.id,
    });
    expect(rows[0]!.after).toEqual(branch);

    const outlet = await create(branch.id, 'outlet');
    expect(outlet).toMatchObject({ parentId: branch.id, depth: 2 });
    expect(await pathOf(branch.id)).toBe(`/${root}/${branch.id}/`);
    expect(await pathOf(outlet.id)).toBe(`/${root}/${branch.id}/${outlet.id}/`);
    const ids = (await tree(admin)).map((u) => u.id);
    expect(ids).toEqual(expect.arrayContaining([branch.id, outlet.id]));
    expect((await admin.get(`/api/org-units/${outlet.id}`)).json()).toEqual(outlet);
  });

  it('renames a unit and audits before and after', async () => {
    const unit = await create(root, 'department', '原名称');
    const res = await admin.patch(`/api/org-units/${unit.id}`, { name: '新名称' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id: unit.id, name: '新名称' });
    const [row, ...more] = await auditRowsOfRequest(t, res);
    expect(more).toEqual([]);
    expect(row).toMatchObject({ action: 'org_unit.updated', entity_id: unit.id });
    expect(row!.before).toMatchObject({ name: '原名称' });
    expect(row!.after).toMatchObject({ name: '新名称' });
  });

  it('refuses a duplicate code with 409 CONFLICT on body.code and adds no row', async () => {
    const before = [await unitCount(), await auditCount(t)];
    const res = await admin.post('/api/org-units', { parentId: root, type: 'branch', name: uniq('重复'), code: 'SH' });
    expectError(res, 409, 'CONFLICT', ['body.code']);
    expect([await unitCount(), await auditCount(t)]).toEqual(before);
    // The same on rename.
    const other = await create(root, 'department');
    expectError(await admin.patch(`/api/org-units/${other.id}`, { code: 'HZ' }), 409, 'CONFLICT', ['body.code']);
    expect((await admin.get(`/api/org-units/${other.id}`)).json().code).toBeNull();
  });

  it('rejects bad input with field paths and adds no row', async () => {
    const before = [await unitCount(), await auditCount(t)];
    expectError(
      await admin.post('/api/org-units', { parentId: root, type: 'branch', name: '   ' }),
      400,
      'VALIDATION_FAILED',
      ['body.name'],
    );
    expectError(
      await admin.post('/api/org-units', { parentId: root, type: 'planet', name: 'x' }),
      400,
      'VALIDATION_FAILED',
      ['body.type'],
    );
    expectError(
      await admin.post('/api/org-units', { parentId: 'not-a-uuid', type: 'branch', name: 'x' }),
      400,
      'VALIDATION_FAILED',
      ['body.parentId'],
    );
    const all = expectError(await admin.post('/api/org-units', {}), 400, 'VALIDATION_FAILED');
    expect(all.details!.map((d) => d.path).sort()).toEqual(['body.name', 'body.parentId', 'body.type']);
    // A well-formed id of a unit that does not exist: 404 on the field, as for a unit out of scope.
    expectError(
      await admin.post('/api/org-units', { parentId: crypto.randomUUID(), type: 'branch', name: 'x' }),
      404,
      'NOT_FOUND',
      ['body.parentId'],
    );
    expectError(await admin.patch(`/api/org-units/${root}`, { name: '' }), 400, 'VALIDATION_FAILED', ['body.name']);
    expect([await unitCount(), await auditCount(t)]).toEqual(before);
  });
});

describe('moving units', () => {
  it('moves a subtree: descendants follow and scopes change with it', async () => {
    const sh = await unitIdByCode(t, 'SH');
    const hz = await unitIdByCode(t, 'HZ');
    const outlet = await create(sh, 'outlet');
    const counter = await create(outlet.id, 'counter');
    const zhang = await t.login('zhang.manager');
    const li = await t.login('li.manager');
    expect((await tree(zhang)).map((u) => u.id)).toEqual(expect.arrayContaining([outlet.id, counter.id]));
    expect((await tree(li)).map((u) => u.id)).not.toContain(counter.id);

    const res = await admin.post(`/api/org-units/${outlet.id}/move`, { parentId: hz });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id: outlet.id, parentId: hz, depth: 2 });
    const [row, ...more] = await auditRowsOfRequest(t, res);
    expect(more).toEqual([]);
    expect(row).toMatchObject({
      action: 'org_unit.moved',
      entity_id: outlet.id,
      before: { parentId: sh },
      after: { parentId: hz },
    });

    const all = await tree(admin);
    expect(all.find((u) => u.id === outlet.id)).toMatchObject({ parentId: hz, depth: 2 });
    expect(all.find((u) => u.id === counter.id)).toMatchObject({ parentId: outlet.id, depth: 3 });
    expect(await pathOf(counter.id)).toBe(`${await pathOf(hz)}${outlet.id}/${counter.id}/`);

    const liIds = (await tree(li)).map((u) => u.id);
    expect(liIds).toEqual(expect.arrayContaining([outlet.id, counter.id]));
    const zhangIds = (await tree(zhang)).map((u) => u.id);
    expect(zhangIds).not.toContain(outlet.id);
    expect(zhangIds).not.toContain(counter.id);
    expectError(await zhang.get(`/api/org-units/${counter.id}`), 404, 'NOT_FOUND');
    expect((await li.get(`/api/org-units/${counter.id}`)).statusCode).toBe(200);
  });

  it('refuses to move a unit below itself or its descendants and changes nothing', async () => {
    const a = await create(root, 'branch');
    const b = await create(a.id, 'outlet');
    const c = await create(b.id, 'counter');
    const paths = async () => Promise.all([a.id, b.id, c.id].map(pathOf));
    const before = [await paths(), await auditCount(t)];
    expectError(await admin.post(`/api/org-units/${a.id}/move`, { parentId: c.id }), 409, 'UNIT_MOVE_INTO_SELF');
    expectError(await admin.post(`/api/org-units/${a.id}/move`, { parentId: b.id }), 409, 'UNIT_MOVE_INTO_SELF');
    expectError(await admin.post(`/api/org-units/${b.id}/move`, { parentId: b.id }), 409, 'UNIT_MOVE_INTO_SELF');
    expect([await paths(), await auditCount(t)]).toEqual(before);
    expect((await admin.get(`/api/org-units/${a.id}`)).json().parentId).toBe(root);
  });

  it('refuses to move the root, or onto a target that does not exist', async () => {
    const sh = await unitIdByCode(t, 'SH');
    const before = [await pathOf(root), await auditCount(t)];
    expectError(await admin.post(`/api/org-units/${root}/move`, { parentId: sh }), 409, 'CONFLICT');
    expectError(await admin.post(`/api/org-units/${sh}/move`, { parentId: crypto.randomUUID() }), 404, 'NOT_FOUND', [
      'body.parentId',
    ]);
    expectError(await admin.post(`/api/org-units/${crypto.randomUUID()}/move`, { parentId: sh }), 404, 'NOT_FOUND');
    expect([await pathOf(root), await auditCount(t)]).toEqual(before);
  });
});

describe('disabling units', () => {
  it('refuses to disable a unit with active children', async () => {
    const parent = await create(root, 'branch');
    await create(parent.id, 'outlet');
    const before = await auditCount(t);
    expectError(await admin.patch(`/api/org-units/${parent.id}`, { isActive: false }), 409, 'UNIT_HAS_CHILDREN');
    expect((await admin.get(`/api/org-units/${parent.id}`)).json().isActive).toBe(true);
    expect(await auditCount(t)).toBe(before);
  });

  it('hides a disabled leaf from the tree unless includeInactive=true', async () => {
    const parent = await create(root, 'branch');
    const leaf = await create(parent.id, 'outlet');
    const res = await admin.patch(`/api/org-units/${leaf.id}`, { isActive: false });
    expect(res.statusCode).toBe(200);
    expect(res.json().isActive).toBe(false);
    expect((await tree(admin)).map((u) => u.id)).not.toContain(leaf.id);
    expect((await tree(admin, true)).find((u) => u.id === leaf.id)).toMatchObject({ isActive: false });
    // With its only child disabled, the parent may now be disabled too; re-enabling the leaf needs the parent active.
    expect((await admin.patch(`/api/org-units/${parent.id}`, { isActive: false })).statusCode).toBe(200);
    expectError(await admin.patch(`/api/org-units/${leaf.id}`, { isActive: true }), 409, 'CONFLICT');
    // Nothing new can be created below a disabled unit.
    expectError(
      await admin.post('/api/org-units', { parentId: parent.id, type: 'counter', name: 'x' }),
      400,
      'VALIDATION_FAILED',
      ['body.parentId'],
    );
  });

  it('refuses to disable the root', async () => {
    expectError(await admin.patch(`/api/org-units/${root}`, { isActive: false }), 409, 'CONFLICT');
    expect((await admin.get(`/api/org-units/${root}`)).json().isActive).toBe(true);
  });
});

describe('GET /api/org-units', () => {
  it('searches by name or code with the pagination contract', async () => {
    const name = uniq('搜索单位');
    const unit = await create(root, 'department', name, uniq('Q').toUpperCase());
    const byName = (await admin.get(`/api/org-units?q=${encodeURIComponent(name)}`)).json();
    expect(byName).toEqual({ items: [unit], total: 1, page: 1, pageSize: 20 });
    expect((await admin.get(`/api/org-units?q=${unit.code}`)).json().items.map((u: TOrgUnit) => u.id)).toEqual([
      unit.id,
    ]);
    const page = (await admin.get('/api/org-units?page=2&pageSize=3')).json();
    expect(page).toMatchObject({ page: 2, pageSize: 3 });
    expect(page.items).toHaveLength(3);
    expectError(await admin.get('/api/org-units?pageSize=101'), 400, 'VALIDATION_FAILED', ['querystring.pageSize']);
  });
});
