import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TDisplayState, TQueuePublicTicket, TQueueSetup } from '@huifang/shared';
import { countRows, expectError, PNG_DATA_URL, unitIdByCode } from '../../../test/helpers.ts';
import { createTestApp, type TClient, type TTestApp } from '../../../test/test-app.ts';

let t: TTestApp;
let li: TClient;
let teller07: TClient; // HZ-XH-W1
let teller08: TClient; // HZ-XH-W2
let outletId: string;
let w1: string;
let setup: TQueueSetup;
let address: string;
let ipSeq = 0;
const ip = () => `10.67.${Math.floor(ipSeq / 200)}.${(ipSeq++ % 200) + 1}`;

beforeAll(async () => {
  t = await createTestApp();
  [li, teller07, teller08] = (await Promise.all(['li.manager', 'teller07', 'teller08'].map((u) => t.login(u)))) as [
    TClient,
    TClient,
    TClient,
  ];
  outletId = await unitIdByCode(t, 'HZ-XH');
  w1 = await unitIdByCode(t, 'HZ-XH-W1');
  const w2 = await unitIdByCode(t, 'HZ-XH-W2');
  const res = await li.request({
    method: 'PUT',
    url: `/api/queue/outlets/${outletId}/setup`,
    payload: { opensAt: '08:00', closesAt: '18:00', types: [{ name: '个人业务', prefix: 'A', counterIds: [w1, w2] }] },
  });
  expect(res.statusCode, res.body).toBe(200);
  setup = res.json();
  address = await t.app.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => t.close());

async function pairDisplay() {
  const code = await li.post(`/api/queue/outlets/${outletId}/display-codes`, { deviceName: '大厅电视' });
  expect(code.statusCode, code.body).toBe(200);
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/queue/display/pair',
    payload: { code: code.json().code },
    remoteAddress: ip(),
  });
  expect(res.statusCode, res.body).toBe(200);
  return res.json().token as string;
}

async function take(): Promise<TQueuePublicTicket> {
  t.clock.advance(1000);
  const res = await t.app.inject({
    method: 'POST',
    url: `/api/queue/take/${setup.linkToken}/tickets`,
    headers: { 'idempotency-key': crypto.randomUUID() },
    payload: { typeId: setup.types[0]!.id, channel: 'phone' },
    remoteAddress: ip(),
  });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}

/** Read `state` events of an SSE stream one by one. */
async function openStream(url: string, headers: Record<string, string> = {}) {
  const ctrl = new AbortController();
  const res = await fetch(`${address}${url}`, { headers, signal: ctrl.signal });
  expect(res.headers.get('content-type')).toContain('text/event-stream');
  const reader = res.body!.getReader();
  let buf = '';
  return {
    async next<T>(): Promise<T> {
      for (;;) {
        const m = /event: state\ndata: (.*)\n\n/.exec(buf);
        if (m) {
          buf = buf.slice(m.index + m[0].length);
          return JSON.parse(m[1]!) as T;
        }
        const { value, done } = await reader.read();
        if (done) throw new Error('stream ended');
        buf += new TextDecoder().decode(value);
      }
    },
    close: () => ctrl.abort(),
  };
}

