import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TNotificationList, TSurveyResults, TTask, TTimelineItem } from '@huifang/shared';
import { createCustomer, letters } from '../../../test/customers-helpers.ts';
import { countRows, createUser, expectError, loginAs, unitIdByCode, userIdByName } from '../../../test/helpers.ts';
import { createTestApp, type TClient, type TTestApp } from '../../../test/test-app.ts';
import { recordEvaluation } from '../evaluations/evaluations.write.ts';
import { expectOneEventPerFact } from '../../../test/evaluation-events-helpers.ts';
import { notify } from '../notifications/notifications.service.ts';

/**
 * The loop between modules (issue 10): the agent of a task opens its customer; a call's questionnaire answers are a
 * response of the survey; every channel's 差评 reaches the responsible manager; appeals reach who decides them; the
 * bell groups notifications of one kind.
 */
let t: TTestApp;
let admin: TClient;
let zhang: TClient; // 上海分行 manager (evaluation:manage, followup:manage)
let li: TClient; // 杭州分行 manager
let agent: TClient; // liu.agent, data scope own
let liuId: string;
const NOW = '2026-03-10T02:00:00Z'; // 10:00 Asia/Shanghai

let trips = 0;
async function travel(iso: string) {
  t.clock.set(iso);
  const ip = `10.8.${Math.floor(++trips / 250)}.${trips % 250}`;
  [admin, zhang, li, agent] = (await Promise.all(
    ['admin', 'zhang.manager', 'li.manager', 'liu.agent'].map((u) => loginAs(t, u, { ip })),
  )) as [TClient, TClient, TClient, TClient];
}

beforeAll(async () => {
  t = await createTestApp();
  await travel(NOW);
  liuId = await userIdByName(t, 'liu.agent');
});
afterAll(async () => t.close());

const ok = <T>(res: { statusCode: number; body: string; json(): unknown }, status = 200): T => {
  expect(res.statusCode, res.body).toBe(status);
  return res.json() as T;
};

async function planFor(customerIds: string[], over: Record<string, unknown> = {}) {
  const plan = ok<{ id: string }>(
    await zhang.post('/api/followup/plans', {
      name: `计划-${letters(5)}`,
      topic: 'satisfaction',
      methods: ['phone'],
      targetKind: 'list',
      customerIds,
      script: '您好{客户称呼}',
      startDate: '2026-03-10',
      dueDays: 7,
      assignment: 'fixed',
      assigneeId: liuId,
      maxAttempts: 2,
      retryHours: 4,
      ...over,
    }),
    201,
  );
  ok(await zhang.post(`/api/followup/plans/${plan.id}/status`, { status: 'active' }));
  const tasks = ok<{ items: TTask[] }>(await zhang.get(`/api/followup/tasks?planId=${plan.id}&pageSize=100`)).items;
  return { planId: plan.id, taskOf: (customerId: string) => tasks.find((x) => x.customerId === customerId)!.id };
}

const notificationsOf = async (c: TClient, qs = '') =>
  ok<TNotificationList>(await c.get(`/api/notifications?limit=100${qs}`));
const unsatisfiedOf = async (c: TClient) => (await notificationsOf(c, '&kind=evaluation.unsatisfied')).items;

describe('an agent and the customer of their task', () => {
  it('the assigned agent reads the card (masked) and the timeline; not another customer, not after a cancel, not long after the close', async () => {
    const [mine, cancelled, unrelated] = [
      await createCustomer(t, admin, 'SH-LJZ', { phones: ['13900001111'] }),
      await createCustomer(t, admin, 'SH-LJZ'),
      await createCustomer(t, admin, 'SH-LJZ'),
    ];
    // Before any task: the agent's own scope holds none of them.
    expectError(await agent.get(`/api/customers/${mine.id}`), 404, 'NOT_FOUND');
    const { taskOf } = await planFor([mine.id, cancelled.id]);

    const card = ok<{ id: string; phones: string[]; isReadOnly?: boolean }>(
      await agent.get(`/api/customers/${mine.id}`),
    );
    expect(card.phones).toEqual([expect.stringMatching(/\*/)]);
    expect(card.isReadOnly).toBe(true);
    expect(ok<{ isReadOnly?: boolean }>(await zhang.get(`/api/customers/${mine.id}`)).isReadOnly).toBeUndefined();
    expect(JSON.stringify(card)).not.toContain('13900001111');
    ok(await agent.get(`/api/customers/${mine.id}/timeline`));
    // Read only: no edit, no reveal of the card through this grant.
    expectError(await agent.patch(`/api/customers/${mine.id}`, { tier: 'VIP' }), 404, 'NOT_FOUND');
    expectError(await agent.post(`/api/customers/${mine.id}/notes`, { body: '备注' }), 404, 'NOT_FOUND');
    expectError(await agent.get(`/api/customers/${unrelated.id}`), 404, 'NOT_FOUND');
    expectError(await agent.get(`/api/customers/${unrelated.id}/timeline`), 404, 'NOT_FOUND');

    ok(await zhang.post(`/api/followup/tasks/${taskOf(cancelled.id)}/cancel`, { reason: '客户已注销' }));
    expectError(await agent.get(`/api/customers/${cancelled.id}`), 404, 'NOT_FOUND');

    // A done task keeps the card readable for 30 days, then not.
    ok(await agent.post(`/api/followup/tasks/${taskOf(mine.id)}/claim`));
    ok(
      await agent.post(`/api/followup/tasks/${taskOf(mine.id)}/attempts`, {
        channel: 'phone',
        outcome: 'reached',
        reachedWhom: 'customer',
        satisfaction: 5,
      }),
      201,
    );
    await travel('2026-04-05T02:00:00Z');
    ok(await agent.get(`/api/customers/${mine.id}`));
    await travel('2026-04-12T02:00:00Z');
    expectError(await agent.get(`/api/customers/${mine.id}`), 404, 'NOT_FOUND');
    await travel(NOW);
  });
});

