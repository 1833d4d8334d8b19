import crypto from 'node:crypto';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countRows, expectError, unitIdByCode } from '../../../test/helpers.ts';
import { createTestApp, type TClient, type TTestApp } from '../../../test/test-app.ts';
import { expectOneEventPerFact } from '../../../test/evaluation-events-helpers.ts';
import { announce, createKioskHub } from './kiosk-hub.ts';

let t: TTestApp;
let zhang: TClient;
let li: TClient;
let chen: TClient;
let teller02: TClient;
let ipSeq = 0;
const ip = () => `10.77.${Math.floor(ipSeq / 200)}.${(ipSeq++ % 200) + 1}`;

beforeAll(async () => {
  t = await createTestApp();
  [zhang, li, chen, teller02] = (await Promise.all(
    ['zhang.manager', 'li.manager', 'chen.teller', 'teller02'].map((u) => t.login(u)),
  )) as [TClient, TClient, TClient, TClient];
});
afterAll(async () => t.close());

/** Pair a kiosk to a counter through the API, as the admin page and the kiosk page do. */
async function pairKiosk(counterCode: string, manager = zhang) {
  const counterId = await unitIdByCode(t, counterCode);
  const pc = await manager.post('/api/kiosk/pairing-codes', { counterId, deviceName: `平板 ${counterCode}` });
  expect(pc.statusCode, pc.body).toBe(200);
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/kiosk/pair',
    payload: { code: pc.json().code },
    remoteAddress: ip(),
  });
  expect(res.statusCode, res.body).toBe(200);
  const token: string = res.json().token;
  return { token, deviceId: res.json().deviceId as string, counterId, auth: { authorization: `Bearer ${token}` } };
}

const kiosk = (token: string) => ({
  state: () =>
    t.app.inject({ method: 'GET', url: '/api/kiosk/device/state', headers: { authorization: `Bearer ${token}` } }),
  rate: (body: object, key: string | null = crypto.randomUUID()) =>
    t.app.inject({
      method: 'POST',
      url: '/api/kiosk/device/ratings',
      headers: { authorization: `Bearer ${token}`, ...(key ? { 'idempotency-key': key } : {}) },
      payload: body,
    }),
});

/** A press 2 s after the prompt, 3 s after the end (server clock). */
function press(sessionId: string, key: number) {
  const shown = t.clock.now();
  t.clock.advance(3000);
  return {
    sessionId,
    key,
    shownAt: new Date(shown.getTime() + 1000).toISOString(),
    pressedAt: new Date(shown.getTime() + 3000).toISOString(),
  };
}

async function serve(client: TClient, counterId: string, businessType = '个人存取款') {
  const start = await client.post('/api/counter/sessions', { counterId, businessType });
  expect(start.statusCode, start.body).toBe(200);
  t.clock.advance(125_000);
  const end = await client.post(`/api/counter/sessions/${start.json().id}/end`);
  expect(end.statusCode, end.body).toBe(200);
  return end.json() as { id: string; handlingSeconds: number };
}

/** A service that starts and ends at once (keeps the shared clock, and so everyone's login, from running ahead). */
async function serveBriefly(client: TClient, counterId: string) {
  const start = await client.post('/api/counter/sessions', { counterId, businessType: '个人存取款' });
  expect(start.statusCode, start.body).toBe(200);
  const end = await client.post(`/api/counter/sessions/${start.json().id}/end`);
  expect(end.statusCode, end.body).toBe(200);
  return end.json() as { id: string };
}

const evaluationsOf = (sessionId: string) =>
  t.pool.query('select * from evaluations where ref_id = $1', [sessionId]).then((r) => r.rows);