describe('hall display 叫号屏', () => {
  it('pairs with a single-use code like a kiosk; a bad or used code is 401; no token is 401', async () => {
    expectError(
      await t.app.inject({
        method: 'POST',
        url: '/api/queue/display/pair',
        payload: { code: 'ZZZZ-ZZZZ' },
        remoteAddress: ip(),
      }),
      401,
      'PAIRING_CODE_INVALID',
    );
    const code = (await li.post(`/api/queue/outlets/${outletId}/display-codes`, { deviceName: '电视' })).json().code;
    const ok = await t.app.inject({
      method: 'POST',
      url: '/api/queue/display/pair',
      payload: { code },
      remoteAddress: ip(),
    });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.cookies.find((c) => c.name === 'hf_qdisplay')?.httpOnly).toBe(true);
    expectError(
      await t.app.inject({ method: 'POST', url: '/api/queue/display/pair', payload: { code }, remoteAddress: ip() }),
      401,
      'PAIRING_CODE_INVALID',
    );
    expect(await countRows(t, 'select 1 from queue_displays where token_hash = $1', [ok.json().token])).toBe(0);
    expectError(await t.app.inject({ method: 'GET', url: '/api/queue/display/state' }), 401, 'UNAUTHENTICATED');
    // Another branch's manager cannot make codes for this outlet.
    const zhang = await t.login('zhang.manager');
    expectError(
      await zhang.post(`/api/queue/outlets/${outletId}/display-codes`, { deviceName: 'x' }),
      404,
      'NOT_FOUND',
    );
  });

  it("the manager lists the outlet's displays and revokes one: its token is refused at once, audited, out of scope 404", async () => {
    const token = await pairDisplay();
    const state = () =>
      t.app.inject({ method: 'GET', url: '/api/queue/display/state', headers: { authorization: `Bearer ${token}` } });
    expect((await state()).statusCode).toBe(200);
    const list = await li.get(`/api/queue/outlets/${outletId}/displays`);
    expect(list.statusCode, list.body).toBe(200);
    const mine = list.json().items.find((d: { name: string; revokedAt: string | null }) => d.name === '大厅电视');
    expect(mine).toMatchObject({ outletId, revokedAt: null });

    const zhang = await t.login('zhang.manager');
    expectError(await zhang.get(`/api/queue/outlets/${outletId}/displays`), 404, 'NOT_FOUND');
    expectError(await zhang.post(`/api/queue/displays/${mine.id}/revoke`), 404, 'NOT_FOUND');
    expect((await state()).statusCode).toBe(200);

    const res = await li.post(`/api/queue/displays/${mine.id}/revoke`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().revokedAt).not.toBeNull();
    expectError(await state(), 401, 'UNAUTHENTICATED');
    expect((await li.post(`/api/queue/displays/${mine.id}/revoke`)).statusCode).toBe(200);
    expect(
      await countRows(t, "select 1 from audit_events where action = 'queue.display_revoked' and entity_id = $1", [
        mine.id,
      ]),
    ).toBe(1);
    const after = (await li.get(`/api/queue/outlets/${outletId}/displays`)).json().items;
    expect(after.find((d: { id: string }) => d.id === mine.id).revokedAt).not.toBeNull();
  });

  it('notices: text and images, a bad image is a 400 on its field with nothing written', async () => {
    expectError(
      await li.request({
        method: 'PUT',
        url: `/api/queue/outlets/${outletId}/notices`,
        payload: { notices: [{ text: '理财讲座', image: null }, { image: 'data:text/html;base64,PHNjcmlwdD4=' }] },
      }),
      400,
      'VALIDATION_FAILED',
      ['body.notices.1.image'],
    );
    const ok = await li.request({
      method: 'PUT',
      url: `/api/queue/outlets/${outletId}/notices`,
      payload: { notices: [{ text: '本周六理财讲座' }, { image: PNG_DATA_URL }] },
    });
    expect(ok.statusCode, ok.body).toBe(200);
    const token = await pairDisplay();
    const state = (
      await t.app.inject({
        method: 'GET',
        url: '/api/queue/display/state',
        headers: { authorization: `Bearer ${token}` },
      })
    ).json() as TDisplayState;
    expect(state.notices.map((n) => n.text)).toEqual(['本周六理财讲座', null]);
    expect(state.outletName).toBe('西湖支行');
  });

  it('the display stream and the phone stream follow a call, a recall and the end of the service', async () => {
    const token = await pairDisplay();
    const display = await openStream('/api/queue/display/events', { authorization: `Bearer ${token}` });
    const first = await display.next<TDisplayState>();
    const mine = await take();
    const other = await take();
    const phone = await openStream(`/api/queue/tickets/${other.id}/events`);
    expect(await phone.next<TQueuePublicTicket>()).toMatchObject({ status: 'waiting', ahead: other.ahead });
    // Taking numbers changes nothing the display shows: no event is sent for them.
    const called = await teller07.post(`/api/queue/counters/${w1}/call-next`);
    expect(called.statusCode, called.body).toBe(200);
    expect(called.json().id).toBe(mine.id);
    const afterCall = await display.next<TDisplayState>();
    expect(afterCall.current).toEqual([expect.objectContaining({ number: mine.number, counterName: '1号窗口' })]);
    expect(afterCall.recent[0]?.number).toBe(mine.number);
    expect(afterCall.recent.length).toBe(first.recent.length + 1);
    expect(await phone.next<TQueuePublicTicket>()).toMatchObject({ status: 'waiting', ahead: other.ahead - 1 });

    await teller07.post(`/api/queue/tickets/${mine.id}/recall`);
    const afterRecall = await display.next<TDisplayState>();
    expect(afterRecall.recent[0]!.eventId).toBeGreaterThan(afterCall.recent[0]!.eventId);
    expect(afterRecall.recent[0]!.number).toBe(mine.number);

    await teller07.post(`/api/counter/sessions/${called.json().sessionId}/end`);
    expect((await display.next<TDisplayState>()).current).toEqual([]);
    const second = await teller08.post(`/api/queue/counters/${await unitIdByCode(t, 'HZ-XH-W2')}/call-next`);
    expect(second.json().id).toBe(other.id);
    expect(await phone.next<TQueuePublicTicket>()).toMatchObject({ status: 'called', counterName: '2号窗口' });
    display.close();
    phone.close();
  });
});
