import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  auditCount,
  auditRowsOfRequest,
  countRows,
  expectError,
  unitIdByCode,
  userIdByName,
} from '../../../test/helpers.ts';
import { createCustomer, customerCount, idsOf, letters, listCustomers } from '../../../test/customers-helpers.ts';
import { createTestApp, type TClient, type TTestApp } from '../../../test/test-app.ts';

let t: TTestApp;
const c: Record<'admin' | 'zhang' | 'li' | 'wang' | 'liu' | 'chen' | 'auditor', TClient> = {} as never;
beforeAll(async () => {
  t = await createTestApp();
  c.admin = await t.login('admin');
  c.zhang = await t.login('zhang.manager');
  c.li = await t.login('li.manager');
  c.wang = await t.login('wang.supervisor');
  c.liu = await t.login('liu.agent');
  c.chen = await t.login('chen.teller');
  c.auditor = await t.login('zhao.auditor');
});
afterAll(async () => t.close());

const taggedIds = async (by: TClient, tag: string) =>
  idsOf(await listCustomers(by, { tags: tag, pageSize: 100 })).sort();
const revealCount = (id: string) =>
  countRows(t, `select 1 from audit_events where action = 'customer.pii_revealed' and entity_id = $1`, [id]);
const nameInDb = async (id: string) =>
  (await t.pool.query('select name from customers where id = $1', [id])).rows[0].name as string;
const childRows = async (id: string) =>
  Promise.all(
    ['customer_notes', 'service_records', 'transactions'].map((table) =>
      countRows(t, `select 1 from ${table} where customer_id = $1`, [id]),
    ),
  );

/** Every customer route on one id must answer 404 for this caller, and write nothing. */
async function expectInvisible(by: TClient, id: string) {
  const before = [await auditCount(t), await nameInDb(id), ...(await childRows(id))];
  const counter = ((await c.admin.get('/api/service-types')).json().items as { id: string; key: string }[]).find(
    (s) => s.key === 'counter_visit',
  )!;
  const at = t.clock.now().toISOString();
  expectError(await by.get(`/api/customers/${id}`), 404, 'NOT_FOUND');
  expectError(await by.patch(`/api/customers/${id}`, { name: '越权修改' }), 404, 'NOT_FOUND');
  expectError(await by.get(`/api/customers/${id}/timeline`), 404, 'NOT_FOUND');
  expectError(await by.post(`/api/customers/${id}/notes`, { body: '越权备注' }), 404, 'NOT_FOUND');
  expectError(
    await by.post(`/api/customers/${id}/service-records`, { serviceTypeId: counter.id, occurredAt: at }),
    404,
    'NOT_FOUND',
  );
  expectError(
    await by.post(`/api/customers/${id}/transactions`, { kind: 'order', amountFen: 100, occurredAt: at }),
    404,
    'NOT_FOUND',
  );
  if (by.me.permissions.includes('pii:reveal'))
    expectError(await by.post(`/api/customers/${id}/reveal`, { field: 'phone', index: 0 }), 404, 'NOT_FOUND');
  expect([await auditCount(t), await nameInDb(id), ...(await childRows(id))]).toEqual(before);
}