describe('pairing', () => {
  it('a code pairs once; bad, used and expired codes are 401; the token is stored hashed; a revoked token is 401', async () => {
    const before = await countRows(t, 'select 1 from kiosk_devices');
    expectError(
      await t.app.inject({
        method: 'POST',
        url: '/api/kiosk/pair',
        payload: { code: 'ZZZZ-ZZZZ' },
        remoteAddress: ip(),
      }),
      401,
      'PAIRING_CODE_INVALID',
    );
    expectError(
      await t.app.inject({ method: 'POST', url: '/api/kiosk/pair', payload: { code: 'x' }, remoteAddress: ip() }),
      400,
      'VALIDATION_FAILED',
      ['body.code'],
    );

    const counterId = await unitIdByCode(t, 'SH-XJH-W1');
    const expired = (await zhang.post('/api/kiosk/pairing-codes', { counterId, deviceName: '过期' })).json()
      .code as string;
    t.clock.advance(11 * 60_000);
    expectError(
      await t.app.inject({ method: 'POST', url: '/api/kiosk/pair', payload: { code: expired }, remoteAddress: ip() }),
      401,
      'PAIRING_CODE_INVALID',
    );
    expect(await countRows(t, 'select 1 from kiosk_devices')).toBe(before);

    const code = (await zhang.post('/api/kiosk/pairing-codes', { counterId, deviceName: '一号平板' })).json()
      .code as string;
    // Typed with a dash and in lower case: still the same code.
    const ok = await t.app.inject({
      method: 'POST',
      url: '/api/kiosk/pair',
      payload: { code: `${code.slice(0, 4).toLowerCase()}-${code.slice(4)}` },
      remoteAddress: ip(),
    });
    expect(ok.statusCode, ok.body).toBe(200);
    const { token, deviceId } = ok.json();
    expect(Buffer.from(token, 'base64url').length).toBeGreaterThanOrEqual(16);
    expect(ok.cookies.find((c) => c.name === 'hf_kiosk')).toMatchObject({
      httpOnly: true,
      sameSite: 'Strict',
      path: '/api/kiosk/device',
    });
    expectError(
      await t.app.inject({ method: 'POST', url: '/api/kiosk/pair', payload: { code }, remoteAddress: ip() }),
      401,
      'PAIRING_CODE_INVALID',
    );
    expect(await countRows(t, 'select 1 from kiosk_devices where token_hash = $1', [token])).toBe(0);
    expect(
      await countRows(t, 'select 1 from kiosk_devices where token_hash = $1', [
        crypto.createHash('sha256').update(token).digest('hex'),
      ]),
    ).toBe(1);

    const state = await kiosk(token).state();
    expect(state.json()).toMatchObject({
      state: 'idle',
      counterName: '1号窗口',
      outletName: '徐家汇支行',
      timeoutSeconds: 30,
    });
    expect(state.json().keys.map((k: { label: string }) => k.label)).toEqual(['非常满意', '满意', '一般', '不满意']);
    // The cookie works as well as the bearer header.
    const byCookie = await t.app.inject({
      method: 'GET',
      url: '/api/kiosk/device/state',
      cookies: { hf_kiosk: token },
    });
    expect(byCookie.statusCode).toBe(200);

    const listed = (await zhang.get('/api/kiosk/devices')).json().items.find((d: { id: string }) => d.id === deviceId);
    expect(listed).toMatchObject({ name: '一号平板', counterName: '1号窗口', revokedAt: null });
    expect(listed.lastSeenAt).not.toBeNull();

    expect((await zhang.post(`/api/kiosk/devices/${deviceId}/revoke`)).json().revokedAt).not.toBeNull();
    expectError(await kiosk(token).state(), 401, 'UNAUTHENTICATED');
    expectError(
      await kiosk(token).rate({
        sessionId: crypto.randomUUID(),
        key: 1,
        shownAt: new Date().toISOString(),
        pressedAt: new Date().toISOString(),
      }),
      401,
      'UNAUTHENTICATED',
    );
    expectError(
      await t.app.inject({
        method: 'GET',
        url: '/api/kiosk/device/state',
        headers: { authorization: 'Bearer nonsense' },
      }),
      401,
      'UNAUTHENTICATED',
    );
  });

  it('a pairing code only for a counter in scope; a manager of another branch gets 404 on devices and sessions', async () => {
    const shCounter = await unitIdByCode(t, 'SH-ZJ-W1');
    const before = await countRows(t, 'select 1 from kiosk_pairing_codes');
    expectError(
      await li.post('/api/kiosk/pairing-codes', { counterId: shCounter, deviceName: '越界' }),
      404,
      'NOT_FOUND',
      ['body.counterId'],
    );
    expectError(
      await zhang.post('/api/kiosk/pairing-codes', {
        counterId: await unitIdByCode(t, 'SH-ZJ'),
        deviceName: '不是窗口',
      }),
      404,
      'NOT_FOUND',
      ['body.counterId'],
    );
    expect(await countRows(t, 'select 1 from kiosk_pairing_codes')).toBe(before);

    const k = await pairKiosk('SH-ZJ-W1');
    const teller = await t.login('teller05');
    const s = await serve(teller, k.counterId);
    expectError(await li.get(`/api/service-sessions/${s.id}`), 404, 'NOT_FOUND');
    expectError(await li.get(`/api/kiosk/devices/${k.deviceId}`), 404, 'NOT_FOUND');
    expectError(await li.post(`/api/kiosk/devices/${k.deviceId}/revoke`), 404, 'NOT_FOUND');
    expect((await li.get('/api/kiosk/devices')).json().items.some((d: { id: string }) => d.id === k.deviceId)).toBe(
      false,
    );
    expect(
      (await li.get('/api/service-sessions?pageSize=100')).json().items.some((x: { id: string }) => x.id === s.id),
    ).toBe(false);
    expectError(await li.get(`/api/kiosk/settings/${await unitIdByCode(t, 'SH-ZJ')}`), 404, 'NOT_FOUND');
    expect((await zhang.get(`/api/service-sessions/${s.id}`)).json()).toMatchObject({
      id: s.id,
      staffName: expect.any(String),
      handlingSeconds: 125,
    });
    expect((await zhang.get(`/api/kiosk/devices/${k.deviceId}`)).statusCode).toBe(200);
  });

  it('rate-limits the public pairing endpoint per IP', async () => {
    const from = '10.99.0.1';
    const codes: number[] = [];
    for (let i = 0; i < 12; i++)
      codes.push(
        (
          await t.app.inject({
            method: 'POST',
            url: '/api/kiosk/pair',
            payload: { code: 'ABCDEFGH' },
            remoteAddress: from,
          })
        ).statusCode,
      );
    expect(codes.slice(0, 10).every((c) => c === 401)).toBe(true);
    expect(codes.slice(10)).toEqual([429, 429]);
  });
});

