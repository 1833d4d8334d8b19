import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unitIdByCode } from '../../../test/helpers.ts';
import { createTestApp, type TClient, type TTestApp } from '../../../test/test-app.ts';

let t: TTestApp;
let zhang: TClient;
let teller: TClient;
let ipSeq = 0;

beforeAll(async () => {
  t = await createTestApp();
  [zhang, teller] = (await Promise.all(['zhang.manager', 'teller05'].map((u) => t.login(u)))) as [TClient, TClient];
});
afterAll(async () => t.close());

async function pair(counterId: string, name: string) {
  const pc = await zhang.post('/api/kiosk/pairing-codes', { counterId, deviceName: name });
  expect(pc.statusCode, pc.body).toBe(200);
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/kiosk/pair',
    payload: { code: pc.json().code },
    remoteAddress: `10.88.0.${++ipSeq}`,
  });
  expect(res.statusCode, res.body).toBe(200);
  return { code: pc.json(), paired: res.json() as { deviceId: string; token: string; otherActiveDevices: number } };
}

const lastSeen = async (deviceId: string) =>
  ((await zhang.get(`/api/kiosk/devices/${deviceId}`)).json() as { lastSeenAt: string | null }).lastSeenAt;

describe('最后在线 of a device in use', () => {
  it('moves on state reads and rating posts, at most once a minute', async () => {
    const counterId = await unitIdByCode(t, 'SH-ZJ-W1');
    const { paired } = await pair(counterId, '在用平板');
    const pairedAt = t.clock.now().toISOString();
    expect(await lastSeen(paired.deviceId)).toBe(pairedAt);
    const auth = { authorization: `Bearer ${paired.token}` };

    // Ten minutes later the kiosk reads its state: 最后在线 follows (written after the answer, so poll briefly).
    t.clock.advance(10 * 60_000);
    const readAt = t.clock.now().toISOString();
    expect((await t.app.inject({ method: 'GET', url: '/api/kiosk/device/state', headers: auth })).statusCode).toBe(200);
    await expect.poll(() => lastSeen(paired.deviceId), { timeout: 5000 }).toBe(readAt);

    // 30 s later: no new write (once a minute is enough).
    t.clock.advance(30_000);
    expect((await t.app.inject({ method: 'GET', url: '/api/kiosk/device/state', headers: auth })).statusCode).toBe(200);
    expect(await lastSeen(paired.deviceId)).toBe(readAt);

    // Five minutes on, a customer rates a session: the rating post moves it too.
    t.clock.advance(5 * 60_000);
    const start = await teller.post('/api/counter/sessions', { counterId, businessType: '个人存取款' });
    expect(start.statusCode, start.body).toBe(200);
    t.clock.advance(60_000);
    expect((await teller.post(`/api/counter/sessions/${start.json().id}/end`)).statusCode).toBe(200);
    t.clock.advance(3000);
    const ratedAt = t.clock.now();
    const rate = await t.app.inject({
      method: 'POST',
      url: '/api/kiosk/device/ratings',
      headers: { ...auth, 'idempotency-key': crypto.randomUUID() },
      payload: {
        sessionId: start.json().id,
        key: 1,
        shownAt: new Date(ratedAt.getTime() - 2000).toISOString(),
        pressedAt: ratedAt.toISOString(),
      },
    });
    expect(rate.statusCode, rate.body).toBe(200);
    await expect.poll(() => lastSeen(paired.deviceId), { timeout: 5000 }).toBe(ratedAt.toISOString());
  });
});

describe('several devices on one counter', () => {
  it('the pairing code and the pair answer name the devices already active on the counter; revoking them clears the warning', async () => {
    const counterId = await unitIdByCode(t, 'SH-ZJ-W2');
    const first = await pair(counterId, '旧平板');
    expect(first.code.activeDevices).toEqual([]);
    expect(first.paired.otherActiveDevices).toBe(0);

    const second = await pair(counterId, '新平板');
    expect(second.code.activeDevices).toEqual([
      expect.objectContaining({ id: first.paired.deviceId, name: '旧平板', revokedAt: null }),
    ]);
    expect(second.paired.otherActiveDevices).toBe(1);

    const third = await zhang.post('/api/kiosk/pairing-codes', { counterId, deviceName: '第三台' });
    expect(
      third
        .json()
        .activeDevices.map((d: { name: string }) => d.name)
        .sort(),
    ).toEqual(['新平板', '旧平板'].sort());

    // The manager revokes the older ones; the next code for the counter warns of none.
    expect((await zhang.post(`/api/kiosk/devices/${first.paired.deviceId}/revoke`)).statusCode).toBe(200);
    expect((await zhang.post(`/api/kiosk/devices/${second.paired.deviceId}/revoke`)).statusCode).toBe(200);
    expect(
      (await zhang.post('/api/kiosk/pairing-codes', { counterId, deviceName: '唯一' })).json().activeDevices,
    ).toEqual([]);
  });
});
