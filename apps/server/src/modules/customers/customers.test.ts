import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_INTENT_LEVELS, maskName, type TCustomerDetail, type TTimelineItem } from '@huifang/shared';
import {
  auditCount,
  auditRowsOfRequest,
  countRows,
  expectError,
  unitIdByCode,
  userIdByName,
} from '../../../test/helpers.ts';
import { createCustomer, customerCount, letters, listCustomers } from '../../../test/customers-helpers.ts';
import { createTestApp, type TClient, type TTestApp } from '../../../test/test-app.ts';
import { recordEvaluation, type TNewEvaluation } from '../evaluations/evaluations.write.ts';

let t: TTestApp;
let admin: TClient;
let zhang: TClient;
beforeAll(async () => {
  t = await createTestApp();
  admin = await t.login('admin');
  zhang = await t.login('zhang.manager');
});
afterAll(async () => t.close());

const dbRow = async (id: string) =>
  (
    await t.pool.query(
      'select phones, phone_digits, email, address, id_number, custom, tags, owner_id from customers where id = $1',
      [id],
    )
  ).rows[0] as {
    phones: string[];
    phone_digits: string;
    email: string | null;
    address: string | null;
    id_number: string | null;
    custom: Record<string, unknown>;
    tags: string[];
    owner_id: string | null;
  };