describe('service sessions at the counter', () => {
  it('one open session per counter; only an open session can end; bad input is 400 with the field', async () => {
    const w1 = await unitIdByCode(t, 'SH-LJZ-W1');
    expectError(
      await chen.post('/api/counter/sessions', { counterId: w1, businessType: '' }),
      400,
      'VALIDATION_FAILED',
      ['body.businessType'],
    );
    expectError(
      await chen.post('/api/counter/sessions', { counterId: await unitIdByCode(t, 'HZ-XH-W1'), businessType: '开户' }),
      404,
      'NOT_FOUND',
    );
    const ctx = (await chen.get('/api/counter/context')).json();
    expect(ctx.defaultCounterId).toBe(w1);
    expect(ctx.businessTypes).toEqual(['个人存取款', '开户销户']);
    const start = await chen.post('/api/counter/sessions', { counterId: w1, businessType: '开户销户' });
    expect(start.statusCode, start.body).toBe(200);
    const id = start.json().id as string;
    expectError(
      await chen.post('/api/counter/sessions', { counterId: w1, businessType: '开户销户' }),
      409,
      'SESSION_ALREADY_OPEN',
      ['body.counterId'],
    );
    expectError(
      await teller02.post('/api/counter/sessions', { counterId: w1, businessType: '对公结算' }),
      409,
      'SESSION_ALREADY_OPEN',
    );
    expect(await countRows(t, 'select 1 from service_sessions where counter_id = $1 and ended_at is null', [w1])).toBe(
      1,
    );
    expect((await chen.get('/api/counter/context')).json().openSession.id).toBe(id);
    t.clock.advance(90_000);
    const end = await chen.post(`/api/counter/sessions/${id}/end`);
    expect(end.json()).toMatchObject({ id, handlingSeconds: 90, businessType: '开户销户' });
    expectError(await chen.post(`/api/counter/sessions/${id}/end`), 409, 'SESSION_NOT_OPEN');
    expectError(await chen.post(`/api/counter/sessions/${crypto.randomUUID()}/end`), 404, 'NOT_FOUND');
    // Another teller cannot end (or see) chen's session.
    expectError(await teller02.post(`/api/counter/sessions/${id}/end`), 404, 'NOT_FOUND');
    expect((await chen.get('/api/counter/context')).json().stats.servedToday).toBeGreaterThanOrEqual(1);
  });
});

