import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TTestApp } from '../../test/test-app.ts';

/** The unit rule of customers (migration 0021), written as triggers instead of foreign keys: it must hold for every writer. */
let t: TTestApp;
let tenantId: string;
let unitId: string;
beforeAll(async () => {
  t = await createTestApp();
  ({ tenant_id: tenantId, id: unitId } = (
    await t.pool.query(`select tenant_id, id from org_units where code = 'SH'`)
  ).rows[0]);
});
afterAll(() => t.close());

const insert = (tenant: string, unit: string) =>
  t.pool.query(
    `insert into customers (tenant_id, kind, name, unit_id, created_at, updated_at) values ($1, 'individual', '测试', $2, now(), now()) returning id`,
    [tenant, unit],
  );

describe('customers.unit_id', () => {
  it('accepts a unit of the customer’s tenant', async () => {
    expect((await insert(tenantId, unitId)).rows).toHaveLength(1);
  });

  it('refuses a unit that does not exist, on insert and on update, and nothing is written', async () => {
    const before = Number((await t.pool.query('select count(*) from customers')).rows[0].count);
    await expect(insert(tenantId, crypto.randomUUID())).rejects.toMatchObject({ code: '23503' });
    const {
      rows: [c],
    } = await insert(tenantId, unitId);
    await expect(
      t.pool.query('update customers set unit_id = $2 where id = $1', [c.id, crypto.randomUUID()]),
    ).rejects.toMatchObject({ code: '23503' });
    expect((await t.pool.query('select unit_id from customers where id = $1', [c.id])).rows[0].unit_id).toBe(unitId);
    expect(Number((await t.pool.query('select count(*) from customers')).rows[0].count)).toBe(before + 1);
  });

  it('refuses a unit of another tenant (the old foreign key did not)', async () => {
    const {
      rows: [other],
    } = await t.pool.query(
      `insert into tenants (slug, name) values ('other-' || md5(random()::text), '另一家') returning id`,
    );
    const {
      rows: [unit],
    } = await t.pool.query(
      `insert into org_units (tenant_id, name, type, path, depth) values ($1, '别家网点', 'outlet', 'x', 0) returning id`,
      [other.id],
    );
    await expect(insert(tenantId, unit.id)).rejects.toMatchObject({ code: '23503' });
  });

  it('refuses to delete a unit customers still refer to, and deletes one they do not', async () => {
    await expect(t.pool.query('delete from org_units where id = $1', [unitId])).rejects.toMatchObject({
      code: '23503',
    });
    const {
      rows: [empty],
    } = await t.pool.query(
      `insert into org_units (tenant_id, name, type, path, depth) values ($1, '空网点', 'outlet', 'y', 0) returning id`,
      [tenantId],
    );
    expect((await t.pool.query('delete from org_units where id = $1', [empty.id])).rowCount).toBe(1);
  });
});