describe('POST /api/customers', () => {
  it('creates an individual: 201 with PII masked, clear values kept in the table, audited without clear PII', async () => {
    const name = `张三-${letters()}`;
    const unitId = await unitIdByCode(t, 'SH-LJZ');
    const res = await admin.post('/api/customers', {
      kind: 'individual',
      name,
      gender: 'male',
      birthday: '1990-01-01',
      phones: ['13812345678'],
      email: 'zhangsan@example.com',
      address: '上海市浦东新区世纪大道100号',
      idNumber: '110101199001011234',
      source: '网点到访',
      unitId,
      tags: ['理财'],
      tier: 'VIP',
      intentLevel: '考虑中',
      consentMarketing: true,
    });
    expect(res.statusCode).toBe(201);
    const c: TCustomerDetail = res.json();
    expect(c).toMatchObject({
      kind: 'individual',
      name,
      phones: ['138****5678'],
      email: 'zh***@example.com',
      address: '上海市浦东新区****',
      idNumber: '110101********1234',
      unitId,
      unitName: '陆家嘴支行',
      tags: ['理财'],
      tier: 'VIP',
      intentLevel: '考虑中',
      consentService: true,
      consentMarketing: true,
      contacts: [],
    });
    expect(res.body).not.toContain('13812345678');
    expect(res.body).not.toContain('zhangsan@');
    expect(res.body).not.toContain('199001011234');
    expect(res.body).not.toContain('世纪大道');

    // GET shows the same masked record.
    expect((await admin.get(`/api/customers/${c.id}`)).json()).toMatchObject({
      id: c.id,
      phones: ['138****5678'],
      idNumber: '110101********1234',
    });

    const row = await dbRow(c.id);
    expect(row).toMatchObject({
      phones: ['13812345678'],
      email: 'zhangsan@example.com',
      address: '上海市浦东新区世纪大道100号',
      id_number: '110101199001011234',
    });

    const audit = await auditRowsOfRequest(t, res);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      action: 'customer.created',
      entity_type: 'customer',
      entity_id: c.id,
      actor_id: admin.me.user.id,
      unit_id: unitId,
    });
    // Not even the name in clear: an erased customer must leave nothing personal in the append-only audit table.
    expect(audit[0]!.after).toMatchObject({
      id: c.id,
      name: maskName(name),
      phones: ['138****5678'],
      email: 'zh***@example.com',
      idNumber: '110101********1234',
    });
    const text = JSON.stringify(audit[0]);
    for (const clear of [name, '13812345678', 'zhangsan@', '110101199001011234', '世纪大道'])
      expect(text).not.toContain(clear);
  });

  it('creates a company with contacts: exactly one primary (the first flagged), contact PII masked', async () => {
    const res = await admin.post('/api/customers', {
      kind: 'company',
      name: `华东贸易有限公司-${letters()}`,
      unitId: await unitIdByCode(t, 'SH'),
      contacts: [
        { name: '王经理', title: '总经理', phone: '13900001111', isPrimary: true },
        { name: '李会计', email: 'likuaiji@example.com', isPrimary: true },
        { name: '赵助理' },
      ],
    });
    expect(res.statusCode).toBe(201);
    const c: TCustomerDetail = res.json();
    expect(c.kind).toBe('company');
    expect(c.contacts).toHaveLength(3);
    expect(c.contacts.filter((k) => k.isPrimary).map((k) => k.name)).toEqual(['王经理']);
    expect(c.contacts[0]).toMatchObject({ name: '王经理', title: '总经理', phone: '139****1111', isPrimary: true });
    expect(c.contacts.find((k) => k.name === '李会计')).toMatchObject({ email: 'li***@example.com', isPrimary: false });
    expect(res.body).not.toContain('13900001111');
    const rows = await t.pool.query(
      'select name, phone, is_primary from customer_contacts where customer_id = $1 order by name',
      [c.id],
    );
    expect(rows.rows.filter((r) => r.is_primary)).toEqual([{ name: '王经理', phone: '13900001111', is_primary: true }]);

    // None flagged: the first one becomes the primary.
    const none = await createCustomer(t, admin, 'SH', { kind: 'company', contacts: [{ name: '甲' }, { name: '乙' }] });
    expect(none.contacts.filter((k) => k.isPrimary).map((k) => k.name)).toEqual(['甲']);
  });

  it('normalises phones: +86 and spaces dropped, landline with area code accepted', async () => {
    const c = await createCustomer(t, admin, 'SH', { phones: ['+86 138 1234 5678', '021-55551234'] });
    expect(c.phones).toEqual(['138****5678', '021-****1234']);
    const row = await dbRow(c.id);
    expect(row.phones).toEqual(['13812345678', '021-55551234']);
    expect(row.phone_digits).toBe('13812345678 02155551234');
  });

  it('normalises phones by the one shared rule: any landline spelling is stored as 021-55551234, an extension after a dash', async () => {
    const c = await createCustomer(t, admin, 'SH', {
      phones: ['(021) 5555 1234 转 88', '０２１５５５５１２３４', '0086 138-1234-5678'],
    });
    expect((await dbRow(c.id)).phones).toEqual(['021-55551234-88', '021-55551234', '13812345678']);
    const patched = await admin.patch(`/api/customers/${c.id}`, { phones: ['+86 21 6666 7777'] });
    expect(patched.statusCode, patched.body).toBe(200);
    expect((await dbRow(c.id)).phones).toEqual(['021-66667777']);
  });

  it.each([
    ['a short phone', { phones: ['12345'] }, 'body.phones.0'],
    ['a mobile starting 12', { phones: ['12812345678'] }, 'body.phones.0'],
    ['a bad second phone', { phones: ['13812345678', '1381234'] }, 'body.phones.1'],
    ['a bad e-mail', { email: 'not-an-email' }, 'body.email'],
    ['a 17-digit ID number', { idNumber: '11010119900101123' }, 'body.idNumber'],
    ['an empty name', { name: '' }, 'body.name'],
    ['a blank name', { name: '   ' }, 'body.name'],
    ['a unit id that is not a uuid', { unitId: 'SH' }, 'body.unitId'],
  ])('refuses %s with 400 VALIDATION_FAILED on the field and writes nothing', async (_what, over, path) => {
    const before = [await customerCount(t), await auditCount(t)];
    const res = await admin.post('/api/customers', {
      name: `客户-${letters()}`,
      unitId: await unitIdByCode(t, 'SH'),
      ...over,
    });
    const body = expectError(res, 400, 'VALIDATION_FAILED', [path]);
    expect(body.details!.map((d) => d.path)).toEqual([path]);
    expect([await customerCount(t), await auditCount(t)]).toEqual(before);
  });

  it('refuses an unknown unit with 404 NOT_FOUND on the field (as an out-of-scope one) and writes nothing', async () => {
    const before = [await customerCount(t), await auditCount(t)];
    const body = expectError(
      await admin.post('/api/customers', { name: `客户-${letters()}`, unitId: crypto.randomUUID() }),
      404,
      'NOT_FOUND',
      ['body.unitId'],
    );
    expect(body.details!.map((d) => d.path)).toEqual(['body.unitId']);
    expect([await customerCount(t), await auditCount(t)]).toEqual(before);
  });
});