describe('ratings from the kiosk', () => {
  it('only after the end, once per session, idempotent replay, fast presses flagged', async () => {
    const k = await pairKiosk('SH-LJZ-W2');
    const start = (
      await teller02.post('/api/counter/sessions', { counterId: k.counterId, businessType: '对公结算' })
    ).json();
    expect((await kiosk(k.token).state()).json()).toMatchObject({
      state: 'serving',
      sessionId: start.id,
      staff: { name: '杨帆', staffNo: 'T3002', businessHandled: ['对公结算', '票据业务'] },
    });
    expectError(await kiosk(k.token).rate(press(start.id, 1)), 409, 'SESSION_NOT_ENDED', ['body.sessionId']);
    expect(await evaluationsOf(start.id)).toHaveLength(0);
    t.clock.advance(60_000);
    await teller02.post(`/api/counter/sessions/${start.id}/end`);
    expect((await kiosk(k.token).state()).json()).toMatchObject({ state: 'rating', sessionId: start.id });

    expectError(await kiosk(k.token).rate(press(start.id, 1), null), 400, 'VALIDATION_FAILED', [
      'headers.idempotency-key',
    ]);
    expectError(await kiosk(k.token).rate(press(start.id, 5)), 400, 'VALIDATION_FAILED', ['body.key']);
    expectError(await kiosk(k.token).rate({ ...press(start.id, 1), shownAt: 'yesterday' }), 400, 'VALIDATION_FAILED', [
      'body.shownAt',
    ]);
    expect(await evaluationsOf(start.id)).toHaveLength(0);

    const key = crypto.randomUUID();
    const body = press(start.id, 2);
    const first = await kiosk(k.token).rate(body, key);
    expect(first.json()).toMatchObject({ score: 4, label: '满意', flags: [], replayed: false });
    const replay = await kiosk(k.token).rate(body, key);
    expect(replay.json()).toMatchObject({ evaluationId: first.json().evaluationId, replayed: true });
    expectError(await kiosk(k.token).rate(press(start.id, 1)), 409, 'ALREADY_RATED');
    const rows = await evaluationsOf(start.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      channel: 'kiosk',
      unit_id: await unitIdByCode(t, 'SH-LJZ'),
      counter_id: k.counterId,
      staff_id: teller02.me.user.id,
      ref_type: 'service_session',
      source_type: 'device',
      source_id: k.deviceId,
      score: 4,
      rating_label: '满意',
    });
    expect(rows[0].answers.clientKey).toBe(key);
    expect((await kiosk(k.token).state()).json().state).toBe('idle');

    // A press 300 ms after the prompt: stored, but flagged.
    const s2 = await serve(teller02, k.counterId);
    t.clock.advance(2000);
    const shown = t.clock.now();
    const fast = await kiosk(k.token).rate({
      sessionId: s2.id,
      key: 1,
      shownAt: shown.toISOString(),
      pressedAt: new Date(shown.getTime() + 300).toISOString(),
    });
    expect(fast.json()).toMatchObject({ score: 5, flags: ['fast_press'] });
    // Another counter's kiosk cannot rate this counter's session.
    const other = await pairKiosk('SH-XJH-W2');
    const s3 = await serve(teller02, k.counterId);
    expectError(await kiosk(other.token).rate(press(s3.id, 1)), 404, 'NOT_FOUND');
  });

  it('presses written together (one batch): a double press lands once, the same key twice answers both with one row', async () => {
    const k = await pairKiosk('SH-ZJ-W1');
    const teller = await t.login('teller05');
    // Two different presses of one session in the same moment: exactly one 200, the other ALREADY_RATED.
    const s1 = await serve(teller, k.counterId);
    const body = press(s1.id, 2);
    const both = await Promise.all([kiosk(k.token).rate(body), kiosk(k.token).rate(body)]);
    expect(both.map((r) => r.statusCode).sort()).toEqual([200, 409]);
    expect(await evaluationsOf(s1.id)).toHaveLength(1);
    // The same press sent twice at once (a retry racing the original): both 200 with the same evaluation.
    const s2 = await serve(teller, k.counterId);
    const key = crypto.randomUUID();
    const body2 = press(s2.id, 3);
    const twice = await Promise.all([kiosk(k.token).rate(body2, key), kiosk(k.token).rate(body2, key)]);
    expect(twice.map((r) => r.statusCode)).toEqual([200, 200]);
    expect(new Set(twice.map((r) => r.json().evaluationId)).size).toBe(1);
    expect(twice.map((r) => r.json().replayed).sort()).toEqual([false, true]);
    // Many sessions rated at once: each press gets its own evaluation.
    const sessions = [];
    for (let i = 0; i < 6; i++) sessions.push(await serve(teller, k.counterId));
    const many = await Promise.all(sessions.map((s, i) => kiosk(k.token).rate(press(s.id, 1 + (i % 3)))));
    expect(many.map((r) => r.statusCode)).toEqual([200, 200, 200, 200, 200, 200]);
    expect(new Set(many.map((r) => r.json().evaluationId)).size).toBe(6);
    for (const [i, s] of sessions.entries())
      expect((await evaluationsOf(s.id)).map((e) => e.score)).toEqual([[5, 4, 3][i % 3]]);
    // Whatever the channel, each evaluation it stored has exactly one event (modules/evaluations).
    await expectOneEventPerFact(t);
  });

  it('three simultaneous presses with one Idempotency-Key: one row, and exactly one answer says it was written', async () => {
    const k = await pairKiosk('SH-ZJ-W2');
    const teller = await t.login('teller06');
    for (const keyNo of [2, 1]) {
      // Key 2 goes through the batch writer; key 1 (不满意) through its own transaction with the notification.
      const s = await serveBriefly(teller, k.counterId);
      const key = crypto.randomUUID();
      const body = press(s.id, keyNo);
      const three = await Promise.all([
        kiosk(k.token).rate(body, key),
        kiosk(k.token).rate(body, key),
        kiosk(k.token).rate(body, key),
      ]);
      expect(three.map((r) => r.statusCode)).toEqual([200, 200, 200]);
      expect(new Set(three.map((r) => r.json().evaluationId)).size).toBe(1);
      expect(three.filter((r) => r.json().replayed === false)).toHaveLength(1);
      expect(await evaluationsOf(s.id)).toHaveLength(1);
    }
  });

  it('an Idempotency-Key reused with another body or on another session is 422 and writes nothing', async () => {
    const k = await pairKiosk('SH-XJH-W2');
    const teller = await t.login('teller04');
    const s1 = await serveBriefly(teller, k.counterId);
    const key = crypto.randomUUID();
    const body = press(s1.id, 2);
    expect((await kiosk(k.token).rate(body, key)).json()).toMatchObject({ replayed: false });
    // Same key, same session, another key pressed: not a replay.
    expectError(await kiosk(k.token).rate({ ...body, key: 3 }, key), 422, 'IDEMPOTENCY_KEY_REUSED', [
      'headers.idempotency-key',
    ]);
    // Same key on the next session (a kiosk that reuses its keys): no second row under that key.
    const s2 = await serveBriefly(teller, k.counterId);
    expectError(await kiosk(k.token).rate(press(s2.id, 2), key), 422, 'IDEMPOTENCY_KEY_REUSED', [
      'headers.idempotency-key',
    ]);
    expectError(await kiosk(k.token).rate(press(s2.id, 1), key), 422, 'IDEMPOTENCY_KEY_REUSED', [
      'headers.idempotency-key',
    ]);
    expect(await evaluationsOf(s2.id)).toHaveLength(0);
    expect(
      (await t.pool.query(`select count(*)::int as n from evaluations where answers->>'clientKey' = $1`, [key])).rows[0]
        .n,
    ).toBe(1);
    // The exact repeat is still a replay, and s2 can be rated with a fresh key.
    expect((await kiosk(k.token).rate(body, key)).json()).toMatchObject({ replayed: true, score: 4 });
    expect((await kiosk(k.token).rate(press(s2.id, 2))).json()).toMatchObject({ replayed: false });
  });

  it('no press within the timeout → one 未评价, even when the press arrives later or races the sweep', async () => {
    const k = await pairKiosk('HZ-XH-W1', li);
    const teller = await t.login('teller07');
    const s = await serve(teller, k.counterId);
    await t.jobs.send('kiosk-timeouts', {});
    await t.jobs.idle();
    expect(await evaluationsOf(s.id)).toHaveLength(0); // not yet due
    t.clock.advance(46_000);
    expect((await kiosk(k.token).state()).json().state).toBe('idle');
    await t.jobs.send('kiosk-timeouts', {});
    await t.jobs.send('kiosk-timeouts', {});
    await t.jobs.idle();
    const rows = await evaluationsOf(s.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ score: null, flags: ['unrated'], unit_id: await unitIdByCode(t, 'HZ-XH') });
    expectError(await kiosk(k.token).rate(press(s.id, 1)), 409, 'ALREADY_RATED');
    expect(await evaluationsOf(s.id)).toHaveLength(1);

    // A press and the sweep at the same moment: exactly one of them lands.
    const s2 = await serve(teller, k.counterId);
    const body = press(s2.id, 1);
    t.clock.advance(60_000);
    const [res] = await Promise.all([
      kiosk(k.token).rate(body),
      t.jobs.send('kiosk-timeouts', {}).then(() => t.jobs.idle()),
    ]);
    expect([200, 409]).toContain(res.statusCode);
    expect(await evaluationsOf(s2.id)).toHaveLength(1);
    // Whatever the channel, each evaluation it stored has exactly one event (modules/evaluations).
    await expectOneEventPerFact(t);
  });

  it('an outlet configures 3–5 keys and the timeout; bad settings are 400 and change nothing', async () => {
    const outlet = await unitIdByCode(t, 'SH-ZJ');
    expectError(
      await zhang.request({
        method: 'PUT',
        url: `/api/kiosk/settings/${outlet}`,
        payload: {
          keys: [
            { label: '好', score: 5 },
            { label: '差', score: 1 },
          ],
          timeoutSeconds: 30,
        },
      }),
      400,
      'VALIDATION_FAILED',
      ['body.keys'],
    );
    expectError(
      await zhang.request({
        method: 'PUT',
        url: `/api/kiosk/settings/${outlet}`,
        payload: {
          keys: [
            { label: '好', score: 5 },
            { label: '好', score: 3 },
            { label: '差', score: 9 },
          ],
          timeoutSeconds: 30,
        },
      }),
      400,
      'VALIDATION_FAILED',
      ['body.keys.2.score'],
    );
    expect((await zhang.get(`/api/kiosk/settings/${outlet}`)).json().isDefault).toBe(true);
    const put = await zhang.request({
      method: 'PUT',
      url: `/api/kiosk/settings/${outlet}`,
      payload: {
        keys: [
          { label: '满意', score: 5 },
          { label: '一般', score: 3 },
          { label: '不满意', score: 2 },
        ],
        timeoutSeconds: 20,
      },
    });
    expect(put.statusCode, put.body).toBe(200);
    const k = await pairKiosk('SH-ZJ-W2');
    expect((await kiosk(k.token).state()).json()).toMatchObject({
      timeoutSeconds: 20,
      keys: [{ label: '满意' }, { label: '一般' }, { label: '不满意', score: 2 }],
    });
  });
});

