import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TFollowupPlan, TTask, TTaskDetail } from '@huifang/shared';
import { createCustomer } from '../../../../test/customers-helpers.ts';
import { expectError, userIdByName } from '../../../../test/helpers.ts';
import { createTestApp, type TClient, type TTestApp } from '../../../../test/test-app.ts';

let t: TTestApp;
let admin: TClient;
let manager: TClient;
let ids: Record<'liu' | 'wang' | 'zhang' | 'li', string>;
/** Tasks: A plan (陆家嘴支行, e-mail on): open, cancelled, done; B plan (张江支行, e-mail off): open. */
let open: TTask;
let cancelled: TTask;
let done: TTask;
let noMail: TTask;

const run = async () => {
  await t.jobs.send('followup-reminders', { tenantId: t.tenantId });
  await t.jobs.idle();
};
const events = async (taskId: string, kind: string) =>
  (
    await t.pool.query<{ reminder: string; data: Record<string, unknown> }>(
      `select data ->> 'reminder' as reminder, data from followup_task_events where task_id = $1 and kind = $2 order by id`,
      [taskId, kind],
    )
  ).rows;
const notesFor = async (taskId: string) =>
  (
    await t.pool.query<{ user_id: string; kind: string; title: string; body: string }>(
      `select user_id, kind, title, body from notifications where link = $1 order by created_at, user_id`,
      [`/followup/tasks?taskId=${taskId}`],
    )
  ).rows;
const mailsFor = async (taskId: string) =>
  (
    await t.pool.query<{ to: string; subject: string; body: string }>(
      `select to_address as to, subject, body from outbox_messages where ref_type = 'followup_task' and ref_id = $1 order by created_at`,
      [taskId],
    )
  ).rows;

async function planWithTasks(
  unitCode: string,
  n: number,
  over: Record<string, unknown>,
): Promise<{ plan: TFollowupPlan; tasks: TTask[] }> {
  const customers = [];
  for (let i = 0; i < n; i++) customers.push(await createCustomer(t, admin, unitCode));
  const res = await manager.post('/api/followup/plans', {
    name: `提醒-${unitCode}-${Math.random().toString(36).slice(2, 7)}`,
    topic: 'care',
    methods: ['phone'],
    targetKind: 'list',
    customerIds: customers.map((c) => c.id),
    // Due from local midnight (contact hours 00–21) of 11 March in Shanghai = 10 March 16:00 UTC.
    startDate: '2026-03-11',
    dueDays: 2,
    contactFromHour: 0,
    contactToHour: 21,
    assignment: 'fixed',
    assigneeId: ids.liu,
    ...over,
  });
  expect(res.statusCode, res.body).toBe(201);
  const plan = res.json() as TFollowupPlan;
  const act = await manager.post(`/api/followup/plans/${plan.id}/status`, { status: 'active' });
  expect(act.statusCode, act.body).toBe(200);
  const list = await manager.get(`/api/followup/tasks?planId=${plan.id}&pageSize=100`);
  const tasks = list.json().items as TTask[];
  expect(tasks).toHaveLength(n);
  return { plan, tasks };
}

beforeAll(async () => {
  t = await createTestApp();
  // 2026-03-10 10:00 in Asia/Shanghai.
  t.clock.set('2026-03-10T02:00:00Z');
  [admin, manager] = await Promise.all([t.login('admin'), t.login('zhang.manager')]);
  ids = {
    liu: await userIdByName(t, 'liu.agent'),
    wang: await userIdByName(t, 'wang.supervisor'),
    zhang: await userIdByName(t, 'zhang.manager'),
    li: await userIdByName(t, 'li.manager'),
  };
  await t.pool.query(`update users set email = 'liu.agent@example.com' where id = $1`, [ids.liu]);
  const a = await planWithTasks('SH-LJZ', 3, { remindByEmail: true, escalateAfterDays: 2 });
  expect(a.plan).toMatchObject({ remindByEmail: true, escalateAfterDays: 2 });
  [open, cancelled, done] = a.tasks as [TTask, TTask, TTask];
  const b = await planWithTasks('SH-ZJ', 1, {});
  expect(b.plan).toMatchObject({ remindByEmail: false, escalateAfterDays: 2 });
  noMail = b.tasks[0]!;
  expect(open.dueFrom).toBe('2026-03-10T16:00:00.000Z');
  expect(open.dueUntil).toBe('2026-03-13T13:00:00.000Z');
  expect((await manager.post(`/api/followup/tasks/${cancelled.id}/cancel`, { reason: '客户已销户' })).statusCode).toBe(
    200,
  );
  await t.pool.query(`update followup_tasks set state = 'done', completed_at = now() where id = $1`, [done.id]);
});
afterAll(async () => t.close());