describe('custom fields', () => {
  it('a required option field is enforced on create, checked, stored, returned and filterable', async () => {
    // A required field binds every later customer of the tenant: this test gets a tenant of its own.
    const own = await createTestApp();
    try {
      const a = await own.login('admin');
      const unitId = await unitIdByCode(own, 'SH');
      const count = () => countRows(own, 'select 1 from customers');

      expectError(
        await a.post('/api/custom-fields', { key: 'vip_level', label: '会员等级', type: 'option', options: [] }),
        400,
        'VALIDATION_FAILED',
        ['body.options'],
      );
      const def = await a.post('/api/custom-fields', {
        key: 'vip_level',
        label: '会员等级',
        type: 'option',
        options: ['金卡', '银卡'],
        isRequired: true,
      });
      expect(def.statusCode).toBe(201);
      expect(def.json()).toMatchObject({
        entity: 'customer',
        key: 'vip_level',
        type: 'option',
        options: ['金卡', '银卡'],
        isRequired: true,
      });
      expect((await a.get('/api/custom-fields')).json().items.map((f: { key: string }) => f.key)).toEqual([
        'vip_level',
      ]);

      const before = await count();
      const post = (custom?: Record<string, unknown>) =>
        a.post('/api/customers', { name: `客户-${letters()}`, unitId, ...(custom ? { custom } : {}) });
      expectError(await post(), 400, 'VALIDATION_FAILED', ['body.custom.vip_level']);
      expectError(await post({ vip_level: '铜卡' }), 400, 'VALIDATION_FAILED', ['body.custom.vip_level']);
      expectError(await post({ vip_level: '金卡', no_such_field: 'x' }), 400, 'VALIDATION_FAILED', [
        'body.custom.no_such_field',
      ]);
      expect(await count()).toBe(before);

      const gold = await post({ vip_level: '金卡' });
      expect(gold.statusCode).toBe(201);
      expect(gold.json().custom).toEqual({ vip_level: '金卡' });
      expect(
        (await own.pool.query('select custom from customers where id = $1', [gold.json().id])).rows[0].custom,
      ).toEqual({ vip_level: '金卡' });
      const silver = await post({ vip_level: '银卡' });
      expect(silver.statusCode).toBe(201);

      const found = await listCustomers(a, { custom: JSON.stringify({ vip_level: '金卡' }) });
      expect(found.items.map((c) => c.id)).toEqual([gold.json().id]);
      expect(found.items[0]!.custom).toEqual({ vip_level: '金卡' });
      expect((await listCustomers(a, { custom: '{"vip_level":"银卡"}' })).items.map((c) => c.id)).toEqual([
        silver.json().id,
      ]);
      for (const bad of ['not json', '[1,2]', '{"vip_level":{"x":1}}']) {
        expectError(await a.get(`/api/customers?custom=${encodeURIComponent(bad)}`), 400, 'VALIDATION_FAILED', [
          'querystring.custom',
        ]);
      }

      // A patch may not clear a required value; it may change it to another option.
      expectError(
        await a.patch(`/api/customers/${gold.json().id}`, { custom: { vip_level: null } }),
        400,
        'VALIDATION_FAILED',
        ['body.custom.vip_level'],
      );
      const changed = await a.patch(`/api/customers/${gold.json().id}`, { custom: { vip_level: '银卡' } });
      expect(changed.statusCode).toBe(200);
      expect(changed.json().custom).toEqual({ vip_level: '银卡' });
    } finally {
      await own.close();
    }
  });

  it('refuses a duplicate key with 409 on body.key, and field creation to anyone without settings:write', async () => {
    const key = `f_${letters(8)}`;
    const first = await admin.post('/api/custom-fields', { key, label: '备用字段', type: 'text' });
    expect(first.statusCode).toBe(201);
    const fields = () => countRows(t, 'select 1 from custom_field_defs');
    const before = await fields();
    expectError(await admin.post('/api/custom-fields', { key, label: '又一个', type: 'number' }), 409, 'CONFLICT', [
      'body.key',
    ]);
    expectError(
      await zhang.post('/api/custom-fields', { key: `g_${letters(8)}`, label: '经理字段', type: 'text' }),
      403,
      'FORBIDDEN',
    );
    expect(await fields()).toBe(before);
    // An optional text field: stored trimmed, absent is fine.
    const c = await createCustomer(t, admin, 'SH', { custom: { [key]: '  备注值 ' } });
    expect(c.custom).toEqual({ [key]: '备注值' });
    expect((await createCustomer(t, admin, 'SH')).custom).toEqual({});
  });
});

