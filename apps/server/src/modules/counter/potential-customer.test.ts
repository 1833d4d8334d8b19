import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countRows, expectError, unitIdByCode, userIdByName } from '../../../test/helpers.ts';
import { createTestApp, type TClient, type TTestApp } from '../../../test/test-app.ts';
import { customers } from '../../db/schema/index.ts';

/** 潜力客户 on the counter page: one click → the flag, an SMS to the outlet head, a follow-up task; once per session. */
let t: TTestApp;
let chen: TClient;
let teller02: TClient;
let w1: string;
let ljz: string;

beforeAll(async () => {
  t = await createTestApp();
  chen = await t.login('chen.teller');
  teller02 = await t.login('teller02');
  w1 = await unitIdByCode(t, 'SH-LJZ-W1');
  ljz = await unitIdByCode(t, 'SH-LJZ');
  // The outlet head of 陆家嘴支行 (nearest evaluation:manage above it: 上海分行's manager) has a mobile.
  await t.pool.query('update users set phone = $1 where id = $2', [
    '13912345678',
    await userIdByName(t, 'zhang.manager'),
  ]);
});
afterAll(async () => t.close());

async function insertCustomer(unitCode: string, ownerId: string | null, phones: string[] = []) {
  const id = crypto.randomUUID();
  await t.db.insert(customers).values({
    id,
    tenantId: t.tenantId,
    name: `王潜力${id.slice(0, 4)}`,
    phones,
    phoneDigits: phones.join(' '),
    unitId: await unitIdByCode(t, unitCode),
    ownerId,
  });
  return id;
}

/** A service of chen's that has ended (the flag comes during or after it). */
async function service(customerId?: string) {
  const start = await chen.post('/api/counter/sessions', {
    counterId: w1,
    businessType: '理财咨询',
    ...(customerId ? { customerId } : {}),
  });
  expect(start.statusCode, start.body).toBe(200);
  return start.json().id as string;
}
const end = async (id: string) => expect((await chen.post(`/api/counter/sessions/${id}/end`)).statusCode).toBe(200);

const smsOf = (sessionId: string) =>
  t.pool.query<{ to_address: string; body: string }>(
    `select o.to_address, o.body from outbox_messages o join counter_potential_customers pc on pc.tenant_id = o.tenant_id and pc.id = o.ref_id
     where o.ref_type = 'potential_customer' and pc.session_id = $1`,
    [sessionId],
  );
const tasksOf = (sessionId: string) =>
  t.pool.query<{ assignee_id: string; customer_id: string; state: string; unit_id: string }>(
    `select assignee_id, customer_id, state, unit_id from followup_tasks where tenant_id = $1 and occurrence_key = $2`,
    [t.tenantId, `potential:${sessionId}`],
  );