describe('followup reminders', () => {
  it('plan options are validated with their field paths', async () => {
    const res = await manager.post('/api/followup/plans', {
      name: 'x',
      topic: 'care',
      methods: ['phone'],
      targetKind: 'list',
      customerIds: [open.customerId],
      startDate: '2026-03-11',
      assignment: 'fixed',
      assigneeId: ids.liu,
      remindByEmail: 'yes',
      escalateAfterDays: -1,
    });
    expectError(res, 400, 'VALIDATION_FAILED', ['body.remindByEmail', 'body.escalateAfterDays']);
  });

  it('tenant time zone: nothing before local midnight in Shanghai; due reminder once when 11 March starts there (UTC still 10 March)', async () => {
    t.clock.set('2026-03-10T15:59:00Z');
    await run();
    expect(await events(open.id, 'reminded')).toEqual([]);

    t.clock.set('2026-03-10T16:30:00Z');
    await run();
    await run();
    expect((await events(open.id, 'reminded')).map((e) => e.reminder)).toEqual(['due']);
    expect((await events(noMail.id, 'reminded')).map((e) => e.reminder)).toEqual(['due']);
    const notes = await notesFor(open.id);
    expect(notes).toEqual([
      expect.objectContaining({ user_id: ids.liu, kind: 'followup.due', title: '回访任务已到期' }),
    ]);
    // Local dates in the message: the window closes 13 March 21:00 Shanghai time.
    expect(notes[0]!.body).toContain('截止 2026-03-13 21:00');
    // E-mail only where the plan enables it (and the user has an address).
    expect(await mailsFor(open.id)).toEqual([
      expect.objectContaining({ to: 'liu.agent@example.com', subject: '[慧访] 回访任务已到期' }),
    ]);
    expect(await mailsFor(noMail.id)).toEqual([]);
    expect(await notesFor(noMail.id)).toEqual([expect.objectContaining({ user_id: ids.liu, kind: 'followup.due' })]);
  });

  it('cancelled and done tasks are never reminded', async () => {
    expect(await events(cancelled.id, 'reminded')).toEqual([]);
    expect(await events(done.id, 'reminded')).toEqual([]);
    expect(await notesFor(cancelled.id)).toEqual([]);
    expect(await mailsFor(done.id)).toEqual([]);
  });

  it('overdue reminder once, after the window closes and not before', async () => {
    t.clock.set('2026-03-13T12:59:59Z');
    await run();
    expect((await events(open.id, 'reminded')).map((e) => e.reminder)).toEqual(['due']);

    t.clock.set('2026-03-13T13:00:00Z');
    await run();
    await run();
    expect((await events(open.id, 'reminded')).map((e) => e.reminder)).toEqual(['due', 'overdue']);
    expect((await notesFor(open.id)).map((n) => [n.user_id, n.kind])).toEqual([
      [ids.liu, 'followup.due'],
      [ids.liu, 'followup.overdue'],
    ]);
    expect((await mailsFor(open.id)).map((m) => m.subject)).toEqual(['[慧访] 回访任务已到期', '[慧访] 回访任务已逾期']);
    expect(await events(cancelled.id, 'reminded')).toEqual([]);
    expect(await events(done.id, 'reminded')).toEqual([]);
  });

  it('escalates once, only after more than the threshold, to the nearest supervisor of the task unit only', async () => {
    // Threshold 2 days after due_until (13 March 13:00 UTC): exactly at the boundary is not "more than".
    t.clock.set('2026-03-15T13:00:00Z');
    await run();
    expect(await events(open.id, 'escalated')).toEqual([]);

    t.clock.set('2026-03-15T13:00:01Z');
    await run();
    await run();
    expect((await events(open.id, 'escalated')).map((e) => e.reminder)).toEqual(['escalation']);
    expect((await events(noMail.id, 'escalated')).map((e) => e.reminder)).toEqual(['escalation']);
    const esc = async (id: string) =>
      (await notesFor(id)).filter((n) => n.kind === 'followup.escalated').map((n) => n.user_id);
    // 陆家嘴支行 has its own supervisor (王芳): she, not the branch manager, gets it; 张江支行 has none → 上海分行 (张伟).
    expect(await esc(open.id)).toEqual([ids.wang]);
    expect(await esc(noMail.id)).toEqual([ids.zhang]);
    expect(await esc(cancelled.id)).toEqual([]);
    expect(await esc(done.id)).toEqual([]);
    const all = await t.pool.query<{ user_id: string }>(
      `select distinct user_id from notifications where link = any($1)`,
      [[open, cancelled, done, noMail].map((x) => `/followup/tasks?taskId=${x.id}`)],
    );
    expect(all.rows.map((r) => r.user_id).sort()).toEqual([ids.liu, ids.wang, ids.zhang].sort());
    expect(all.rows.map((r) => r.user_id)).not.toContain(ids.li);
  });

  it('the task log shows the reminders and the escalation; the task list marks escalated tasks', async () => {
    manager = await t.login('zhang.manager');
    const detail = (
      await (await t.login('wang.supervisor')).get(`/api/followup/tasks/${open.id}`)
    ).json() as TTaskDetail;
    const kinds = detail.events
      .filter((e) => e.kind === 'reminded' || e.kind === 'escalated')
      .map((e) => [e.kind, (e.data as { reminder?: string } | null)?.reminder]);
    expect(kinds).toEqual(
      expect.arrayContaining([
        ['reminded', 'due'],
        ['reminded', 'overdue'],
        ['escalated', 'escalation'],
      ]),
    );
    // The supervisor view's list marks escalated tasks (escalatedAt), not the others.
    const list = (await manager.get(`/api/followup/tasks?planId=${open.planId}&pageSize=100`)).json().items as TTask[];
    expect(Object.fromEntries(list.map((x) => [x.id, x.escalatedAt]))).toEqual({
      [open.id]: '2026-03-15T13:00:01.000Z',
      [cancelled.id]: null,
      [done.id]: null,
    });
  });
});
