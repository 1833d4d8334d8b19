import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TQueuePublicTicket, TQueueSetup, TQueueTicket } from '@huifang/shared';
import { buildApp } from '../../app.ts';
import { countRows, expectError, unitIdByCode } from '../../../test/helpers.ts';
import { createCustomer } from '../../../test/customers-helpers.ts';
import { createTestApp, type TClient, type TTestApp } from '../../../test/test-app.ts';
import { DEFAULT_HANDLING_SECONDS, estimateWaitMinutes } from './queue-rules.ts';

let t: TTestApp;
let zhang: TClient;
let li: TClient;
let chen: TClient; // SH-LJZ-W1
let teller02: TClient; // SH-LJZ-W2
let w1: string;
let w2: string;
let ipSeq = 0;
const ip = () => `10.66.${Math.floor(ipSeq / 200)}.${(ipSeq++ % 200) + 1}`;

beforeAll(async () => {
  t = await createTestApp();
  [zhang, li, chen, teller02] = (await Promise.all(
    ['zhang.manager', 'li.manager', 'chen.teller', 'teller02'].map((u) => t.login(u)),
  )) as [TClient, TClient, TClient, TClient];
  [w1, w2] = await Promise.all([unitIdByCode(t, 'SH-LJZ-W1'), unitIdByCode(t, 'SH-LJZ-W2')]);
});
afterAll(async () => t.close());

/**
 * Set up an outlet's queue through the API: type A 个人业务 served by both counters, B 对公业务 by counter 2 only
 * (the outlet's two demo counters), priority for the VIP tier.
 */
async function setUp(outletCode: string, over: Record<string, unknown> = {}, manager = zhang) {
  const outletId = await unitIdByCode(t, outletCode);
  const [c1, c2] = await Promise.all([unitIdByCode(t, `${outletCode}-W1`), unitIdByCode(t, `${outletCode}-W2`)]);
  // Saved before: the same types again (by id), as the settings page sends them.
  const before = (await manager.get(`/api/queue/outlets/${outletId}/setup`)).json() as TQueueSetup;
  const idOf = (prefix: string) => before.types.find((x) => x.prefix === prefix)?.id;
  const res = await manager.request({
    method: 'PUT',
    url: `/api/queue/outlets/${outletId}/setup`,
    payload: {
      opensAt: '08:30',
      closesAt: '17:30',
      vipTiers: [],
      maxVipInRow: 2,
      types: [
        { id: idOf('A'), name: '个人业务', prefix: 'A', counterIds: [c1, c2] },
        { id: idOf('B'), name: '对公业务', prefix: 'B', counterIds: [c2] },
      ],
      ...over,
    },
  });
  expect(res.statusCode, res.body).toBe(200);
  const setup = res.json() as TQueueSetup;
  const typeA = setup.types.find((x) => x.prefix === 'A')!.id;
  const typeB = setup.types.find((x) => x.prefix === 'B')!.id;
  return { outletId, setup, token: setup.linkToken!, typeA, typeB };
}

const take = (token: string, body: object, key: string = crypto.randomUUID()) =>
  t.app.inject({
    method: 'POST',
    url: `/api/queue/take/${token}/tickets`,
    headers: { 'idempotency-key': key },
    payload: body,
    remoteAddress: ip(),
  });
async function takeOk(token: string, typeId: string, over: object = {}) {
  t.clock.advance(1000); // customers come one after another
  const res = await take(token, { typeId, channel: 'screen', ...over });
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as TQueuePublicTicket;
}
const publicTicket = async (id: string) =>
  (
    await t.app.inject({ method: 'GET', url: `/api/queue/tickets/${id}/public`, remoteAddress: ip() })
  ).json() as TQueuePublicTicket;