const DEF = {
  title: '回访问卷',
  dimensions: [
    { key: 'service', name: '服务', weight: 60 },
    { key: 'env', name: '环境', weight: 40 },
  ],
  questions: [
    { key: 'q1', type: 'csat', title: '办理体验', required: true, dimensionKey: 'service' },
    { key: 'q2', type: 'likert', title: '柜员态度', required: true, dimensionKey: 'service' },
    { key: 'q3', type: 'rating', title: '网点环境', required: true, dimensionKey: 'env' },
    { key: 'q4', type: 'nps', title: '推荐意愿', required: true },
    { key: 'memo', type: 'text', title: '意见建议', required: false },
  ],
};

describe("a call's questionnaire answers", () => {
  it('are a response of the survey (channel followup, once per attempt) that counts in its results; the evaluation has its dimensions; the timeline shows them; a 2/5 call alerts the manager', async () => {
    const survey = ok<{ id: string }>(await admin.post('/api/surveys', { definition: DEF }), 201);
    ok(await admin.post(`/api/surveys/${survey.id}/publish`, {}));
    const customer = await createCustomer(t, admin, 'SH-LJZ');
    const { taskOf } = await planFor([customer.id], { surveyId: survey.id });
    const taskId = taskOf(customer.id);
    ok(await agent.post(`/api/followup/tasks/${taskId}/claim`));
    const results = async () => ok<TSurveyResults>(await zhang.get(`/api/surveys/${survey.id}/results`));
    const before = await results();
    await t.runEvaluationEvents();
    const alertsBefore = (await unsatisfiedOf(zhang)).length;

    // A wrong answer: 400 on its field, nothing written (no attempt, no response, no evaluation).
    const counts = () =>
      Promise.all([
        countRows(t, 'select 1 from followup_attempts where task_id = $1', [taskId]),
        countRows(t, 'select 1 from survey_responses where survey_id = $1', [survey.id]),
      ]);
    const [a0, r0] = await counts();
    expectError(
      await agent.post(`/api/followup/tasks/${taskId}/attempts`, {
        channel: 'phone',
        outcome: 'reached',
        reachedWhom: 'customer',
        answers: { q1: 9 },
      }),
      400,
      'VALIDATION_FAILED',
      ['body.answers.q1'],
    );
    expect(await counts()).toEqual([a0, r0]);

    // Not every question is asked on a call (q4 is required on the H5 page, not here).
    const answers = { q1: 2, q2: 1, q3: 2, memo: '服务态度差' };
    const res = ok<{ attemptId: string; evaluationId: string }>(
      await agent.post(`/api/followup/tasks/${taskId}/attempts`, {
        channel: 'phone',
        outcome: 'reached',
        reachedWhom: 'customer',
        satisfaction: 2,
        answers,
        notes: '客户抱怨排队久',
      }),
      201,
    );
    const resp = (await t.pool.query('select * from survey_responses where survey_id = $1', [survey.id])).rows;
    expect(resp).toHaveLength(1);
    expect(resp[0]).toMatchObject({
      channel: 'followup',
      version: 1,
      customer_id: customer.id,
      entered_by: liuId,
      answers,
      idempotency_key: `followup_attempt:${res.attemptId}`,
    });
    expect(resp[0].dimension_scores).toEqual({ service: 1.5, env: 2 });

    const after = await results();
    expect(after.responses).toBe(before.responses + 1);
    const q1 = after.questions.find((q) => q.key === 'q1')!;
    expect(q1.count).toBe(1);
    expect(q1.distribution.find((d) => d.value === '2')).toMatchObject({ label: '不满意', count: 1 });
    expect(after.satisfactionIndex).not.toBeNull();
    expect(after.texts.map((x) => x.text)).toContain('服务态度差');

    const ev = (await t.pool.query('select * from evaluations where id = $1', [res.evaluationId])).rows[0];
    expect(ev).toMatchObject({
      channel: 'followup',
      score: 2,
      ref_type: 'followup_task',
      ref_id: taskId,
      dimensions: { service: 1.5, env: 2 },
    });
    expect(ev.answers).toMatchObject({
      surveyId: survey.id,
      version: 1,
      responseId: resp[0].id,
      attemptId: res.attemptId,
      answers,
    });

    // The customer's timeline shows the answers, in words.
    for (const who of [zhang, agent]) {
      const items = ok<{ items: TTimelineItem[] }>(await who.get(`/api/customers/${customer.id}/timeline`)).items;
      const e = items.find((x) => x.kind === 'evaluation' && x.id === res.evaluationId)!;
      expect(e.answers).toEqual([
        { question: '办理体验', answer: '不满意' },
        { question: '柜员态度', answer: '很不满意' },
        { question: '网点环境', answer: '2★' },
        { question: '意见建议', answer: '服务态度差' },
      ]);
    }

    // The manager of the customer's unit is told, with a link to that evaluation; 杭州's manager is not.
    // (The test clock stands still: notifications share a time, so they are found by their link, not their order.)
    await t.runEvaluationEvents();
    const alerts = await unsatisfiedOf(zhang);
    expect(alerts).toHaveLength(alertsBefore + 1);
    const alert = alerts.find((x) => x.link === `/evaluations?open=${res.evaluationId}`)!;
    expect(alert).toMatchObject({ title: expect.stringContaining('陆家嘴支行') });
    expect(alert.body).toContain('刘洋');
    expect((await unsatisfiedOf(li)).some((n) => n.link?.includes(res.evaluationId))).toBe(false);
    // Whatever the channel, each evaluation it stored has exactly one event (modules/evaluations).
    await expectOneEventPerFact(t);
  });
});

