import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TFollowupPlan, TTask, TTaskSummary } from '@huifang/shared';
import { createCustomer } from '../../../test/customers-helpers.ts';
import {
  auditRowsOfRequest,
  countRows,
  createUser,
  expectError,
  loginAs,
  userIdByName,
} from '../../../test/helpers.ts';
import { createTestApp, type TClient, type TTestApp } from '../../../test/test-app.ts';
import { onComplaintResolved } from './rules/rules.ts';

/**
 * Issue 5 operations left open: business calendar 工作日历 (complaint callbacks within 2 working days over the
 * National Day holiday and a make-up Saturday; calendar edits), do-not-contact dates in task generation, reminders of
 * unclaimed team tasks, bulk cancel / reopen (all or nothing), the supervisor summary with the list's state filter.
 */
let t: TTestApp;
let admin: TClient;
let manager: TClient;
let hzManager: TClient;
let liuId: string;

let trips = 0;
/** Move the clock and log in again (sessions idle out on the same clock). */
async function travel(iso: string) {
  t.clock.set(iso);
  const ip = `10.7.${Math.floor(++trips / 250)}.${trips % 250}`;
  [admin, manager, hzManager] = (await Promise.all(
    ['admin', 'zhang.manager', 'li.manager'].map((u) => loginAs(t, u, { ip })),
  )) as [TClient, TClient, TClient];
}

beforeAll(async () => {
  t = await createTestApp();
  await travel('2026-03-10T02:00:00Z');
  liuId = await userIdByName(t, 'liu.agent');
});
afterAll(async () => t.close());

