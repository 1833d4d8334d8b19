import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TAnalyticsDashboard, TAnalyticsTile } from '@huifang/shared';
import { countRows, expectError, subtreeUnitIds, unitIdByCode, userIdByName } from '../../../test/helpers.ts';
import { createTestApp, type TClient, type TTestApp } from '../../../test/test-app.ts';
import { recordEvaluation } from '../evaluations/evaluations.write.ts';

let t: TTestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

const dashboard = async (c: TClient, query: string): Promise<TAnalyticsDashboard> => {
  const res = await c.get(`/api/analytics/dashboard?${query}`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
};
const tile = (d: TAnalyticsDashboard, key: TAnalyticsTile['key']) => {
  const found = d.tiles.find((x) => x.key === key);
  expect(found, key).toBeDefined();
  const { value, previous, lastYear, changePct, yoyPct } = found!;
  return { value, previous, lastYear, changePct, yoyPct };
};

/** Counted (not excluded) evaluations of a subtree over local days [from, to), straight from the facts. */
const factCount = (unitIds: string[], from: string, to: string, where: string) =>
  countRows(
    t,
    `select 1 from evaluations e join tenants tn on tn.id = e.tenant_id
     where e.tenant_id = $1 and e.unit_id = any($2) and (e.occurred_at at time zone tn.time_zone)::date >= $3::date
       and (e.occurred_at at time zone tn.time_zone)::date < $4::date and ${where}
       and coalesce((select c.kind from evaluation_corrections c where c.evaluation_id = e.id
                     and c.kind in ('exclude', 'restore') order by c.at desc, c.id desc limit 1), 'restore') <> 'exclude'`,
    [t.tenantId, unitIds, from, to],
  );

describe('GET /api/analytics/dashboard (驾驶舱)', () => {
  it('tiles of a branch manager by hand-computed expectation: 环比, 同比, month boundary in the tenant zone, exclusion; subtree = SQL over the facts; a teller gets only his own', async () => {
    const xjh = await unitIdByCode(t, 'SH-XJH');
    const ljz = await unitIdByCode(t, 'SH-LJZ');
    const hz = await unitIdByCode(t, 'HZ-XH');
    const teller = await userIdByName(t, 'teller03');
    const seed = (unitId: string, score: number | null, at: string, staffId: string | null) =>
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
    // March 2031 (Asia/Shanghai): 新街口 5, 4, 2, 1, 未评价 (teller03); 陆家嘴 5, and 4 at 00:30 on 1 March local
    // (still 28 February in UTC); one more 1 at 新街口 that is excluded on appeal below.
    await seed(xjh, 5, '2031-03-05T02:00:00Z', teller);
    await seed(xjh, 4, '2031-03-10T02:00:00Z', teller);
    await seed(xjh, 2, '2031-03-12T02:00:00Z', teller);
    await seed(xjh, 1, '2031-03-20T02:00:00Z', teller);
    await seed(xjh, null, '2031-03-21T02:00:00Z', teller);
    await seed(ljz, 5, '2031-03-15T02:00:00Z', null);
    await seed(ljz, 4, '2031-02-28T16:30:00Z', null);
    const excluded = await seed(xjh, 1, '2031-03-30T02:00:00Z', teller);
    // 00:30 on 1 April local (31 March in UTC): April, not March.
    await seed(xjh, 1, '2031-03-31T16:30:00Z', teller);
    // February 2031 (环比): 5, 5, 4, 1 — 23:30 local on 28 February counts in February.
    await seed(xjh, 5, '2031-02-03T02:00:00Z', teller);
    await seed(xjh, 5, '2031-02-10T02:00:00Z', teller);
    await seed(xjh, 4, '2031-02-15T02:00:00Z', teller);
    await seed(xjh, 1, '2031-02-28T15:30:00Z', teller);
    // March 2030 (同比): 5, 2.
    await seed(xjh, 5, '2030-03-03T02:00:00Z', teller);
    await seed(xjh, 2, '2030-03-25T02:00:00Z', teller);
    // Another branch (杭州), March 2031: two 不满意, never in 上海's figures.
    await seed(hz, 1, '2031-03-05T02:00:00Z', null);
    await seed(hz, 2, '2031-03-06T02:00:00Z', null);

    // Customer flow: two sessions of teller03 at a 新街口 counter in March (300 s, 600 s), one in February (120 s).
    const counter = (
      await t.pool.query("select id from org_units where parent_id = $1 and type = 'counter' order by path limit 1", [
        xjh,
      ])
    ).rows[0].id as string;
    for (const [startedAt, secs] of [
      ['2031-03-02T02:00:00Z', 300],
      ['2031-03-03T02:00:00Z', 600],
      ['2031-02-03T02:00:00Z', 120],
    ] as const) {
      const start = new Date(startedAt);
      await t.pool.query(
        'insert into service_sessions (tenant_id, counter_id, outlet_id, staff_id, business_type, started_at, ended_at, handling_seconds) values ($1, $2, $3, $4, $5, $6, $7, $8)',
        [t.tenantId, counter, xjh, teller, '对私', start, new Date(start.getTime() + secs * 1000), secs],
      );
    }

    // Appeal and exclusion of the last March 1 (through the corrections API).
    t.clock.set('2031-03-31T06:00:00Z');
    const tellerClient = await t.login('teller03');
    const zhang = await t.login('zhang.manager');
    expect((await tellerClient.post(`/api/evaluations/${excluded.id}/appeal`, { reason: '客户误按' })).statusCode).toBe(
      200,
    );
    expect((await zhang.post(`/api/evaluations/${excluded.id}/exclude`, { reason: '监控确认误按' })).statusCode).toBe(
      200,
    );

    // Complaint tickets (ticket_rollups): one received in February about teller03, two in March (one in 杭州).
    const newTicket = async (c: TClient, unitId: string, staffId: string | null) => {
      const res = await c.post('/api/tickets', {
        title: '柜员态度差',
        category: 'service_attitude',
        priority: 'normal',
        unitId,
        ...(staffId ? { staffId } : {}),
      });
      expect(res.statusCode, res.body).toBe(201);
    };
    t.clock.set('2031-02-20T06:00:00Z');
    await newTicket(zhang, xjh, teller);
    t.clock.set('2031-03-31T06:00:00Z');
    await newTicket(zhang, xjh, teller);
    await newTicket(await t.login('li.manager'), hz, null);

    // Default period: this month in the tenant's zone (the clock is in March 2031).
    const d = await dashboard(zhang, '');
    expect([d.period, d.current, d.previous, d.lastYear]).toEqual([
      'month',
      { fromDay: '2031-03-01', toDay: '2031-04-01' },
      { fromDay: '2031-02-01', toDay: '2031-03-01' },
      { fromDay: '2030-03-01', toDay: '2030-04-01' },
    ]);
    // March: rated 5,4,2,1,5,4 (6; 4 satisfied), 1 未评价; February: 5,5,4,1; March 2030: 5,2.
    expect(tile(d, 'satisfactionRate')).toEqual({
      value: 66.7,
      previous: 75,
      lastYear: 50,
      changePct: -11.1,
      yoyPct: 33.4,
    });
    expect(tile(d, 'unsatisfied')).toEqual({ value: 2, previous: 1, lastYear: 1, changePct: 100, yoyPct: 100 });
    expect(tile(d, 'evaluations')).toEqual({ value: 7, previous: 4, lastYear: 2, changePct: 75, yoyPct: 250 });
    expect(tile(d, 'sessions')).toEqual({ value: 2, previous: 1, lastYear: 0, changePct: 100, yoyPct: null });
    expect(tile(d, 'avgHandlingSeconds')).toEqual({
      value: 450,
      previous: 120,
      lastYear: null,
      changePct: 275,
      yoyPct: null,
    });
    expect(tile(d, 'ticketsReceived')).toEqual({ value: 1, previous: 1, lastYear: 0, changePct: 0, yoyPct: null });
    expect(tile(d, 'slaBreaches')).toEqual({ value: 0, previous: 0, lastYear: 0, changePct: null, yoyPct: null });

    // The trend: one point a day; 1 March holds the evaluation of 00:30 local.
    expect(d.trend).toHaveLength(31);
    expect(d.trend[0]).toMatchObject({ day: '2031-03-01', evaluations: 1, rated: 1, satisfactionRate: 100 });
    expect(d.trend.reduce((n, p) => n + p.evaluations, 0)).toBe(7);

    // 满意度排名 of the outlets below 上海分行, worst first; outlets without ratings last.
    const sh = await subtreeUnitIds(t, 'SH');
    const outlets = await countRows(t, "select 1 from org_units where parent_id = $1 and type = 'outlet'", [
      await unitIdByCode(t, 'SH'),
    ]);
    expect(d.ranking).toHaveLength(outlets);
    expect(d.ranking.slice(0, 2).map((r) => [r.unitId, r.rated, r.satisfactionRate, r.unsatisfied])).toEqual([
      [xjh, 4, 50, 2],
      [ljz, 2, 100, 0],
    ]);
    expect(d.ranking.slice(2).every((r) => r.rated === 0 && r.satisfactionRate === null)).toBe(true);

    // The manager's figures equal a direct count over the facts of his subtree; 杭州's are not in them.
    expect(tile(d, 'unsatisfied').value).toBe(
      await factCount(sh, '2031-03-01', '2031-04-01', 'e.score between 1 and 2'),
    );
    expect(tile(d, 'evaluations').value).toBe(await factCount(sh, '2031-03-01', '2031-04-01', 'true'));
    const li = await dashboard(await t.login('li.manager'), 'period=month&date=2031-03-31');
    expect([tile(li, 'evaluations').value, tile(li, 'unsatisfied').value, tile(li, 'ticketsReceived').value]).toEqual([
      2, 2, 1,
    ]);
    expect(tile(li, 'evaluations').value).toBe(
      await factCount(await subtreeUnitIds(t, 'HZ'), '2031-03-01', '2031-04-01', 'true'),
    );
    // The whole tenant (admin): both branches.
    const all = await dashboard(await t.login('admin'), 'period=month&date=2031-03-15');
    expect([tile(all, 'evaluations').value, tile(all, 'unsatisfied').value]).toEqual([9, 4]);

    // A teller (own scope): only his ratings and sessions, no ranking.
    const own = await dashboard(tellerClient, 'period=month&date=2031-03-31');
    expect(tile(own, 'evaluations')).toMatchObject({ value: 5, previous: 4, lastYear: 2 });
    expect(tile(own, 'unsatisfied')).toMatchObject({ value: 2, previous: 1, lastYear: 1 });
    expect(tile(own, 'satisfactionRate').value).toBe(50);
    expect(tile(own, 'sessions').value).toBe(2);
    expect(tile(own, 'ticketsReceived')).toMatchObject({ value: 1, previous: 1 });
    expect(own.ranking).toEqual([]);

    // Other periods: the day of 1 March (环比 28 February, 同比 1 March 2030) and the ISO week across it.
    const day = await dashboard(zhang, 'period=day&date=2031-03-01');
    expect([day.previous, day.lastYear]).toEqual([
      { fromDay: '2031-02-28', toDay: '2031-03-01' },
      { fromDay: '2030-03-01', toDay: '2030-03-02' },
    ]);
    // 28 February local: the 1 at 23:30 local only (the 4 at 00:30 local is 1 March).
    expect(tile(day, 'evaluations')).toMatchObject({ value: 1, previous: 1 });
    expect(tile(day, 'unsatisfied')).toMatchObject({ value: 0, previous: 1 });
    // A month still running (today 10 March): 1–10 March against 1–10 February and 1–10 March 2030.
    t.clock.set('2031-03-10T06:00:00Z');
    const running = await dashboard(await t.login('zhang.manager'), '');
    expect([running.current, running.previous, running.lastYear]).toEqual([
      { fromDay: '2031-03-01', toDay: '2031-03-11' },
      { fromDay: '2031-02-01', toDay: '2031-02-11' },
      { fromDay: '2030-03-01', toDay: '2030-03-11' },
    ]);
    // March 1–10: 4 (1 March local), 5, 4; February 1–10: 5, 5; March 2030 1–10: 5.
    expect(tile(running, 'evaluations')).toEqual({ value: 3, previous: 2, lastYear: 1, changePct: 50, yoyPct: 200 });
    expect(running.trend).toHaveLength(31);
    t.clock.set('2031-03-31T06:00:00Z');

    const year = await dashboard(zhang, 'period=year&date=2031-06-01');
    // The year 2031 runs to today (31 March): the April evaluation is not yet counted; 2030 cut to 1 January–31 March.
    expect(year.current).toEqual({ fromDay: '2031-01-01', toDay: '2031-04-01' });
    expect(tile(year, 'evaluations')).toMatchObject({ value: 11, previous: 2, lastYear: 2 });
    const past = await dashboard(zhang, 'period=year&date=2030-06-01');
    expect(past.current).toEqual({ fromDay: '2030-01-01', toDay: '2031-01-01' });
    expect(tile(past, 'evaluations').value).toBe(2);
    expect(year.trend).toHaveLength(365);
  });

  it('rejects a bad period or date with the field at fault; a kiosk account has no dashboard', async () => {
    const zhang = await t.login('zhang.manager');
    expectError(await zhang.get('/api/analytics/dashboard?period=decade'), 400, 'VALIDATION_FAILED', [
      'querystring.period',
    ]);
    expectError(await zhang.get('/api/analytics/dashboard?date=2031-02-30'), 400, 'VALIDATION_FAILED', [
      'querystring.date',
    ]);
    expectError(await (await t.login('kiosk.sh-ljz-w1')).get('/api/analytics/dashboard'), 403, 'FORBIDDEN');
  });
});
