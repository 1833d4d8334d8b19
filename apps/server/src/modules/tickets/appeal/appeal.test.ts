import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unitIdByCode, userIdByName } from '../../../../test/helpers.ts';
import { createTestApp, type TClient, type TTestApp } from '../../../../test/test-app.ts';
import { openTicket } from '../ticket-actions.ts';

/** 处理结果异议申诉: who may appeal, once; who may decide; only "at fault" counts in the staff figures. */
let t: TTestApp;
let unitId: string;
let tellerId: string;
let teller: TClient;
let otherTeller: TClient;
let supervisor: TClient;
let supervision: TClient;
let supervisionId: string;

beforeAll(async () => {
  t = await createTestApp();
  unitId = await unitIdByCode(t, 'SH-LJZ');
  tellerId = await userIdByName(t, 'chen.teller');
  supervisionId = await userIdByName(t, 'qian.supervision');
  teller = await t.login('chen.teller');
  supervisor = await t.login('wang.supervisor');
  supervision = await t.login('qian.supervision');
  const other = await t.pool.query<{ username: string }>(
    `select u.username from users u join user_roles ur on ur.user_id = u.id join roles r on r.id = ur.role_id
     where u.tenant_id = $1 and r.key = 'teller' and u.username <> 'chen.teller' and u.is_active order by u.username limit 1`,
    [t.tenantId],
  );
  otherTeller = await t.login(other.rows[0]!.username);
});
afterAll(() => t.close());

const newTicket = async (about: { unitId: string; staffId: string; title?: string } = { unitId, staffId: tellerId }) =>
  (
    await t.db.transaction((tx) =>
      openTicket(tx, {
        tenantId: t.tenantId,
        source: 'manual',
        category: 'service_attitude',
        priority: 'normal',
        title: about.title ?? '柜员态度差',
        unitId: about.unitId,
        staffId: about.staffId,
        createdBy: null,
        at: t.clock.now(),
      }),
    )
  ).ticket;
const appealEvents = async (id: string) =>
  (
    await t.pool.query<{ type: string; payload: Record<string, unknown> }>(
      `select type, payload from ticket_events where ticket_id = $1 and type like 'appeal_%' order by id`,
      [id],
    )
  ).rows;