async function createPlan(by: TClient, over: Record<string, unknown>): Promise<TFollowupPlan> {
  const res = await by.post('/api/followup/plans', {
    name: `运营-${Math.random().toString(36).slice(2, 8)}`,
    topic: 'satisfaction',
    methods: ['phone'],
    targetKind: 'list',
    script: '您好{客户称呼}',
    startDate: '2026-03-10',
    dueDays: 7,
    assignment: 'fixed',
    assigneeId: liuId,
    maxAttempts: 2,
    retryHours: 4,
    ...over,
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json();
}
async function activate(by: TClient, id: string): Promise<number> {
  const res = await by.post(`/api/followup/plans/${id}/status`, { status: 'active' });
  expect(res.statusCode, res.body).toBe(200);
  return res.json().created;
}
async function tasksOf(by: TClient, planId: string): Promise<TTask[]> {
  const res = await by.get(`/api/followup/tasks?planId=${planId}&pageSize=100`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json().items;
}
const taskRow = async (key: string) =>
  (
    await t.pool.query<{ due_from: Date; due_until: Date }>(
      `select due_from, due_until from followup_tasks where occurrence_key = $1`,
      [key],
    )
  ).rows;

describe('business calendar 工作日历', () => {
  it('2026 is seeded from the State Council notice: 33 holiday days, 6 make-up working days', async () => {
    const res = await admin.get('/api/settings/calendar?year=2026');
    expect(res.statusCode, res.body).toBe(200);
    const cal = res.json() as { seeded: boolean; days: { date: string; kind: string; name: string }[] };
    expect(cal.seeded).toBe(true);
    expect(cal.days.filter((d) => d.kind === 'holiday')).toHaveLength(33);
    expect(cal.days.filter((d) => d.kind === 'workday').map((d) => d.date)).toEqual([
      '2026-01-04',
      '2026-02-14',
      '2026-02-28',
      '2026-05-09',
      '2026-09-20',
      '2026-10-10',
    ]);
    expect(cal.days.find((d) => d.date === '2026-10-01')).toEqual({
      date: '2026-10-01',
      kind: 'holiday',
      name: '国庆节',
    });
    expect((await admin.get('/api/settings/calendar?year=2027')).json()).toEqual({
      year: 2027,
      seeded: false,
      days: [],
    });
  });

  it('complaint callback "within 2 working days" skips the National Day holiday and counts a make-up Saturday', async () => {
    await travel('2026-09-29T02:00:00Z');
    const plan = await createPlan(manager, {
      targetKind: 'rule',
      topic: 'complaint_check',
      rule: { kind: 'complaint_resolved', withinDays: 2 },
      startDate: '2026-09-29',
    });
    await activate(manager, plan.id);
    const c = await createCustomer(t, admin, 'SH-LJZ');
    const resolve = async (iso: string, ticket: string) => {
      t.clock.set(iso);
      expect(await onComplaintResolved(t.app.deps, { tenantId: t.tenantId, customerId: c.id, ticketId: ticket })).toBe(
        1,
      );
      const [row] = await taskRow(`complaint:${ticket}`);
      return { from: row!.due_from.toISOString(), until: row!.due_until.toISOString() };
    };
    // Wed 30 Sep: 1–7 Oct are holidays → Thu 8, Fri 9 Oct; due by 21:00 on 9 Oct.
    expect(await resolve('2026-09-30T02:00:00Z', '00000000-0000-4000-8000-000000000001')).toEqual({
      from: '2026-09-30T01:00:00.000Z',
      until: '2026-10-09T13:00:00.000Z',
    });
    // Sat 3 Oct (holiday): from the next working day Thu 8 Oct, until Fri 9 Oct.
    expect(await resolve('2026-10-03T02:00:00Z', '00000000-0000-4000-8000-000000000002')).toEqual({
      from: '2026-10-08T01:00:00.000Z',
      until: '2026-10-09T13:00:00.000Z',
    });
    // Fri 9 Oct: Sat 10 Oct is a make-up working day (调休上班) → the 2nd working day is Mon 12 Oct.
    expect(await resolve('2026-10-09T02:00:00Z', '00000000-0000-4000-8000-000000000003')).toEqual({
      from: '2026-10-09T01:00:00.000Z',
      until: '2026-10-12T13:00:00.000Z',
    });
    // Thu 8 Oct: Fri 9 + Sat 10 (make-up) → until Sat 10 Oct.
    expect(await resolve('2026-10-08T02:00:00Z', '00000000-0000-4000-8000-000000000004')).toEqual({
      from: '2026-10-08T01:00:00.000Z',
      until: '2026-10-10T13:00:00.000Z',
    });
    // Sun 20 Sep is a make-up working day: due from that Sunday.
    expect((await resolve('2026-09-20T02:00:00Z', '00000000-0000-4000-8000-000000000005')).from).toBe(
      '2026-09-20T01:00:00.000Z',
    );

    // The tenant's edits count: without the make-up Saturday, Thu 8 Oct → Fri 9, Mon 12.
    await travel('2026-10-08T02:00:00Z');
    const del = await admin.del('/api/settings/calendar/days/2026-10-10');
    expect(del.statusCode, del.body).toBe(200);
    expect(await auditRowsOfRequest(t, del)).toMatchObject([
      { action: 'business_calendar.changed', entity_id: '2026-10-10', before: { kind: 'workday' }, after: null },
    ]);
    expect(await resolve('2026-10-08T02:00:00Z', '00000000-0000-4000-8000-000000000006')).toEqual({
      from: '2026-10-08T01:00:00.000Z',
      until: '2026-10-12T13:00:00.000Z',
    });
    // …and a company holiday on Fri 9 Oct pushes it to Tue 13 Oct.
    const put = await admin.request({
      method: 'PUT',
      url: '/api/settings/calendar/days/2026-10-09',
      payload: { kind: 'holiday', name: '公司活动日' },
    });
    expect(put.statusCode, put.body).toBe(200);
    expect(await resolve('2026-10-08T02:00:00Z', '00000000-0000-4000-8000-000000000007')).toEqual({
      from: '2026-10-08T01:00:00.000Z',
      until: '2026-10-13T13:00:00.000Z',
    });
    // Restore for the other tests.
    await admin.request({
      method: 'PUT',
      url: '/api/settings/calendar/days/2026-10-10',
      payload: { kind: 'workday', name: '国庆节调休' },
    });
    await admin.del('/api/settings/calendar/days/2026-10-09');
  });

  it('calendar edits: bad input → 400 with the field path, unknown day → 404, an agent → 403; nothing written', async () => {
    const before = await countRows(t, 'select 1 from business_calendar_days');
    const audits = await countRows(t, `select 1 from audit_events where action = 'business_calendar.changed'`);
    expectError(
      await admin.request({
        method: 'PUT',
        url: '/api/settings/calendar/days/2026-13-01',
        payload: { kind: 'holiday' },
      }),
      400,
      'VALIDATION_FAILED',
      ['params.date'],
    );
    expectError(
      await admin.request({
        method: 'PUT',
        url: '/api/settings/calendar/days/2026-11-02',
        payload: { kind: 'vacation' },
      }),
      400,
      'VALIDATION_FAILED',
      ['body.kind'],
    );
    expectError(
      await admin.request({
        method: 'PUT',
        url: '/api/settings/calendar/days/2026-11-02',
        payload: { kind: 'holiday', name: 'x'.repeat(51) },
      }),
      400,
      'VALIDATION_FAILED',
      ['body.name'],
    );
    expectError(await admin.del('/api/settings/calendar/days/2026-11-03'), 404, 'NOT_FOUND');
    expectError(await admin.get('/api/settings/calendar?year=1999'), 400, 'VALIDATION_FAILED', ['querystring.year']);
    const agent = await t.login('liu.agent');
    expectError(
      await agent.request({
        method: 'PUT',
        url: '/api/settings/calendar/days/2026-11-02',
        payload: { kind: 'holiday' },
      }),
      403,
      'FORBIDDEN',
    );
    expect(await countRows(t, 'select 1 from business_calendar_days')).toBe(before);
    expect(await countRows(t, `select 1 from audit_events where action = 'business_calendar.changed'`)).toBe(audits);
  });
});

describe('do-not-contact date in task generation', () => {
  it('inside the window: the task is created due from that date; after the window: skipped as before', async () => {
    await travel('2026-03-10T02:00:00Z');
    const [inside, after, none] = [
      await createCustomer(t, admin, 'SH-LJZ'),
      await createCustomer(t, admin, 'SH-LJZ'),
      await createCustomer(t, admin, 'SH-LJZ'),
    ];
    // The window is 11 Mar 09:00 → 18 Mar 21:00 Shanghai. "Not before 15 Mar" (local midnight) and "not before 20 Mar".
    await t.pool.query(`update customers set do_not_contact_until = '2026-03-14T16:00:00Z' where id = $1`, [inside.id]);
    await t.pool.query(`update customers set do_not_contact_until = '2026-03-19T16:00:00Z' where id = $1`, [after.id]);
    const plan = await createPlan(manager, {
      customerIds: [inside.id, after.id, none.id],
      startDate: '2026-03-11',
      dueDays: 7,
    });
    const preview = (await manager.get(`/api/followup/plans/${plan.id}/preview`)).json();
    expect(preview).toMatchObject({ matched: 3, willCreate: 2, excluded: { do_not_contact: 1 } });
    expect(await activate(manager, plan.id)).toBe(2);
    const tasks = await tasksOf(manager, plan.id);
    const by = (id: string) => tasks.find((x) => x.customerId === id);
    expect(by(inside.id)).toMatchObject({ dueFrom: '2026-03-15T01:00:00.000Z', dueUntil: '2026-03-18T13:00:00.000Z' });
    expect(by(none.id)).toMatchObject({ dueFrom: '2026-03-11T01:00:00.000Z' });
    expect(by(after.id)).toBeUndefined();
  });
});

describe('reminders for team tasks nobody has claimed', () => {
  it('due and overdue go once to the team members with followup:work; a team without any goes to its supervisors', async () => {
    await travel('2026-03-10T02:00:00Z');
    const a1 = await createUser(t, admin, { unitCode: 'SH-XJH', roleKeys: ['agent'] });
    const a2 = await createUser(t, admin, { unitCode: 'SH-XJH', roleKeys: ['agent'] });
    const zhangId = await userIdByName(t, 'zhang.manager');
    // No owner → the task goes to the customer's unit as a team task.
    const xjh = await createCustomer(t, admin, 'SH-XJH');
    const zj = await createCustomer(t, admin, 'SH-ZJ');
    const plan = await createPlan(manager, {
      customerIds: [xjh.id, zj.id],
      assignment: 'owner',
      assigneeId: undefined,
      startDate: '2026-03-11',
      dueDays: 1,
      contactFromHour: 0,
    });
    expect(await activate(manager, plan.id)).toBe(2);
    const tasks = await tasksOf(manager, plan.id);
    const txjh = tasks.find((x) => x.customerId === xjh.id)!;
    const tzj = tasks.find((x) => x.customerId === zj.id)!;
    expect(txjh).toMatchObject({ assigneeId: null });
    const notes = async (taskId: string) =>
      (
        await t.pool.query<{ user_id: string; kind: string }>(
          `select user_id, kind from notifications where link = $1 order by kind, user_id`,
          [`/followup/tasks?taskId=${taskId}`],
        )
      ).rows;
    const run = async () => {
      await t.jobs.send('followup-reminders', { tenantId: t.tenantId });
      await t.jobs.idle();
    };
    t.clock.set('2026-03-11T02:00:00Z'); // inside the window
    await run();
    await run();
    expect(await notes(txjh.id)).toEqual([a1.id, a2.id].sort().map((user_id) => ({ user_id, kind: 'followup.due' })));
    expect(await notes(tzj.id)).toEqual([{ user_id: zhangId, kind: 'followup.due' }]);
    t.clock.set('2026-03-12T14:00:00Z'); // past 12 Mar 21:00
    await run();
    await run();
    expect((await notes(txjh.id)).filter((n) => n.kind === 'followup.overdue').map((n) => n.user_id)).toEqual(
      [a1.id, a2.id].sort(),
    );
    const logged = await t.pool.query(
      `select data ->> 'reminder' as r from followup_task_events where task_id = $1 and kind = 'reminded' order by id`,
      [txjh.id],
    );
    expect(logged.rows.map((r) => r.r)).toEqual(['due', 'overdue']);
  });
});

describe('bulk cancel and reopen', () => {
  it('all or nothing: out of scope → 404, wrong state → 409 listing them; otherwise each task logged and one audit row', async () => {
    await travel('2026-03-10T02:00:00Z');
    const cs = [];
    for (let i = 0; i < 4; i++) cs.push(await createCustomer(t, admin, 'SH-LJZ'));
    const plan = await createPlan(manager, { customerIds: cs.map((c) => c.id) });
    await activate(manager, plan.id);
    const ids = (await tasksOf(manager, plan.id)).map((x) => x.id);
    const hzCustomer = await createCustomer(t, admin, 'HZ-XH');
    const hzPlan = await createPlan(hzManager, {
      customerIds: [hzCustomer.id],
      assignment: 'owner',
      assigneeId: undefined,
    });
    await activate(hzManager, hzPlan.id);
    const [hzTask] = (await tasksOf(hzManager, hzPlan.id)).map((x) => x.id);
    const states = async () =>
      (
        await t.pool.query<{ id: string; state: string }>(
          `select id, state from followup_tasks where plan_id = $1 order by id`,
          [plan.id],
        )
      ).rows;
    const events = () => countRows(t, `select 1 from followup_task_events where task_id = any($1::uuid[])`, [ids]);

    // Validation.
    expectError(await manager.post('/api/followup/tasks/bulk-cancel', { taskIds: [] }), 400, 'VALIDATION_FAILED', [
      'body.taskIds',
    ]);
    expectError(
      await manager.post('/api/followup/tasks/bulk-cancel', { taskIds: ['nope'] }),
      400,
      'VALIDATION_FAILED',
      ['body.taskIds.0'],
    );
    expectError(
      await manager.post('/api/followup/tasks/bulk-cancel', {
        taskIds: Array.from({ length: 501 }, () => crypto.randomUUID()),
      }),
      400,
      'VALIDATION_FAILED',
      ['body.taskIds'],
    );

    // A Hangzhou task among them: 404 for the whole request, nothing changed.
    const before = await states();
    const ev0 = await events();
    expectError(await manager.post('/api/followup/tasks/bulk-cancel', { taskIds: [ids[0], hzTask] }), 404, 'NOT_FOUND');
    expectError(
      await manager.post('/api/followup/tasks/bulk-cancel', { taskIds: [ids[0], crypto.randomUUID()] }),
      404,
      'NOT_FOUND',
    );
    expect(await states()).toEqual(before);

    // Cancel three.
    const res = await manager.post('/api/followup/tasks/bulk-cancel', {
      taskIds: [ids[0], ids[1], ids[2], ids[0]],
      reason: '客户已集中回访',
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ changed: 3 });
    expect(
      (await states())
        .filter((s) => s.state === 'cancelled')
        .map((s) => s.id)
        .sort(),
    ).toEqual([ids[0], ids[1], ids[2]].sort());
    const logged = await t.pool.query(
      `select task_id, from_state, to_state, data from followup_task_events where kind = 'cancelled' and task_id = any($1::uuid[]) order by task_id`,
      [ids],
    );
    expect(logged.rows).toHaveLength(3);
    expect(logged.rows[0]).toMatchObject({
      from_state: 'pending',
      to_state: 'cancelled',
      data: { reason: '客户已集中回访', bulk: true },
    });
    const audit = await auditRowsOfRequest(t, res);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ action: 'followup_task.bulk_cancelled' });
    expect((audit[0]!.after as { taskIds: string[] }).taskIds.sort()).toEqual([ids[0], ids[1], ids[2]].sort());

    // Cancel again including an already cancelled one: 409 naming it (its index in the request), nothing changed.
    const mid = await states();
    const ev1 = await events();
    expect(ev1).toBe(ev0 + 3);
    const conflict = expectError(
      await manager.post('/api/followup/tasks/bulk-cancel', { taskIds: [ids[3], ids[1]] }),
      409,
      'CONFLICT',
      ['body.taskIds.1'],
    );
    expect(conflict.details).toEqual([{ path: 'body.taskIds.1', message: `${ids[1]}: cancelled` }]);
    // Reopen including an open one: 409, nothing changed.
    expectError(await manager.post('/api/followup/tasks/bulk-reopen', { taskIds: [ids[0], ids[3]] }), 409, 'CONFLICT', [
      'body.taskIds.1',
    ]);
    expect(await states()).toEqual(mid);
    expect(await events()).toBe(ev1);

    // Reopen two: pending again, attempts reset, logged, one audit row.
    const re = await manager.post('/api/followup/tasks/bulk-reopen', { taskIds: [ids[0], ids[1]] });
    expect(re.statusCode, re.body).toBe(200);
    expect((await states()).filter((s) => s.state === 'pending')).toHaveLength(3);
    expect(await auditRowsOfRequest(t, re)).toMatchObject([{ action: 'followup_task.bulk_reopened' }]);
    expect(
      await countRows(t, `select 1 from followup_task_events where kind = 'reopened' and task_id = any($1::uuid[])`, [
        ids,
      ]),
    ).toBe(2);

    // An agent may not.
    const agent = await t.login('liu.agent');
    expectError(await agent.post('/api/followup/tasks/bulk-cancel', { taskIds: [ids[3]] }), 403, 'FORBIDDEN');

    // The supervisor summary honours the list's state filter (and the plan filter).
    const sum = (q: string) =>
      manager.get(`/api/followup/tasks/summary?planId=${plan.id}${q}`).then((r) => r.json() as TTaskSummary);
    expect(await sum('')).toMatchObject({ total: 4, byState: { pending: 3, cancelled: 1 } });
    const cancelledOnly = await sum('&state=cancelled');
    expect(cancelledOnly).toMatchObject({ total: 1, byState: { cancelled: 1 } });
    expect(cancelledOnly.byState.pending).toBeUndefined();
    expect(cancelledOnly.byAssignee).toEqual([
      { assigneeId: liuId, assigneeName: '刘洋', total: 1, open: 0, overdue: 0, done: 0 },
    ]);
  });
});
