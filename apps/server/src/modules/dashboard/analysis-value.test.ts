import crypto from 'node:crypto';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TAnalysis, TAnalysisRow, TEvaluationStream } from '@huifang/shared';
import { expectError, subtreeUnitIds, unitIdByCode, userIdByName } from '../../../test/helpers.ts';
import { createCustomer } from '../../../test/customers-helpers.ts';
import { createTestApp, type TClient, type TTestApp } from '../../../test/test-app.ts';
import { relinkEvaluations } from '../evaluations/evaluations.repository.ts';
import { recordEvaluation } from '../evaluations/evaluations.write.ts';

/**
 * 统计分析 cut by customer value (客户分级): the ratings of March 2032 cut by their customer's tier in the tenant's latest
 * finished value run. Customers of one percentile group (业务类型 tiertest), sales A 100 万 > B 50 > C 40 > D 30 > E 1
 * (default cuts 20/60/20 of 5: A 大客户, B C D 中客户, E 小客户); N has no business (no tier).
 * Ratings: A kiosk 5 at 徐家汇, survey 4 at 陆家嘴, kiosk 1 at 西湖 (杭州, outside 上海); B kiosk 2 (excluded on
 * appeal) and kiosk 3 at 徐家汇; C survey 1 at 陆家嘴; E kiosk 未评价 at 徐家汇; N kiosk 4; anonymous kiosk 5 at 徐家汇.
 */
let t: TTestApp;
let admin: TClient;
let zhang: TClient;
const ids: Record<string, string> = {};
const cust: Record<string, string> = {};
const MARCH = 'from=2032-03-01&to=2032-03-31';
const WAN = 1_000_000;
const DAY = 86_400_000;

const rate = (unit: string, customer: string | null, score: number | null, at: string, channel = 'kiosk') =>
  recordEvaluation(t.db, {
    tenantId: t.tenantId,
    channel: channel as 'kiosk' | 'survey',
    occurredAt: new Date(at),
    unitId: ids[unit]!,
    counterId: null,
    staffId: channel === 'kiosk' ? ids.teller03! : null,
    customerId: customer ? cust[customer]! : null,
    sourceType: channel === 'kiosk' ? 'device' : 'link',
    score,
    idempotencyKey: crypto.randomUUID(),
  });

async function order(customer: string, wan: number) {
  const res = await admin.post(`/api/customers/${cust[customer]}/transactions`, {
    kind: 'order',
    amountFen: wan * WAN,
    occurredAt: new Date(t.clock.now().getTime() - 30 * DAY).toISOString(),
  });
  expect(res.statusCode, res.body).toBe(201);
}

async function valueRun(): Promise<string> {
  const res = await admin.post('/api/value/runs');
  expect(res.statusCode, res.body).toBe(202);
  await t.jobs.idle();
  const run = (await admin.get(`/api/value/runs/${res.json().id}`)).json();
  expect(run).toMatchObject({ status: 'done' });
  return run.id as string;
}