describe('staff appeal 异议申诉', () => {
  it('only the staff member complained about files it, once; others get 404 (not visible) or 403 (visible)', async () => {
    const ticket = await newTicket();
    expect((await otherTeller.get(`/api/tickets/${ticket.id}/appeal`)).statusCode).toBe(404);
    const stranger = await otherTeller.post(`/api/tickets/${ticket.id}/appeal`, { reason: '我没有这样做' });
    expect(stranger.statusCode).toBe(404);
    const notStaff = await supervisor.post(`/api/tickets/${ticket.id}/appeal`, { reason: '我没有这样做' });
    expect(notStaff.statusCode).toBe(403);
    expect(notStaff.json().code).toBe('FORBIDDEN');

    const state = await teller.get(`/api/tickets/${ticket.id}/appeal`);
    expect(state.json()).toMatchObject({ canAppeal: true, canDecide: false, appeal: null, isPending: false });
    const bad = await teller.post(`/api/tickets/${ticket.id}/appeal`, { reason: ' ' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().details[0].path).toBe('body.reason');
    expect(await appealEvents(ticket.id)).toHaveLength(0);

    const filed = await teller.post(`/api/tickets/${ticket.id}/appeal`, { reason: '当时系统故障，并非态度问题' });
    expect(filed.statusCode, filed.body).toBe(200);
    expect(filed.json()).toMatchObject({
      canAppeal: false,
      isPending: true,
      appeal: { reason: '当时系统故障，并非态度问题' },
    });
    const again = await teller.post(`/api/tickets/${ticket.id}/appeal`, { reason: '再次申诉' });
    expect(again.statusCode).toBe(409);
    expect(await appealEvents(ticket.id)).toHaveLength(1);
    const notice = await t.pool.query(
      `select count(*)::int n from notifications where user_id = $1 and kind = 'ticket.appeal_filed' and link = $2`,
      [supervisionId, `/tickets/${ticket.id}`],
    );
    expect(notice.rows[0].n).toBe(1);
  });

  it('only ticket:supervise decides; the decision sets the fault and notifies the staff member', async () => {
    const ticket = await newTicket();
    await teller.post(`/api/tickets/${ticket.id}/appeal`, { reason: '客户误会了业务规定' });
    const body = { decision: 'no_fault', note: '调阅录像，柜员按规定办理' };
    expect((await supervisor.post(`/api/tickets/${ticket.id}/appeal/decision`, body)).statusCode).toBe(403);
    expect((await teller.post(`/api/tickets/${ticket.id}/appeal/decision`, body)).statusCode).toBe(403);
    const wrong = await supervision.post(`/api/tickets/${ticket.id}/appeal/decision`, { decision: 'maybe', note: 'x' });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().details[0].path).toBe('body.decision');

    const decided = await supervision.post(`/api/tickets/${ticket.id}/appeal/decision`, body);
    expect(decided.statusCode, decided.body).toBe(200);
    expect(decided.json()).toMatchObject({
      isPending: false,
      faultDecision: 'no_fault',
      decision: { decision: 'no_fault', note: body.note },
    });
    const row = await t.pool.query('select fault_decision from tickets where id = $1', [ticket.id]);
    expect(row.rows[0].fault_decision).toBe('no_fault');
    expect((await appealEvents(ticket.id)).at(-1)).toMatchObject({
      type: 'appeal_decided',
      payload: { decision: 'no_fault', onAppeal: true },
    });
    const notice = await t.pool.query(
      `select count(*)::int n from notifications where user_id = $1 and kind = 'ticket.fault_decided' and link = $2`,
      [tellerId, `/tickets/${ticket.id}`],
    );
    expect(notice.rows[0].n).toBe(1);
  });

  it('records a fault decision without an appeal; the staff member may still appeal an at-fault one', async () => {
    const ticket = await newTicket();
    const decided = await supervision.post(`/api/tickets/${ticket.id}/appeal/decision`, {
      decision: 'at_fault',
      note: '核实属实',
    });
    expect(decided.statusCode).toBe(200);
    expect((await appealEvents(ticket.id))[0]).toMatchObject({ payload: { onAppeal: false } });
    expect((await teller.get(`/api/tickets/${ticket.id}/appeal`)).json()).toMatchObject({ canAppeal: true });
    expect((await teller.post(`/api/tickets/${ticket.id}/appeal`, { reason: '请复核录像' })).statusCode).toBe(200);
  });

  it('counts only at-fault decisions as upheld in the staff complaint figures', async () => {
    const today = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Shanghai' }).format(t.clock.now());
    const res = await supervision.get(`/api/ticket-figures/staff?from=${today}&to=${today}`);
    expect(res.statusCode, res.body).toBe(200);
    const mine = res.json().items.find((r: { staffId: string }) => r.staffId === tellerId);
    expect(mine).toMatchObject({ received: 3, upheld: 1, noFault: 1, slaBreaches: 0 });
    const bad = await supervision.get(`/api/ticket-figures/staff?from=2026-1-1&to=${today}`);
    expect(bad.statusCode).toBe(400);
  });

  it('a branch manager gets the figures of his subtree’s tickets, as a count over them says', async () => {
    const today = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Shanghai' }).format(t.clock.now());
    await newTicket(); // one in Shanghai (陆家嘴), about chen.teller
    // A ticket in the other branch, about its teller: not the Shanghai manager's.
    const hzUnit = await unitIdByCode(t, 'HZ-XH');
    const hzTeller = (
      await t.pool.query<{ id: string }>(
        `select u.id from users u join org_units o on o.id = u.unit_id where o.path like (select path || '%' from org_units where id = $1) limit 1`,
        [hzUnit],
      )
    ).rows[0]!.id;
    await newTicket({ unitId: hzUnit, staffId: hzTeller, title: '杭州的投诉' });
    const manager = await t.login('zhang.manager');
    const res = await manager.get(`/api/ticket-figures/staff?from=${today}&to=${today}`);
    expect(res.statusCode, res.body).toBe(200);
    const got = new Map(
      (res.json().items as { staffId: string; received: number }[]).map((r) => [r.staffId, r.received]),
    );
    const expected = await t.pool.query<{ staff_id: string; n: number }>(
      `select t.staff_id, count(*)::int as n from tickets t join org_units o on o.id = t.unit_id
       where t.tenant_id = $1 and t.staff_id is not null and o.path like (select path || '%' from org_units where code = 'SH' and tenant_id = $1)
         and (t.created_at at time zone 'Asia/Shanghai')::date = $2::date
       group by t.staff_id`,
      [t.tenantId, today],
    );
    expect(expected.rows.length).toBeGreaterThan(0);
    expect(got).toEqual(new Map(expected.rows.map((r) => [r.staff_id, r.n])));
    expect(got.has(hzTeller)).toBe(false);
    // HQ's 服务监督 sees the Hangzhou ticket too.
    const all = await supervision.get(`/api/ticket-figures/staff?from=${today}&to=${today}`);
    expect(all.json().items.some((r: { staffId: string }) => r.staffId === hzTeller)).toBe(true);
  });
});