describe('data scope', () => {
  it('a branch manager sees the customers of their branch subtree only; others are 404 and absent from lists', async () => {
    const tag = letters(8);
    const sh = await createCustomer(t, c.admin, 'SH-XJH', { tags: [tag], phones: ['13955550001'] });
    const hz = await createCustomer(t, c.admin, 'HZ-XH', { tags: [tag], phones: ['13955550002'] });
    expect(await taggedIds(c.admin, tag)).toEqual([sh.id, hz.id].sort());

    expect((await c.zhang.get(`/api/customers/${sh.id}`)).statusCode).toBe(200);
    expect(await taggedIds(c.zhang, tag)).toEqual([sh.id]);
    expect(idsOf(await listCustomers(c.zhang, { q: '13955550002' }))).toEqual([]);
    expect(idsOf(await listCustomers(c.zhang, { tags: tag, unitId: await unitIdByCode(t, 'HZ') }))).toEqual([]);
    await expectInvisible(c.zhang, hz.id);

    // The other branch manager: the mirror image.
    expect(await taggedIds(c.li, tag)).toEqual([hz.id]);
    await expectInvisible(c.li, sh.id);
  });

  it('a manager cannot create a customer in, or move one to, a unit outside their scope', async () => {
    const before = [await customerCount(t), await auditCount(t)];
    const res = await c.zhang.post('/api/customers', {
      name: `越权客户-${letters()}`,
      unitId: await unitIdByCode(t, 'HZ-XH'),
    });
    expectError(res, 404, 'NOT_FOUND', ['body.unitId']);
    expect([await customerCount(t), await auditCount(t)]).toEqual(before);

    const mine = await createCustomer(t, c.zhang, 'SH-ZJ');
    expectError(
      await c.zhang.patch(`/api/customers/${mine.id}`, { unitId: await unitIdByCode(t, 'HZ') }),
      404,
      'NOT_FOUND',
      ['body.unitId'],
    );
    expect((await c.zhang.get(`/api/customers/${mine.id}`)).json().unitId).toBe(await unitIdByCode(t, 'SH-ZJ'));
  });

  it('a supervisor sees their outlet and below, not sibling outlets nor the branch itself', async () => {
    const tag = letters(8);
    const w1 = await createCustomer(t, c.admin, 'SH-LJZ-W1', { tags: [tag] });
    const ljz = await createCustomer(t, c.admin, 'SH-LJZ', { tags: [tag] });
    const xjh = await createCustomer(t, c.admin, 'SH-XJH', { tags: [tag] });
    const branch = await createCustomer(t, c.admin, 'SH', { tags: [tag] });
    expect(await taggedIds(c.wang, tag)).toEqual([w1.id, ljz.id].sort());
    await expectInvisible(c.wang, xjh.id);
    await expectInvisible(c.wang, branch.id);
  });

  it('an agent (own scope) owns what they create and sees only customers they own', async () => {
    const tag = letters(8);
    const liuId = await userIdByName(t, 'liu.agent');
    const res = await c.liu.post('/api/customers', {
      name: `坐席客户-${letters()}`,
      unitId: await unitIdByCode(t, 'SH'),
      tags: [tag],
    });
    expect(res.statusCode).toBe(201);
    const own = res.json();
    expect(own).toMatchObject({ ownerId: liuId, ownerName: '刘洋' });
    expect((await t.pool.query('select owner_id from customers where id = $1', [own.id])).rows[0].owner_id).toBe(liuId);
    expect((await c.liu.get(`/api/customers/${own.id}`)).statusCode).toBe(200);
    expect((await c.liu.patch(`/api/customers/${own.id}`, { tier: 'VIP' })).statusCode).toBe(200);

    // Same unit, no owner / another owner: invisible.
    const unowned = await createCustomer(t, c.admin, 'SH', { tags: [tag] });
    const wangs = await createCustomer(t, c.admin, 'SH', {
      tags: [tag],
      ownerId: await userIdByName(t, 'wang.supervisor'),
    });
    // Assigned to the agent in another branch: visible, ownership is what counts.
    const assigned = await createCustomer(t, c.admin, 'HZ-XH', { tags: [tag], ownerId: liuId });
    expect(await taggedIds(c.liu, tag)).toEqual([own.id, assigned.id].sort());
    await expectInvisible(c.liu, unowned.id);
    await expectInvisible(c.liu, wangs.id);

    const before = await customerCount(t);
    expectError(
      await c.liu.post('/api/customers', { name: `越权-${letters()}`, unitId: await unitIdByCode(t, 'HZ-XH') }),
      404,
      'NOT_FOUND',
      ['body.unitId'],
    );
    expect(await customerCount(t)).toBe(before);
  });

  it('a teller reads only customers they own and cannot write', async () => {
    const tag = letters(8);
    const chenId = await userIdByName(t, 'chen.teller');
    const owned = await createCustomer(t, c.admin, 'SH-LJZ-W1', { tags: [tag], ownerId: chenId });
    const sameCounter = await createCustomer(t, c.admin, 'SH-LJZ-W1', { tags: [tag] });
    expect(await taggedIds(c.chen, tag)).toEqual([owned.id]);
    expect((await c.chen.get(`/api/customers/${owned.id}`)).statusCode).toBe(200);
    expect((await c.chen.get(`/api/customers/${owned.id}/timeline`)).statusCode).toBe(200);
    expectError(await c.chen.get(`/api/customers/${sameCounter.id}`), 404, 'NOT_FOUND');

    const before = [await customerCount(t), await auditCount(t)];
    expectError(
      await c.chen.post('/api/customers', {
        name: `柜员客户-${letters()}`,
        unitId: await unitIdByCode(t, 'SH-LJZ-W1'),
      }),
      403,
      'FORBIDDEN',
    );
    expectError(await c.chen.patch(`/api/customers/${owned.id}`, { name: '柜员改名' }), 403, 'FORBIDDEN');
    expectError(await c.chen.post(`/api/customers/${owned.id}/notes`, { body: '柜员备注' }), 403, 'FORBIDDEN');
    expectError(await c.chen.post(`/api/customers/${owned.id}/reveal`, { field: 'phone' }), 403, 'FORBIDDEN');
    expect([await customerCount(t), await auditCount(t)]).toEqual(before);
  });

  it('the auditor reads every customer of the tenant and can change nothing', async () => {
    const tag = letters(8);
    const sh = await createCustomer(t, c.admin, 'SH-LJZ', { tags: [tag], phones: ['13700001111'] });
    const hz = await createCustomer(t, c.admin, 'HZ-BJ', { tags: [tag] });
    expect(await taggedIds(c.auditor, tag)).toEqual([sh.id, hz.id].sort());
    const detail = await c.auditor.get(`/api/customers/${hz.id}`);
    expect(detail.statusCode).toBe(200);
    expect((await c.auditor.get(`/api/customers/${sh.id}`)).json().phones).toEqual(['137****1111']);

    const before = [await customerCount(t), await auditCount(t), await nameInDb(sh.id)];
    expectError(
      await c.auditor.post('/api/customers', { name: `审计客户-${letters()}`, unitId: await unitIdByCode(t, 'SH') }),
      403,
      'FORBIDDEN',
    );
    expectError(await c.auditor.patch(`/api/customers/${sh.id}`, { name: '审计改名' }), 403, 'FORBIDDEN');
    expectError(await c.auditor.post(`/api/customers/${sh.id}/notes`, { body: '审计备注' }), 403, 'FORBIDDEN');
    expectError(await c.auditor.post('/api/customers/bulk', { ids: [sh.id], addTags: ['x'] }), 403, 'FORBIDDEN');
    expectError(await c.auditor.post(`/api/customers/${sh.id}/reveal`, { field: 'phone' }), 403, 'FORBIDDEN');
    expect([await customerCount(t), await auditCount(t), await nameInDb(sh.id)]).toEqual(before);
  });
});

