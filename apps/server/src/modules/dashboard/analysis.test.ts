import crypto from 'node:crypto';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TAnalysis, TAnalysisRow, TEvaluationStream, TRanking, TSurveyDetail } from '@huifang/shared';
import {
  auditRowsOfRequest,
  countRows,
  expectError,
  subtreeUnitIds,
  unitIdByCode,
  userIdByName,
} from '../../../test/helpers.ts';
import { createCustomer } from '../../../test/customers-helpers.ts';
import { createTestApp, type TClient, type TTestApp } from '../../../test/test-app.ts';
import { recordEvaluation } from '../evaluations/evaluations.write.ts';

let t: TTestApp;
let zhang: TClient;
const ids: Record<string, string> = {};
let excludedId = '';

/**
 * A small known data set, March–April 2032 (Asia/Shanghai; 1 March 2032 is a Monday):
 * 徐家汇 1号窗口 (teller03, kiosk): 5 (3-05), 4 (3-10), 2 (3-12), 1 (3-20), 未评价 (3-21), 1 (3-30, excluded on
 *   appeal), 5 (4-02); 徐家汇 2号窗口 (no staff, survey channel): 3 (3-15);
 * 陆家嘴 1号窗口 (chen.teller, kiosk): 5 (3-02), 5 (3-09), 4 at 00:30 on 3-16 local (3-15 in UTC);
 * 杭州 西湖 (outside 上海): 1, 1 in March.
 * Sessions of teller03 at 徐家汇 1号窗口 in March: 300 s and 600 s. One complaint ticket at 徐家汇 in March.
 */
beforeAll(async () => {
  t = await createTestApp();
  for (const code of ['SH', 'HZ', 'SH-XJH', 'SH-LJZ', 'SH-ZJ', 'HZ-XH', 'SH-XJH-W1', 'SH-XJH-W2', 'SH-LJZ-W1'])
    ids[code] = await unitIdByCode(t, code);
  ids.teller03 = await userIdByName(t, 'teller03');
  ids.teller01 = await userIdByName(t, 'chen.teller');
  const seed = (
    unit: string,
    counter: string | null,
    staff: string | null,
    score: number | null,
    at: string,
    channel: 'kiosk' | 'survey' = 'kiosk',
  ) =>
    recordEvaluation(t.db, {
      tenantId: t.tenantId,
      channel,
      occurredAt: new Date(at),
      unitId: ids[unit]!,
      counterId: counter ? ids[counter]! : null,
      staffId: staff ? ids[staff]! : null,
      sourceType: channel === 'kiosk' ? 'device' : 'link',
      score,
      idempotencyKey: crypto.randomUUID(),
    });
  const xjh = (score: number | null, at: string) => seed('SH-XJH', 'SH-XJH-W1', 'teller03', score, at);
  await xjh(5, '2032-03-05T02:00:00Z');
  await xjh(4, '2032-03-10T02:00:00Z');
  await xjh(2, '2032-03-12T02:00:00Z');
  await xjh(1, '2032-03-20T02:00:00Z');
  await xjh(null, '2032-03-21T02:00:00Z');
  excludedId = (await xjh(1, '2032-03-30T02:00:00Z')).id;
  await xjh(5, '2032-04-02T02:00:00Z');
  await seed('SH-XJH', 'SH-XJH-W2', null, 3, '2032-03-15T02:00:00Z', 'survey');
  await seed('SH-LJZ', 'SH-LJZ-W1', 'teller01', 5, '2032-03-02T02:00:00Z');
  await seed('SH-LJZ', 'SH-LJZ-W1', 'teller01', 5, '2032-03-09T02:00:00Z');
  await seed('SH-LJZ', 'SH-LJZ-W1', 'teller01', 4, '2032-03-15T16:30:00Z');
  await seed('HZ-XH', null, null, 1, '2032-03-05T02:00:00Z');
  await seed('HZ-XH', null, null, 1, '2032-03-06T02:00:00Z');
  for (const [startedAt, secs] of [
    ['2032-03-02T02:00:00Z', 300],
    ['2032-03-03T02:00:00Z', 600],
  ] as const) {
    const start = new Date(startedAt);
    await t.pool.query(
      'insert into service_sessions (tenant_id, counter_id, outlet_id, staff_id, business_type, started_at, ended_at, handling_seconds) values ($1, $2, $3, $4, $5, $6, $7, $8)',
      [
        t.tenantId,
        ids['SH-XJH-W1'],
        ids['SH-XJH'],
        ids.teller03,
        '对私',
        start,
        new Date(start.getTime() + secs * 1000),
        secs,
      ],
    );
  }
  t.clock.set('2032-03-31T06:00:00Z');
  zhang = await t.login('zhang.manager');
  const teller = await t.login('teller03');
  expect((await teller.post(`/api/evaluations/${excludedId}/appeal`, { reason: '客户误按' })).statusCode).toBe(200);
  expect((await zhang.post(`/api/evaluations/${excludedId}/exclude`, { reason: '监控确认误按' })).statusCode).toBe(200);
  const ticket = await zhang.post('/api/tickets', {
    title: '柜员态度差',
    category: 'service_attitude',
    priority: 'normal',
    unitId: ids['SH-XJH'],
    staffId: ids.teller03,
  });
  expect(ticket.statusCode, ticket.body).toBe(201);
  // Today is 20 April 2032 (sessions live 12 h: log in again).
  t.clock.set('2032-04-20T06:00:00Z');
  zhang = await t.login('zhang.manager');
});
afterAll(async () => t.close());

