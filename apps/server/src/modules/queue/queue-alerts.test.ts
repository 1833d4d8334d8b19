import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TQueueSetup } from '@huifang/shared';
import { countRows, unitIdByCode } from '../../../test/helpers.ts';
import { createTestApp, type TClient, type TTestApp } from '../../../test/test-app.ts';
import { sweepQueueAlerts } from './queue-alerts.ts';

let t: TTestApp;
let li: TClient;
let teller09: TClient; // HZ-BJ-W1
let setup: TQueueSetup;
let w1: string;

beforeAll(async () => {
  t = await createTestApp();
  [li, teller09] = (await Promise.all(['li.manager', 'teller09'].map((u) => t.login(u)))) as [TClient, TClient];
  // The outlet head (nearest holder of queue:manage above 滨江支行: 李娜 of 杭州分行) has a phone on file.
  await t.pool.query("update users set phone = '13900001111' where tenant_id = $1 and username = 'li.manager'", [
    t.tenantId,
  ]);
  const outletId = await unitIdByCode(t, 'HZ-BJ');
  w1 = await unitIdByCode(t, 'HZ-BJ-W1');
  const res = await li.request({
    method: 'PUT',
    url: `/api/queue/outlets/${outletId}/setup`,
    payload: {
      opensAt: '08:00',
      closesAt: '18:00',
      alertQueueLength: 2,
      alertWaitMinutes: 10,
      types: [{ name: '个人业务', prefix: 'A', counterIds: [w1] }],
    },
  });
  expect(res.statusCode, res.body).toBe(200);
  setup = res.json();
  expect(setup).toMatchObject({ alertQueueLength: 2, alertWaitMinutes: 10 });
});
afterAll(async () => t.close());

const take = async () => {
  const res = await t.app.inject({
    method: 'POST',
    url: `/api/queue/take/${setup.linkToken}/tickets`,
    headers: { 'idempotency-key': crypto.randomUUID() },
    payload: { typeId: setup.types[0]!.id, channel: 'screen' },
    remoteAddress: '10.68.0.1',
  });
  expect(res.statusCode, res.body).toBe(200);
};
const alerts = () =>
  countRows(t, "select 1 from notifications where kind = 'queue.alert' and user_id = $1", [li.me.user.id]);
const sms = () =>
  countRows(t, "select 1 from outbox_messages where ref_type = 'queue_alert' and to_address = '13900001111'");
const serveOne = async () => {
  const c = await teller09.post(`/api/queue/counters/${w1}/call-next`);
  expect(c.statusCode, c.body).toBe(200);
  expect((await teller09.post(`/api/counter/sessions/${c.json().sessionId}/end`)).statusCode).toBe(200);
};

describe('queue alerts 排队预警', () => {
  it('a queue longer than N tells the outlet head once per breach, in-app and by SMS through the outbox', async () => {
    await take();
    await take();
    expect(await alerts()).toBe(0);
    await take(); // 3 waiting > 2
    expect(await alerts()).toBe(1);
    expect(await sms()).toBe(1);
    await take(); // still the same breach
    expect(await alerts()).toBe(1);
    await serveOne();
    await serveOne(); // 2 waiting: the breach is over
    await take(); // 3 again: a new breach
    expect(await alerts()).toBe(2);
    expect(await sms()).toBe(2);
    const n = await t.pool.query(
      "select title, body from notifications where kind = 'queue.alert' order by created_at limit 1",
    );
    expect(n.rows[0]).toMatchObject({ title: '排队预警：滨江支行' });
    expect(n.rows[0].body).toContain('当前等候 3 人');
  });

  it('a wait longer than M minutes: the minute sweep tells once, however often it runs', async () => {
    const before = await alerts();
    t.clock.advance(11 * 60_000);
    expect(await sweepQueueAlerts(t.db, t.clock.now())).toBeGreaterThan(0);
    expect(await alerts()).toBe(before + 1);
    t.clock.advance(60_000);
    expect(await sweepQueueAlerts(t.db, t.clock.now())).toBe(0);
    expect(await alerts()).toBe(before + 1);
    const open = await countRows(t, "select 1 from queue_alerts where kind = 'wait' and cleared_at is null");
    expect(open).toBe(1);
  });
});
