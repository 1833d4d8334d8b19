import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countRows, expectError, unitIdByCode } from '../../../test/helpers.ts';
import { createTestApp, type TClient, type TTestApp } from '../../../test/test-app.ts';
import { customers } from '../../db/schema/index.ts';

let t: TTestApp;
let chen: TClient;
beforeAll(async () => {
  t = await createTestApp();
  chen = await t.login('chen.teller');
});
afterAll(async () => t.close());

async function insertCustomer(unitCode: string, ownerId: string | null) {
  const id = crypto.randomUUID();
  await t.db.insert(customers).values({
    id,
    tenantId: t.tenantId,
    name: `柜面客户${id.slice(0, 4)}`,
    unitId: await unitIdByCode(t, unitCode),
    ownerId,
  });
  return id;
}

describe('POST /api/counter/sessions: the customer being served', () => {
  it('only a customer the teller may see; one of 杭州分行 and an unknown id get the same 404 on body.customerId, nothing written', async () => {
    const w1 = await unitIdByCode(t, 'SH-LJZ-W1');
    const hzCustomer = await insertCustomer('HZ-XH', null);
    const sessions = () => countRows(t, 'select 1 from service_sessions where tenant_id = $1', [t.tenantId]);
    const before = await sessions();

    const out = await chen.post('/api/counter/sessions', {
      counterId: w1,
      businessType: '开户销户',
      customerId: hzCustomer,
    });
    const unknown = await chen.post('/api/counter/sessions', {
      counterId: w1,
      businessType: '开户销户',
      customerId: crypto.randomUUID(),
    });
    for (const res of [out, unknown]) expectError(res, 404, 'NOT_FOUND', ['body.customerId']);
    const { requestId: _a, ...outBody } = out.json();
    const { requestId: _b, ...unknownBody } = unknown.json();
    expect(outBody).toEqual(unknownBody);
    expect(await sessions()).toBe(before);
    expect(await countRows(t, 'select 1 from service_sessions where customer_id = $1', [hzCustomer])).toBe(0);

    // A customer of his own book is linked.
    const mine = await insertCustomer('SH-LJZ', chen.me.user.id);
    const ok = await chen.post('/api/counter/sessions', { counterId: w1, businessType: '开户销户', customerId: mine });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(await countRows(t, 'select 1 from service_sessions where customer_id = $1', [mine])).toBe(1);
  });
});