describe('不满意 notifies the outlet manager', () => {
  it('the nearest manager above the outlet gets it, once, through the evaluation event; others do not', async () => {
    const admin = await t.login('admin');
    const unread = async (c: TClient) => (await c.get('/api/notifications')).json().unreadCount as number;
    const [zBefore, lBefore, aBefore] = [await unread(zhang), await unread(li), await unread(admin)];
    const k = await pairKiosk('SH-LJZ-W1');
    const s = await serve(chen, k.counterId);
    const res = await kiosk(k.token).rate(press(s.id, 4));
    expect(res.json()).toMatchObject({ score: 1, label: '不满意' });
    // The alert is the work of the evaluation-events job (run twice: a replay tells nobody again).
    await t.runEvaluationEvents();
    await t.runEvaluationEvents();
    const list = (await zhang.get('/api/notifications')).json();
    expect(list.unreadCount).toBe(zBefore + 1);
    expect(list.items[0]).toMatchObject({
      kind: 'evaluation.unsatisfied',
      title: '不满意：陆家嘴支行 1号窗口',
      readAt: null,
    });
    expect(list.items[0].body).toContain('陈静');
    expect(list.items[0].link).toContain(`open=${res.json().evaluationId}`);
    expect(await unread(li)).toBe(lBefore);
    expect(await unread(admin)).toBe(aBefore);
    // A satisfied press notifies nobody.
    const s2 = await serve(chen, k.counterId);
    await kiosk(k.token).rate(press(s2.id, 1));
    await t.runEvaluationEvents();
    expect(await unread(zhang)).toBe(zBefore + 1);

    expectError(await li.post(`/api/notifications/${list.items[0].id}/read`), 404, 'NOT_FOUND');
    expect((await zhang.post(`/api/notifications/${list.items[0].id}/read`)).statusCode).toBe(200);
    expect(await unread(zhang)).toBe(zBefore);
    expect((await zhang.post('/api/notifications/read-all')).json().ok).toBe(true);
    expect(await unread(zhang)).toBe(0);
  });
});

