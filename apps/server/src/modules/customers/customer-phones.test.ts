import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unitIdByCode } from '../../../test/helpers.ts';
import { createCustomer, letters } from '../../../test/customers-helpers.ts';
import { createTestApp, type TClient, type TTestApp } from '../../../test/test-app.ts';

let t: TTestApp;
let admin: TClient;
beforeAll(async () => {
  t = await createTestApp();
  admin = await t.login('admin');
});
afterAll(async () => t.close());

const mobile = () => `159${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;

/** Rows in customer_phones that customers.phones does not hold, and the other way round: both must be empty. */
async function drift() {
  const { rows } = await t.pool.query(`
    (select 'extra' as side, tenant_id, phone, customer_id from customer_phones
      except select 'extra', c.tenant_id, p, c.id from customers c, unnest(c.phones) p)
    union all
    (select 'missing', c.tenant_id, p, c.id from customers c, unnest(c.phones) p
      except select 'missing', tenant_id, phone, customer_id from customer_phones)`);
  return rows;
}
const phonesOf = async (id: string) =>
  (await t.pool.query('select phone from customer_phones where customer_id = $1 order by phone', [id])).rows.map(
    (r) => r.phone as string,
  );

describe('customer_phones (exact phone lookup table)', () => {
  it('follows create, update, bulk edit, merge and erasure exactly', async () => {
    const [p1, p2, p3, p4] = [mobile(), mobile(), mobile(), mobile()];
    const a = await createCustomer(t, admin, 'SH', { phones: [p1, p2] });
    expect(await phonesOf(a.id)).toEqual([p1, p2].sort());

    // Update: one phone kept, one dropped, one added.
    expect((await admin.patch(`/api/customers/${a.id}`, { phones: [p2, p3] })).statusCode).toBe(200);
    expect(await phonesOf(a.id)).toEqual([p2, p3].sort());
    // An update that does not touch phones leaves them.
    expect((await admin.patch(`/api/customers/${a.id}`, { name: `改名-${letters()}` })).statusCode).toBe(200);
    expect((await admin.post('/api/customers/bulk', { ids: [a.id], addTags: ['同步'] })).statusCode).toBe(200);
    expect(await phonesOf(a.id)).toEqual([p2, p3].sort());

    // Merge: the kept customer gets the union, the merged one's rows go with it.
    const b = await createCustomer(t, admin, 'SH', { phones: [p3, p4] });
    const merged = await admin.post('/api/customers/merge', { keepId: a.id, mergeIds: [b.id] });
    expect(merged.statusCode, merged.body).toBe(200);
    expect(await phonesOf(a.id)).toEqual([p2, p3, p4].sort());
    expect(await phonesOf(b.id)).toEqual([]);

    // Erasure (deletion request) removes them.
    expect((await admin.del(`/api/customers/${a.id}`)).statusCode).toBe(200);
    expect(await phonesOf(a.id)).toEqual([]);
    expect(await drift()).toEqual([]);
  });

  it('follows an import (inserts and updates in one statement each) and a raw SQL write', async () => {
    const [p1, p2, p3] = [mobile(), mobile(), mobile()];
    const old = await createCustomer(t, admin, 'SH', { phones: [p1] });
    const csv = `姓名,手机\n老客户,"${p1}, ${p2}"\n新客户,${p3}\n`;
    const up = await admin.request({
      method: 'POST',
      url: '/api/customer-imports?fileName=p.csv',
      payload: Buffer.from(csv),
      headers: { 'content-type': 'text/csv' },
    });
    expect(up.statusCode, up.body).toBe(201);
    const start = await admin.post(`/api/customer-imports/${up.json().job.id}/start`, {
      mapping: up.json().suggestedMapping,
      upsertKey: 'phone',
      defaultUnitId: await unitIdByCode(t, 'SH'),
    });
    expect(start.statusCode, start.body).toBe(200);
    await t.jobs.idle();
    expect(await phonesOf(old.id)).toEqual([p1, p2].sort());
    expect((await t.pool.query('select count(*) from customer_phones where phone = $1', [p3])).rows[0].count).toBe('1');

    // Whatever writes customers, even plain SQL touching several rows at once, keeps the table exact.
    await t.pool.query(`update customers set phones = array_remove(phones, $1) where id = $2`, [p1, old.id]);
    expect(await phonesOf(old.id)).toEqual([p2]);
    await t.pool.query(`update customers set phones = phones || array[$1] where id = $2`, [p2, old.id]); // the same phone twice in one customer
    expect(await phonesOf(old.id)).toEqual([p2]);
    expect(await drift()).toEqual([]);
  });
});
