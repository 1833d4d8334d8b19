import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordEvaluation } from '../evaluations/evaluations.write.ts';
import { createTestApp, type TClient, type TTestApp } from '../../../test/test-app.ts';

let t: TTestApp;
let admin: TClient;
let shUnit: string;
beforeAll(async () => {
  t = await createTestApp();
  admin = await t.login('admin');
  shUnit = (await t.pool.query(`select id from org_units where code = 'SH'`)).rows[0].id;
});
afterAll(async () => t.close());

const phone = () => `136${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;

async function customerWithHistory(name: string) {
  const p = phone();
  const c = await admin.post('/api/customers', {
    name,
    phones: [p],
    email: 'wang@example.com',
    address: '上海市浦东新区世纪大道100号',
    unitId: shUnit,
    contacts: [{ name: '联系人', phone: phone(), isPrimary: true }],
  });
  expect(c.statusCode, c.body).toBe(201);
  const id = c.json().id as string;
  const types = (await admin.get('/api/service-types')).json().items;
  expect(
    (
      await admin.post(`/api/customers/${id}/service-records`, {
        serviceTypeId: types[0].id,
        occurredAt: '2026-05-01T10:00:00+08:00',
        summary: '开户',
      })
    ).statusCode,
  ).toBe(201);
  expect(
    (
      await admin.post(`/api/customers/${id}/transactions`, {
        kind: 'order',
        amountFen: 1234500,
        occurredAt: '2026-05-02T10:00:00+08:00',
      })
    ).statusCode,
  ).toBe(201);
  expect((await admin.post(`/api/customers/${id}/notes`, { body: '客户偏好电话联系' })).statusCode).toBe(201);
  return { id, phone: p };
}

describe('privacy requests', () => {
  it('access request returns everything about the customer in clear and is audited', async () => {
    const { id, phone: p } = await customerWithHistory('王查阅');
    const res = await admin.post(`/api/customers/${id}/access-request`);
    expect(res.statusCode).toBe(200);
    const data = res.json();
    expect(data.customer).toMatchObject({
      name: '王查阅',
      phones: [p],
      email: 'wang@example.com',
      address: '上海市浦东新区世纪大道100号',
    });
    expect(data.contacts).toHaveLength(1);
    expect(data.serviceRecords).toHaveLength(1);
    expect(data.transactions[0].amountFen).toBe(1234500);
    expect(data.notes[0].body).toBe('客户偏好电话联系');
    const audit = await t.pool.query(
      `select summary from audit_events where action = 'customer.data_exported' and entity_id = $1`,
      [id],
    );
    expect(audit.rows).toHaveLength(1);
    const sup = await t.login('wang.supervisor');
    expect((await sup.post(`/api/customers/${id}/access-request`)).statusCode).toBe(403);
  });

  it('erasure deletes the customer and all their rows, leaves no personal data in the audit log, and is audited', async () => {
    const { id, phone: p } = await customerWithHistory('李删除');
    const mgr = await t.login('zhang.manager'); // no customer:erase
    expect((await mgr.del(`/api/customers/${id}`)).statusCode).toBe(403);
    const res = await admin.del(`/api/customers/${id}`);
    expect(res.statusCode).toBe(200);
    for (const table of ['customers', 'customer_contacts', 'service_records', 'transactions', 'customer_notes']) {
      const col = table === 'customers' ? 'id' : 'customer_id';
      expect(
        Number((await t.pool.query(`select count(*) from ${table} where ${col} = $1`, [id])).rows[0].count),
        table,
      ).toBe(0);
    }
    const audit = await t.pool.query(
      `select action, summary, before::text, after::text from audit_events where entity_id = $1 or summary like '%删除%'`,
      [id],
    );
    expect(audit.rows.map((r) => r.action)).toContain('customer.erased');
    const everything = JSON.stringify((await t.pool.query(`select * from audit_events`)).rows);
    expect(everything).not.toContain('李删除');
    expect(everything).not.toContain(p);
    expect(everything).not.toContain('wang@example.com');
    expect((await admin.get(`/api/customers/${id}`)).statusCode).toBe(404);
  });

  it('erasure of a customer whose service record was rated keeps the rating, unlinked from both', async () => {
    const { id } = await customerWithHistory('赵评价');
    const record = (await t.pool.query(`select id from service_records where customer_id = $1`, [id])).rows[0].id;
    const rated = await recordEvaluation(t.db, {
      tenantId: t.tenantId,
      channel: 'staff',
      occurredAt: t.clock.now(),
      unitId: shUnit,
      customerId: id,
      serviceRecordId: record,
      sourceType: 'user',
      score: 4,
      text: '赵先生说办得很快',
      idempotencyKey: crypto.randomUUID(),
    });
    const res = await admin.del(`/api/customers/${id}`);
    expect(res.statusCode, res.body).toBe(200);
    const row = (
      await t.pool.query(`select customer_id, service_record_id, text, score from evaluations where id = $1`, [
        rated.id,
      ])
    ).rows[0];
    expect(row).toEqual({ customer_id: null, service_record_id: null, text: null, score: 4 });
  });
});