describe('POST /api/counter/sessions/:id/potential-customer', () => {
  it('during a service: flag + 潜力客户 tag + SMS to the outlet head + a task for the owner; a second click does nothing more', async () => {
    // A customer of the teller's own book (the only ones an own-scope teller may link to a service) — he is the owner.
    const owner = chen.me.user.id;
    const customerId = await insertCustomer('SH-LJZ', owner);
    const sessionId = await service(customerId);

    const res = await chen.post(`/api/counter/sessions/${sessionId}/potential-customer`, {});
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      sessionId,
      customerId,
      customerSource: 'linked',
      smsQueued: 1,
      taskCreated: true,
      isRepeat: false,
    });
    expect(res.json().customerName).toMatch(/^王\*+.$/);
    const sms = (await smsOf(sessionId)).rows;
    expect(sms).toHaveLength(1);
    expect(sms[0]!.to_address).toBe('13912345678');
    expect(sms[0]!.body).toMatch(
      /^【潜力客户】陆家嘴支行1号窗口陈静（T3001）于\d\d-\d\d \d\d:\d\d标记潜力客户王\*+.，已生成回访任务。$/,
    );
    expect((await tasksOf(sessionId)).rows).toEqual([
      expect.objectContaining({ assignee_id: owner, customer_id: customerId, state: 'pending' }),
    ]);
    const tags = await t.pool.query('select tags from customers where id = $1', [customerId]);
    expect(tags.rows[0].tags).toContain('潜力客户');
    const ctx = (await chen.get('/api/counter/context')).json();
    expect(ctx.openSession).toMatchObject({ id: sessionId, isPotentialCustomer: true });

    // Again, during and after the service: the same flag, no second SMS, task or audit row.
    const again = await chen.post(`/api/counter/sessions/${sessionId}/potential-customer`, {});
    await end(sessionId);
    const after = await chen.post(`/api/counter/sessions/${sessionId}/potential-customer`, {});
    for (const r of [again, after]) {
      expect(r.statusCode, r.body).toBe(200);
      expect(r.json()).toMatchObject({ id: res.json().id, isRepeat: true, smsQueued: 0, taskCreated: false });
    }
    expect((await smsOf(sessionId)).rowCount).toBe(1);
    expect((await tasksOf(sessionId)).rowCount).toBe(1);
    expect(await countRows(t, 'select 1 from counter_potential_customers where session_id = $1', [sessionId])).toBe(1);
    expect(
      await countRows(
        t,
        `select 1 from audit_events where action = 'counter.potential_customer_flagged' and entity_id = $1`,
        [sessionId],
      ),
    ).toBe(1);
  });

  it("after a service without a customer: the quick form matches the outlet's customer by phone, else creates one; the task goes to the outlet's 客服", async () => {
    const liu = await userIdByName(t, 'liu.agent');
    // No customer and no form: 400 on body.customer, nothing written.
    const bare = await service();
    await end(bare);
    const flags = () => countRows(t, 'select 1 from counter_potential_customers where tenant_id = $1', [t.tenantId]);
    const before = await flags();
    expectError(await chen.post(`/api/counter/sessions/${bare}/potential-customer`, {}), 400, 'VALIDATION_FAILED', [
      'body.customer',
    ]);
    expectError(
      await chen.post(`/api/counter/sessions/${bare}/potential-customer`, {
        customer: { name: '赵六', phone: '12345' },
      }),
      400,
      'VALIDATION_FAILED',
      ['body.customer.phone'],
    );
    expect(await flags()).toBe(before);

    // A customer of this outlet with that phone is matched (and linked to the service).
    const existing = await insertCustomer('SH-LJZ', null, ['13600000011']);
    const matched = await chen.post(`/api/counter/sessions/${bare}/potential-customer`, {
      customer: { name: '赵六', phone: '136 0000 0011' },
    });
    expect(matched.statusCode, matched.body).toBe(200);
    expect(matched.json()).toMatchObject({ customerId: existing, customerSource: 'matched', taskCreated: true });
    const linked = await t.pool.query('select customer_id from service_sessions where id = $1', [bare]);
    expect(linked.rows[0].customer_id).toBe(existing);
    // No owner: the outlet's 客服 (nearest agent above 陆家嘴支行) gets the task.
    expect((await tasksOf(bare)).rows).toEqual([expect.objectContaining({ assignee_id: liu, customer_id: existing })]);

    // The same phone held by a customer of 杭州分行 only: not matched, not touched — a new customer of the outlet.
    const hz = await insertCustomer('HZ-XH', null, ['13600000022']);
    const second = await service();
    const created = await chen.post(`/api/counter/sessions/${second}/potential-customer`, {
      customer: { name: '钱七', phone: '13600000022' },
    });
    expect(created.statusCode, created.body).toBe(200);
    expect(created.json()).toMatchObject({ customerSource: 'created', customerName: '钱*', taskCreated: true });
    const newId = created.json().customerId as string;
    expect(newId).not.toBe(hz);
    const row = await t.pool.query('select unit_id, owner_id, phones, tags from customers where id = $1', [newId]);
    expect(row.rows[0]).toMatchObject({ unit_id: ljz, owner_id: null, phones: ['13600000022'], tags: ['潜力客户'] });
    const hzRow = await t.pool.query('select tags from customers where id = $1', [hz]);
    expect(hzRow.rows[0].tags).toEqual([]);
    expect((await smsOf(second)).rowCount).toBe(1);
    await end(second);
  });

  it("another teller's session and an unknown id are the same 404; without counter:serve 403; nothing written", async () => {
    const sessionId = await service(await insertCustomer('SH-LJZ', chen.me.user.id));
    await end(sessionId);
    const other = await teller02.post(`/api/counter/sessions/${sessionId}/potential-customer`, {});
    const unknown = await teller02.post(`/api/counter/sessions/${crypto.randomUUID()}/potential-customer`, {});
    expectError(other, 404, 'NOT_FOUND');
    expectError(unknown, 404, 'NOT_FOUND');
    const { requestId: _a, ...o } = other.json();
    const { requestId: _b, ...u } = unknown.json();
    expect(o).toEqual(u);
    const auditor = await t.login('zhao.auditor');
    expectError(await auditor.post(`/api/counter/sessions/${sessionId}/potential-customer`, {}), 403, 'FORBIDDEN');
    expect(await countRows(t, 'select 1 from counter_potential_customers where session_id = $1', [sessionId])).toBe(0);
    expect((await smsOf(sessionId)).rowCount).toBe(0);
    expect((await tasksOf(sessionId)).rowCount).toBe(0);
  });
});

describe('a flagged customer merged or erased', () => {
  it('a merge moves the flag to the kept customer; an erasure takes it along', async () => {
    const admin = await t.login('admin');
    const dup = await insertCustomer('SH-LJZ', chen.me.user.id, ['13600000033']);
    const keep = await insertCustomer('SH-LJZ', chen.me.user.id, ['13600000044']);
    const sessionId = await service(dup);
    expect((await chen.post(`/api/counter/sessions/${sessionId}/potential-customer`, {})).statusCode).toBe(200);
    await end(sessionId);
    const merged = await admin.post('/api/customers/merge', { keepId: keep, mergeIds: [dup] });
    expect(merged.statusCode, merged.body).toBe(200);
    const flagOf = async () =>
      (await t.pool.query('select customer_id from counter_potential_customers where session_id = $1', [sessionId]))
        .rows;
    expect(await flagOf()).toEqual([{ customer_id: keep }]);
    const erased = await admin.del(`/api/customers/${keep}`);
    expect(erased.statusCode, erased.body).toBeLessThan(300);
    expect(await flagOf()).toEqual([]);
  });
});