describe('negative evaluations from every channel', () => {
  it('an open-link 不满意 with text, a personal link, a staff entry and an order review each alert the manager of their unit; a good one does not', async () => {
    const def = {
      title: '满意度',
      questions: [
        { key: 'sat', type: 'csat', title: '总体满意度', required: true },
        { key: 'why', type: 'text', title: '原因', required: false },
      ],
    };
    const survey = ok<{ id: string }>(
      await admin.post('/api/surveys', { definition: def, unitId: await unitIdByCode(t, 'SH') }),
      201,
    );
    ok(await admin.post(`/api/surveys/${survey.id}/publish`, {}));
    const open = ok<{ openToken: string }>(await admin.post(`/api/surveys/${survey.id}/open-link`, {}));
    const submit = (token: string, answers: object) =>
      t.app.inject({
        method: 'POST',
        url: `/api/s/${token}/responses`,
        payload: { answers },
        headers: { 'idempotency-key': crypto.randomUUID() },
      });
    // Alerts are the work of the evaluation-events job: run it before each count.
    const count = async () => {
      await t.runEvaluationEvents();
      return (await unsatisfiedOf(zhang)).length;
    };

    let n = await count();
    expect((await submit(open.openToken, { sat: 5 })).statusCode).toBe(201);
    expect(await count()).toBe(n);
    const bad = await submit(open.openToken, { sat: 2, why: '服务态度差' });
    expect(bad.statusCode, bad.body).toBe(201);
    expect(await count()).toBe(n + 1);
    const evOpen = (
      await t.pool.query("select id from evaluations where ref_type = 'survey_response' and ref_id = $1", [
        bad.json().responseId,
      ])
    ).rows[0].id;
    const latest = (await unsatisfiedOf(zhang)).find((x) => x.link === `/evaluations?open=${evOpen}`);
    expect(latest?.body).toContain('服务态度差');

    const customer = await createCustomer(t, admin, 'SH-LJZ');
    n = await count();
    const link = ok<{ token: string }>(
      await admin.post(`/api/surveys/${survey.id}/links`, { customerId: customer.id }),
      201,
    );
    expect((await submit(link.token, { sat: 1 })).statusCode).toBe(201);
    expect(await count()).toBe(n + 1);

    n = await count();
    ok(
      await agent.post(`/api/surveys/${survey.id}/responses`, {
        customerId: (await createCustomer(t, agent, 'SH')).id,
        answers: { sat: 2 },
      }),
      201,
    );
    // liu.agent's own customer is in 上海分行: zhang manages it.
    expect(await count()).toBe(n + 1);

    n = await count();
    const b = customer.id;
    const tx = ok<{ id: string }>(
      await admin.post(`/api/customers/${b}/transactions`, {
        kind: 'order',
        amountFen: 9_900,
        occurredAt: '2026-03-08T04:00:00Z',
        orderNo: `E${letters(8)}`,
      }),
      201,
    );
    // Only a shop's orders are reviewable: the manager marks the customer's outlet as a shop first.
    ok(await zhang.post('/api/order-reviews/shops', { unitId: customer.unitId }), 201);
    const review = ok<{ token: string }>(await zhang.post('/api/order-reviews/links', { transactionId: tx.id }), 201);
    const rated = await t.app.inject({
      method: 'POST',
      url: `/api/review-links/${review.token}/rating`,
      payload: { dimensions: { description: 1, service: 2, logistics: 2 }, text: '货不对板' },
    });
    expect(rated.statusCode, rated.body).toBe(201);
    expect(await count()).toBe(n + 1);
    expect((await unsatisfiedOf(zhang)).some((x) => x.body?.includes('货不对板'))).toBe(true);
    // Whatever the channel, each evaluation it stored has exactly one event (modules/evaluations).
    await expectOneEventPerFact(t);
  });
});