async function callOk(client: TClient, counterId: string) {
  const res = await client.post(`/api/queue/counters/${counterId}/call-next`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as TQueueTicket;
}
async function endService(client: TClient, ticket: TQueueTicket) {
  const res = await client.post(`/api/counter/sessions/${ticket.sessionId}/end`);
  expect(res.statusCode, res.body).toBe(200);
}
/** Serve everyone waiting at a counter (so a test starts from an empty queue). */
async function drain(client: TClient, counterId: string) {
  const open = await t.pool.query('select id from service_sessions where counter_id = $1 and ended_at is null', [
    counterId,
  ]);
  for (const r of open.rows) await client.post(`/api/counter/sessions/${r.id}/end`);
  for (;;) {
    const res = await client.post(`/api/queue/counters/${counterId}/call-next`);
    if (res.statusCode !== 200) return;
    await endService(client, res.json());
  }
}

describe('outlet set-up', () => {
  it('saves types, counters and hours; bad input is a 400 on the field with nothing written; out of scope is 404', async () => {
    const outletId = await unitIdByCode(t, 'SH-ZJ');
    const before = await countRows(t, 'select 1 from queue_business_types');
    expectError(
      await zhang.request({
        method: 'PUT',
        url: `/api/queue/outlets/${outletId}/setup`,
        payload: { opensAt: '09:00', closesAt: '17:00', types: [{ name: '个人', prefix: 'a1' }] },
      }),
      400,
      'VALIDATION_FAILED',
      ['body.types.0.prefix'],
    );
    expectError(
      await zhang.request({
        method: 'PUT',
        url: `/api/queue/outlets/${outletId}/setup`,
        payload: { opensAt: '09:00', closesAt: '17:00', types: [{ name: '个人', prefix: 'A', counterIds: [w1] }] },
      }),
      404,
      'NOT_FOUND',
      ['body.types.0.counterIds.0'],
    );
    expect(await countRows(t, 'select 1 from queue_business_types')).toBe(before);
    // 李娜 manages 杭州: 上海's outlets are not hers.
    expectError(
      await li.request({
        method: 'PUT',
        url: `/api/queue/outlets/${outletId}/setup`,
        payload: { opensAt: '09:00', closesAt: '17:00', types: [{ name: '个人', prefix: 'A' }] },
      }),
      404,
      'NOT_FOUND',
    );
    expectError(await li.get(`/api/queue/outlets/${outletId}/setup`), 404, 'NOT_FOUND');
    // A teller may not change it.
    expectError(
      await chen.request({
        method: 'PUT',
        url: `/api/queue/outlets/${outletId}/setup`,
        payload: { opensAt: '09:00', closesAt: '17:00', types: [{ name: '个人', prefix: 'A' }] },
      }),
      403,
      'FORBIDDEN',
    );

    const { setup } = await setUp('SH-ZJ');
    expect(setup.types.map((x) => [x.prefix, x.name, x.counterIds.length])).toEqual([
      ['A', '个人业务', 2],
      ['B', '对公业务', 1],
    ]);
    expect(setup.linkToken).toMatch(/^[\w-]{20,}$/);
    const audit = await t.pool.query(
      "select 1 from audit_events where action = 'queue.setup_updated' and unit_id = $1",
      [outletId],
    );
    expect(audit.rowCount).toBe(1);
  });
});

describe('taking numbers 取号', () => {
  it('concurrent takers on two screens and phones get consecutive numbers, never one twice, none skipped', async () => {
    const { token, typeA, typeB } = await setUp('SH-XJH');
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        take(token, { typeId: i % 4 === 3 ? typeB : typeA, channel: i % 2 ? 'phone' : 'screen' }),
      ),
    );
    const numbers = results.map((r) => {
      expect(r.statusCode, r.body).toBe(200);
      return (r.json() as TQueuePublicTicket).number;
    });
    const a = numbers.filter((n) => n.startsWith('A')).sort();
    const b = numbers.filter((n) => n.startsWith('B')).sort();
    expect(a).toEqual(Array.from({ length: 30 }, (_, i) => `A${String(i + 1).padStart(3, '0')}`));
    expect(b).toEqual(Array.from({ length: 10 }, (_, i) => `B${String(i + 1).padStart(3, '0')}`));
    const events = await countRows(
      t,
      "select 1 from queue_ticket_events e join queue_tickets q on q.id = e.ticket_id where q.outlet_id = (select id from org_units where code = 'SH-XJH') and e.kind = 'taken'",
    );
    expect(events).toBe(40);
  });

  it('the same Idempotency-Key, sent twice at once, takes one number; a key reused for another type is 422', async () => {
    const { token, typeA, typeB } = await setUp('SH-XJH');
    const key = crypto.randomUUID();
    const [r1, r2] = await Promise.all([
      take(token, { typeId: typeA, channel: 'phone' }, key),
      take(token, { typeId: typeA, channel: 'phone' }, key),
    ]);
    expect(r1.statusCode, r1.body).toBe(200);
    expect(r2.statusCode, r2.body).toBe(200);
    expect(r1.json().id).toBe(r2.json().id);
    expect([r1.json().replayed, r2.json().replayed].sort()).toEqual([false, true]);
    expect(await countRows(t, 'select 1 from queue_tickets where idempotency_key = $1', [key])).toBe(1);
    expectError(await take(token, { typeId: typeB, channel: 'phone' }, key), 422, 'IDEMPOTENCY_KEY_REUSED');
    // The next take gets the very next number: the replay used none.
    const next = await takeOk(token, typeA);
    expect(Number(next.number.slice(1))).toBe(Number(r1.json().number.slice(1)) + 1);
  });

  it('outside opening hours, an unknown type or link, a bad phone: clear errors and nothing written', async () => {
    const { token, typeA } = await setUp('SH-XJH');
    const before = await countRows(t, 'select 1 from queue_tickets');
    const other = await setUp('HZ-XH', {}, li);
    expectError(await take(token, { typeId: other.typeA, channel: 'screen' }), 404, 'NOT_FOUND', ['body.typeId']);
    expectError(await take(token, { typeId: typeA, channel: 'screen', phone: '12345' }), 400, 'VALIDATION_FAILED', [
      'body.phone',
    ]);
    expectError(await take('x'.repeat(24), { typeId: typeA, channel: 'screen' }), 404, 'NOT_FOUND');
    expectError(
      await t.app.inject({
        method: 'POST',
        url: `/api/queue/take/${token}/tickets`,
        payload: { typeId: typeA, channel: 'screen' },
        remoteAddress: ip(),
      }),
      400,
      'VALIDATION_FAILED',
      ['headers.idempotency-key'],
    );
    t.clock.advance(6 * 3600_000); // 18:00 in Shanghai
    try {
      expectError(await take(token, { typeId: typeA, channel: 'screen' }), 409, 'QUEUE_CLOSED');
      const board = await t.app.inject({ method: 'GET', url: `/api/queue/take/${token}`, remoteAddress: ip() });
      expect(board.json().isOpen).toBe(false);
    } finally {
      t.clock.advance(-6 * 3600_000);
    }
    expect(await countRows(t, 'select 1 from queue_tickets')).toBe(before);
  });

  it('the board lists the types with the people waiting; the ticket says how many are ahead', async () => {
    const { token, typeA } = await setUp('SH-XJH');
    const waiting = async () =>
      (await t.app.inject({ method: 'GET', url: `/api/queue/take/${token}`, remoteAddress: ip() })).json();
    const before = await waiting();
    expect(before).toMatchObject({ outletName: '徐家汇支行', isOpen: true });
    const waitingA = (b: { types: { id: string; waiting: number }[] }) => b.types.find((x) => x.id === typeA)!.waiting;
    const first = await takeOk(token, typeA);
    const second = await takeOk(token, typeA);
    expect(first.ahead).toBe(waitingA(before));
    expect(second.ahead).toBe(first.ahead + 1);
    expect(second.estimatedWaitMinutes).toBeGreaterThan(0);
    expect(waitingA(await waiting())).toBe(waitingA(before) + 2);
    expect(await publicTicket(first.id)).toMatchObject({ status: 'waiting', ahead: first.ahead, counterName: null });
  });
});