describe('live push and the report', () => {
  it('the kiosk event stream follows the teller through LISTEN/NOTIFY', async () => {
    const k = await pairKiosk('HZ-BJ-W1', li);
    const teller = await t.login('teller09');
    const address = await t.app.listen({ port: 0, host: '127.0.0.1' });
    const ctrl = new AbortController();
    const res = await fetch(`${address}/api/kiosk/device/events`, {
      headers: { authorization: `Bearer ${k.token}` },
      signal: ctrl.signal,
    });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const reader = res.body!.getReader();
    let buf = '';
    const nextState = async () => {
      for (;;) {
        const m = /event: state\ndata: (.*)\n\n/.exec(buf);
        if (m) {
          buf = buf.slice(m.index + m[0].length);
          return JSON.parse(m[1]!) as { state: string; sessionId: string | null };
        }
        const { value, done } = await reader.read();
        if (done) throw new Error('stream ended');
        buf += new TextDecoder().decode(value);
      }
    };
    expect((await nextState()).state).toBe('idle');
    const start = (
      await teller.post('/api/counter/sessions', { counterId: k.counterId, businessType: '理财咨询' })
    ).json();
    expect(await nextState()).toMatchObject({ state: 'serving', sessionId: start.id });
    t.clock.advance(30_000);
    await teller.post(`/api/counter/sessions/${start.id}/end`);
    expect(await nextState()).toMatchObject({ state: 'rating', sessionId: start.id });
    ctrl.abort();
  });

  it('the LISTEN connection killed (Postgres restart, pg_terminate_backend): the hub reconnects, wakes every subscriber and hears signals again', async () => {
    const warnings: string[] = [];
    const hub = createKioskHub(t.db, { warn: (_o, m) => warnings.push(m) });
    await hub.start();
    const woken: string[] = [];
    const off = hub.subscribe('tenant-x:counter-y', () => woken.push('woken'));
    const until = async (what: () => boolean) => {
      const deadline = Date.now() + 10_000;
      while (!what()) {
        if (Date.now() > deadline) throw new Error(`timed out; warnings: ${warnings.join('; ')}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    await announce(t.db, { k: 'counter', t: 'tenant-x', c: 'counter-y' });
    await until(() => woken.length === 1);
    const killed = await t.pool.query(
      "select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'huifang-kiosk-listen' and datname = current_database()",
    );
    expect(killed.rowCount).toBeGreaterThan(0);
    // Back on a new connection: subscribers re-read once (signals may have been missed), then signals flow again.
    await until(() => woken.length === 2);
    expect(warnings).toContain('kiosk LISTEN connection lost; reconnecting');
    await announce(t.db, { k: 'counter', t: 'tenant-x', c: 'counter-y' });
    await until(() => woken.length === 3);
    off();
    await hub.stop();
  });

  it('reports sessions, handling time and satisfaction per outlet/staff/day, with xlsx; outliers are computed', async () => {
    const from = new Date(t.clock.now().getTime() - 86400_000).toISOString();
    const to = new Date(t.clock.now().getTime() + 86400_000).toISOString();
    const q = `from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`;
    const byStaff = (await zhang.get(`/api/service-sessions/report?groupBy=staff&${q}`)).json().rows;
    const chenRow = byStaff.find((r: { key: string }) => r.key === chen.me.user.id);
    expect(chenRow.sessions).toBeGreaterThanOrEqual(3);
    expect(chenRow.avgHandlingSeconds).toBeGreaterThan(0);
    expect(
      (await li.get(`/api/service-sessions/report?groupBy=staff&${q}`))
        .json()
        .rows.some((r: { key: string }) => r.key === chen.me.user.id),
    ).toBe(false);
    expectError(await zhang.get(`/api/service-sessions/report?groupBy=week&${q}`), 400, 'VALIDATION_FAILED', [
      'querystring.groupBy',
    ]);
    const xlsx = await zhang.get(`/api/service-sessions/report.xlsx?groupBy=outlet&${q}`);
    expect(xlsx.headers['content-type']).toContain('spreadsheetml');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
    expect(wb.worksheets[0]!.getRow(1).getCell(1).value).toBe('网点');
    expect(wb.worksheets[0]!.rowCount).toBeGreaterThan(1);
    expect((await zhang.get('/api/service-sessions/outliers')).json().items).toEqual(expect.any(Array));
  });
});

describe('demo counter service', () => {
  // Its speed is not asserted here (wall time on the shared machine is no test); the e2e demo template boot shows it.
  it('loads 18 months of sessions and evaluations once, with an inflated teller flagged and the demo pairing code working', async () => {
    const { loadDemoKiosk, DEMO_PAIRING_CODE } = await import('../bootstrap/demo-kiosk.ts');
    const d = await createTestApp();
    try {
      const n = await loadDemoKiosk({ db: d.db, clock: d.clock }, d.tenantId);
      expect(n).toBeGreaterThan(50_000);
      expect(await loadDemoKiosk({ db: d.db, clock: d.clock }, d.tenantId)).toBe(0);
      const shares = await d.pool.query(
        `select count(*) filter (where score is null)::float8 / count(*) as unrated from evaluations where channel = 'kiosk'`,
      );
      expect(shares.rows[0].unrated).toBeGreaterThan(0.05);
      expect(shares.rows[0].unrated).toBeLessThan(0.1);
      expect(
        await countRows(
          d,
          `select 1 from evaluations e left join service_sessions s on 'kiosk:session:' || s.id::text = e.idempotency_key where s.id is null`,
        ),
      ).toBe(0);
      const li2 = await d.login('li.manager');
      const outliers = (await li2.get('/api/service-sessions/outliers')).json().items;
      expect(outliers.map((o: { staffName: string }) => o.staffName)).toEqual(['马超']);
      const paired = await d.app.inject({
        method: 'POST',
        url: '/api/kiosk/pair',
        payload: { code: DEMO_PAIRING_CODE },
      });
      expect(paired.json()).toMatchObject({ counterName: '1号窗口', outletName: '陆家嘴支行' });
    } finally {
      await d.close();
    }
  }, 120_000);
});
