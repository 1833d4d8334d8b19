import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  TAnalyticsDashboard,
  TAnalyticsTile,
  TDashboardSummary,
  TPage,
  TSurveyDefinition,
  TSurveyDetail,
  TTask,
  TTaskSummary,
} from '@huifang/shared';
import { createCustomer } from '../../../test/customers-helpers.ts';
import { countRows, expectError, subtreeUnitIds, unitIdByCode, userIdByName } from '../../../test/helpers.ts';
import { createTestApp, type TClient, type TTestApp } from '../../../test/test-app.ts';
import { recordEvaluation } from '../evaluations/evaluations.write.ts';

/**
 * The 驾驶舱 tiles of each role over a small known data set, every number by hand (the comments show the sums), with
 * the period running across the year boundary (January 2033 against December 2032 and January 2032), a late-arriving
 * kiosk rating (stored on 20 January, occurred on 31 December 23:30 local) and a rating excluded on appeal; then the
 * branch manager's figures against direct SQL over the facts of his subtree.
 */
let t: TTestApp;
let zhang: TClient;
let teller: TClient;
let xjh: string;
let ljz: string;
let hz: string;
let tellerId: string;
let counter: string;
let hzCounter: string;

const dashboard = async (c: TClient, query: string): Promise<TAnalyticsDashboard> => {
  const res = await c.get(`/api/analytics/dashboard?${query}`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
};
const tiles = (d: TAnalyticsDashboard) =>
  Object.fromEntries(d.tiles.map(({ key, ...rest }) => [key, rest])) as Record<
    TAnalyticsTile['key'],
    Omit<TAnalyticsTile, 'key'>
  >;
/** A periodic tile: value, 环比 base, 同比 base and the two changes (percent, one decimal). */
const p = (
  value: number | null,
  previous: number | null,
  lastYear: number | null,
  changePct: number | null,
  yoyPct: number | null,
) => ({
  snapshot: false,
  value,
  previous,
  lastYear,
  changePct,
  yoyPct,
});
const snap = (value: number) => ({
  snapshot: true,
  value,
  previous: null,
  lastYear: null,
  changePct: null,
  yoyPct: null,
});

const kiosk = (unitId: string, score: number | null, at: string, staffId: string | null) =>
  recordEvaluation(t.db, {
    tenantId: t.tenantId,
    channel: 'kiosk',
    occurredAt: new Date(at),
    unitId,
    staffId,
    sourceType: 'device',
    score,
    idempotencyKey: crypto.randomUUID(),
  });

const SURVEY: TSurveyDefinition = {
  title: '驾驶舱测试问卷',
  description: '',
  dimensions: [
    { key: 'service', name: '服务', weight: 60 },
    { key: 'env', name: '环境', weight: 40 },
  ],
  questions: [
    { key: 'q1', type: 'likert', title: '服务态度', required: true, dimensionKey: 'service' },
    { key: 'q3', type: 'csat', title: '环境', required: true, dimensionKey: 'env' },
    { key: 'nps', type: 'nps', title: '推荐', required: true },
  ],
};

beforeAll(async () => {
  t = await createTestApp();
  // The demo's follow-up tasks (due in the demo's months) would be overdue in 2033: this test counts its own only.
  await t.pool.query('delete from followup_tasks where tenant_id = $1', [t.tenantId]);
  xjh = await unitIdByCode(t, 'SH-XJH');
  ljz = await unitIdByCode(t, 'SH-LJZ');
  hz = await unitIdByCode(t, 'HZ-XH');
  tellerId = await userIdByName(t, 'teller03');
  const firstCounter = async (outlet: string) =>
    (
      await t.pool.query("select id from org_units where parent_id = $1 and type = 'counter' order by path limit 1", [
        outlet,
      ])
    ).rows[0].id as string;
  counter = await firstCounter(xjh);
  hzCounter = await firstCounter(hz);
  const admin = await t.login('admin');

  // Kiosk ratings. January 2033 (1–20): 新街口 (teller03) 5 on 2 Jan, 1 on 8 Jan; 陆家嘴 2 on 10 Jan; 杭州 1 (other
  // branch). 新街口 1 on 15 Jan: excluded on appeal below. December 2032 (1–20): 新街口 5 on 5 Dec, 2 on 10 Dec.
  // January 2032 (1–20): 新街口 4, 陆家嘴 5; 陆家嘴 1 on 25 Jan (after the 20th). November 2032: 陆家嘴 5.
  // December 2031: 陆家嘴 3.
  await kiosk(xjh, 5, '2033-01-02T02:00:00Z', tellerId);
  const pendingAppeal = await kiosk(xjh, 1, '2033-01-08T02:00:00Z', tellerId);
  await kiosk(ljz, 2, '2033-01-10T02:00:00Z', null);
  await kiosk(hz, 1, '2033-01-06T02:00:00Z', null);
  const appealed = await kiosk(xjh, 1, '2033-01-15T02:00:00Z', tellerId);
  await kiosk(xjh, 5, '2032-12-05T02:00:00Z', tellerId);
  await kiosk(xjh, 2, '2032-12-10T02:00:00Z', tellerId);
  await kiosk(xjh, 4, '2032-01-04T02:00:00Z', tellerId);
  await kiosk(ljz, 5, '2032-01-12T02:00:00Z', null);
  await kiosk(ljz, 1, '2032-01-25T02:00:00Z', null);
  await kiosk(ljz, 5, '2032-11-11T02:00:00Z', null);
  await kiosk(ljz, 3, '2031-12-20T02:00:00Z', null);

  // Survey responses entered by zhang for a 陆家嘴 customer (each is also a 'staff' evaluation of 陆家嘴 with score
  // round(index / 20)): Jan 2033 (q1 5, csat 4, nps 10 → index 92, score 5) and (3, 2, 6 → 52, score 3);
  // 12 Dec 2032 (2, 1, 3 → 32, score 2); 15 Jan 2032 (4, 5, 9 → 88, score 4).
  const survey = (await admin.post('/api/surveys', { definition: SURVEY })).json() as TSurveyDetail;
  expect((await admin.post(`/api/surveys/${survey.id}/publish`, {})).statusCode).toBe(200);
  const customer = await createCustomer(t, admin, 'SH-LJZ');
  for (const [at, q1, q3, nps] of [
    ['2033-01-04T02:00:00Z', 5, 4, 10],
    ['2033-01-11T02:00:00Z', 3, 2, 6],
    ['2032-12-12T02:00:00Z', 2, 1, 3],
    ['2032-01-15T02:00:00Z', 4, 5, 9],
  ] as const) {
    t.clock.set(at);
    const res = await (
      await t.login('zhang.manager')
    ).post(`/api/surveys/${survey.id}/responses`, {
      customerId: customer.id,
      answers: { q1, q3, nps },
    });
    expect(res.statusCode, res.body).toBe(201);
  }

  // Counter sessions (客流量, 办理时长): 新街口 Monday 3 Jan 2033 at 09:30 (300 s) and 09:50 (600 s), Saturday 8 Jan at
  // 14:10 (120 s); Monday 6 Dec 2032 10:00 (240 s); 5 Jan 2032 10:00 (60 s); 杭州 4 Jan 2033 (not 上海).
  const other = await userIdByName(t, 'teller02');
  for (const [c, outlet, at, secs, staffId] of [
    [counter, xjh, '2033-01-03T01:30:00Z', 300, tellerId],
    [counter, xjh, '2033-01-03T01:50:00Z', 600, tellerId],
    [counter, xjh, '2033-01-08T06:10:00Z', 120, tellerId],
    [counter, xjh, '2032-12-06T02:00:00Z', 240, tellerId],
    [counter, xjh, '2032-01-05T02:00:00Z', 60, tellerId],
    [hzCounter, hz, '2033-01-04T02:00:00Z', 999, other],
  ] as const) {
    const start = new Date(at);
    await t.pool.query(
      `insert into service_sessions (tenant_id, counter_id, outlet_id, staff_id, business_type, started_at, ended_at, handling_seconds)
       values ($1, $2, $3, $4, '对私', $5, $6, $7)`,
      [t.tenantId, c, outlet, staffId, start, new Date(start.getTime() + secs * 1000), secs],
    );
  }

  // Follow-up tasks of one plan (due window opening → closing, state, attempts / reached, last outcome); the 新街口
  // ones are the agent 刘洋's.
  const agentId = await userIdByName(t, 'liu.agent');
  const plan = crypto.randomUUID();
  await t.pool.query(
    `insert into followup_plans (id, tenant_id, unit_id, name, topic, target_kind, start_date, assignment, created_at, updated_at)
     values ($1, $2, $3, '驾驶舱测试', 'care', 'list', '2032-01-01', 'fixed', now(), now())`,
    [plan, t.tenantId, await unitIdByCode(t, 'SH')],
  );
  const task = (
    unit: string,
    assignee: string | null,
    from: string,
    until: string,
    state: string,
    attempts: number,
    reached: number,
    outcome: string | null,
    completedAt: string | null,
  ) =>
    t.pool.query(
      `insert into followup_tasks (tenant_id, plan_id, customer_id, occurrence_key, unit_id, assignee_id, state, due_from, due_until,
                                   attempts, reached_attempts, last_outcome, completed_at, created_at, updated_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, now(), now())`,
      [
        t.tenantId,
        plan,
        customer.id,
        crypto.randomUUID(),
        unit,
        assignee,
        state,
        from,
        until,
        attempts,
        reached,
        outcome,
        completedAt,
      ],
    );
  // January 2033: k1 done on time (2 attempts, 1 reached); k2 pending, window closed 17 Jan (overdue on the 20th);
  // k3 team task, window open to 25 Jan; k4 done by an SMS the system sent (no people's attempt); k5 cancelled;
  // k6 杭州.
  await task(
    xjh,
    agentId,
    '2033-01-05T01:00:00Z',
    '2033-01-12T01:00:00Z',
    'done',
    2,
    1,
    'reached',
    '2033-01-06T03:00:00Z',
  );
  await task(xjh, agentId, '2033-01-10T01:00:00Z', '2033-01-17T01:00:00Z', 'pending', 1, 0, 'no_answer', null);
  await task(ljz, null, '2033-01-12T01:00:00Z', '2033-01-25T01:00:00Z', 'pending', 0, 0, null, null);
  await task(ljz, null, '2033-01-14T01:00:00Z', '2033-01-21T01:00:00Z', 'done', 1, 0, 'sent', '2033-01-14T02:00:00Z');
  await task(xjh, agentId, '2033-01-15T01:00:00Z', '2033-01-22T01:00:00Z', 'cancelled', 0, 0, null, null);
  await task(hz, null, '2033-01-06T01:00:00Z', '2033-01-13T01:00:00Z', 'done', 1, 1, 'reached', '2033-01-07T01:00:00Z');
  // December 2032: p1 failed after 3 unanswered calls; p2 done (1 attempt, reached).
  await task(xjh, agentId, '2032-12-03T01:00:00Z', '2032-12-10T01:00:00Z', 'failed', 3, 0, 'no_answer', null);
  await task(
    xjh,
    agentId,
    '2032-12-08T01:00:00Z',
    '2032-12-15T01:00:00Z',
    'done',
    1,
    1,
    'reached',
    '2032-12-09T01:00:00Z',
  );

  // Complaint tickets: 新街口 about teller03 on 10 Jan 2033 (open); 陆家嘴 on 5 Dec 2032, resolved and closed on
  // 6 Dec; 杭州.
  const newTicket = async (c: TClient, unitId: string, staffId: string | null) => {
    const res = await c.post('/api/tickets', {
      title: '柜员态度差',
      category: 'service_attitude',
      priority: 'normal',
      unitId,
      ...(staffId ? { staffId } : {}),
    });
    expect(res.statusCode, res.body).toBe(201);
    return (res.json() as { ticket: { id: string; version: number } }).ticket;
  };
  // Sessions expire when the clock jumps: log in again at each moment.
  t.clock.set('2032-12-05T02:00:00Z');
  const closed = await newTicket(await t.login('zhang.manager'), ljz, null);
  t.clock.set('2032-12-06T02:00:00Z');
  let version = closed.version;
  const z = await t.login('zhang.manager');
  for (const step of [
    { action: 'start' },
    { action: 'resolve', reason: '已致歉' },
    { action: 'close', reason: '客户认可' },
  ]) {
    const res = await z.post(`/api/tickets/${closed.id}/actions`, { ...step, version });
    expect(res.statusCode, res.body).toBe(200);
    version = (res.json() as { ticket: { version: number } }).ticket.version;
  }
  t.clock.set('2033-01-10T02:00:00Z');
  await newTicket(await t.login('zhang.manager'), xjh, tellerId);
  await newTicket(await t.login('li.manager'), hz, null);

  // The latest value run: 新街口 customer large / high value; two 陆家嘴 customers medium / ordinary; 杭州 small /
  // churned. Churn warnings: one 陆家嘴 open, one 陆家嘴 resolved, the 杭州 one open. An older run counts nowhere.
  const admin2 = await t.login('admin');
  const cx = await createCustomer(t, admin2, 'SH-XJH');
  const cl2 = await createCustomer(t, admin2, 'SH-LJZ');
  const ch = await createCustomer(t, admin2, 'HZ-XH');
  const run = async (rows: [string, string, string][]) => {
    const id = crypto.randomUUID();
    await t.pool.query(
      `insert into value_runs (id, tenant_id, model_version, trigger, status, as_of, finished_at)
       values ($1, $2, 1, 'manual', 'done', '2033-01-01T00:00:00Z', now())`,
      [id, t.tenantId],
    );
    await t.pool.query(
      `insert into customer_values (tenant_id, run_id, customer_id, score, tier, lifecycle, stars, sales_fen, prev_sales_fen,
                                    batches, returns_fen, payments_fen, prev_payments_fen, debt_fen, is_new, recent_fen, prior_fen)
       select $1, $2, i.c, 50, i.tier, i.lc, 0, 0, 0, 0, 0, 0, 0, 0, false, 0, 0
       from unnest($3::uuid[], $4::text[], $5::text[]) as i(c, tier, lc)`,
      [t.tenantId, id, rows.map((r) => r[0]), rows.map((r) => r[1]), rows.map((r) => r[2])],
    );
    return id;
  };
  await run([[cx.id, 'small', 'churned']]);
  const latest = await run([
    [cx.id, 'large', 'high_value'],
    [customer.id, 'medium', 'ordinary'],
    [cl2.id, 'medium', 'ordinary'],
    [ch.id, 'small', 'churned'],
  ]);
  await t.pool.query(
    `insert into value_churn_warnings (tenant_id, customer_id, run_id, reason, resolved_at)
     values ($1, $2, $5, 'no_purchase', null), ($1, $3, $5, 'spend_drop', now()), ($1, $4, $5, 'no_purchase', null)`,
    [t.tenantId, customer.id, cl2.id, ch.id, latest],
  );

  // The late arrival: an offline kiosk uploads on 20 January a rating given at 23:30 on 31 December (local), and
  // one at 00:30 on 1 January; the appeal and exclusion of the 15 January 1 happen that day too.
  t.clock.set('2033-01-20T04:00:00Z');
  zhang = await t.login('zhang.manager');
  teller = await t.login('teller03');
  await kiosk(xjh, 2, '2032-12-31T15:30:00Z', tellerId);
  await kiosk(xjh, 4, '2032-12-31T16:30:00Z', tellerId);
  expect((await teller.post(`/api/evaluations/${appealed.id}/appeal`, { reason: '客户误按' })).statusCode).toBe(200);
  // An appeal still waiting for a decision: the rating keeps counting meanwhile.
  expect((await teller.post(`/api/evaluations/${pendingAppeal.id}/appeal`, { reason: '非本人办理' })).statusCode).toBe(
    200,
  );
  expect((await zhang.post(`/api/evaluations/${appealed.id}/exclude`, { reason: '监控确认误按' })).statusCode).toBe(
    200,
  );
}, 120_000);
afterAll(async () => t.close());

describe('驾驶舱 tiles (hand-computed)', () => {
  it('a branch manager: January 2033 so far against 1–20 December 2032 (环比 across the year) and 1–20 January 2032 (同比)', async () => {
    const d = await dashboard(zhang, '');
    expect([d.current, d.previous, d.lastYear]).toEqual([
      { fromDay: '2033-01-01', toDay: '2033-01-21' },
      { fromDay: '2032-12-01', toDay: '2032-12-21' },
      { fromDay: '2032-01-01', toDay: '2032-01-21' },
    ]);
    expect(d.tiles.map((x) => x.key)).toEqual([
      'satisfactionIndex',
      'satisfactionRate',
      'csat',
      'nps',
      'unsatisfied',
      'evaluations',
      'sessions',
      'avgHandlingSeconds',
      'followupDue',
      'followupOverdue',
      'followupCoverage',
      'followupReach',
      'followupCompletion',
      'openTickets',
      'ticketsReceived',
      'slaBreaches',
      'churnWarnings',
    ]);
    expect(tiles(d)).toEqual({
      // Index: service (5 + 3) / 2 = 4, env (4 + 2) / 2 = 3 → (60 × 4 + 40 × 3) / 100 × 20 = 72; December 2 and 1 →
      // 32; January 2032 4 and 5 → 88. (72 − 32) / 32 = 125%; (72 − 88) / 88 = −18.2%.
      satisfactionIndex: p(72, 32, 88, 125, -18.2),
      // Ratings: Jan 5, 1, 2 (kiosk), 4 (00:30 on 1 Jan, late), 5, 3 (survey) → 3 of 6 satisfied; the excluded 1 and
      // 杭州 are out. Dec 1–20: 5, 2, 2 (survey) → 1 of 3 = 33.3 (the late 2 of 31 Dec is after the 20th).
      // Jan 2032 1–20: 4, 5, 4 → 100. (50 − 33.3) / 33.3 = 50.2%.
      satisfactionRate: p(50, 33.3, 100, 50.2, -50),
      // CSAT answers: 4, 2 → 50; December 1 → 0; January 2032 5 → 100.
      csat: p(50, 0, 100, null, -50),
      // NPS: 10 and 6 → one promoter, one detractor → 0; December 3 → −100; January 2032 9 → 100.
      nps: p(0, -100, 100, null, -100),
      unsatisfied: p(2, 2, 0, 0, null),
      evaluations: p(6, 3, 3, 100, 100),
      // Sessions: 3 (300 + 600 + 120 → 340 s) against 1 (240 s) and 1 (60 s).
      sessions: p(3, 1, 1, 200, 200),
      avgHandlingSeconds: p(340, 240, 60, 41.7, 466.7),
      // Tasks due k1–k4 (k5 cancelled, k6 杭州) against p1, p2; none in January 2032.
      followupDue: p(4, 2, 0, 100, null),
      // Overdue now: k2 (window closed 17 Jan, still pending).
      followupOverdue: snap(1),
      // Coverage: k1, k2, k4 attempted of 4 = 75; December 2 of 2 = 100.
      followupCoverage: p(75, 100, null, -25, null),
      // Reach: connected 1 ÷ people's attempts 3 (k1 2, k2 1; k4 was an SMS) = 33.3; December 1 ÷ 4 = 25.
      followupReach: p(33.3, 25, null, 33.2, null),
      // Completion: k1, k4 done of 4 = 50; December p2 of 2 = 50.
      followupCompletion: p(50, 50, null, 0, null),
      // Open now: the 新街口 ticket (the 陆家嘴 one is closed).
      openTickets: snap(1),
      ticketsReceived: p(1, 1, 0, 0, null),
      slaBreaches: p(0, 0, 0, null, null),
      // The open 陆家嘴 warning (the resolved one and 杭州's are not counted).
      churnWarnings: snap(1),
    });
    // Heat map: Monday 09:00 two sessions, Saturday 14:00 one.
    expect(d.flow).toEqual([
      { weekday: 1, hour: 9, sessions: 2 },
      { weekday: 6, hour: 14, sessions: 1 },
    ]);
    // Tiers of the latest run over 上海's customers.
    expect(d.customerValue).toMatchObject({
      tiers: [
        { tier: 'large', customers: 1 },
        { tier: 'medium', customers: 2 },
      ],
      lifecycles: [
        { lifecycle: 'high_value', customers: 1 },
        { lifecycle: 'ordinary', customers: 2 },
      ],
    });
    // The trend lists every day of January; 1 January holds the late 00:30 rating.
    expect(d.trend).toHaveLength(31);
    expect(d.trend[0]).toMatchObject({ day: '2033-01-01', evaluations: 1, rated: 1, satisfactionRate: 100 });
    // Ranking: 陆家嘴 2, 5, 3 (1 of 3 satisfied, one 不满意) before 新街口 5, 1, 4 (2 of 3).
    expect(d.ranking.slice(0, 2).map((r) => [r.unitId, r.rated, r.satisfactionRate, r.unsatisfied])).toEqual([
      [ljz, 3, 33.3, 1],
      [xjh, 3, 66.7, 1],
    ]);
  });

  it('December 2032 (a finished month) counts the late rating of 31 December; the year 2033 so far against 2032', async () => {
    const dec = tiles(await dashboard(zhang, 'period=month&date=2032-12-10'));
    // December: 5, 2, 2 (survey), 2 (late, 23:30 on the 31st) → 1 of 4; November: 5; December 2031: 3 → 0 of 1.
    expect(dec.evaluations).toEqual(p(4, 1, 1, 300, 300));
    expect(dec.satisfactionRate).toEqual(p(25, 100, 0, -75, null));
    expect(dec.unsatisfied).toEqual(p(3, 0, 0, null, null));
    // 2033 so far (1–20 January) against 1–20 January 2032 (both 环比 and 同比 are 2032 for a year).
    const year = await dashboard(zhang, 'period=year&date=2033-01-20');
    expect([year.current, year.previous, year.lastYear]).toEqual([
      { fromDay: '2033-01-01', toDay: '2033-01-21' },
      { fromDay: '2032-01-01', toDay: '2032-01-21' },
      { fromDay: '2032-01-01', toDay: '2032-01-21' },
    ]);
    expect(tiles(year).evaluations).toEqual(p(6, 3, 3, 100, 100));
    expect(tiles(year).sessions).toEqual(p(3, 1, 1, 200, 200));
  });

  it('a teller (own scope): his ratings, the customers he served, his appeals and the complaints about him; nothing else', async () => {
    const d = await dashboard(teller, '');
    expect(tiles(d)).toEqual({
      // Jan: 5, 1, 4 (late; the excluded 1 is out) → 2 of 3; Dec 1–20: 5, 2; Jan 2032: 4.
      satisfactionRate: p(66.7, 50, 100, 33.4, -33.3),
      unsatisfied: p(1, 1, 0, 0, null),
      evaluations: p(3, 2, 1, 50, 200),
      sessions: p(3, 1, 1, 200, 200),
      avgHandlingSeconds: p(340, 240, 60, 41.7, 466.7),
      // The 新街口 ticket names him (the December one names nobody).
      openTickets: snap(1),
      ticketsReceived: p(1, 0, 0, null, null),
      slaBreaches: p(0, 0, 0, null, null),
      // His appeals: the 15 January one decided (excluded) on the 20th; the 8 January one still pending.
      appealsDecided: p(1, 0, 0, null, null),
      appealsPending: snap(1),
    });
    expect([d.ranking, d.flow, d.customerValue]).toEqual([[], [], null]);
  });

  it('an agent (own scope): his follow-up tasks due and overdue', async () => {
    const d = tiles(await dashboard(await t.login('liu.agent'), ''));
    // His tasks: k1, k2 (k5 cancelled) against p1, p2; overdue now: k2. He has no ratings, tickets or sessions.
    expect(d.followupDue).toEqual(p(2, 2, 0, 0, null));
    expect(d.followupOverdue).toEqual(snap(1));
    expect(d.evaluations).toEqual(p(0, 0, 0, null, null));
    expect(d.openTickets).toEqual(snap(0));
    expect([d.sessions, d.followupCoverage, d.satisfactionIndex]).toEqual([undefined, undefined, undefined]);
  });

  it("the branch manager's figures equal direct SQL over the facts of his subtree; 杭州's manager sees only his", async () => {
    const sh = await subtreeUnitIds(t, 'SH');
    const d = tiles(await dashboard(zhang, ''));
    const facts = async (sql: string, params: unknown[] = []) =>
      (await t.pool.query(sql, [t.tenantId, sh, ...params])).rows[0] as Record<string, number | string | null>;
    const local = (col: string) => `(${col} at time zone 'Asia/Shanghai')::date`;
    const inJan = (col: string) => `${local(col)} between '2033-01-01' and '2033-01-20'`;
    const ev = await facts(`
      select count(*)::int as n, (count(*) filter (where score <= 2))::int as unsatisfied,
             round(100.0 * count(*) filter (where score >= 4) / count(score), 1)::float8 as rate
      from evaluations e where tenant_id = $1 and unit_id = any($2) and ${inJan('occurred_at')}
        and not coalesce((select c.kind = 'exclude' from evaluation_corrections c where c.evaluation_id = e.id
                          and c.kind in ('exclude', 'restore') order by c.id desc limit 1), false)`);
    expect([d.evaluations.value, d.unsatisfied.value, d.satisfactionRate.value]).toEqual([
      ev.n,
      ev.unsatisfied,
      ev.rate,
    ]);
    const ss = await facts(`
      select count(*)::int as n, round(avg(handling_seconds))::int as avg from service_sessions
      where tenant_id = $1 and counter_id = any($2) and ${inJan('started_at')}`);
    expect([d.sessions.value, d.avgHandlingSeconds.value]).toEqual([ss.n, ss.avg]);
    const tk = await facts(`
      select count(*)::int as due, round(100.0 * count(*) filter (where attempts > 0) / count(*), 1)::float8 as coverage,
             round(100.0 * sum(reached_attempts) / sum(attempts) filter (where last_outcome not in ('sent', 'send_failed')), 1)::float8 as reach,
             round(100.0 * count(*) filter (where state = 'done') / count(*), 1)::float8 as completion
      from followup_tasks where tenant_id = $1 and unit_id = any($2) and state <> 'cancelled' and ${inJan('due_from')}`);
    expect([d.followupDue.value, d.followupCoverage.value, d.followupReach.value, d.followupCompletion.value]).toEqual([
      tk.due,
      tk.coverage,
      tk.reach,
      tk.completion,
    ]);
    expect(d.followupOverdue.value).toBe(
      await countRows(
        t,
        `select 1 from followup_tasks where tenant_id = $1 and unit_id = any($2)
           and state in ('pending', 'in_progress', 'follow_up') and ${local('due_until')} < '2033-01-20'`,
        [t.tenantId, sh],
      ),
    );
    expect(d.openTickets.value).toBe(
      await countRows(
        t,
        "select 1 from tickets where tenant_id = $1 and unit_id = any($2) and status not in ('resolved', 'closed')",
        [t.tenantId, sh],
      ),
    );
    expect(d.ticketsReceived.value).toBe(
      await countRows(
        t,
        `select 1 from tickets where tenant_id = $1 and unit_id = any($2) and ${inJan('created_at')}`,
        [t.tenantId, sh],
      ),
    );
    expect(d.churnWarnings.value).toBe(
      await countRows(
        t,
        `select 1 from value_churn_warnings w join customers c on c.id = w.customer_id
         where w.tenant_id = $1 and c.unit_id = any($2) and w.resolved_at is null`,
        [t.tenantId, sh],
      ),
    );
    // CSAT and NPS over the answers of the responses of his units.
    const sv = await facts(`
      select round(100.0 * count(*) filter (where (r.answers->>'q3')::int >= 4) / count(r.answers->>'q3'), 1)::float8 as csat,
             round(100.0 * (count(*) filter (where (r.answers->>'nps')::int >= 9) - count(*) filter (where (r.answers->>'nps')::int <= 6))
                   / count(r.answers->>'nps'), 1)::float8 as nps
      from survey_responses r where r.tenant_id = $1 and r.unit_id = any($2) and ${inJan('r.submitted_at')}`);
    expect([d.csat.value, d.nps.value]).toEqual([sv.csat, sv.nps]);

    // 杭州's manager: one rating (1), one session, one task (done, reached), one open ticket, one churn warning.
    const li = tiles(await dashboard(await t.login('li.manager'), ''));
    expect([
      li.evaluations.value,
      li.unsatisfied.value,
      li.sessions.value,
      li.followupDue.value,
      li.followupCompletion.value,
      li.openTickets.value,
      li.churnWarnings.value,
    ]).toEqual([1, 1, 1, 1, 100, 1, 1]);
  });
});

describe('drill-down from the follow-up tiles to the task list (unit and due-day filters)', () => {
  const list = async (c: TClient, query: string) => {
    const res = await c.get(`/api/followup/tasks?pageSize=100&${query}`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json<TPage<TTask>>();
  };
  const summary = async (c: TClient, query: string) => {
    const res = await c.get(`/api/followup/tasks/summary?${query}`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json<TTaskSummary>();
  };

  it('lists the tasks behind 应回访: the due window opening in the period, in the unit subtree', async () => {
    const sh = await unitIdByCode(t, 'SH');
    const jan = `unitId=${sh}&from=2033-01-01&to=2033-01-31`;
    // January, 上海: k1–k5 (k5 cancelled); not 杭州's k6, not December's p1, p2.
    expect((await list(zhang, jan)).total).toBe(5);
    // The tile counts the tasks not cancelled: the list's summary by state agrees.
    const s = await summary(zhang, jan);
    const { cancelled = 0, ...rest } = s.byState;
    expect(Object.values(rest).reduce((a, b) => a + b, 0)).toBe(tiles(await dashboard(zhang, '')).followupDue.value);
    expect([s.total, cancelled]).toEqual([5, 1]);
    // 徐家汇 only: k1, k2, k5. 陆家嘴 on 13–14 January (local days): k4 (opens 14 Jan 09:00), not k3 (12 Jan).
    expect((await list(zhang, `unitId=${xjh}&from=2033-01-01&to=2033-01-31`)).total).toBe(3);
    const l = await list(zhang, `unitId=${ljz}&from=2033-01-13&to=2033-01-14`);
    expect(l.items.map((x) => x.dueFrom)).toEqual(['2033-01-14T01:00:00.000Z']);
    // A day is local: 14 January 09:00 local is 01:00 UTC, so the day before (13th) alone holds nothing.
    expect((await list(zhang, `unitId=${ljz}&from=2033-01-13&to=2033-01-13`)).total).toBe(0);
    // December: p1, p2.
    expect((await list(zhang, `from=2032-12-01&to=2032-12-31`)).total).toBe(2);
  });

  it("a unit outside the caller's subtree is a 404 naming the field; a reversed range a 400", async () => {
    expectError(await zhang.get(`/api/followup/tasks?unitId=${hz}`), 404, 'NOT_FOUND', ['querystring.unitId']);
    expectError(await zhang.get(`/api/followup/tasks/summary?unitId=${hz}`), 404, 'NOT_FOUND', ['querystring.unitId']);
    expectError(await zhang.get('/api/followup/tasks?from=2033-01-31&to=2033-01-01'), 400, 'VALIDATION_FAILED', [
      'querystring.to',
    ]);
    expectError(await zhang.get('/api/followup/tasks?from=2033-13-01'), 400, 'VALIDATION_FAILED', ['querystring.from']);
  });
});

describe('工作台 summary from the read models', () => {
  it("a manager's open and overdue tasks and pending appeals agree with the 驾驶舱 and with direct SQL over his subtree", async () => {
    // 20 January 12:00 local: a task of 徐家汇 whose window closed at 09:00 today is not overdue before tomorrow, in
    // the 驾驶舱's 逾期 (window closed before today) and now in the 工作台 too (it used to count it, reading the tasks).
    t.clock.set('2033-01-20T04:00:00Z');
    const manager = await t.login('zhang.manager');
    const plan = (
      await t.pool.query<{ plan_id: string; customer_id: string }>(
        'select plan_id, customer_id from followup_tasks where tenant_id = $1 limit 1',
        [t.tenantId],
      )
    ).rows[0]!;
    await t.pool.query(
      `insert into followup_tasks (tenant_id, plan_id, customer_id, occurrence_key, unit_id, state, due_from, due_until,
                                   created_at, updated_at)
       values ($1, $2, $3, $4, $5, 'pending', '2033-01-19T01:00:00Z', '2033-01-20T01:00:00Z', now(), now())`,
      [t.tenantId, plan.plan_id, plan.customer_id, crypto.randomUUID(), xjh],
    );
    const res = await manager.get('/api/dashboard/summary');
    expect(res.statusCode, res.body).toBe(200);
    const s = res.json<TDashboardSummary>();
    const d = tiles(await dashboard(manager, ''));
    const sh = await subtreeUnitIds(t, 'SH');
    const open = await t.pool.query<{ n: number; overdue: number }>(
      `select count(*)::int as n, (count(*) filter (where due_until < $3))::int as overdue from followup_tasks
       where tenant_id = $1 and unit_id = any($2) and state in ('pending', 'in_progress', 'follow_up')`,
      [t.tenantId, sh, '2033-01-19T16:00:00Z'],
    );
    // Open: k2, k3 and the new one; overdue: k2 only (window closed 17 January).
    expect(s.teamTasks).toEqual({ open: open.rows[0]!.n, overdue: d.followupOverdue.value });
    expect(s.teamTasks).toEqual({ open: 3, overdue: 1 });
    expect(open.rows[0]!.overdue).toBe(1);
    // Pending appeals: the one filed on 20 January and not decided (the other was excluded the same day).
    expect(s.evaluations?.openAppeals).toBe(1);
  });
});