describe('calling 叫号', () => {
  let ljz: Awaited<ReturnType<typeof setUp>>;
  beforeAll(async () => {
    ljz = await setUp('SH-LJZ');
  });

  it('two counters calling "next" at the same instant never get the same ticket', async () => {
    await drain(chen, w1);
    await drain(teller02, w2);
    for (let i = 0; i < 6; i++) await takeOk(ljz.token, ljz.typeA);
    const seen: string[] = [];
    for (let round = 0; round < 3; round++) {
      const [x, y] = await Promise.all([callOk(chen, w1), callOk(teller02, w2)]);
      expect(x.id).not.toBe(y.id);
      seen.push(x.number, y.number);
      await Promise.all([endService(chen, x), endService(teller02, y)]);
    }
    expect(new Set(seen).size).toBe(6);
    expectError(await chen.post(`/api/queue/counters/${w1}/call-next`), 409, 'QUEUE_EMPTY');
  });

  it('the call starts the service session: the visit holds wait, handling time and the kiosk rating', async () => {
    await drain(chen, w1);
    const taken = await takeOk(ljz.token, ljz.typeA);
    t.clock.advance(90_000);
    const called = await callOk(chen, w1);
    expect(called).toMatchObject({ id: taken.id, status: 'called', waitSeconds: 90, counterId: w1 });
    expect(called.sessionId).toBeTruthy();
    // A second call while serving: the counter is busy.
    await takeOk(ljz.token, ljz.typeA);
    expectError(await chen.post(`/api/queue/counters/${w1}/call-next`), 409, 'SESSION_ALREADY_OPEN');
    const queue = (await chen.get(`/api/queue/counters/${w1}`)).json();
    expect(queue.current.id).toBe(taken.id);
    const session = (await zhang.get(`/api/service-sessions/${called.sessionId}`)).json();
    expect(session).toMatchObject({ counterId: w1, businessType: '个人业务', endedAt: null });
    const phone = await publicTicket(taken.id);
    expect(phone).toMatchObject({ status: 'called', counterName: '1号窗口' });
    t.clock.advance(60_000);
    await endService(chen, called);
    const ended = (await zhang.get(`/api/service-sessions/${called.sessionId}`)).json();
    expect(ended.handlingSeconds).toBe(61); // the next customer's take moved the clock 1 s
    const kinds = await t.pool.query('select kind from queue_ticket_events where ticket_id = $1 order by id', [
      taken.id,
    ]);
    expect(kinds.rows.map((r) => r.kind)).toEqual(['taken', 'called']);
    await drain(chen, w1);
  });

  it("the wait estimate uses the type's mean handling time today: the same on the take, the board and the phone page", async () => {
    await drain(chen, w1);
    await drain(teller02, w2);
    const served = await takeOk(ljz.token, ljz.typeA);
    const called = await callOk(chen, w1);
    expect(called.id).toBe(served.id);
    t.clock.advance(20 * 60_000); // a long service among short ones
    await endService(chen, called);
    await takeOk(ljz.token, ljz.typeA);
    const board = (
      await t.app.inject({ method: 'GET', url: `/api/queue/take/${ljz.token}`, remoteAddress: ip() })
    ).json();
    const a = (board.types as { id: string; waiting: number; estimatedWaitMinutes: number }[]).find(
      (x) => x.id === ljz.typeA,
    )!;
    const next = await takeOk(ljz.token, ljz.typeA);
    expect(next.ahead).toBe(a.waiting);
    expect(next.estimatedWaitMinutes).toBe(a.estimatedWaitMinutes);
    expect((await publicTicket(next.id)).estimatedWaitMinutes).toBe(next.estimatedWaitMinutes);
    // The mean of the type's ended services today, here by a plain join (type A is served at 2 counters).
    const mean = await t.pool.query<{ m: number }>(
      `select avg(s.handling_seconds)::float as m from queue_tickets q join service_sessions s on s.id = q.session_id
       where q.type_id = $1 and s.handling_seconds is not null`,
      [ljz.typeA],
    );
    expect(mean.rows[0]!.m).not.toBe(DEFAULT_HANDLING_SECONDS);
    expect(next.estimatedWaitMinutes).toBe(estimateWaitMinutes(next.ahead, 2, mean.rows[0]!.m));
    await drain(chen, w1);
  });

  it('recall keeps the ticket; skip re-queues it once behind the others, the second skip is final; no rating prompt', async () => {
    await drain(chen, w1);
    await drain(teller02, w2);
    const x = await takeOk(ljz.token, ljz.typeA);
    const y = await takeOk(ljz.token, ljz.typeA);
    const called = await callOk(chen, w1);
    expect(called.id).toBe(x.id);
    const recalled = (await chen.post(`/api/queue/tickets/${x.id}/recall`)).json();
    expect(recalled).toMatchObject({ status: 'called', callCount: 2 });
    t.clock.advance(30_000); // nobody came
    const skipped = await chen.post(`/api/queue/tickets/${x.id}/skip`);
    expect(skipped.statusCode, skipped.body).toBe(200);
    expect(skipped.json()).toMatchObject({ status: 'waiting', skipCount: 1, sessionId: null });
    // The no-show's session is closed without a rating window.
    const s = await t.pool.query('select ended_at, rating_closed from service_sessions where id = $1', [
      called.sessionId,
    ]);
    expect(s.rows[0]).toMatchObject({ rating_closed: true });
    expect(s.rows[0].ended_at).not.toBeNull();
    // Re-queued behind y.
    const next = await callOk(chen, w1);
    expect(next.id).toBe(y.id);
    await endService(chen, next);
    const again = await callOk(chen, w1);
    expect(again.id).toBe(x.id);
    expect((await chen.post(`/api/queue/tickets/${x.id}/skip`)).json()).toMatchObject({
      status: 'no_show',
      skipCount: 2,
    });
    expectError(await chen.post(`/api/queue/tickets/${x.id}/skip`), 409, 'TICKET_NOT_CALLED');
    expectError(await chen.post(`/api/queue/counters/${w1}/call-next`), 409, 'QUEUE_EMPTY');
    const kinds = await t.pool.query('select kind from queue_ticket_events where ticket_id = $1 order by id', [x.id]);
    expect(kinds.rows.map((r) => r.kind)).toEqual([
      'taken',
      'called',
      'recalled',
      'skipped',
      'requeued',
      'called',
      'skipped',
      'no_show',
    ]);
    // Append-only.
    await expect(t.pool.query('delete from queue_ticket_events where ticket_id = $1', [x.id])).rejects.toThrow(
      /append-only/,
    );
  });

  it('transfer to another type keeps the place in the queue; to a counter, only that counter calls it', async () => {
    await drain(chen, w1);
    await drain(teller02, w2);
    const x = await takeOk(ljz.token, ljz.typeA);
    await takeOk(ljz.token, ljz.typeB); // waiting in B before x is transferred there
    const called = await callOk(chen, w1);
    expect(called.id).toBe(x.id);
    expectError(await chen.post(`/api/queue/tickets/${x.id}/transfer`, {}), 400, 'VALIDATION_FAILED', ['body.typeId']);
    const moved = await chen.post(`/api/queue/tickets/${x.id}/transfer`, { typeId: ljz.typeB });
    expect(moved.statusCode, moved.body).toBe(200);
    expect(moved.json()).toMatchObject({ status: 'waiting', typeId: ljz.typeB, number: x.number });
    // B is served at counter 2 only; x took its number before the other B ticket, so it goes first.
    const atW2 = await callOk(teller02, w2);
    expect(atW2.id).toBe(x.id);
    // Now to counter 1 specifically: counter 2 does not call it again, counter 1 does even though… it serves A.
    const toW1 = await teller02.post(`/api/queue/tickets/${x.id}/transfer`, { counterId: w1 });
    expect(toW1.statusCode, toW1.body).toBe(200);
    const otherB = await callOk(teller02, w2);
    expect(otherB.id).not.toBe(x.id);
    await endService(teller02, otherB);
    const atW1 = await callOk(chen, w1);
    expect(atW1.id).toBe(x.id);
    await endService(chen, atW1);
    // Another outlet's teller may not touch it.
    const teller07 = await t.login('teller07');
    expectError(await teller07.post(`/api/queue/tickets/${x.id}/recall`), 404, 'NOT_FOUND');
  });

  it('priority rule: VIP-tier customers first, never more than K in a row', async () => {
    await drain(chen, w1);
    await drain(teller02, w2);
    const vipPhone = `199${String(crypto.randomInt(1e7, 1e8))}`;
    await createCustomer(t, zhang, 'SH-LJZ', { tier: 'VIP', phones: [vipPhone] });
    const rule = await setUp('SH-LJZ', { vipTiers: ['VIP'], maxVipInRow: 2 });
    const n1 = await takeOk(rule.token, rule.typeA);
    const n2 = await takeOk(rule.token, rule.typeA);
    const v1 = await takeOk(rule.token, rule.typeA, { phone: vipPhone });
    const v2 = await takeOk(rule.token, rule.typeA, { phone: vipPhone });
    const v3 = await takeOk(rule.token, rule.typeA, { phone: vipPhone });
    // People ahead are those the rule calls first: a VIP is told only of the VIPs before him, a walk-in also of every
    // VIP waiting (the take's answer was right when given; the live view counts the VIPs who came later too).
    expect([n1.ahead, n2.ahead, v1.ahead, v2.ahead, v3.ahead]).toEqual([0, 1, 0, 1, 2]);
    expect((await publicTicket(n1.id)).ahead).toBe(3);
    expect((await publicTicket(n2.id)).ahead).toBe(4);
    expect((await publicTicket(v3.id)).ahead).toBe(2);
    const order: string[] = [];
    for (let i = 0; i < 5; i++) {
      const c = await callOk(chen, w1);
      order.push(c.id);
      await endService(chen, c);
    }
    const names = new Map([
      [v1.id, 'v1'],
      [v2.id, 'v2'],
      [v3.id, 'v3'],
      [n1.id, 'n1'],
      [n2.id, 'n2'],
    ]);
    expect(order.map((id) => names.get(id))).toEqual(['v1', 'v2', 'n1', 'v3', 'n2']);
    const row = await t.pool.query('select is_vip, customer_id from queue_tickets where id = $1', [v1.id]);
    expect(row.rows[0].is_vip).toBe(true);
    expect(row.rows[0].customer_id).toBeTruthy();
    await setUp('SH-LJZ');
  });

  it('a customer gives a card number 卡号 or ID number instead of a phone: recognised, and the VIP rule applies', async () => {
    await drain(chen, w1);
    await drain(teller02, w2);
    const card = `6222${String(crypto.randomInt(1e11, 1e12))}`; // 16 digits
    const vip = await createCustomer(t, zhang, 'SH-LJZ', {
      tier: 'VIP',
      cardNumbers: [`${card.slice(0, 4)} ${card.slice(4)}`],
    });
    const idNumber = `31010119800101${String(crypto.randomInt(1000, 10000))}`;
    const vipById = await createCustomer(t, zhang, 'SH-LJZ', { tier: 'VIP', idNumber });
    const rule = await setUp('SH-LJZ', { vipTiers: ['VIP'], maxVipInRow: 2 });
    const n1 = await takeOk(rule.token, rule.typeA);
    // A VIP of another tenant holding a card: recognised only in their own tenant.
    const foreignCard = `6222${String(crypto.randomInt(1e11, 1e12))}`;
    await t.pool.query(
      `with tn as (insert into tenants (slug, name) values ($1, '他行') returning id),
            u as (insert into org_units (tenant_id, type, name, path, depth) select id, 'branch', '他行网点', 'x', 0 from tn returning id, tenant_id)
       insert into customers (tenant_id, name, unit_id, tier, card_numbers) select tenant_id, '他行贵宾', id, 'VIP', array[$2] from u`,
      [`other-${crypto.randomUUID().slice(0, 8)}`, foreignCard],
    );
    const foreign = await takeOk(rule.token, rule.typeA, { cardNumber: foreignCard });
    // An unknown card takes a plain number: no error, and nothing says whether the card exists.
    const unknown = await takeOk(rule.token, rule.typeA, { cardNumber: '6222 0000 0000 0001' });
    // Typed with dashes on the phone page: the same card.
    const byCard = await takeOk(rule.token, rule.typeA, { cardNumber: card.replace(/(\d{4})(?=\d)/g, '$1-') });
    const byId = await takeOk(rule.token, rule.typeA, { idNumber });
    expect(Object.keys(unknown).sort()).toEqual(Object.keys(byCard).sort());
    const rows = await t.pool.query<{ id: string; is_vip: boolean; customer_id: string | null }>(
      'select id, is_vip, customer_id from queue_tickets where id = any($1)',
      [[foreign.id, unknown.id, byCard.id, byId.id]],
    );
    const row = new Map(rows.rows.map((r) => [r.id, r]));
    expect(row.get(unknown.id)).toMatchObject({ is_vip: false, customer_id: null });
    expect(row.get(foreign.id)).toMatchObject({ is_vip: false, customer_id: null });
    expect(row.get(byCard.id)).toMatchObject({ is_vip: true, customer_id: vip.id });
    expect(row.get(byId.id)).toMatchObject({ is_vip: true, customer_id: vipById.id });
    // The VIP by card is served first, though they came after two others.
    const first = await callOk(chen, w1);
    expect(first.id).toBe(byCard.id);
    await endService(chen, first);
    const second = await callOk(chen, w1);
    expect(second.id).toBe(byId.id);
    await endService(chen, second);
    expect((await callOk(chen, w1)).id).toBe(n1.id);
    await drain(chen, w1);
    await t.pool.query(`delete from customers where name = '他行贵宾' and $1 = any(card_numbers)`, [foreignCard]);
    await setUp('SH-LJZ');
  });

  it('a malformed card or ID number, or two keys at once: 400 naming the field, nothing written', async () => {
    const { token, typeA } = await setUp('SH-XJH');
    const before = await countRows(t, 'select 1 from queue_tickets');
    for (const bad of ['1234567', '12345678901234567890', '6222 ABCD 1234 5678'])
      expectError(await take(token, { typeId: typeA, channel: 'phone', cardNumber: bad }), 400, 'VALIDATION_FAILED', [
        'body.cardNumber',
      ]);
    expectError(
      await take(token, { typeId: typeA, channel: 'screen', idNumber: '31010119800101' }),
      400,
      'VALIDATION_FAILED',
      ['body.idNumber'],
    );
    expectError(
      await take(token, { typeId: typeA, channel: 'screen', phone: '13812345678', cardNumber: '6222021234567890' }),
      400,
      'VALIDATION_FAILED',
      ['body.cardNumber'],
    );
    expect(await countRows(t, 'select 1 from queue_tickets')).toBe(before);
  });

  it("the day's queue survives a server restart", async () => {
    await drain(chen, w1);
    const x = await takeOk(ljz.token, ljz.typeA);
    // A new server process over the same database: nothing of the queue lived in memory.
    const restarted = await buildApp(t.app.deps, { logger: false });
    await restarted.ready();
    try {
      const res = await restarted.inject({
        method: 'POST',
        url: `/api/queue/counters/${w1}/call-next`,
        headers: { cookie: `hf_sid=${chen.cookie}`, 'x-csrf-token': chen.me.csrfToken },
      });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json().id).toBe(x.id);
      await endService(chen, res.json());
    } finally {
      await restarted.close();
    }
  });
});
