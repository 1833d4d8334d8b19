import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TFollowupPlan, TKpis, TPlanPreview, TTask, TTaskDetail, TTaskSummary } from '@huifang/shared';
import { createCustomer, letters } from '../../../test/customers-helpers.ts';
import { countRows, createUser, expectError, loginAs, unitIdByCode, userIdByName } from '../../../test/helpers.ts';
import { createTestApp, type TClient, type TTestApp } from '../../../test/test-app.ts';
import { onComplaintResolved } from './rules/rules.ts';

let t: TTestApp;
let admin: TClient;
let manager: TClient;
let hzManager: TClient;
let agent: TClient;
let liuId: string;
// 2026-03-10 10:00 in Asia/Shanghai.
const NOW = '2026-03-10T02:00:00Z';

beforeAll(async () => {
  t = await createTestApp();
  await travel(NOW);
  [admin, manager, hzManager, agent] = await Promise.all([
    t.login('admin'),
    t.login('zhang.manager'),
    t.login('li.manager'),
    t.login('liu.agent'),
  ]);
  liuId = await userIdByName(t, 'liu.agent');
});
afterAll(async () => t.close());

let trips = 0;
/** Move the clock and log in again (sessions idle out on the same clock). */
async function travel(iso: string) {
  t.clock.set(iso);
  // A fresh client address per trip: the login rate limit counts per IP.
  const ip = `10.9.${Math.floor(++trips / 250)}.${trips % 250}`;
  [admin, manager, hzManager, agent] = (await Promise.all(
    ['admin', 'zhang.manager', 'li.manager', 'liu.agent'].map((u) => loginAs(t, u, { ip })),
  )) as [TClient, TClient, TClient, TClient];
}

/** Customers tagged with a fresh tag in 陆家嘴支行, and a saved filter (segment) selecting them. */
async function segment(n: number, over: Record<string, unknown> = {}) {
  const tag = `seg${letters(6)}`;
  const customers = [];
  for (let i = 0; i < n; i++)
    customers.push(
      await createCustomer(t, admin, 'SH-LJZ', {
        tags: [tag],
        phones: [`1390000${String(Math.floor(Math.random() * 1e4)).padStart(4, '0')}`],
        ...over,
      }),
    );
  const f = await manager.post('/api/saved-filters', { name: tag, filter: { tags: tag } });
  expect(f.statusCode, f.body).toBe(201);
  return { tag, customers, savedFilterId: f.json().id as string };
}

const planInput = (over: Record<string, unknown> = {}) => ({
  name: `计划-${letters(5)}`,
  topic: 'satisfaction',
  methods: ['phone'],
  targetKind: 'segment',
  script: '您好{客户称呼}，我是{网点名称}的{坐席姓名}。',
  startDate: '2026-03-10',
  dueDays: 7,
  assignment: 'fixed',
  assigneeId: liuId,
  maxAttempts: 2,
  retryHours: 4,
  ...over,
});