describe('PATCH /api/customers/:id', () => {
  it('changes fields, replaces contacts, re-indexes phones for search, audits before/after masked', async () => {
    const tag = letters(8);
    const c = await createCustomer(t, admin, 'SH-LJZ', {
      kind: 'company',
      tags: [tag],
      phones: ['13911112222'],
      email: 'before@example.com',
      contacts: [{ name: '旧联系人甲', isPrimary: true }, { name: '旧联系人乙' }],
    });
    const newName = `新名称-${letters()}`;
    const res = await admin.patch(`/api/customers/${c.id}`, {
      name: newName,
      phones: ['13733334444', '15855556666'],
      tier: '重要',
      intentLevel: '马上要做',
      contacts: [{ name: '新联系人', phone: '13600001234' }],
    });
    expect(res.statusCode).toBe(200);
    const after: TCustomerDetail = res.json();
    expect(after).toMatchObject({
      id: c.id,
      name: newName,
      phones: ['137****4444', '158****6666'],
      email: 'be***@example.com',
      tier: '重要',
      intentLevel: '马上要做',
      tags: [tag],
    });
    expect(after.contacts).toEqual([
      expect.objectContaining({ name: '新联系人', phone: '136****1234', isPrimary: true }),
    ]);
    expect(await countRows(t, 'select 1 from customer_contacts where customer_id = $1', [c.id])).toBe(1);
    expect((await dbRow(c.id)).phones).toEqual(['13733334444', '15855556666']);

    const search = async (q: string) => (await listCustomers(admin, { q, tags: tag })).items.map((x) => x.id);
    expect(await search('4444')).toEqual([c.id]);
    expect(await search('5555')).toEqual([c.id]);
    expect(await search('2222')).toEqual([]);

    const audit = await auditRowsOfRequest(t, res);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ action: 'customer.updated', entity_id: c.id });
    expect(audit[0]!.before).toMatchObject({ name: maskName(c.name), phones: ['139****2222'] });
    expect(audit[0]!.after).toMatchObject({
      name: maskName(newName),
      phones: ['137****4444', '158****6666'],
      tier: '重要',
    });
    const text = JSON.stringify(audit[0]);
    for (const clear of [c.name, newName, '13911112222', '13733334444', '15855556666', 'before@'])
      expect(text).not.toContain(clear);
  });

  it('leaves the fields a patch does not name as they were', async () => {
    const c = await createCustomer(t, admin, 'SH', {
      kind: 'company',
      phones: ['13822223333'],
      tags: ['老客户'],
      consentService: false,
      consentMarketing: true,
      contacts: [{ name: '联系人' }],
    });
    const res = await admin.patch(`/api/customers/${c.id}`, { tier: '普通' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      kind: 'company',
      name: c.name,
      phones: ['138****3333'],
      tags: ['老客户'],
      consentService: false,
      consentMarketing: true,
      tier: '普通',
    });
    expect(res.json().contacts.map((k: { name: string }) => k.name)).toEqual(['联系人']);
    expect(await dbRow(c.id)).toMatchObject({ phones: ['13822223333'], phone_digits: '13822223333', tags: ['老客户'] });
  });

  it('refuses a bad phone without changing anything, and answers 404 for an unknown id', async () => {
    const c = await createCustomer(t, admin, 'SH', { phones: ['13811110000'] });
    const before = await auditCount(t);
    expectError(
      await admin.patch(`/api/customers/${c.id}`, { name: '改名', phones: ['1234'] }),
      400,
      'VALIDATION_FAILED',
      ['body.phones.0'],
    );
    expect((await admin.get(`/api/customers/${c.id}`)).json()).toMatchObject({ name: c.name, phones: ['138****0000'] });
    expectError(await admin.patch(`/api/customers/${crypto.randomUUID()}`, { name: '改名' }), 404, 'NOT_FOUND');
    expect(await auditCount(t)).toBe(before);
  });
});

