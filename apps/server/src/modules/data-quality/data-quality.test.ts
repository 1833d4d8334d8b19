import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TClient, type TTestApp } from '../../../test/test-app.ts';

let t: TTestApp;
let admin: TClient;
let shUnit: string;
let hzUnit: string;
beforeAll(async () => {
  t = await createTestApp();
  admin = await t.login('admin');
  shUnit = (await t.pool.query(`select id from org_units where code = 'SH'`)).rows[0].id;
  hzUnit = (await t.pool.query(`select id from org_units where code = 'HZ'`)).rows[0].id;
});
afterAll(async () => t.close());

const phone = () => `135${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;
const create = async (body: Record<string, unknown>) => {
  const r = await admin.post('/api/customers', { unitId: shUnit, ...body });
  expect(r.statusCode, r.body).toBe(201);
  return r.json().id as string;
};

describe('data quality', () => {
  it('finds duplicates by phone and by name + similar address, and merges them keeping both histories', async () => {
    const p = phone();
    const a = await create({ name: '周重复', phones: [p], tags: ['甲'], cardNumbers: ['6217000000000001'] });
    const b = await create({
      name: '周重复二',
      phones: [phone(), p],
      cardNumbers: ['6217000000000002', '6217000000000001'],
      email: 'zhou@example.com',
      tags: ['乙'],
      allowDuplicatePhone: true,
    });
    const c = await create({ name: '吴地址', phones: [phone()], address: '上海市浦东新区世纪大道100号5楼' });
    const d = await create({ name: '吴地址', phones: [phone()], address: '上海市浦东新区世纪大道100号5楼501室' });
    await create({ name: '吴地址', phones: [phone()], address: '浙江省杭州市西湖区文三路1号' });
    const groups = (await admin.get('/api/data-quality/duplicates')).json().items as {
      reason: string;
      customers: { id: string }[];
    }[];
    const phoneGroup = groups.find((g) => g.reason === 'same_phone' && g.customers.some((x) => x.id === a));
    expect(phoneGroup?.customers.map((x) => x.id).sort()).toEqual([a, b].sort());
    const nameGroup = groups.find(
      (g) => g.reason === 'same_name_similar_address' && g.customers.some((x) => x.id === c),
    );
    expect(nameGroup?.customers.map((x) => x.id).sort()).toEqual([c, d].sort());

    await admin.post(`/api/customers/${b}/notes`, { body: '二号的备注' });
    const merged = await admin.post('/api/customers/merge', { keepId: a, mergeIds: [b] });
    expect(merged.statusCode, merged.body).toBe(200);
    expect((await admin.get(`/api/customers/${b}`)).statusCode).toBe(404);
    const kept = (await t.pool.query('select phones, tags, email, card_numbers from customers where id = $1', [a]))
      .rows[0];
    // Cards are united like phones, and the merged customer's card lookup rows went with it.
    expect(kept.card_numbers).toEqual(['6217000000000001', '6217000000000002']);
    const cards = await t.pool.query(
      'select card_number, customer_id from customer_cards where customer_id = any($1)',
      [[a, b]],
    );
    expect(cards.rows.map((r) => [r.card_number, r.customer_id]).sort()).toEqual([
      ['6217000000000001', a],
      ['6217000000000002', a],
    ]);
    expect(kept.phones).toHaveLength(2);
    expect(kept.tags.sort()).toEqual(['乙', '甲']);
    expect(kept.email).toBe('zhou@example.com');
    const timeline = (await admin.get(`/api/customers/${a}/timeline`)).json().items;
    expect(timeline.map((i: { detail: string }) => i.detail)).toContain('二号的备注');
  });

  it('finds customers sharing a bank card or an ID number, with the key masked', async () => {
    const card = `6222${String(Math.floor(Math.random() * 1e12)).padStart(12, '0')}`;
    const e = await create({ name: '郑卡一', phones: [phone()], cardNumbers: [card] });
    const f = await create({ name: '郑卡二', phones: [phone()], cardNumbers: ['6217000000009999', card] });
    const idNo = `11010119900307${String(Math.floor(Math.random() * 1e4)).padStart(4, '0')}`;
    const g = await create({ name: '王证件', phones: [phone()], idNumber: idNo });
    const h = await create({ name: '王证件二', phones: [phone()], idNumber: idNo });
    const groups = (await admin.get('/api/data-quality/duplicates')).json().items as {
      reason: string;
      key: string;
      customers: { id: string }[];
    }[];
    const cardGroup = groups.find((x) => x.reason === 'same_card' && x.customers.some((c) => c.id === e));
    expect(cardGroup?.customers.map((x) => x.id).sort()).toEqual([e, f].sort());
    expect(cardGroup?.key).toBe(`6222****${card.slice(-4)}`);
    const idGroup = groups.find((x) => x.reason === 'same_id_number' && x.customers.some((c) => c.id === g));
    expect(idGroup?.customers.map((x) => x.id).sort()).toEqual([g, h].sort());
    expect(idGroup?.key).not.toContain(idNo.slice(6, 14));
    // A manager of another branch sees neither group: the finder keeps to the caller's visible customers.
    // (li.manager runs the Hangzhou branch; these customers are in Shanghai.)
    const hz = await t.login('li.manager');
    const theirs = await hz.get('/api/data-quality/duplicates');
    expect(theirs.statusCode, theirs.body).toBe(200);
    const seen = (theirs.json().items as { customers: { id: string }[] }[]).flatMap((x) =>
      x.customers.map((c) => c.id),
    );
    expect(seen).not.toContain(e);
    expect(seen).not.toContain(g);
  });

  it('scores completeness and applies the configurable valid-customer rule', async () => {
    const tag = `dq${Date.now()}`;
    const full = await create({
      name: '完整客户',
      phones: [phone()],
      gender: 'male',
      birthday: '1990-01-01',
      address: '上海市静安区南京西路1号',
      email: 'full@example.com',
      source: '转介绍',
      intentLevel: '考虑中',
      tier: 'VIP',
      tags: [tag],
    });
    const bare = await create({ name: '空客户', tags: [tag] });
    // SH manager's view: both counted; the bare one (no phone) is not valid and is listed to fix.
    const mgr = await t.login('zhang.manager');
    let s = (await mgr.get('/api/data-quality/summary')).json();
    const bareRow = s.toFix.find((r: { id: string }) => r.id === bare);
    expect(bareRow).toMatchObject({ isValid: false, completeness: 10 });
    expect(bareRow.missing).toContain('phones');
    // Worst first: invalid ones, then by completeness. The complete one lacks only an owner: 9 of 10 fields.
    const ids = s.toFix.map((r: { id: string }) => r.id);
    expect(s.toFix.find((r: { id: string }) => r.id === full)).toMatchObject({
      isValid: true,
      completeness: 90,
      missing: ['ownerId'],
    });
    expect(ids.indexOf(bare)).toBeLessThan(ids.indexOf(full));
    const validBefore = s.valid;

    // Only settings:write may change the rule; requiring an ID number makes the complete one invalid too.
    expect(
      (
        await mgr.request({
          method: 'PUT',
          url: '/api/data-quality/settings',
          payload: { validRequired: ['name'], completenessFields: ['name'] },
        })
      ).statusCode,
    ).toBe(403);
    const bad = await admin.request({
      method: 'PUT',
      url: '/api/data-quality/settings',
      payload: { validRequired: ['name', 'nonsense'], completenessFields: ['name'] },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().details[0].path).toBe('body.validRequired.1');
    const ok = await admin.request({
      method: 'PUT',
      url: '/api/data-quality/settings',
      payload: {
        validRequired: ['name', 'phones', 'idNumber'],
        completenessFields: ['name', 'phones', 'idNumber', 'email'],
      },
    });
    expect(ok.statusCode, ok.body).toBe(200);
    s = (await mgr.get('/api/data-quality/summary')).json();
    expect(s.valid).toBeLessThan(validBefore);
    expect(s.missing.find((m: { field: string }) => m.field === 'idNumber').count).toBeGreaterThanOrEqual(2);

    // HZ customers are not in the SH manager's figures.
    await create({ name: '杭州客户', unitId: hzUnit, tags: [tag] });
    const hz = (await mgr.get('/api/data-quality/summary')).json();
    expect(hz.total).toBe(s.total);
  });
});