const analysis = async (c: TClient, query: string): Promise<TAnalysis> => {
  const res = await c.get(`/api/analytics/analysis?${query}`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
};
const figures = (r: TAnalysisRow | undefined) => {
  expect(r).toBeDefined();
  const { evaluations, rated, satisfied, avgScore, unsatisfied, unrated, excluded, sessions, ticketsReceived } = r!;
  return { evaluations, rated, satisfied, avgScore, unsatisfied, unrated, excluded, sessions, ticketsReceived };
};
const fig = (evaluations: number, rated: number, satisfied: number, unsatisfied: number, rest: object = {}) => ({
  evaluations,
  rated,
  satisfied,
  unsatisfied,
  sessions: null,
  ticketsReceived: null,
  ...rest,
});
const byKey = (a: TAnalysis) => Object.fromEntries(a.rows.map((r) => [r.key ?? '未分级', r]));

/** The same figures as a GROUP BY over the facts joined to the run's customer values (null: 未分级). */
async function factsByValue(runId: string, column: 'tier' | 'lifecycle' | 'rule_class', unitCode: string) {
  const units = await subtreeUnitIds(t, unitCode);
  const res = await t.pool.query<{
    k: string | null;
    evaluations: number;
    rated: number;
    satisfied: number;
    excluded: number;
  }>(
    `select cv.${column} as k,
            count(*) filter (where not x)::int as evaluations,
            count(e.score) filter (where not x)::int as rated,
            count(*) filter (where not x and e.score >= 4)::int as satisfied,
            count(*) filter (where x)::int as excluded
       from (select e.*, evaluation_is_excluded(e.tenant_id, e.id) as x from evaluations e) e
       left join customer_values cv on cv.tenant_id = e.tenant_id and cv.run_id = $2 and cv.customer_id = e.customer_id
      where e.tenant_id = $1 and e.unit_id = any($3::uuid[])
        and e.occurred_at >= '2032-03-01T00:00:00+08' and e.occurred_at < '2032-04-01T00:00:00+08'
      group by 1`,
    [t.tenantId, runId, units],
  );
  return Object.fromEntries(
    res.rows.map((r) => [
      r.k ?? '未分级',
      { evaluations: r.evaluations, rated: r.rated, satisfied: r.satisfied, excluded: r.excluded },
    ]),
  );
}
const asFacts = (a: TAnalysis) =>
  Object.fromEntries(
    a.rows
      .filter((r) => r.evaluations! + r.excluded! > 0)
      .map((r) => [
        r.key ?? '未分级',
        { evaluations: r.evaluations, rated: r.rated, satisfied: r.satisfied, excluded: r.excluded },
      ]),
  );

let run1 = '';
let excludedId = '';

beforeAll(async () => {
  t = await createTestApp();
  admin = await t.login('admin');
  for (const code of ['SH', 'SH-XJH', 'SH-LJZ', 'HZ-XH']) ids[code] = await unitIdByCode(t, code);
  ids.teller03 = await userIdByName(t, 'teller03');
  const field = await admin.post('/api/custom-fields', {
    entity: 'customer',
    key: 'business_type',
    label: '业务类型',
    type: 'text',
  });
  expect([201, 409]).toContain(field.statusCode);
  t.clock.set('2032-04-20T06:00:00Z');
  admin = await t.login('admin');
  for (const name of ['A', 'B', 'C', 'D', 'E', 'N'])
    cust[name] = (await createCustomer(t, admin, 'SH', { custom: { business_type: 'tiertest' } })).id;
  for (const [name, wan] of [
    ['A', 100],
    ['B', 50],
    ['C', 40],
    ['D', 30],
    ['E', 1],
  ] as const)
    await order(name, wan);
  await rate('SH-XJH', 'A', 5, '2032-03-05T02:00:00Z');
  await rate('SH-LJZ', 'A', 4, '2032-03-06T02:00:00Z', 'survey');
  await rate('HZ-XH', 'A', 1, '2032-03-07T02:00:00Z');
  excludedId = (await rate('SH-XJH', 'B', 2, '2032-03-08T02:00:00Z')).id;
  await rate('SH-XJH', 'B', 3, '2032-03-09T02:00:00Z');
  await rate('SH-LJZ', 'C', 1, '2032-03-10T02:00:00Z', 'survey');
  await rate('SH-XJH', 'E', null, '2032-03-11T02:00:00Z');
  await rate('SH-XJH', 'N', 4, '2032-03-12T02:00:00Z');
  await rate('SH-XJH', null, 5, '2032-03-13T02:00:00Z');
  zhang = await t.login('zhang.manager');
  const teller = await t.login('teller03');
  expect((await teller.post(`/api/evaluations/${excludedId}/appeal`, { reason: '客户误按' })).statusCode).toBe(200);
  expect((await zhang.post(`/api/evaluations/${excludedId}/exclude`, { reason: '监控确认误按' })).statusCode).toBe(200);
});
afterAll(async () => t.close());

describe('统计分析 cut by customer value (客户分级)', () => {
  it('without a finished value run the cut has no rows and says so (valueCut null)', async () => {
    const a = await analysis(admin, `groupBy=tier&${MARCH}`);
    expect(a.rows).toEqual([]);
    expect(a.valueCut).toBeNull();
  });

  it('cuts every rating by its customer’s tier in the latest run: hand-computed rows, 未分级 last, = GROUP BY over the facts', async () => {
    run1 = await valueRun();
    const tiers = await t.pool.query<{ customer_id: string; tier: string | null }>(
      'select customer_id, tier from customer_values where run_id = $1 and customer_id = any($2::uuid[])',
      [run1, Object.values(cust)],
    );
    const tierOf = Object.fromEntries(tiers.rows.map((r) => [r.customer_id, r.tier]));
    expect(['A', 'B', 'C', 'D', 'E', 'N'].map((n) => tierOf[cust[n]!])).toEqual([
      'large',
      'medium',
      'medium',
      'medium',
      'small',
      null,
    ]);
    const a = await analysis(admin, `groupBy=tier&${MARCH}`);
    expect(a.valueCut).toMatchObject({ runId: run1 });
    expect(a.rows.map((r) => [r.key, r.label])).toEqual([
      ['large', '大客户'],
      ['medium', '中客户'],
      ['small', '小客户'],
      [null, '未分级'],
    ]);
    const rows = byKey(a);
    expect(figures(rows.large)).toMatchObject(fig(3, 3, 2, 1, { avgScore: 3.33, excluded: 0 }));
    expect(figures(rows.medium)).toMatchObject(fig(2, 2, 0, 1, { avgScore: 2, excluded: 1 }));
    expect(figures(rows.small)).toMatchObject(fig(1, 0, 0, 0, { unrated: 1, avgScore: null }));
    expect(figures(rows['未分级'])).toMatchObject(fig(2, 2, 2, 0, { avgScore: 4.5 }));
    expect(figures(a.total)).toMatchObject(fig(8, 7, 4, 2, { excluded: 1 }));
    expect(asFacts(a)).toEqual(await factsByValue(run1, 'tier', 'HQ'));
    // Lifecycle and rule class: the same facts, other keys.
    for (const [g, col] of [
      ['lifecycle', 'lifecycle'],
      ['ruleClass', 'rule_class'],
    ] as const)
      expect(asFacts(await analysis(admin, `groupBy=${g}&${MARCH}`))).toEqual(await factsByValue(run1, col, 'HQ'));
  });

  it('a branch manager sees his subtree only (the 杭州 rating is not his), as direct SQL over it', async () => {
    const a = await analysis(zhang, `groupBy=tier&${MARCH}`);
    expect(figures(byKey(a).large)).toMatchObject(fig(2, 2, 2, 0, { avgScore: 4.5 }));
    expect(asFacts(a)).toEqual(await factsByValue(run1, 'tier', 'SH'));
    // Another manager's unit is a 404, as for every cut.
    expectError(
      await zhang.get(`/api/analytics/analysis?groupBy=tier&unitId=${ids['HZ-XH']}&${MARCH}`),
      404,
      'NOT_FOUND',
    );
  });

  it('a tier filter narrows every cut; the drill-down lists the ratings behind a row; the export carries the cut', async () => {
    const byUnit = await analysis(zhang, `groupBy=unit&tier=large&${MARCH}`);
    expect(byUnit.rows.filter((r) => r.evaluations).map((r) => [r.label, r.evaluations])).toEqual([
      ['陆家嘴支行', 1],
      ['徐家汇支行', 1],
    ]);
    expect(byUnit.total.sessions).toBeNull();
    const byChannel = await analysis(zhang, `groupBy=channel&tier=medium&${MARCH}`);
    expect(Object.fromEntries(byChannel.rows.map((r) => [r.key, [r.evaluations, r.excluded]]))).toEqual({
      survey: [1, 0],
      kiosk: [1, 1],
    });
    const medium = byKey(await analysis(zhang, `groupBy=tier&${MARCH}`)).medium!;
    expect(medium.drill).toMatchObject({ tier: 'medium', from: '2032-03-01', to: '2032-03-31' });
    const q = new URLSearchParams(medium.drill as Record<string, string>).toString();
    const list: TEvaluationStream = (await zhang.get(`/api/evaluations?${q}`)).json();
    expect(list.items.map((e) => e.score).sort()).toEqual([1, 2, 3]);
    expect(list.items.length).toBe(medium.evaluations! + medium.excluded!);
    const res = await zhang.get(`/api/analytics/analysis/export?groupBy=tier&lifecycle=ordinary&${MARCH}`);
    expect(res.statusCode, res.body).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    const cells = wb.worksheets[0]!.getSheetValues().flat().map(String);
    expect(cells).toEqual(expect.arrayContaining(['生命周期', '普通', '分级截至', '客户分级']));
  });

  it('the 未分级 row drills down to its ratings: without a customer, or whose customer has no tier', async () => {
    const row = byKey(await analysis(admin, `groupBy=tier&${MARCH}`))['未分级']!;
    expect(row.drill).toMatchObject({ tier: '_none', from: '2032-03-01', to: '2032-03-31' });
    const list: TEvaluationStream = (
      await admin.get(`/api/evaluations?${new URLSearchParams(row.drill as Record<string, string>).toString()}`)
    ).json();
    // N (no tier in the run) rated 4; an anonymous press rated 5.
    expect(list.items.map((e) => [e.score, e.customerId])).toEqual(
      expect.arrayContaining([
        [4, cust.N],
        [5, null],
      ]),
    );
    expect(list.items.length).toBe(row.evaluations! + row.excluded!);
    // With a lifecycle filter the row is N's lifecycle among the customers of the run without a tier: no anonymous press.
    const lifecycle = (
      await t.pool.query<{ lifecycle: string }>(
        'select lifecycle from customer_values where run_id = $1 and customer_id = $2',
        [run1, cust.N],
      )
    ).rows[0]!.lifecycle;
    const narrowed = byKey(await analysis(admin, `groupBy=tier&lifecycle=${lifecycle}&${MARCH}`))['未分级']!;
    expect(narrowed.drill).toMatchObject({ tier: '_none', lifecycle });
    const narrowList: TEvaluationStream = (
      await admin.get(`/api/evaluations?${new URLSearchParams(narrowed.drill as Record<string, string>).toString()}`)
    ).json();
    expect(narrowList.items.map((e) => [e.score, e.customerId])).toEqual([[4, cust.N]]);
    expect(narrowed.evaluations).toBe(1);
    // 未分级 is a row, not a filter of the analysis.
    expectError(await admin.get(`/api/analytics/analysis?groupBy=unit&tier=_none&${MARCH}`), 400, 'VALIDATION_FAILED', [
      'querystring.tier',
    ]);
  });

  it('bad values and cuts the value rollup cannot answer are a 400 naming the field', async () => {
    expectError(await zhang.get(`/api/analytics/analysis?groupBy=tier&tier=Nope&${MARCH}`), 400, 'VALIDATION_FAILED', [
      'querystring.tier',
    ]);
    expectError(await zhang.get(`/api/analytics/analysis?groupBy=tier&tier=huge&${MARCH}`), 400, 'VALIDATION_FAILED', [
      'querystring.tier',
    ]);
    expectError(await zhang.get(`/api/analytics/analysis?lifecycle=vip&${MARCH}`), 400, 'VALIDATION_FAILED', [
      'querystring.lifecycle',
    ]);
    expectError(
      await zhang.get(`/api/analytics/analysis?groupBy=tier&staffId=${ids.teller03}&${MARCH}`),
      400,
      'VALIDATION_FAILED',
      ['querystring.staffId'],
    );
    expectError(
      await zhang.get(`/api/analytics/analysis?groupBy=staff&tier=large&${MARCH}`),
      400,
      'VALIDATION_FAILED',
      ['querystring.groupBy'],
    );
    expectError(await zhang.get(`/api/evaluations?tier=LARGE`), 400, 'VALIDATION_FAILED', ['querystring.tier']);
    expectError(await zhang.get(`/api/analytics/ranking?tier=large&${MARCH}`), 400, 'VALIDATION_FAILED', [
      'querystring.tier',
    ]);
  });

  it('late presses, corrections and relinks move the cut at once; a new run moves customers between tiers', async () => {
    // A late (offline) press of C in March, B's rating restored, E's rating relinked to A.
    await rate('SH-XJH', 'C', 5, '2032-03-14T02:00:00Z');
    expect((await zhang.post(`/api/evaluations/${excludedId}/restore`, { reason: '复核后恢复' })).statusCode).toBe(200);
    await t.db.transaction((tx) => relinkEvaluations(tx, t.tenantId, [cust.E!], cust.A!));
    let rows = byKey(await analysis(admin, `groupBy=tier&${MARCH}`));
    expect(figures(rows.large)).toMatchObject(fig(4, 3, 2, 1, { unrated: 1, excluded: 0 }));
    expect(figures(rows.medium)).toMatchObject(fig(4, 4, 1, 2, { excluded: 0 }));
    expect(rows.small!.evaluations).toBe(0);
    expect(asFacts(await analysis(admin, `groupBy=tier&${MARCH}`))).toEqual(await factsByValue(run1, 'tier', 'HQ'));

    // D now sells 500 万: the second run makes D 大客户 and A 中客户; the cut follows once the run is done.
    await order('D', 500);
    const run2 = await valueRun();
    const a = await analysis(admin, `groupBy=tier&${MARCH}`);
    expect(a.valueCut).toMatchObject({ runId: run2 });
    rows = byKey(a);
    expect(rows.large!.evaluations).toBe(0); // D has no rating
    expect(figures(rows.medium)).toMatchObject(fig(8, 7, 3, 3, { excluded: 0 }));
    expect(asFacts(a)).toEqual(await factsByValue(run2, 'tier', 'HQ'));
    // Only the cut run's rows are kept.
    const runs = await t.pool.query('select distinct run_id from evaluation_value_rollups where tenant_id = $1', [
      t.tenantId,
    ]);
    expect(runs.rows).toEqual([{ run_id: run2 }]);
    // The rebuild command's function recomputes the same rows from the facts.
    const before = await t.pool.query(
      'select * from evaluation_value_rollups where tenant_id = $1 and total + excluded <> 0 order by day, unit_id, channel, tier, lifecycle, rule_class',
      [t.tenantId],
    );
    await t.pool.query('select evaluation_value_rollups_rebuild($1)', [t.tenantId]);
    const after = await t.pool.query(
      'select * from evaluation_value_rollups where tenant_id = $1 order by day, unit_id, channel, tier, lifecycle, rule_class',
      [t.tenantId],
    );
    expect(after.rows).toEqual(before.rows);
  });

  it('while a value run recomputes the cut, the other figures answer at once and the cut waits for the new run', async () => {
    // A value run's transaction holds the cut's fold lock from its recompute to its commit.
    const run = await t.pool.connect();
    try {
      await run.query('begin');
      await run.query(`select pg_advisory_xact_lock(hashtextextended('evaluation_value_rollups_fold', 0))`);
      await rate('SH-XJH', 'B', 4, '2032-03-15T02:00:00Z');
      const byUnit = await zhang.get(`/api/analytics/analysis?groupBy=unit&${MARCH}`);
      expect(byUnit.statusCode, byUnit.body).toBe(200);
      let answered = false;
      const cut = zhang.get(`/api/analytics/analysis?groupBy=tier&${MARCH}`).then((r) => {
        answered = true;
        return r;
      });
      await new Promise((r) => setTimeout(r, 300));
      expect(answered).toBe(false);
      await run.query('commit');
      const res = await cut;
      expect(res.statusCode, res.body).toBe(200);
      // B is 中客户 in the second run: the new press is in the cut once it answers (上海's 7 ratings of A, B, C + 1).
      expect(byKey(res.json() as TAnalysis).medium!.evaluations).toBe(8);
    } finally {
      run.release();
    }
  });
});