const analysis = async (c: TClient, query: string): Promise<TAnalysis> => {
  const res = await c.get(`/api/analytics/analysis?${query}`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
};
const figures = (r: TAnalysisRow | undefined) => {
  expect(r).toBeDefined();
  const { evaluations, rated, satisfied, satisfactionRate, avgScore, unsatisfied, unrated, excluded } = r!;
  return { evaluations, rated, satisfied, satisfactionRate, avgScore, unsatisfied, unrated, excluded };
};
const row = (a: TAnalysis, key: string | null) => a.rows.find((r) => r.key === key);
const MARCH_APRIL = 'from=2032-03-01&to=2032-04-30';

describe('GET /api/analytics/analysis (统计分析)', () => {
  it('cuts a branch by its outlets: figures by hand, the excluded-on-appeal rating apart, sessions and tickets beside', async () => {
    const a = await analysis(zhang, `${MARCH_APRIL}&groupBy=unit`);
    expect([a.unit.name, a.from, a.to]).toEqual(['上海分行', '2032-03-01', '2032-04-30']);
    // Every outlet of 上海, the empty one (张江) too.
    expect(a.rows.map((r) => r.key).sort()).toEqual([ids['SH-LJZ'], ids['SH-XJH'], ids['SH-ZJ']].sort());
    // 徐家汇: 5,4,2,1,未评价,5 (kiosk) + 3 (survey); the excluded 1 apart. Mean (5+4+2+1+5+3)/6 = 3.33.
    expect(figures(row(a, ids['SH-XJH']!))).toEqual({
      evaluations: 7,
      rated: 6,
      satisfied: 3,
      satisfactionRate: 50,
      avgScore: 3.33,
      unsatisfied: 2,
      unrated: 1,
      excluded: 1,
    });
    expect(row(a, ids['SH-XJH']!)).toMatchObject({ sessions: 2, avgHandlingSeconds: 450, ticketsReceived: 1 });
    expect(row(a, ids['SH-XJH']!)?.drill).toEqual({ unitId: ids['SH-XJH'], from: '2032-03-01', to: '2032-04-30' });
    expect(figures(row(a, ids['SH-LJZ']!))).toMatchObject({
      evaluations: 3,
      rated: 3,
      satisfactionRate: 100,
      avgScore: 4.67,
    });
    expect(figures(row(a, ids['SH-ZJ']!))).toMatchObject({ evaluations: 0, satisfactionRate: null, avgScore: null });
    // 合计: (20 + 14) / 9 = 3.78; 6 of 9 satisfied.
    expect(figures(a.total)).toEqual({
      evaluations: 10,
      rated: 9,
      satisfied: 6,
      satisfactionRate: 66.7,
      avgScore: 3.78,
      unsatisfied: 2,
      unrated: 1,
      excluded: 1,
    });
    // The branch manager's figures equal a direct count over his subtree's facts (excluded ones left out).
    const sh = await subtreeUnitIds(t, 'SH');
    const facts = await countRows(
      t,
      `select 1 from evaluations e where e.tenant_id = $1 and e.unit_id = any($2)
         and (e.occurred_at at time zone 'Asia/Shanghai')::date between '2032-03-01' and '2032-04-30'
         and not evaluation_is_excluded(e.tenant_id, e.id)`,
      [t.tenantId, sh],
    );
    expect(a.total.evaluations).toBe(facts);
    const unsatisfiedFacts = await countRows(
      t,
      `select 1 from evaluations e where e.tenant_id = $1 and e.unit_id = any($2) and e.score <= 2
         and (e.occurred_at at time zone 'Asia/Shanghai')::date between '2032-03-01' and '2032-04-30'
         and not evaluation_is_excluded(e.tenant_id, e.id)`,
      [t.tenantId, sh],
    );
    expect(a.total.unsatisfied).toBe(unsatisfiedFacts);
  });

  it('cuts by staff, counter, channel and by period buckets (weeks from Monday, clipped to the range, local days)', async () => {
    const staff = await analysis(zhang, `${MARCH_APRIL}&groupBy=staff`);
    expect(figures(row(staff, ids.teller03!))).toMatchObject({
      evaluations: 6,
      rated: 5,
      satisfied: 3,
      satisfactionRate: 60,
    });
    expect(figures(row(staff, ids.teller01!))).toMatchObject({ evaluations: 3, satisfactionRate: 100 });
    expect(figures(row(staff, null))).toMatchObject({ evaluations: 1, avgScore: 3 });
    expect(row(staff, ids.teller03!)).toMatchObject({ sessions: 2, ticketsReceived: 1 });

    const counter = await analysis(zhang, `${MARCH_APRIL}&groupBy=counter`);
    expect(row(counter, ids['SH-XJH-W1']!)).toMatchObject({
      label: '徐家汇支行 · 1号窗口',
      evaluations: 6,
      ticketsReceived: null,
    });
    expect(row(counter, ids['SH-XJH-W2']!)?.evaluations).toBe(1);
    expect(row(counter, ids['SH-XJH-W2']!)?.drill).toMatchObject({ counterId: ids['SH-XJH-W2'] });

    const channel = await analysis(zhang, `${MARCH_APRIL}&groupBy=channel`);
    expect(Object.fromEntries(channel.rows.map((r) => [r.key, [r.evaluations, r.sessions]]))).toEqual({
      kiosk: [9, null],
      survey: [1, null],
    });

    const kioskOnly = await analysis(zhang, `${MARCH_APRIL}&groupBy=unit&channel=kiosk`);
    expect(row(kioskOnly, ids['SH-XJH']!)).toMatchObject({ evaluations: 6, ticketsReceived: null, sessions: 2 });

    const months = await analysis(zhang, `${MARCH_APRIL}&groupBy=period&granularity=month`);
    expect(months.rows.map((r) => [r.label, r.evaluations])).toEqual([
      ['2032-03', 9],
      ['2032-04', 1],
    ]);
    const weeks = await analysis(zhang, 'from=2032-03-03&to=2032-03-16&groupBy=period&granularity=week');
    // 3-02 (陆家嘴 5) is before the range; 00:30 on 3-16 local is in the third week.
    expect(weeks.rows.map((r) => [r.key, r.evaluations, r.drill?.from, r.drill?.to])).toEqual([
      ['2032-03-01', 1, '2032-03-03', '2032-03-07'],
      ['2032-03-08', 3, '2032-03-08', '2032-03-14'],
      ['2032-03-15', 2, '2032-03-15', '2032-03-16'],
    ]);
    const days = await analysis(zhang, 'from=2032-03-15&to=2032-03-16&groupBy=period&granularity=day');
    expect(days.rows.map((r) => [r.key, r.evaluations])).toEqual([
      ['2032-03-15', 1],
      ['2032-03-16', 1],
    ]);
    // A preset: last month of the clock (20 April 2032) is March.
    const lastMonth = await analysis(zhang, 'preset=lastMonth&groupBy=unit');
    expect([lastMonth.from, lastMonth.to, lastMonth.total.evaluations]).toEqual(['2032-03-01', '2032-03-31', 9]);
  });

  it('scope: a unit of another branch is a 404; a teller gets only his own rows; bad periods are a 400 naming the field', async () => {
    expectError(await zhang.get(`/api/analytics/analysis?unitId=${ids['HZ-XH']}`), 404, 'NOT_FOUND', [
      'querystring.unitId',
    ]);
    expectError(await zhang.get(`/api/analytics/ranking?unitId=${ids.HZ}`), 404, 'NOT_FOUND', ['querystring.unitId']);
    expectError(await zhang.get(`/api/analytics/analysis?counterId=${ids['HZ-XH']}`), 404, 'NOT_FOUND', [
      'querystring.counterId',
    ]);
    // A narrower unit inside the scope is fine: 徐家汇 cut by its counters.
    const xjh = await analysis(zhang, `${MARCH_APRIL}&unitId=${ids['SH-XJH']}&groupBy=unit`);
    expect(row(xjh, ids['SH-XJH']!)).toMatchObject({ label: '徐家汇支行（本级）', evaluations: 7 });

    const teller = await t.login('teller03');
    const own = await analysis(teller, `${MARCH_APRIL}&groupBy=unit`);
    expect(figures(own.total)).toMatchObject({ evaluations: 6, rated: 5, satisfied: 3, excluded: 1 });
    expect(own.total.sessions).toBe(2);
    expectError(await teller.get(`/api/analytics/analysis?unitId=${ids['SH-XJH']}`), 404, 'NOT_FOUND', [
      'querystring.unitId',
    ]);

    expectError(await zhang.get('/api/analytics/analysis?from=2032-03-10&to=2032-03-01'), 400, 'VALIDATION_FAILED', [
      'querystring.to',
    ]);
    expectError(await zhang.get('/api/analytics/analysis?from=2032-03-10'), 400, 'VALIDATION_FAILED', [
      'querystring.to',
    ]);
    expectError(await zhang.get('/api/analytics/analysis?from=2020-01-01&to=2032-03-01'), 400, 'VALIDATION_FAILED', [
      'querystring.to',
    ]);
    expectError(
      await zhang.get('/api/analytics/analysis?from=2031-01-01&to=2032-03-01&granularity=day&groupBy=period'),
      400,
      'VALIDATION_FAILED',
      ['querystring.granularity'],
    );
    expectError(await zhang.get('/api/analytics/analysis?from=2032-02-30&to=2032-03-01'), 400, 'VALIDATION_FAILED', [
      'querystring.from',
    ]);
    expectError(await zhang.get('/api/analytics/analysis?groupBy=dimension'), 400, 'VALIDATION_FAILED', [
      'querystring.surveyId',
    ]);
  });
});

describe('GET /api/analytics/ranking (满意度排名)', () => {
  it('ranks outlets worst and best among those with the minimum sample; staff, counters and branches too', async () => {
    const outlets = async (minRated: number): Promise<TRanking> => {
      const res = await zhang.get(`/api/analytics/ranking?kind=outlet&${MARCH_APRIL}&minRated=${minRated}`);
      expect(res.statusCode, res.body).toBe(200);
      return res.json();
    };
    const three = await outlets(3);
    expect(three.worst.map((r) => [r.name, r.rated, r.satisfactionRate])).toEqual([
      ['徐家汇支行', 6, 50],
      ['陆家嘴支行', 3, 100],
    ]);
    expect(three.best[0]?.name).toBe('陆家嘴支行');
    expect(three.worst[0]?.drill).toEqual({ unitId: ids['SH-XJH'], from: '2032-03-01', to: '2032-04-30' });
    // With at least 4 ratings, 陆家嘴's 100 % (3 ratings) is not ranked.
    const four = await outlets(4);
    expect([four.best.map((r) => r.name), four.ranked, four.unranked]).toEqual([['徐家汇支行'], 1, 1]);

    const staff: TRanking = (await zhang.get(`/api/analytics/ranking?kind=staff&${MARCH_APRIL}&minRated=1`)).json();
    expect(staff.worst.map((r) => [r.id, r.satisfactionRate, r.drill.staffId])).toEqual([
      [ids.teller03, 60, ids.teller03],
      [ids.teller01, 100, ids.teller01],
    ]);
    const counters: TRanking = (
      await zhang.get(`/api/analytics/ranking?kind=counter&${MARCH_APRIL}&minRated=1`)
    ).json();
    expect(counters.worst[0]).toMatchObject({ name: '徐家汇支行 · 2号窗口', satisfactionRate: 0 });
    const branches: TRanking = (await zhang.get(`/api/analytics/ranking?kind=branch&${MARCH_APRIL}&minRated=1`)).json();
    expect(branches.worst.map((r) => [r.name, r.rated, r.satisfactionRate])).toEqual([['上海分行', 9, 66.7]]);
  });
});

describe('drill-down and exports', () => {
  it('the evaluations list shows the 不满意 behind a figure: unit subtree, local-day range, counter, counted only', async () => {
    const list = async (q: string): Promise<TEvaluationStream> => {
      const res = await zhang.get(`/api/evaluations?${q}`);
      expect(res.statusCode, res.body).toBe(200);
      return res.json();
    };
    const drill = `unitId=${ids['SH-XJH']}&from=2032-03-01&to=2032-04-30&sentiment=unsatisfied`;
    // The figure is 2; the excluded 1 is listed unless the list asks for counted ones only.
    expect((await list(`${drill}&excluded=false`)).items.map((e) => e.score)).toEqual([1, 2]);
    expect((await list(drill)).items.map((e) => e.score)).toEqual([1, 1, 2]);
    expect(
      (await list(`counterId=${ids['SH-XJH-W2']}&from=2032-03-01&to=2032-04-30`)).items.map((e) => e.score),
    ).toEqual([3]);
    // 00:30 on 16 March local is 16 March, not 15.
    expect((await list(`unitId=${ids['SH-LJZ']}&from=2032-03-16&to=2032-03-16`)).items.map((e) => e.score)).toEqual([
      4,
    ]);
    expect((await list(`unitId=${ids['SH-LJZ']}&from=2032-03-15&to=2032-03-15`)).items).toEqual([]);
    expect((await list(`unitId=${ids.SH}&from=2032-03-01&to=2032-04-30&sentiment=satisfied`)).items).toHaveLength(6);
  });

  it('exports the analysis and the evaluations list as xlsx with the filters on the sheet, audited', async () => {
    const rowsOf = async (buf: Buffer) => {
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load(buf as unknown as ArrayBuffer);
      return (wb.worksheets[0]!.getSheetValues() as unknown[][]).filter(Boolean).map((r) => r.slice(1));
    };
    const res = await zhang.get(`/api/analytics/analysis/export?${MARCH_APRIL}&groupBy=unit`);
    expect(res.statusCode, res.body).toBe(200);
    const sheet = await rowsOf(res.rawPayload);
    expect(sheet.slice(0, 4)).toEqual([
      ['单位', '上海分行'],
      ['时间范围', '2032-03-01 ~ 2032-04-30'],
      ['统计粒度', '月'],
      ['分组', '下级单位'],
    ]);
    const xjh = sheet.find((r) => r[0] === '徐家汇支行');
    expect(xjh?.slice(0, 9)).toEqual(['徐家汇支行', 7, 6, 3, 50, 3.33, 2, 1, 1]);
    expect(sheet.at(-1)?.slice(0, 2)).toEqual(['合计', 10]);
    const audit = await auditRowsOfRequest(t, res);
    expect(audit.map((a) => a.action)).toEqual(['analysis.exported']);

    const ev = await zhang.get(
      `/api/evaluations/export?unitId=${ids['SH-XJH']}&from=2032-03-01&to=2032-04-30&sentiment=unsatisfied&excluded=false`,
    );
    expect(ev.statusCode, ev.body).toBe(200);
    const evRows = await rowsOf(ev.rawPayload);
    expect(evRows.slice(0, 6)).toEqual([
      ['单位', '徐家汇支行'],
      ['满意度', '不满意（1–2 分）'],
      ['开始', '2032-03-01'],
      ['结束', '2032-04-30'],
      ['状态', '计入统计'],
      ['评价时间', '渠道', '评分', '评价', '单位', '窗口', '服务人员', '客户', '文字评价', '状态', '申诉'],
    ]);
    expect(evRows.slice(6).map((r) => [r[2], r[4], r[5], r[6]])).toEqual([
      [1, '徐家汇支行', '1号窗口', '黄敏'],
      [2, '徐家汇支行', '1号窗口', '黄敏'],
    ]);
    expect((await auditRowsOfRequest(t, ev)).map((a) => [a.action, (a.after as { rows: number }).rows])).toEqual([
      ['evaluation.exported', 2],
    ]);
    // Out of scope: another branch's outlet exports nothing of it.
    const other = await zhang.get(`/api/evaluations/export?unitId=${ids['HZ-XH']}`);
    expect((await rowsOf(other.rawPayload)).slice(2)).toEqual([]);
  });
});

describe('survey cut', () => {
  it('cuts a survey by its dimensions (means by hand) and gives its index or one dimension per row', async () => {
    // March 2033, apart from the data set above.
    t.clock.set('2033-03-10T02:00:00Z');
    const admin = await t.login('admin');
    const customer = await createCustomer(t, admin, 'SH-XJH');
    const created = await admin.post('/api/surveys', {
      definition: {
        title: '网点服务回访',
        description: '',
        dimensions: [
          { key: 'service', name: '服务', weight: 60 },
          { key: 'env', name: '环境', weight: 40 },
        ],
        questions: [
          { key: 'q1', type: 'likert', title: '服务态度', required: true, dimensionKey: 'service' },
          { key: 'q3', type: 'csat', title: '环境', required: true, dimensionKey: 'env' },
        ],
      },
    });
    expect(created.statusCode, created.body).toBe(201);
    const survey = created.json() as TSurveyDetail;
    expect((await admin.post(`/api/surveys/${survey.id}/publish`, {})).statusCode).toBe(200);
    for (const answers of [
      { q1: 5, q3: 3 },
      { q1: 3, q3: 1 },
    ]) {
      const res = await admin.post(`/api/surveys/${survey.id}/responses`, { customerId: customer.id, answers });
      expect(res.statusCode, res.body).toBe(201);
    }
    const range = 'from=2033-03-01&to=2033-03-31';
    const dims = await analysis(admin, `${range}&groupBy=dimension&surveyId=${survey.id}`);
    // 服务 (5 + 3) / 2 = 4; 环境 (3 + 1) / 2 = 2; no evaluation figures on dimension rows.
    expect(dims.rows.map((r) => [r.key, r.label, r.surveyResponses, r.surveyMean, r.evaluations, r.drill])).toEqual([
      ['service', '服务', 2, 4, null, null],
      ['env', '环境', 2, 2, null, null],
    ]);
    // Index per response: (60×5 + 40×3) / 100 × 20 = 84 and (60×3 + 40×1) / 100 × 20 = 44 → mean 64.
    const byPeriod = await analysis(admin, `${range}&groupBy=period&surveyId=${survey.id}`);
    expect([byPeriod.total.surveyResponses, byPeriod.total.surveyMean]).toEqual([2, 64]);
    const env = await analysis(admin, `${range}&groupBy=period&surveyId=${survey.id}&dimension=env`);
    expect([env.total.surveyResponses, env.total.surveyMean]).toEqual([2, 2]);
    // Survey figures do not cut by staff: null there.
    const staff = await analysis(admin, `${range}&groupBy=staff&surveyId=${survey.id}`);
    expect(staff.total.surveyResponses).toBeNull();
  });
});

describe('hour cut (时段 and the hour granularity)', () => {
  beforeAll(async () => {
    // The survey cut above moves the clock a year on: back to 20 April 2032.
    t.clock.set('2032-04-20T06:00:00Z');
    zhang = await t.login('zhang.manager');
  });

  it('sums by hour of day from the hour read model: the rating at 00:30 local (16:30 UTC) is in hour 0', async () => {
    const a = await analysis(zhang, `${MARCH_APRIL}&groupBy=hour`);
    expect(a.rows.map((r) => r.key)).toEqual(Array.from({ length: 24 }, (_, h) => String(h)));
    expect(row(a, '10')?.label).toBe('10:00–11:00');
    // 10:00 local (02:00 UTC): 徐家汇 5,4,2,1,未评价,5 (kiosk) + 3 (survey), 陆家嘴 5,5; the excluded 1 apart.
    // Rated 8, sum 30 → 3.75; satisfied 5,4,5,5,5 = 5 of 8.
    expect(figures(row(a, '10'))).toEqual({
      evaluations: 9,
      rated: 8,
      satisfied: 5,
      satisfactionRate: 62.5,
      avgScore: 3.75,
      unsatisfied: 2,
      unrated: 1,
      excluded: 1,
    });
    // 陆家嘴's 4 at 2032-03-16 00:30 local is hour 0, not 16 (its UTC hour).
    expect(figures(row(a, '0'))).toMatchObject({ evaluations: 1, rated: 1, avgScore: 4, excluded: 0 });
    expect(figures(row(a, '16'))).toMatchObject({ evaluations: 0, rated: 0, avgScore: null });
    // 客流量 by the hour the sessions started (10:00 local), from session_hour_rollups; no handling time by hour.
    expect(row(a, '10')).toMatchObject({ sessions: 2, avgHandlingSeconds: null, ticketsReceived: null });
    expect(row(a, '9')?.sessions).toBe(0);
    // The hours add up to the day read model's figures of the same range.
    const byUnit = await analysis(zhang, `${MARCH_APRIL}&groupBy=unit`);
    expect(figures(a.total)).toEqual(figures(byUnit.total));
    // A staff filter: sessions have no staff by hour, so none are shown; the teller's own ratings only.
    const own = await analysis(zhang, `${MARCH_APRIL}&groupBy=hour&staffId=${ids.teller03}`);
    expect(figures(row(own, '10'))).toMatchObject({ evaluations: 6, rated: 5, excluded: 1 });
    expect(row(own, '10')?.sessions).toBeNull();
  });

  it('cuts a short range into local day × hour buckets; a longer one is refused naming the granularity', async () => {
    const a = await analysis(zhang, 'from=2032-03-15&to=2032-03-16&groupBy=period&granularity=hour');
    expect(a.granularity).toBe('hour');
    expect(a.rows).toHaveLength(48);
    expect(a.rows[0]).toMatchObject({ key: '2032-03-15 00', label: '2032-03-15 00:00' });
    // 3-15 10:00: the survey 3 of 徐家汇; 3-16 00:00: 陆家嘴's 4 (still 3-15 in UTC); nothing at 3-15 16:00.
    expect(figures(row(a, '2032-03-15 10'))).toMatchObject({ evaluations: 1, rated: 1, avgScore: 3 });
    expect(figures(row(a, '2032-03-16 00'))).toMatchObject({ evaluations: 1, rated: 1, avgScore: 4 });
    expect(figures(row(a, '2032-03-15 16'))).toMatchObject({ evaluations: 0 });
    expect(a.total.evaluations).toBe(2);
    // The facts behind an hour: its local day.
    expect(row(a, '2032-03-16 00')?.drill).toEqual({ unitId: ids.SH, from: '2032-03-16', to: '2032-03-16' });

    expectError(
      await zhang.get('/api/analytics/analysis?from=2032-03-01&to=2032-03-08&groupBy=period&granularity=hour'),
      400,
      'VALIDATION_FAILED',
      ['querystring.granularity'],
    );
    // The 7-day presets fit.
    const week = await analysis(zhang, 'preset=last7Days&groupBy=period&granularity=hour');
    expect([week.from, week.to, week.rows.length]).toEqual(['2032-04-14', '2032-04-20', 7 * 24]);
  });
});