describe('POST /api/customers/:id/reveal', () => {
  it('gives a manager the clear value of one field and writes exactly one audit row naming it', async () => {
    const cust = await createCustomer(t, c.admin, 'SH-LJZ', {
      phones: ['13812345678', '021-55551234'],
      idNumber: '11010119900101123X',
      email: 'reveal.me@example.com',
    });
    const res = await c.zhang.post(`/api/customers/${cust.id}/reveal`, { field: 'phone', index: 0 });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ field: 'phone', value: '13812345678' });
    const rows = await auditRowsOfRequest(t, res);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      action: 'customer.pii_revealed',
      entity_type: 'customer',
      entity_id: cust.id,
      actor_id: c.zhang.me.user.id,
    });
    expect(rows[0]!.after).toMatchObject({ field: 'phone', index: 0 });
    expect(JSON.stringify(rows[0])).not.toContain('13812345678');

    expect((await c.zhang.post(`/api/customers/${cust.id}/reveal`, { field: 'phone', index: 1 })).json()).toEqual({
      field: 'phone',
      value: '021-55551234',
    });
    expect((await c.zhang.post(`/api/customers/${cust.id}/reveal`, { field: 'idNumber' })).json()).toEqual({
      field: 'idNumber',
      value: '11010119900101123X',
    });
    const email = await c.zhang.post(`/api/customers/${cust.id}/reveal`, { field: 'email' });
    expect(email.json()).toEqual({ field: 'email', value: 'reveal.me@example.com' });
    expect((await auditRowsOfRequest(t, email))[0]!.after).toMatchObject({ field: 'email' });
    expect(await revealCount(cust.id)).toBe(4);
    // Revealing does not unmask the record itself.
    expect((await c.zhang.get(`/api/customers/${cust.id}`)).json().phones).toEqual(['138****5678', '021-****1234']);
  });

  it('is 403 without pii:reveal, 404 out of scope, 400 for an unknown field — never with an audit row', async () => {
    const cust = await createCustomer(t, c.admin, 'SH-LJZ', { phones: ['13812345678'] });
    const hz = await createCustomer(t, c.admin, 'HZ-XH', { phones: ['13812345678'] });
    const phoneless = await createCustomer(t, c.admin, 'SH-LJZ');
    const before = await auditCount(t);
    expectError(await c.wang.post(`/api/customers/${cust.id}/reveal`, { field: 'phone', index: 0 }), 403, 'FORBIDDEN');
    expectError(await c.zhang.post(`/api/customers/${hz.id}/reveal`, { field: 'phone', index: 0 }), 404, 'NOT_FOUND');
    expectError(
      await c.zhang.post(`/api/customers/${crypto.randomUUID()}/reveal`, { field: 'phone' }),
      404,
      'NOT_FOUND',
    );
    expectError(
      await c.zhang.post(`/api/customers/${cust.id}/reveal`, { field: 'password' }),
      400,
      'VALIDATION_FAILED',
      ['body.field'],
    );
    expectError(
      await c.zhang.post(`/api/customers/${cust.id}/reveal`, { field: 'phone', index: 5 }),
      400,
      'VALIDATION_FAILED',
      ['body.index'],
    );
    // An index the schema allows but the customer has no phone at: refused, not a null "reveal" in the audit log.
    expectError(
      await c.zhang.post(`/api/customers/${cust.id}/reveal`, { field: 'phone', index: 1 }),
      400,
      'VALIDATION_FAILED',
      ['body.index'],
    );
    expectError(
      await c.zhang.post(`/api/customers/${phoneless.id}/reveal`, { field: 'phone', index: 0 }),
      400,
      'VALIDATION_FAILED',
      ['body.index'],
    );
    expect(await revealCount(phoneless.id)).toBe(0);
    expect(await auditCount(t)).toBe(before);
    expect([await revealCount(cust.id), await revealCount(hz.id)]).toEqual([0, 0]);
  });

  it('refuses to reveal an empty e-mail, address or ID number with 400 on body.field and writes no audit row', async () => {
    const bare = await createCustomer(t, c.admin, 'SH-LJZ', { phones: ['13812345678'] });
    // Blank values as an old import or a direct database write may have left them: still nothing to reveal.
    const blank = await createCustomer(t, c.admin, 'SH-LJZ', { phones: ['13812345678'] });
    await t.pool.query(`update customers set email = '', address = '   ', id_number = '' where id = $1`, [blank.id]);
    const before = await auditCount(t);
    for (const id of [bare.id, blank.id]) {
      for (const field of ['email', 'address', 'idNumber']) {
        const res = await c.zhang.post(`/api/customers/${id}/reveal`, { field });
        expectError(res, 400, 'VALIDATION_FAILED', ['body.field']);
        expect(res.json().details[0].message).toBe(`the customer has no ${field} on record`);
      }
    }
    expect([await revealCount(bare.id), await revealCount(blank.id), await auditCount(t)]).toEqual([0, 0, before]);
    // The phone the customer does have still reveals, with its one audit row.
    expect((await c.zhang.post(`/api/customers/${bare.id}/reveal`, { field: 'phone' })).json()).toEqual({
      field: 'phone',
      value: '13812345678',
    });
    expect(await revealCount(bare.id)).toBe(1);
  });
});