async function createPlan(by: TClient, over: Record<string, unknown>): Promise<TFollowupPlan> {
  const res = await by.post('/api/followup/plans', planInput(over));
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

describe('plans', () => {
  it('bad input → 400 with the field paths, nothing written', async () => {
    const before = await countRows(t, 'select 1 from followup_plans');
    const res = await manager.post(
      '/api/followup/plans',
      planInput({
        script: '您好{客户姓名}{生日快乐}',
        savedFilterId: undefined,
        contactFromHour: 22,
        contactToHour: 21,
      }),
    );
    expectError(res, 400, 'VALIDATION_FAILED', ['body.script', 'body.savedFilterId', 'body.contactToHour']);
    const unknownMethod = await manager.post(
      '/api/followup/plans',
      planInput({ methods: ['pigeon'], savedFilterId: (await segment(0)).savedFilterId }),
    );
    expectError(unknownMethod, 400, 'VALIDATION_FAILED', ['body.methods.0']);
    expect(await countRows(t, 'select 1 from followup_plans')).toBe(before);
  });

  it('preview counts what activation creates and what the contact policy excludes, by reason; re-running creates nothing', async () => {
    const { customers, savedFilterId } = await segment(5);
    const [, dnc, noConsent, recent] = customers;
    await t.pool.query(`update customers set do_not_contact_until = '2026-04-01T00:00:00Z' where id = $1`, [dnc!.id]);
    await t.pool.query('update customers set consent_service = false where id = $1', [noConsent!.id]);
    await t.pool.query(
      `insert into contact_events (tenant_id, customer_id, at, channel) values ($1, $2, '2026-03-08T03:00:00Z', 'sms')`,
      [t.tenantId, recent!.id],
    );
    const plan = await createPlan(manager, { savedFilterId });
    const preview = (await manager.get(`/api/followup/plans/${plan.id}/preview`)).json() as TPlanPreview;
    expect(preview).toEqual({
      matched: 5,
      willCreate: 2,
      alreadyExists: 0,
      excluded: { do_not_contact: 1, no_service_consent: 1, no_marketing_consent: 0, recent_contact: 1 },
      toTeam: 0,
    });
    expect(await activate(manager, plan.id)).toBe(2);
    const tasks = await tasksOf(manager, plan.id);
    expect(tasks.map((x) => x.assigneeId)).toEqual([liuId, liuId]);
    // Due from the start of contact hours on the start date, in the tenant zone.
    expect(tasks[0]!.dueFrom).toBe('2026-03-10T01:00:00.000Z');
    expectError(await manager.post(`/api/followup/plans/${plan.id}/status`, { status: 'active' }), 409, 'CONFLICT');
    expect((await manager.post('/api/followup/rules/run')).statusCode).toBe(200);
    expect(await countRows(t, 'select 1 from followup_tasks where plan_id = $1', [plan.id])).toBe(2);
    expect((await manager.get(`/api/followup/plans/${plan.id}/preview`)).json()).toMatchObject({
      willCreate: 0,
      alreadyExists: 2,
    });
    // A marketing topic needs marketing consent (nobody has it by default).
    const mk = await createPlan(manager, { savedFilterId, topic: 'marketing' });
    expect(
      ((await manager.get(`/api/followup/plans/${mk.id}/preview`)).json() as TPlanPreview).excluded
        .no_marketing_consent,
    ).toBe(4);
  });

  it('round-robin spreads tasks over the unit agents holding followup:work; without any, tasks go to the team', async () => {
    const { savedFilterId } = await segment(4);
    const a1 = await createUser(t, admin, { unitCode: 'SH-ZJ', roleKeys: ['agent'] });
    const a2 = await createUser(t, admin, { unitCode: 'SH-ZJ', roleKeys: ['agent'] });
    const plan = await createPlan(manager, {
      savedFilterId,
      assignment: 'round_robin',
      assignUnitId: await unitIdByCode(t, 'SH-ZJ'),
      assigneeId: undefined,
    });
    expect(await activate(manager, plan.id)).toBe(4);
    const counts = (await tasksOf(manager, plan.id)).reduce<Record<string, number>>(
      (m, x) => ({ ...m, [x.assigneeId ?? 'team']: (m[x.assigneeId ?? 'team'] ?? 0) + 1 }),
      {},
    );
    expect(counts).toEqual({ [a1.id]: 2, [a2.id]: 2 });
  });
});

describe('tasks', () => {
  it('two agents claiming a team task at once: exactly one wins, the other gets 409', async () => {
    const { savedFilterId } = await segment(1);
    const plan = await createPlan(manager, {
      savedFilterId,
      assignment: 'round_robin',
      assignUnitId: await unitIdByCode(t, 'SH-XJH'),
      assigneeId: undefined,
    });
    expect(await activate(manager, plan.id)).toBe(1);
    const [task] = await tasksOf(manager, plan.id);
    expect(task!.assigneeId).toBeNull();
    const users = await Promise.all([
      createUser(t, admin, { unitCode: 'SH-XJH', roleKeys: ['agent'] }),
      createUser(t, admin, { unitCode: 'SH-XJH', roleKeys: ['agent'] }),
    ]);
    const [x, y] = await Promise.all(users.map((u) => t.login(u.username, u.password)));
    const results = await Promise.all([
      x!.post(`/api/followup/tasks/${task!.id}/claim`),
      y!.post(`/api/followup/tasks/${task!.id}/claim`),
    ]);
    expect(results.map((r) => r.statusCode).sort()).toEqual([200, 409]);
    expect(
      await countRows(t, "select 1 from followup_task_events where task_id = $1 and kind = 'claimed'", [task!.id]),
    ).toBe(1);
    // The task is now the winner's: the loser cannot even see it, let alone record an attempt.
    const loser = results[0]!.statusCode === 409 ? x! : y!;
    expectError(
      await loser.post(`/api/followup/tasks/${task!.id}/attempts`, { channel: 'phone', outcome: 'no_answer' }),
      404,
      'NOT_FOUND',
    );
  });

  it('retry policy: not reached → retried inside contact hours; after max attempts → failed; every change is logged', async () => {
    const { savedFilterId } = await segment(1);
    const plan = await createPlan(manager, { savedFilterId });
    await activate(manager, plan.id);
    const [task] = await tasksOf(agent, plan.id);
    await travel('2026-03-10T12:00:00Z'); // 20:00 local: +4 h is quiet time → next 09:00
    expect((await agent.post(`/api/followup/tasks/${task!.id}/claim`)).statusCode).toBe(200);
    const first = await agent.post(`/api/followup/tasks/${task!.id}/attempts`, {
      channel: 'phone',
      outcome: 'no_answer',
    });
    expect(first.statusCode, first.body).toBe(201);
    expect(first.json().state).toBe('pending');
    let detail = (await agent.get(`/api/followup/tasks/${task!.id}`)).json() as TTaskDetail;
    expect(detail.nextAttemptAt).toBe('2026-03-11T01:00:00.000Z');
    expect((await agent.post(`/api/followup/tasks/${task!.id}/claim`)).statusCode).toBe(200);
    expect(
      (await agent.post(`/api/followup/tasks/${task!.id}/attempts`, { channel: 'phone', outcome: 'busy' })).json()
        .state,
    ).toBe('failed');
    detail = (await agent.get(`/api/followup/tasks/${task!.id}`)).json();
    expect(detail.state).toBe('failed');
    expect(detail.events.map((e) => e.kind).reverse()).toEqual([
      'created',
      'claimed',
      'attempted',
      'claimed',
      'attempted',
      'failed',
    ]);
    await expect(
      t.pool.query('update followup_task_events set kind = $1 where task_id = $2', ['x', task!.id]),
    ).rejects.toThrow(/append-only/);
    await travel(NOW);
  });

  it('a reached attempt completes the task: evaluation store, timeline, abnormal finding notified, next follow-up once', async () => {
    const { customers, savedFilterId } = await segment(1);
    const plan = await createPlan(manager, { savedFilterId });
    await activate(manager, plan.id);
    const [task] = await tasksOf(agent, plan.id);
    // Work needs the claim first.
    expectError(
      await agent.post(`/api/followup/tasks/${task!.id}/attempts`, {
        channel: 'phone',
        outcome: 'reached',
        reachedWhom: 'customer',
      }),
      409,
      'CONFLICT',
    );
    expect((await agent.post(`/api/followup/tasks/${task!.id}/claim`)).statusCode).toBe(200);
    const detail = (await agent.get(`/api/followup/tasks/${task!.id}`)).json() as TTaskDetail;
    expect(detail.script).toMatch(/^您好.(先生|女士)?.*陆家嘴支行的刘洋。$/);
    expect(detail.customer.phones[0]).toMatch(/^139\*{4}\d{4}$/);
    const reveal = await agent.post(`/api/followup/tasks/${task!.id}/reveal-phone`, { index: 0 });
    expect(reveal.json().value).toMatch(/^139\d{8}$/);
    const bad = await agent.post(`/api/followup/tasks/${task!.id}/attempts`, {
      channel: 'phone',
      outcome: 'reached',
      satisfaction: 9,
      isAbnormal: true,
    });
    expectError(bad, 400, 'VALIDATION_FAILED', ['body.satisfaction', 'body.reachedWhom']);
    const notesBefore = await countRows(t, "select 1 from notifications where kind = 'followup.abnormal'");
    const res = await agent.post(`/api/followup/tasks/${task!.id}/attempts`, {
      channel: 'phone',
      outcome: 'reached',
      reachedWhom: 'family',
      contactName: '女儿',
      satisfaction: 4,
      notes: '满意',
      isAbnormal: true,
      abnormalNote: '术后伤口红肿',
      nextAction: 'close',
      nextFollowupDate: '2026-04-10',
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ state: 'done', nextTaskCreated: true });
    const ev = await t.pool.query('select channel, ref_type, ref_id, score from evaluations where id = $1', [
      res.json().evaluationId,
    ]);
    expect(ev.rows[0]).toEqual({ channel: 'followup', ref_type: 'followup_task', ref_id: task!.id, score: 4 });
    expect(await countRows(t, "select 1 from notifications where kind = 'followup.abnormal'")).toBeGreaterThan(
      notesBefore,
    );
    expect(await countRows(t, 'select 1 from followup_tasks where occurrence_key = $1', [`next:${task!.id}`])).toBe(1);
    const timeline = (await manager.get(`/api/customers/${customers[0]!.id}/timeline`)).json().items as {
      kind: string;
      title: string;
      detail: string | null;
    }[];
    expect(timeline.map((i) => i.kind)).toEqual(
      expect.arrayContaining(['followup_task', 'followup_attempt', 'evaluation']),
    );
    // In the user's words, not codes.
    expect(timeline.find((i) => i.kind === 'followup_attempt')?.title).toMatch(/^回访 · 已接通 · 满意度 4\/5$/);
    expect(timeline.find((i) => i.kind === 'followup_task' && i.detail === '状态：已完成')).toBeTruthy();
    // A double submission finds the task closed.
    expectError(
      await agent.post(`/api/followup/tasks/${task!.id}/attempts`, { channel: 'phone', outcome: 'no_answer' }),
      409,
      'CONFLICT',
    );
  });

  it('scope: another branch sees neither the plan nor its tasks (404) and cannot reassign them', async () => {
    const { savedFilterId } = await segment(1);
    const plan = await createPlan(manager, { savedFilterId });
    await activate(manager, plan.id);
    const [task] = await tasksOf(manager, plan.id);
    expectError(await hzManager.get(`/api/followup/plans/${plan.id}`), 404, 'NOT_FOUND');
    expectError(await hzManager.get(`/api/followup/tasks/${task!.id}`), 404, 'NOT_FOUND');
    expectError(await hzManager.post(`/api/followup/tasks/${task!.id}/cancel`, {}), 404, 'NOT_FOUND');
    const wang = await userIdByName(t, 'wang.supervisor');
    expect(
      (await manager.post('/api/followup/tasks/reassign', { taskIds: [task!.id], assigneeId: wang })).json(),
    ).toEqual({ reassigned: 1, notFound: 0, skipped: 0 });
    expectError(await agent.get(`/api/followup/tasks/${task!.id}`), 404, 'NOT_FOUND');
  });

  it('an absent assignee: new tasks go to the delegate meanwhile', async () => {
    const { savedFilterId } = await segment(2);
    const wang = await userIdByName(t, 'wang.supervisor');
    const abs = await manager.post('/api/followup/absences', {
      userId: liuId,
      delegateId: wang,
      startsOn: '2026-03-09',
      endsOn: '2026-03-12',
    });
    expect(abs.statusCode, abs.body).toBe(201);
    const plan = await createPlan(manager, { savedFilterId });
    await activate(manager, plan.id);
    expect((await tasksOf(manager, plan.id)).map((x) => x.assigneeId)).toEqual([wang, wang]);
    await t.pool.query('delete from staff_absences where user_id = $1', [liuId]);
  });
});

describe('rules', () => {
  const runRules = async () => {
    await t.jobs.send('followup-rules', { tenantId: t.tenantId });
    await t.jobs.idle();
  };

  it('birthdays: on the day in the tenant zone, once per year; 29 Feb is greeted on 28 Feb in non-leap years', async () => {
    const tag = `bd${letters(6)}`;
    const feb29 = await createCustomer(t, admin, 'SH-LJZ', { tags: [tag], birthday: '1992-02-29' });
    const feb28 = await createCustomer(t, admin, 'SH-LJZ', { tags: [tag], birthday: '1980-02-28' });
    const mar1 = await createCustomer(t, admin, 'SH-LJZ', { tags: [tag], birthday: '1975-03-01' });
    const f = (await manager.post('/api/saved-filters', { name: tag, filter: { tags: tag } })).json();
    await travel('2027-02-27T15:59:00Z'); // 2027-02-27 23:59 local: nobody yet
    const plan = await createPlan(manager, {
      savedFilterId: f.id,
      targetKind: 'rule',
      topic: 'birthday',
      rule: { kind: 'birthday' },
      startDate: '2027-01-01',
    });
    expect(await activate(manager, plan.id)).toBe(0);
    await travel('2027-02-27T16:00:00Z'); // 2027-02-28 00:00 local (non-leap year)
    await runRules();
    await runRules();
    const keys = async () =>
      (
        await t.pool.query(
          'select customer_id, occurrence_key from followup_tasks where plan_id = $1 order by occurrence_key, customer_id',
          [plan.id],
        )
      ).rows;
    expect((await keys()).map((r) => r.customer_id).sort()).toEqual([feb29.id, feb28.id].sort());
    await travel('2027-03-01T02:00:00Z');
    await runRules();
    expect((await keys()).map((r) => r.customer_id)).toContain(mar1.id);
    expect(new Set((await keys()).map((r) => r.occurrence_key))).toEqual(new Set(['birthday:2027']));
    // Leap year: 29 Feb on the day itself, not on the 28th.
    await travel('2028-02-28T02:00:00Z');
    await runRules();
    expect((await keys()).filter((r) => r.occurrence_key === 'birthday:2028').map((r) => r.customer_id)).toEqual([
      feb28.id,
    ]);
    await travel('2028-02-29T02:00:00Z');
    await runRules();
    expect(
      (await keys())
        .filter((r) => r.occurrence_key === 'birthday:2028')
        .map((r) => r.customer_id)
        .sort(),
    ).toEqual([feb28.id, feb29.id].sort());
    await travel(NOW);
  });

  it('N days after a service record of a type: from day N, never after the validity window, one task per record', async () => {
    const tag = `sv${letters(6)}`;
    const c = await createCustomer(t, admin, 'SH-LJZ', { tags: [tag] });
    const types = (await admin.get('/api/service-types')).json().items as { id: string; key: string }[];
    const repair = types.find((x) => x.key === 'repair')!;
    const visit = types.find((x) => x.key === 'counter_visit')!;
    const unitId = await unitIdByCode(t, 'SH-LJZ');
    const rec = async (typeId: string, at: string) =>
      (
        await t.pool.query<{ id: string }>(
          'insert into service_records (tenant_id, customer_id, service_type_id, unit_id, occurred_at) values ($1, $2, $3, $4, $5) returning id',
          [t.tenantId, c.id, typeId, unitId, at],
        )
      ).rows[0]!.id;
    // Local service dates: 2026-06-01 (23:30 local = 15:30Z) and another type the same day.
    const r1 = await rec(repair.id, '2026-06-01T15:30:00Z');
    await rec(visit.id, '2026-06-01T02:00:00Z');
    const f = (await manager.post('/api/saved-filters', { name: tag, filter: { tags: tag } })).json();
    await travel('2026-06-03T15:59:00Z'); // 2026-06-03 23:59 local: day 2 of 3
    const plan = await createPlan(manager, {
      savedFilterId: f.id,
      targetKind: 'rule',
      rule: { kind: 'after_service', serviceTypeId: repair.id, afterDays: 3, withinDays: 10 },
      startDate: '2026-06-01',
    });
    expect(await activate(manager, plan.id)).toBe(0);
    await travel('2026-06-04T01:00:00Z'); // day 3 local
    await runRules();
    await runRules();
    const rows = (
      await t.pool.query('select occurrence_key, due_from, due_until from followup_tasks where plan_id = $1', [plan.id])
    ).rows;
    expect(rows.map((r) => r.occurrence_key)).toEqual([`sr:${r1}`]);
    // A record 10 days old is past the window: nothing.
    const old = await rec(repair.id, '2026-05-25T02:00:00Z');
    await runRules();
    expect(await countRows(t, 'select 1 from followup_tasks where occurrence_key = $1', [`sr:${old}`])).toBe(0);
    await travel(NOW);
  });

  it('every N months per tier: VIP monthly, others quarterly (natural months, tenant zone); re-runs in a period create nothing', async () => {
    const tag = `pr${letters(6)}`;
    const vip = await createCustomer(t, admin, 'SH-LJZ', { tags: [tag], tier: 'VIP' });
    const other = await createCustomer(t, admin, 'SH-LJZ', { tags: [tag], tier: '普通' });
    const f = (await manager.post('/api/saved-filters', { name: tag, filter: { tags: tag } })).json();
    await travel('2026-03-31T15:00:00Z'); // 23:00 local, 31 March
    const plan = await createPlan(manager, {
      savedFilterId: f.id,
      targetKind: 'rule',
      topic: 'care',
      rule: { kind: 'periodic', monthsByTier: { VIP: 1 }, defaultMonths: 3 },
      startDate: '2026-01-01',
    });
    expect(await activate(manager, plan.id)).toBe(2);
    await travel('2026-03-31T15:59:00Z');
    await runRules();
    await travel('2026-03-31T16:00:00Z'); // 1 April local: new month (VIP) and new quarter (others)
    await runRules();
    await travel('2026-04-30T02:00:00Z');
    await runRules();
    await travel('2026-05-01T02:00:00Z');
    await runRules();
    const rows = (
      await t.pool.query(
        'select customer_id, occurrence_key from followup_tasks where plan_id = $1 order by occurrence_key',
        [plan.id],
      )
    ).rows;
    expect(rows.filter((r) => r.customer_id === vip.id).map((r) => r.occurrence_key)).toEqual([
      'period:1m:2026-03',
      'period:1m:2026-04',
      'period:1m:2026-05',
    ]);
    expect(rows.filter((r) => r.customer_id === other.id).map((r) => r.occurrence_key)).toEqual([
      'period:3m:2026-01',
      'period:3m:2026-04',
    ]);
    await travel(NOW);
  });

  it('complaint resolved (seam): one callback task per ticket, however often it is called', async () => {
    const c = await createCustomer(t, admin, 'SH-LJZ');
    const plan = await createPlan(manager, {
      targetKind: 'rule',
      topic: 'complaint_check',
      rule: { kind: 'complaint_resolved', withinDays: 2 },
      savedFilterId: undefined,
    });
    await activate(manager, plan.id);
    const ticketId = '7d7e0c44-2a7a-4d8f-9d62-2a2f6b1d3a11';
    expect(await onComplaintResolved(t.app.deps, { tenantId: t.tenantId, customerId: c.id, ticketId })).toBe(1);
    expect(await onComplaintResolved(t.app.deps, { tenantId: t.tenantId, customerId: c.id, ticketId })).toBe(0);
  });
});

describe('KPIs', () => {
  it('coverage, reach, completion, on-time and satisfaction per plan and agent, as computed by hand', async () => {
    const { savedFilterId } = await segment(4);
    const plan = await createPlan(manager, { savedFilterId, maxAttempts: 2 });
    await activate(manager, plan.id);
    const [a, b, , d] = await tasksOf(agent, plan.id);
    const work = async (id: string, ...attempts: Record<string, unknown>[]) => {
      for (const at of attempts) {
        expect((await agent.post(`/api/followup/tasks/${id}/claim`)).statusCode).toBe(200);
        const r = await agent.post(`/api/followup/tasks/${id}/attempts`, { channel: 'phone', ...at });
        expect(r.statusCode, r.body).toBe(201);
      }
    };
    const reached = (s: number) => ({ outcome: 'reached', reachedWhom: 'customer', satisfaction: s });
    await work(a!.id, reached(4)); // done, 1 attempt, connected
    await work(b!.id, { outcome: 'no_answer' }, { outcome: 'busy' }); // failed, 2 attempts
    await work(d!.id, { outcome: 'no_answer' }, reached(2)); // done, 2 attempts, 1 connected
    const k = (await manager.get(`/api/followup/kpis?planId=${plan.id}&from=2026-03-01&to=2026-03-31`)).json() as TKpis;
    // due 4; attempted 3 → 0.75; attempts 5, connected 2 → 0.4; done 2 → 0.5; on time 2/2; satisfaction (4+2)/2.
    expect(k.total).toMatchObject({
      due: 4,
      attempted: 3,
      attempts: 5,
      connected: 2,
      done: 2,
      onTime: 2,
      failed: 1,
      satisfactionCount: 2,
      coverage: 0.75,
      reachRate: 0.4,
      completion: 0.5,
      onTimeRate: 1,
      avgSatisfaction: 3,
    });
    expect(k.byPlan).toEqual([expect.objectContaining({ key: plan.id, due: 4, coverage: 0.75 })]);
    // The fourth task sent by the system (automatic SMS): covered and done, but not an unanswered call.
    const { rowCount } = await t.pool.query(
      `update followup_tasks set attempts = 1, last_outcome = 'sent', state = 'done', completed_at = due_from where plan_id = $1 and attempts = 0`,
      [plan.id],
    );
    expect(rowCount).toBe(1);
    const k2 = (
      await manager.get(`/api/followup/kpis?planId=${plan.id}&from=2026-03-01&to=2026-03-31`)
    ).json() as TKpis;
    expect(k2.total).toMatchObject({
      due: 4,
      attempted: 4,
      attempts: 6,
      connected: 2,
      done: 3,
      coverage: 1,
      reachRate: 0.4,
      completion: 0.75,
    });
    expect(k.byAgent).toEqual([expect.objectContaining({ key: liuId, label: '刘洋', due: 4 })]);
    const xlsx = await manager.get(`/api/followup/kpis/export?planId=${plan.id}`);
    expect(xlsx.statusCode).toBe(200);
    expect(xlsx.headers['content-type']).toContain('spreadsheetml');
  });
});

describe('KPIs of tasks worked early', () => {
  it('a task done before its window opened counts (due and done); the untouched ones of that window do not yet', async () => {
    const { savedFilterId } = await segment(2);
    // Due from tomorrow 09:00; it is 10:00 today.
    const plan = await createPlan(manager, { savedFilterId, startDate: '2026-03-11' });
    await activate(manager, plan.id);
    const [a] = await tasksOf(agent, plan.id);
    expect((await agent.post(`/api/followup/tasks/${a!.id}/claim`)).statusCode).toBe(200);
    const r = await agent.post(`/api/followup/tasks/${a!.id}/attempts`, {
      channel: 'phone',
      outcome: 'reached',
      reachedWhom: 'customer',
      satisfaction: 5,
    });
    expect(r.statusCode, r.body).toBe(201);
    const k = (await manager.get(`/api/followup/kpis?planId=${plan.id}&from=2026-03-01&to=2026-03-31`)).json() as TKpis;
    expect(k.total).toMatchObject({
      due: 1,
      attempted: 1,
      done: 1,
      onTime: 1,
      coverage: 1,
      completion: 1,
      avgSatisfaction: 5,
    });
  });
});

describe('workbench search, filters and sort', () => {
  it('the agent finds a task by customer name or phone fragment, filters by plan, state, due bucket and method, and sorts by due time (priority by default)', async () => {
    const tag = `wb${letters(6)}`;
    const base = String(Math.floor(Math.random() * 1e4)).padStart(4, '0');
    const phoneOf = (i: number) => `1367${base}${i}0${i}`;
    const people = [];
    for (let i = 0; i < 3; i++)
      people.push(
        await createCustomer(t, admin, 'SH-LJZ', { name: `台${tag}${'甲乙丙'[i]}`, tags: [tag], phones: [phoneOf(i)] }),
      );
    const f = await manager.post('/api/saved-filters', { name: tag, filter: { tags: tag } });
    const savedFilterId = f.json().id as string;
    const byPhone = await createPlan(manager, { savedFilterId, methods: ['phone'], dueDays: 3 });
    const bySms = await createPlan(manager, { savedFilterId, methods: ['sms'], dueDays: 7 });
    await activate(manager, byPhone.id);
    await activate(manager, bySms.id);
    const list = async (qs: string) => {
      const res = await agent.get(`/api/followup/tasks?view=mine&pageSize=100&${qs}`);
      expect(res.statusCode, res.body).toBe(200);
      return res.json() as { items: TTask[]; total: number };
    };
    const names = (r: { items: TTask[] }) => r.items.map((x) => `${x.customerName}/${x.planName}`).sort();
    // search: a name fragment, or a phone fragment (with punctuation as typed)
    expect((await list(`q=${encodeURIComponent(`台${tag}乙`)}`)).total).toBe(2);
    const p2 = phoneOf(2);
    expect(names(await list(`q=${encodeURIComponent(`${p2.slice(3, 7)}-${p2.slice(7)}`)}`))).toEqual(
      [`台${tag}丙/${byPhone.name}`, `台${tag}丙/${bySms.name}`].sort(),
    );
    // filters: plan, method (the plan's methods), state, bucket — combined with the search
    const q = `q=${encodeURIComponent(`台${tag}`)}`;
    expect((await list(q)).total).toBe(6);
    expect((await list(`${q}&planId=${byPhone.id}`)).items.every((x) => x.planId === byPhone.id)).toBe(true);
    expect((await list(`${q}&method=sms`)).items.map((x) => x.planId)).toEqual([bySms.id, bySms.id, bySms.id]);
    expect((await list(`${q}&method=visit`)).total).toBe(0);
    const first = (await list(`${q}&planId=${byPhone.id}`)).items[0]!;
    expect((await agent.post(`/api/followup/tasks/${first.id}/claim`, {})).statusCode).toBe(200);
    expect((await list(`${q}&state=in_progress`)).items.map((x) => x.id)).toEqual([first.id]);
    // sort: due time either way; the default (no sort) and `priority` keep the due order among equal priorities
    const dueAsc = (await list(`${q}&sort=dueUntil`)).items;
    expect(dueAsc.slice(0, 3).every((x) => x.planId === byPhone.id)).toBe(true);
    const dueDesc = (await list(`${q}&sort=-dueUntil`)).items;
    expect(dueDesc.slice(0, 3).every((x) => x.planId === bySms.id)).toBe(true);
    expect((await list(`${q}&sort=priority`)).items.map((x) => x.id)).toEqual(
      (await list(`${q}&sort=dueFrom`)).items.map((x) => x.id),
    );
    // overdue after the 3-day window: only the phone plan's open tasks
    await travel('2026-03-14T02:00:00Z');
    expect((await list(`${q}&bucket=overdue`)).items.every((x) => x.planId === byPhone.id && x.isOverdue)).toBe(true);
    expect((await list(`${q}&bucket=overdue`)).total).toBe(3);
    expect((await list(`${q}&bucket=today&method=sms`)).total).toBe(3);
    // the supervisor's counts take the same filters
    expect(((await manager.get(`/api/followup/tasks/summary?${q}&method=sms`)).json() as TTaskSummary).total).toBe(3);
    expectError(await agent.get('/api/followup/tasks?sort=phone'), 400, 'VALIDATION_FAILED', ['querystring.sort']);
    await travel(NOW);
  });
});

describe('supervisor view, questionnaire, creation record', () => {
  it('counts by state and by assignee follow the list filters; overdue counted on the tenant clock', async () => {
    const { savedFilterId } = await segment(3);
    const plan = await createPlan(manager, { savedFilterId, dueDays: 1 });
    await activate(manager, plan.id);
    const [a, b] = await tasksOf(manager, plan.id);
    expect((await manager.post(`/api/followup/tasks/${a!.id}/cancel`, { reason: '客户已销户' })).statusCode).toBe(200);
    const wang = await userIdByName(t, 'wang.supervisor');
    expect(
      (await manager.post('/api/followup/tasks/reassign', { taskIds: [b!.id, a!.id], assigneeId: wang })).json(),
    ).toEqual({ reassigned: 1, notFound: 0, skipped: 1 });
    let s = (await manager.get(`/api/followup/tasks/summary?planId=${plan.id}`)).json() as TTaskSummary;
    expect(s).toMatchObject({ total: 3, overdue: 0, byState: { pending: 2, cancelled: 1 } });
    expect(s.byAssignee.map((x) => [x.assigneeId, x.total, x.open]).sort()).toEqual(
      [
        [liuId, 2, 1],
        [wang, 1, 1],
      ].sort(),
    );
    await travel('2026-03-13T02:00:00Z'); // the 1-day windows have passed
    s = (await manager.get(`/api/followup/tasks/summary?planId=${plan.id}`)).json();
    expect(s.overdue).toBe(2);
    expect((await manager.get(`/api/followup/tasks?planId=${plan.id}&bucket=overdue`)).json().total).toBe(2);
    // The filters are validated like the list's.
    expectError(await manager.get('/api/followup/tasks/summary?planId=nope'), 400, 'VALIDATION_FAILED', [
      'querystring.planId',
    ]);
    await travel(NOW);
  });

  it('one generation run row per activation (plan, rule, count) instead of a created row per task; the task log still starts with created', async () => {
    const { savedFilterId } = await segment(3);
    const plan = await createPlan(manager, { savedFilterId });
    await activate(manager, plan.id);
    const runs = await t.pool.query(
      'select rule_kind, occurrence, created, actor_id from followup_generation_runs where plan_id = $1',
      [plan.id],
    );
    expect(runs.rows).toEqual([
      { rule_kind: null, occurrence: 'activation', created: 3, actor_id: manager.me.user.id },
    ]);
    expect(
      await countRows(
        t,
        "select 1 from followup_task_events e join followup_tasks x on x.id = e.task_id where x.plan_id = $1 and e.kind = 'created'",
        [plan.id],
      ),
    ).toBe(0);
    expect(
      await countRows(t, 'select 1 from followup_tasks where plan_id = $1 and created_by_run is null', [plan.id]),
    ).toBe(0);
    const [task] = await tasksOf(manager, plan.id);
    const detail = (await manager.get(`/api/followup/tasks/${task!.id}`)).json() as TTaskDetail;
    expect(detail.events).toEqual([
      expect.objectContaining({
        kind: 'created',
        toState: 'pending',
        actorName: '张伟',
        data: expect.objectContaining({ occurrence: 'activation', runCreated: 3 }),
      }),
    ]);
    // A re-run creates nothing and records no empty run.
    expect((await manager.post('/api/followup/rules/run')).statusCode).toBe(200);
    expect(await countRows(t, 'select 1 from followup_generation_runs where plan_id = $1', [plan.id])).toBe(1);
  });

  it('the plan questionnaire is shown with the task; answers are checked against it and go to the survey and the evaluation store', async () => {
    const def = {
      title: '回访问卷',
      questions: [
        { key: 'q1', type: 'csat', title: '办理体验', required: true },
        { key: 'memo', type: 'text', title: '建议', required: false },
      ],
    };
    const created = await admin.post('/api/surveys', { definition: def });
    expect(created.statusCode, created.body).toBe(201);
    expect((await admin.post(`/api/surveys/${created.json().id}/publish`, {})).statusCode).toBe(200);
    const { savedFilterId } = await segment(1);
    const plan = await createPlan(manager, { savedFilterId, surveyId: created.json().id });
    await activate(manager, plan.id);
    const [task] = await tasksOf(agent, plan.id);
    const detail = (await agent.get(`/api/followup/tasks/${task!.id}`)).json() as TTaskDetail;
    expect(detail.questionnaire).toEqual({
      title: '回访问卷',
      questions: [
        expect.objectContaining({ key: 'q1', type: 'csat', title: '办理体验' }),
        expect.objectContaining({ key: 'memo' }),
      ],
    });
    expect((await agent.post(`/api/followup/tasks/${task!.id}/claim`)).statusCode).toBe(200);
    const before = await countRows(t, 'select 1 from followup_attempts where task_id = $1', [task!.id]);
    expectError(
      await agent.post(`/api/followup/tasks/${task!.id}/attempts`, {
        channel: 'phone',
        outcome: 'reached',
        reachedWhom: 'customer',
        answers: { q9: 1 },
      }),
      400,
      'VALIDATION_FAILED',
      ['body.answers.q9'],
    );
    expect(await countRows(t, 'select 1 from followup_attempts where task_id = $1', [task!.id])).toBe(before);
    const res = await agent.post(`/api/followup/tasks/${task!.id}/attempts`, {
      channel: 'phone',
      outcome: 'reached',
      reachedWhom: 'customer',
      satisfaction: 5,
      answers: { q1: 5, memo: '很好' },
    });
    expect(res.statusCode, res.body).toBe(201);
    const ev = await t.pool.query('select answers from evaluations where id = $1', [res.json().evaluationId]);
    expect(ev.rows[0].answers).toMatchObject({
      surveyId: created.json().id,
      version: 1,
      attemptId: res.json().attemptId,
      answers: { q1: 5, memo: '很好' },
    });
  });
});

describe('customer merge and erasure', () => {
  it('merging moves tasks, attempts and contacts to the kept customer (a shared occurrence keeps both under a suffixed key); re-runs create nothing', async () => {
    const { customers, savedFilterId } = await segment(2);
    const [keep, dup] = customers;
    const plan = await createPlan(manager, { savedFilterId, minGapDays: 0 });
    expect(await activate(manager, plan.id)).toBe(2);
    const dupTask = (await tasksOf(manager, plan.id)).find((x) => x.customerId === dup!.id)!;
    expect((await agent.post(`/api/followup/tasks/${dupTask.id}/claim`)).statusCode).toBe(200);
    expect(
      (await agent.post(`/api/followup/tasks/${dupTask.id}/attempts`, { channel: 'phone', outcome: 'no_answer' }))
        .statusCode,
    ).toBe(201);
    const merged = await admin.post('/api/customers/merge', { keepId: keep!.id, mergeIds: [dup!.id] });
    expect(merged.statusCode, merged.body).toBe(200);
    const rows = await t.pool.query(
      'select id, customer_id, occurrence_key from followup_tasks where plan_id = $1 order by occurrence_key',
      [plan.id],
    );
    expect(rows.rows).toEqual([
      { id: expect.any(String), customer_id: keep!.id, occurrence_key: 'once' },
      { id: dupTask.id, customer_id: keep!.id, occurrence_key: `once~merged:${dup!.id}` },
    ]);
    expect(
      await countRows(t, 'select 1 from followup_attempts where task_id = $1 and customer_id = $2', [
        dupTask.id,
        keep!.id,
      ]),
    ).toBe(1);
    expect(await countRows(t, 'select 1 from contact_events where customer_id = $1', [keep!.id])).toBe(1);
    expect(
      await countRows(t, "select 1 from followup_task_events where task_id = $1 and kind = 'customer_merged'", [
        dupTask.id,
      ]),
    ).toBe(1);
    expect((await manager.post('/api/followup/rules/run')).statusCode).toBe(200);
    expect(((await manager.get(`/api/followup/plans/${plan.id}/preview`)).json() as TPlanPreview).willCreate).toBe(0);
    expect(await countRows(t, 'select 1 from followup_tasks where plan_id = $1', [plan.id])).toBe(2);
  });

  it('erasing a customer deletes their follow-up tasks, attempts and log', async () => {
    const { customers, savedFilterId } = await segment(1);
    const plan = await createPlan(manager, { savedFilterId });
    await activate(manager, plan.id);
    const [task] = await tasksOf(manager, plan.id);
    expect((await agent.post(`/api/followup/tasks/${task!.id}/claim`)).statusCode).toBe(200);
    const erased = await admin.del(`/api/customers/${customers[0]!.id}`);
    expect(erased.statusCode, erased.body).toBe(200);
    expect(await countRows(t, 'select 1 from followup_tasks where id = $1', [task!.id])).toBe(0);
    expect(await countRows(t, 'select 1 from followup_task_events where task_id = $1', [task!.id])).toBe(0);
  });
});

describe('demo follow-up data', () => {
  it('plans with tasks in every state and attempts; liu.agent has tasks due today and overdue; loads once', async () => {
    const { loadDemoFollowup } = await import('../bootstrap/demo-followup.ts');
    const { loadDemoCustomers } = await import('../bootstrap/demo-customers.ts');
    const d = await createTestApp();
    try {
      await loadDemoCustomers(d, d.tenantId, 400);
      const n = await loadDemoFollowup(d, d.tenantId);
      expect(n).toBeGreaterThan(150);
      const states = (
        await d.pool.query('select distinct state from followup_tasks where tenant_id = $1', [d.tenantId])
      ).rows.map((r) => r.state as string);
      expect(states.sort()).toEqual(['cancelled', 'done', 'failed', 'follow_up', 'in_progress', 'pending']);
      expect(await countRows(d, 'select 1 from followup_attempts where tenant_id = $1', [d.tenantId])).toBeGreaterThan(
        50,
      );
      const liu = await loginAs(d, 'liu.agent');
      for (const bucket of ['today', 'overdue', 'upcoming'])
        expect((await liu.get(`/api/followup/tasks?view=mine&bucket=${bucket}`)).json().total, bucket).toBeGreaterThan(
          0,
        );
      // The workbench's order (sort=priority) over plan tasks, which have no time-point priority.
      const mine = (await liu.get(`/api/followup/tasks?view=mine&bucket=today&sort=priority`)).json() as {
        items: { priority: number | null; dueFrom: string }[];
      };
      expect(mine.items.length).toBeGreaterThan(0);
      expect(mine.items.every((x) => x.priority === null)).toBe(true);
      expect(mine.items.map((x) => x.dueFrom)).toEqual(mine.items.map((x) => x.dueFrom).sort());
      const kpis = (
        await (await loginAs(d, 'zhang.manager')).get(`/api/followup/kpis?from=2000-01-01`)
      ).json() as TKpis;
      expect(kpis.byPlan.length).toBeGreaterThanOrEqual(2);
      expect(await loadDemoFollowup(d, d.tenantId)).toBe(0);
    } finally {
      await d.close();
    }
  });
});