describe('timeline', () => {
  const serviceTypeId = async (key: string) => {
    const items = (await admin.get('/api/service-types')).json().items as { id: string; key: string; name: string }[];
    const st = items.find((s) => s.key === key);
    if (!st) throw new Error(`no service type ${key}`);
    return st;
  };

  it('lists service records, transactions and notes newest first with their kinds and amounts', async () => {
    const c = await createCustomer(t, admin, 'SH-LJZ');
    const now = t.clock.now().getTime();
    const hoursAgo = (h: number) => new Date(now - h * 3_600_000).toISOString();
    const counter = await serviceTypeId('counter_visit');

    const sr = await admin.post(`/api/customers/${c.id}/service-records`, {
      serviceTypeId: counter.id,
      occurredAt: hoursAgo(3),
      summary: '办理开户',
    });
    expect(sr.statusCode).toBe(201);
    const order = await admin.post(`/api/customers/${c.id}/transactions`, {
      kind: 'order',
      amountFen: 1_234_500,
      occurredAt: hoursAgo(2),
      orderNo: 'NO-1',
    });
    expect(order.statusCode).toBe(201);
    const ret = await admin.post(`/api/customers/${c.id}/transactions`, {
      kind: 'return',
      amountFen: 50_000,
      occurredAt: hoursAgo(1),
    });
    expect(ret.statusCode).toBe(201);
    const note = await admin.post(`/api/customers/${c.id}/notes`, { body: '客户希望下周回电' });
    expect(note.statusCode).toBe(201);

    const res = await admin.get(`/api/customers/${c.id}/timeline`);
    expect(res.statusCode).toBe(200);
    const items: TTimelineItem[] = res.json().items;
    expect(items.map((i) => [i.kind, i.amountFen])).toEqual([
      ['note', null],
      ['transaction', 50_000],
      ['transaction', 1_234_500],
      ['service_record', null],
    ]);
    expect(items[0]).toMatchObject({ detail: '客户希望下周回电', at: t.clock.now().toISOString() });
    expect(items[0]!.actorName).toBeTruthy();
    expect(items[2]).toMatchObject({ id: order.json().id, title: '订单 NO-1' });
    expect(items[1]).toMatchObject({ id: ret.json().id, title: '退货' });
    expect(items[3]).toMatchObject({ id: sr.json().id, title: counter.name, detail: '办理开户', at: hoursAgo(3) });
    // What the web app renders the title from, in the user's language: codes and data, no Chinese label.
    expect(items.map((i) => i.params)).toEqual([
      {},
      { txKind: 'return', orderNo: null },
      { txKind: 'order', orderNo: 'NO-1' },
      { serviceType: counter.name },
    ]);
    // The note answer carries the timeline too.
    expect(note.json().items.map((i: TTimelineItem) => i.kind)).toEqual([
      'note',
      'transaction',
      'transaction',
      'service_record',
    ]);
  });

  it('gives evaluations their channel and rating as params (a label, a score, or none), the Chinese title unchanged', async () => {
    const c = await createCustomer(t, admin, 'SH-LJZ');
    const unitId = await unitIdByCode(t, 'SH-LJZ');
    const evaluate = async (over: Partial<TNewEvaluation>, minutesAgo: number) =>
      recordEvaluation(t.db, {
        tenantId: t.tenantId,
        channel: 'kiosk',
        occurredAt: new Date(t.clock.now().getTime() - minutesAgo * 60_000),
        unitId,
        customerId: c.id,
        sourceType: 'device',
        score: null,
        idempotencyKey: crypto.randomUUID(),
        ...over,
      });
    await evaluate({ channel: 'kiosk', score: 5, ratingLabel: '非常满意' }, 3);
    await evaluate({ channel: 'survey', sourceType: 'link', score: 4 }, 2);
    await evaluate({ channel: 'order_review', sourceType: 'api', score: null }, 1);
    const items: TTimelineItem[] = (await admin.get(`/api/customers/${c.id}/timeline`)).json().items;
    expect(items.map((i) => [i.title, i.params])).toEqual([
      ['订单评价 · 未评价', { channel: 'order_review', ratingLabel: null, score: null }],
      ['问卷 · 4/5', { channel: 'survey', ratingLabel: null, score: 4 }],
      ['窗口评价 · 非常满意', { channel: 'kiosk', ratingLabel: '非常满意', score: 5 }],
    ]);
  });

  it('refuses a fractional or negative amount, an empty note and an unknown service type; nothing written', async () => {
    const c = await createCustomer(t, admin, 'SH');
    const occurredAt = t.clock.now().toISOString();
    const before = [
      await countRows(t, 'select 1 from transactions'),
      await countRows(t, 'select 1 from customer_notes'),
      await countRows(t, 'select 1 from service_records'),
      await auditCount(t),
    ];
    expectError(
      await admin.post(`/api/customers/${c.id}/transactions`, { kind: 'order', amountFen: 12.5, occurredAt }),
      400,
      'VALIDATION_FAILED',
      ['body.amountFen'],
    );
    expectError(
      await admin.post(`/api/customers/${c.id}/transactions`, { kind: 'payment', amountFen: -100, occurredAt }),
      400,
      'VALIDATION_FAILED',
      ['body.amountFen'],
    );
    expectError(
      await admin.post(`/api/customers/${c.id}/transactions`, { kind: 'gift', amountFen: 100, occurredAt }),
      400,
      'VALIDATION_FAILED',
      ['body.kind'],
    );
    expectError(await admin.post(`/api/customers/${c.id}/notes`, { body: '' }), 400, 'VALIDATION_FAILED', [
      'body.body',
    ]);
    expectError(await admin.post(`/api/customers/${c.id}/notes`, { body: '   ' }), 400, 'VALIDATION_FAILED', [
      'body.body',
    ]);
    expectError(
      await admin.post(`/api/customers/${c.id}/service-records`, { serviceTypeId: crypto.randomUUID(), occurredAt }),
      404,
      'NOT_FOUND',
      ['body.serviceTypeId'],
    );
    expect([
      await countRows(t, 'select 1 from transactions'),
      await countRows(t, 'select 1 from customer_notes'),
      await countRows(t, 'select 1 from service_records'),
      await auditCount(t),
    ]).toEqual(before);
    expect((await admin.get(`/api/customers/${c.id}/timeline`)).json().items).toEqual([]);
  });

  it('takes as staff of a service record only a user in the caller’s scope (404 on body.staffId otherwise), nothing written', async () => {
    const c = await createCustomer(t, admin, 'SH-LJZ');
    const counter = ((await admin.get('/api/service-types')).json().items as { id: string; key: string }[]).find(
      (s) => s.key === 'counter_visit',
    )!;
    const occurredAt = t.clock.now().toISOString();
    const before = [await countRows(t, 'select 1 from service_records'), await auditCount(t)];
    // li.manager works at 杭州分行: in the tenant, but outside 上海分行 where zhang.manager sees.
    const hzStaff = await userIdByName(t, 'li.manager');
    expectError(
      await zhang.post(`/api/customers/${c.id}/service-records`, {
        serviceTypeId: counter.id,
        occurredAt,
        staffId: hzStaff,
      }),
      404,
      'NOT_FOUND',
      ['body.staffId'],
    );
    expectError(
      await zhang.post(`/api/customers/${c.id}/service-records`, {
        serviceTypeId: counter.id,
        occurredAt,
        staffId: crypto.randomUUID(),
      }),
      404,
      'NOT_FOUND',
      ['body.staffId'],
    );
    expect([await countRows(t, 'select 1 from service_records'), await auditCount(t)]).toEqual(before);
    // A teller of a Shanghai counter is in scope.
    const shStaff = await userIdByName(t, 'chen.teller');
    const ok = await zhang.post(`/api/customers/${c.id}/service-records`, {
      serviceTypeId: counter.id,
      occurredAt,
      staffId: shStaff,
    });
    expect(ok.statusCode, ok.body).toBe(201);
    expect(
      (await t.pool.query('select staff_id from service_records where id = $1', [ok.json().id])).rows[0].staff_id,
    ).toBe(shStaff);
  });
});

describe('GET /api/dictionaries/:dict', () => {
  it('returns the six default intent levels in order, to any signed-in user', async () => {
    for (const client of [admin, zhang]) {
      const res = await client.get('/api/dictionaries/intent_level');
      expect(res.statusCode).toBe(200);
      expect(res.json().items.map((i: { label: string }) => i.label)).toEqual([...DEFAULT_INTENT_LEVELS]);
    }
    expect(DEFAULT_INTENT_LEVELS).toEqual(['马上要做', '考虑中', '关注', '一年内不会做', '已做', '尚不了解']);
  });

  it('answers 400 on params.dict for an unknown dictionary', async () => {
    expectError(await admin.get('/api/dictionaries/no_such_dict'), 400, 'VALIDATION_FAILED', ['params.dict']);
  });
});