describe('POST /api/customers/bulk', () => {
  const tagsOf = async (id: string) =>
    (await t.pool.query('select tags, owner_id from customers where id = $1', [id])).rows[0] as {
      tags: string[];
      owner_id: string | null;
    };

  it('tags and reassigns only the visible customers, reports the rest, and writes one audit row', async () => {
    const wangId = await userIdByName(t, 'wang.supervisor');
    const a = await createCustomer(t, c.admin, 'SH-LJZ', { tags: ['老客户', '待回访'] });
    const b = await createCustomer(t, c.admin, 'SH-XJH', { tags: [] });
    const hz = await createCustomer(t, c.admin, 'HZ-XH', { tags: ['待回访'] });
    const ghost = crypto.randomUUID();
    const res = await c.zhang.post('/api/customers/bulk', {
      ids: [a.id, b.id, hz.id, ghost, a.id],
      addTags: ['重点'],
      removeTags: ['待回访'],
      ownerId: wangId,
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ updated: 2, notFound: 2 });

    expect(await tagsOf(a.id)).toEqual({ tags: ['老客户', '重点'].sort(), owner_id: wangId });
    expect(await tagsOf(b.id)).toEqual({ tags: ['重点'], owner_id: wangId });
    expect(await tagsOf(hz.id)).toEqual({ tags: ['待回访'], owner_id: null });
    expect((await c.zhang.get(`/api/customers/${a.id}`)).json()).toMatchObject({ ownerId: wangId, ownerName: '王芳' });

    const rows = await auditRowsOfRequest(t, res);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ action: 'customer.bulk_updated', actor_id: c.zhang.me.user.id });
    expect(rows[0]!.after).toMatchObject({ addTags: ['重点'], removeTags: ['待回访'], ownerId: wangId });
    expect(((rows[0]!.after as { ids: string[] }).ids ?? []).sort()).toEqual([a.id, b.id].sort());

    // Adding a tag twice keeps one copy.
    expect((await c.zhang.post('/api/customers/bulk', { ids: [b.id], addTags: ['重点'] })).json()).toEqual({
      updated: 1,
      notFound: 0,
    });
    expect((await tagsOf(b.id)).tags).toEqual(['重点']);
  });

  it('refuses an empty change or an owner out of scope with 400 and changes nothing; all-invisible ids change nothing', async () => {
    const a = await createCustomer(t, c.admin, 'SH', { tags: ['原标签'] });
    const hz = await createCustomer(t, c.admin, 'HZ', { tags: ['原标签'] });
    const before = [await auditCount(t), await tagsOf(a.id)];
    expectError(await c.zhang.post('/api/customers/bulk', { ids: [a.id] }), 400, 'VALIDATION_FAILED', ['body']);
    expectError(
      await c.zhang.post('/api/customers/bulk', { ids: [a.id], addTags: [], removeTags: [] }),
      400,
      'VALIDATION_FAILED',
      ['body'],
    );
    expectError(await c.zhang.post('/api/customers/bulk', { ids: [], addTags: ['x'] }), 400, 'VALIDATION_FAILED', [
      'body.ids',
    ]);
    expectError(
      await c.zhang.post('/api/customers/bulk', { ids: [a.id], ownerId: await userIdByName(t, 'li.manager') }),
      404,
      'NOT_FOUND',
      ['body.ownerId'],
    );
    expect((await c.zhang.post('/api/customers/bulk', { ids: [hz.id], addTags: ['越权'] })).json()).toEqual({
      updated: 0,
      notFound: 1,
    });
    expect([await auditCount(t), await tagsOf(a.id)]).toEqual(before);
    expect((await tagsOf(hz.id)).tags).toEqual(['原标签']);
  });
});