describe('appeals 申诉', () => {
  it('an appeal notifies the managers who decide it; the decision notifies the teller who appealed', async () => {
    const teller = await t.login('chen.teller');
    const ev = await recordEvaluation(t.db, {
      tenantId: t.tenantId,
      channel: 'kiosk',
      occurredAt: t.clock.now(),
      unitId: await unitIdByCode(t, 'SH-LJZ'),
      counterId: await unitIdByCode(t, 'SH-LJZ-W1'),
      staffId: await userIdByName(t, 'chen.teller'),
      sourceType: 'device',
      score: 1,
      ratingLabel: '不满意',
      idempotencyKey: crypto.randomUUID(),
    });
    const appealed = async (c: TClient) =>
      (await notificationsOf(c, '&kind=evaluation.appealed')).items.filter(
        (x) => x.link === `/evaluations?open=${ev.id}`,
      );
    ok(await teller.post(`/api/evaluations/${ev.id}/appeal`, { reason: '客户误按' }));
    expect(await appealed(zhang)).toEqual([
      expect.objectContaining({
        title: expect.stringContaining('陆家嘴支行'),
        body: expect.stringContaining('客户误按'),
      }),
    ]);
    expect(await appealed(li)).toEqual([]);

    ok(await zhang.post(`/api/evaluations/${ev.id}/reject-appeal`, { reason: '录像显示客户确有不满' }));
    const decided = (await notificationsOf(teller, '&kind=evaluation.appeal_decided')).items.filter(
      (x) => x.link === `/evaluations?open=${ev.id}`,
    );
    expect(decided).toEqual([expect.objectContaining({ title: '申诉已驳回', body: '录像显示客户确有不满' })]);
  });
});

describe('the bell', () => {
  it('groups unread notifications by kind with a count and the newest; one kind can be listed and marked read on its own', async () => {
    const u = await createUser(t, admin, { unitCode: 'SH', roleKeys: ['supervisor'] });
    const me = await loginAs(t, u.username, { password: u.password });
    for (let i = 0; i < 21; i++) {
      await notify(t.db, {
        tenantId: t.tenantId,
        userIds: [u.id],
        kind: 'followup.escalated',
        title: '回访任务逾期升级',
        body: `客户 ${i}`,
        link: `/followup/tasks?taskId=${crypto.randomUUID()}`,
        at: new Date(Date.parse(NOW) + i * 1000),
      });
    }
    await notify(t.db, {
      tenantId: t.tenantId,
      userIds: [u.id],
      kind: 'followup.abnormal',
      title: '回访发现异常',
      link: null,
      at: new Date(Date.parse(NOW) + 60_000),
    });
    const list = ok<TNotificationList>(await me.get('/api/notifications?limit=10'));
    expect(list.unreadCount).toBe(22);
    expect(list.items).toHaveLength(10);
    expect(list.groups).toEqual([
      { kind: 'followup.abnormal', unread: 1, latest: expect.objectContaining({ title: '回访发现异常' }) },
      { kind: 'followup.escalated', unread: 21, latest: expect.objectContaining({ body: '客户 20' }) },
    ]);
    expect((await notificationsOf(me, '&kind=followup.escalated')).items).toHaveLength(21);
    expectError(await me.get('/api/notifications?kind=DROP%20TABLE'), 400, 'VALIDATION_FAILED', ['querystring.kind']);
    expect(ok<{ marked: number }>(await me.post('/api/notifications/read-all?kind=followup.escalated')).marked).toBe(
      21,
    );
    const now = ok<TNotificationList>(await me.get('/api/notifications'));
    expect(now.unreadCount).toBe(1);
    expect(now.groups.map((g) => g.kind)).toEqual(['followup.abnormal']);
  });
});
