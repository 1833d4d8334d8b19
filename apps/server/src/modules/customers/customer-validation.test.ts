import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validationText, type TErrorDetail } from '@huifang/shared';
import { auditCount, expectError, unitIdByCode } from '../../../test/helpers.ts';
import { createCustomer, customerCount, letters } from '../../../test/customers-helpers.ts';
import { createTestApp, type TClient, type TTestApp } from '../../../test/test-app.ts';

let t: TTestApp;
let admin: TClient;
let zhang: TClient;
beforeAll(async () => {
  t = await createTestApp();
  admin = await t.login('admin');
  zhang = await t.login('zhang.manager');
});
afterAll(async () => t.close());

const phone = () => `139${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;
const detailsOf = (body: { details?: TErrorDetail[] }) => body.details ?? [];

describe('VALIDATION_FAILED details carry a machine code and params', () => {
  it('says "required" for a missing or blank name, with the path, and the web table makes a sentence naming the field', async () => {
    const unitId = await unitIdByCode(t, 'SH');
    const before = await customerCount(t);
    for (const body of [{ unitId }, { unitId, name: '   ' }]) {
      const res = await admin.post('/api/customers', body);
      const d = detailsOf(expectError(res, 400, 'VALIDATION_FAILED', ['body.name']) as { details?: TErrorDetail[] });
      expect(d.find((x) => x.path === 'body.name')).toMatchObject({ code: 'required' });
    }
    expect(await customerCount(t)).toBe(before);
    expect(validationText({ code: 'required' }, '姓名', 'zh')).toBe('姓名不能为空');
    expect(validationText({ code: 'required' }, 'Name', 'en')).toBe('Name is required');
  });

  it('gives bounds, formats and custom rule keys as params', async () => {
    const unitId = await unitIdByCode(t, 'SH');
    const res = await admin.post('/api/customers', {
      unitId,
      name: 'x'.repeat(101),
      email: 'not-an-email',
      phones: ['12345'],
    });
    const d = detailsOf(expectError(res, 400, 'VALIDATION_FAILED') as { details?: TErrorDetail[] });
    expect(d.find((x) => x.path === 'body.name')).toMatchObject({
      code: 'too_big',
      params: { maximum: 100, origin: 'string' },
    });
    expect(d.find((x) => x.path === 'body.email')).toMatchObject({
      code: 'invalid_format',
      params: { format: 'email' },
    });
    expect(d.find((x) => x.path === 'body.phones.0')).toMatchObject({ code: 'custom', params: { key: 'phone' } });
    expect(
      validationText(
        d.find((x) => x.path === 'body.name')!,
        'Name',
        'en',
      ),
    ).toBe('Name allows at most 100 characters');
    expect(
      validationText(
        d.find((x) => x.path === 'body.phones.0')!,
        '电话',
        'zh',
      ),
    ).toBe('电话须为有效的手机号或带区号的座机号');
  });

  it('says "required" for an empty plan name too (every form, not just customers)', async () => {
    const res = await admin.post('/api/followup/plans', { topic: 'satisfaction', methods: ['phone'] });
    const d = detailsOf(expectError(res, 400, 'VALIDATION_FAILED', ['body.name']) as { details?: TErrorDetail[] });
    expect(d.find((x) => x.path === 'body.name')).toMatchObject({ code: 'required' });
  });

  it('names a unit outside the scope as not_found on its field', async () => {
    const res = await zhang.post('/api/customers', { name: `客户-${letters()}`, unitId: await unitIdByCode(t, 'HZ') });
    const d = detailsOf(expectError(res, 404, 'NOT_FOUND', ['body.unitId']) as { details?: TErrorDetail[] });
    expect(d[0]).toMatchObject({ code: 'not_found' });
  });
});

describe('a phone another customer has (DUPLICATE_PHONE)', () => {
  it('refuses with 409 naming the existing visible customer (masked phone), writes nothing, and saves when confirmed', async () => {
    const p = phone();
    const first = await createCustomer(t, zhang, 'SH-LJZ', { name: `甲-${letters()}`, phones: [p] });
    const [customers, audits] = [await customerCount(t), await auditCount(t)];
    const res = await zhang.post('/api/customers', {
      name: `乙-${letters()}`,
      unitId: await unitIdByCode(t, 'SH'),
      phones: [phone(), ` ${p.slice(0, 3)} ${p.slice(3)}`],
    });
    const body = expectError(res, 409, 'DUPLICATE_PHONE', ['body.phones.1']) as { details?: TErrorDetail[] };
    expect(detailsOf(body)[0]).toMatchObject({
      code: 'duplicate',
      existing: { id: first.id, name: first.name, phone: `${p.slice(0, 3)}****${p.slice(-4)}`, unitName: '陆家嘴支行' },
    });
    expect(res.body).not.toContain(p);
    expect([await customerCount(t), await auditCount(t)]).toEqual([customers, audits]);

    const confirmed = await zhang.post('/api/customers', {
      name: `乙-${letters()}`,
      unitId: await unitIdByCode(t, 'SH'),
      phones: [p],
      allowDuplicatePhone: true,
    });
    expect(confirmed.statusCode, confirmed.body).toBe(201);
    expect(await customerCount(t)).toBe(customers + 1);
  });

  it('reveals nothing of a holder outside the caller’s scope beyond "one exists"', async () => {
    const p = phone();
    const hidden = await createCustomer(t, admin, 'HZ', { name: `杭州-${letters()}`, phones: [p] });
    const res = await zhang.post('/api/customers', {
      name: `上海-${letters()}`,
      unitId: await unitIdByCode(t, 'SH'),
      phones: [p],
    });
    const body = expectError(res, 409, 'DUPLICATE_PHONE', ['body.phones.0']) as { details?: TErrorDetail[] };
    expect(detailsOf(body)[0]!.existing).toBeNull();
    expect(res.body).not.toContain(hidden.id);
    expect(res.body).not.toContain(hidden.name);
  });

  it('checks a phone added by an edit, not one the customer already had', async () => {
    const [p, q] = [phone(), phone()];
    const a = await createCustomer(t, zhang, 'SH', { phones: [p] });
    const b = await createCustomer(t, zhang, 'SH', { phones: [q] });
    await t.pool.query('update customers set phones = $1 where id = $2', [[q, p], b.id]); // an old duplicate
    const rename = await zhang.patch(`/api/customers/${b.id}`, { name: `改名-${letters()}`, phones: [q, p] });
    expect(rename.statusCode, rename.body).toBe(200);
    const r = phone();
    const c = await createCustomer(t, zhang, 'SH', { phones: [r] });
    const add = await zhang.patch(`/api/customers/${a.id}`, { phones: [p, r] });
    expect(
      detailsOf(expectError(add, 409, 'DUPLICATE_PHONE', ['body.phones.1']) as { details?: TErrorDetail[] })[0]!
        .existing,
    ).toMatchObject({ id: c.id });
  });
});