describe('card numbers 卡号', () => {
  const newCard = () => `6217${String(crypto.randomInt(1e11, 1e12))}`;
  const cardRows = (id: string) =>
    t.pool
      .query<{ card_number: string }>('select card_number from customer_cards where customer_id = $1 order by 1', [id])
      .then((r) => r.rows.map((x) => x.card_number));

  it('stored as digits, masked on the detail, revealed one at a time with one audit row; found by the list search', async () => {
    const [a, b] = [newCard(), newCard()];
    const cust = await createCustomer(t, c.admin, 'SH-LJZ', {
      cardNumbers: [`${a.slice(0, 4)} ${a.slice(4, 8)} ${a.slice(8, 12)} ${a.slice(12)}`, b.replace(/(\d{4})/g, '$1-')],
    });
    expect((await t.pool.query('select card_numbers from customers where id = $1', [cust.id])).rows[0]).toEqual({
      card_numbers: [a, b],
    });
    expect(await cardRows(cust.id)).toEqual([a, b].sort());
    const detail = (await c.zhang.get(`/api/customers/${cust.id}`)).json();
    expect(detail.cardNumbers).toEqual([`${a.slice(0, 4)}****${a.slice(-4)}`, `${b.slice(0, 4)}****${b.slice(-4)}`]);
    expect(JSON.stringify(detail)).not.toContain(a);

    const res = await c.zhang.post(`/api/customers/${cust.id}/reveal`, { field: 'cardNumber', index: 1 });
    expect(res.json()).toEqual({ field: 'cardNumber', value: b });
    const rows = await auditRowsOfRequest(t, res);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      action: 'customer.pii_revealed',
      entity_id: cust.id,
      actor_id: c.zhang.me.user.id,
    });
    expect(rows[0]!.after).toMatchObject({ field: 'cardNumber', index: 1 });
    expect(JSON.stringify(rows[0])).not.toContain(b);
    // No card at that index, or no pii:reveal: refused, no audit row.
    const before = await revealCount(cust.id);
    expectError(
      await c.zhang.post(`/api/customers/${cust.id}/reveal`, { field: 'cardNumber', index: 2 }),
      400,
      'VALIDATION_FAILED',
      ['body.index'],
    );
    expectError(await c.wang.post(`/api/customers/${cust.id}/reveal`, { field: 'cardNumber' }), 403, 'FORBIDDEN');
    expect(await revealCount(cust.id)).toBe(before);

    // The list finds the customer by a whole card, typed in groups; HZ's manager does not.
    expect(idsOf(await listCustomers(c.zhang, { q: `${a.slice(0, 8)} ${a.slice(8)}` }))).toEqual([cust.id]);
    expect(idsOf(await listCustomers(c.li, { q: a }))).toEqual([]);

    // Editing the cards keeps the lookup exact: the removed card finds nobody any more.
    const edit = await c.admin.patch(`/api/customers/${cust.id}`, { cardNumbers: [b] });
    expect(edit.statusCode, edit.body).toBe(200);
    expect(await cardRows(cust.id)).toEqual([b]);
    expect(idsOf(await listCustomers(c.zhang, { q: a }))).toEqual([]);
  });

  it('a malformed card is a 400 naming the card, and nothing is written', async () => {
    const before = [await customerCount(t), await auditCount(t)];
    for (const bad of ['1234567', '12345678901234567890', '6217 ABCD 1234'])
      expectError(
        await c.admin.post('/api/customers', {
          name: `客户-${letters()}`,
          unitId: await unitIdByCode(t, 'SH'),
          cardNumbers: [newCard(), bad],
        }),
        400,
        'VALIDATION_FAILED',
        ['body.cardNumbers.1'],
      );
    const cust = await createCustomer(t, c.admin, 'SH');
    const mid = [await customerCount(t), await auditCount(t)];
    expectError(
      await c.admin.patch(`/api/customers/${cust.id}`, { cardNumbers: ['12-34'] }),
      400,
      'VALIDATION_FAILED',
      ['body.cardNumbers.0'],
    );
    expect([await customerCount(t), await auditCount(t)]).toEqual(mid);
    expect(mid[0]).toBe(before[0]! + 1);
    expect(await cardRows(cust.id)).toEqual([]);
  });
});
