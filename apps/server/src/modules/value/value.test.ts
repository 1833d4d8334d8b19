import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_VALUE_CONFIG, VALUE_RUN_DETAILS_KEPT, type TValueConfig, type TValueRun } from '@huifang/shared';
import { countRows, expectError, unitIdByCode, userIdByName } from '../../../test/helpers.ts';
import { createCustomer, letters, listCustomers, idsOf } from '../../../test/customers-helpers.ts';
import { createTestApp, type TClient, type TTestApp } from '../../../test/test-app.ts';
import { pruneValueRunDetails } from './value.runner.ts';

let t: TTestApp;
let admin: TClient;
const DAY = 86_400_000;
const WAN = 1_000_000;

beforeAll(async () => {
  t = await createTestApp();
  admin = await t.login('admin');
  for (const f of [
    { key: 'business_type', label: '业务类型', type: 'text' },
    { key: 'manager_rating', label: '客户经理评分', type: 'number' },
  ]) {
    const res = await admin.post('/api/custom-fields', { entity: 'customer', ...f });
    expect(res.statusCode, res.body).toBe(201);
  }
});
afterAll(async () => t.close());

type TTx = { kind: 'order' | 'return' | 'payment'; wan: number; daysAgo: number };
const order = (wan: number, daysAgo = 30): TTx => ({ kind: 'order', wan, daysAgo });
const pay = (wan: number, daysAgo = 20): TTx => ({ kind: 'payment', wan, daysAgo });
const ret = (wan: number, daysAgo = 25): TTx => ({ kind: 'return', wan, daysAgo });

/** A customer of business type `group`, created `ageDays` ago (default 3 years: not new), with these transactions. */
async function mk(group: string, txs: TTx[], over: { ageDays?: number; rating?: number; [k: string]: unknown } = {}) {
  const { ageDays = 3 * 365, rating, ...rest } = over;
  const custom: Record<string, string | number> = { business_type: group };
  if (rating !== undefined) custom.manager_rating = rating;
  const c = await createCustomer(t, admin, 'SH', { custom, ...rest });
  await t.pool.query(`update customers set created_at = $2 where id = $1`, [
    c.id,
    new Date(t.clock.now().getTime() - ageDays * DAY),
  ]);
  for (const x of txs) {
    const res = await admin.post(`/api/customers/${c.id}/transactions`, {
      kind: x.kind,
      amountFen: Math.round(x.wan * WAN),
      occurredAt: new Date(t.clock.now().getTime() - x.daysAgo * DAY).toISOString(),
    });
    expect(res.statusCode, res.body).toBe(201);
  }
  return c.id;
}

async function recompute(by: TClient = admin): Promise<TValueRun> {
  const res = await by.post('/api/value/runs');
  expect(res.statusCode, res.body).toBe(202);
  await t.jobs.idle();
  const run = (await by.get(`/api/value/runs/${res.json().id}`)).json() as TValueRun;
  expect(run).toMatchObject({ status: 'done', errorMessage: null });
  return run;
}

const valueOf = async (id: string) => {
  const res = await admin.get(`/api/customers/${id}/value`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
};

async function saveConfig(config: TValueConfig) {
  const res = await admin.request({ method: 'PUT', url: '/api/value/config', payload: config });
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as { version: number };
}

describe('value models: validation and versions', () => {
  it('weights that do not sum to 100 % are a 400 on the field, and no version is written', async () => {
    const before = await countRows(t, 'select 1 from value_model_versions');
    const bad = structuredClone(DEFAULT_VALUE_CONFIG);
    bad.weighted.indicators[0]!.weight = 25;
    const res = await admin.request({ method: 'PUT', url: '/api/value/config', payload: bad });
    const body = expectError(res, 400, 'VALIDATION_FAILED', ['body.weighted.indicators']);
    expect(body.details!.find((d) => d.path === 'body.weighted.indicators')!.message).toContain('95.00%');
    const cuts = structuredClone(DEFAULT_VALUE_CONFIG);
    cuts.percentile.cuts[1]!.weight = 50;
    expectError(
      await admin.request({ method: 'PUT', url: '/api/value/config', payload: cuts }),
      400,
      'VALIDATION_FAILED',
      ['body.percentile.cuts'],
    );
    expect(await countRows(t, 'select 1 from value_model_versions')).toBe(before);
  });

  it('a user without value:manage reads the models but cannot change them or recompute', async () => {
    const agent = await t.login('liu.agent');
    expect((await agent.get('/api/value/config')).statusCode).toBe(200);
    expectError(
      await agent.request({ method: 'PUT', url: '/api/value/config', payload: DEFAULT_VALUE_CONFIG }),
      403,
      'FORBIDDEN',
    );
    expectError(await agent.post('/api/value/runs'), 403, 'FORBIDDEN');
  });
});

describe('recompute with the default models (DESIGN §3)', () => {
  it('classes customers by the nine default rules, exactly at 10 万 and 95 %, and the card explains the score', async () => {
    const g = `g-${letters(6)}`;
    const ids = {
      // > 10 万, 4 batches, collection 96 %, returns 2 %: 正常
      normal: await mk(g, [order(5), order(5), order(5), order(5), pay(19.2), ret(0.4)], { rating: 80 }),
      // collection exactly 95 %: neither 正常 (> 95) nor 非正常 (< 95) → 未分类
      at95: await mk(g, [order(5), order(5), order(5), order(5), pay(19)]),
      // collection just below 95 %: 非正常
      below95: await mk(g, [order(5), order(5), order(5), order(5), { kind: 'payment', wan: 18.999999, daysAgo: 5 }]),
      // new this year with exactly 10 万: 新增客户 (neither 新增有效 > 10 万 nor 新增无效 < 10 万)
      new10: await mk(g, [order(10), pay(10)], { ageDays: 30 }),
      newBig: await mk(g, [order(12), pay(12)], { ageDays: 30 }),
      newSmall: await mk(g, [order(3), pay(3)], { ageDays: 30 }),
      nothing: await mk(g, []),
      // no business this year but debt from the year before: 待处理
      pending: await mk(g, [order(3, 400)]),
      // 2 batches, 1.5 万 sales, 3 万 debt: 呆滞
      stagnant: await mk(g, [order(3.5, 500), order(1, 40), order(0.5, 35), pay(2, 30)]),
      // sales down exactly 50 % on last year: 劣化
      worse: await mk(g, [order(10, 400), pay(10, 390), order(5, 40), pay(5, 30)]),
    };
    const run = await recompute();
    expect(run.processed).toBe(run.total);
    expect(run.total).toBe(await countRows(t, 'select 1 from customers'));
    const classes = Object.fromEntries(
      await Promise.all(Object.entries(ids).map(async ([k, id]) => [k, (await valueOf(id)).current.ruleClass])),
    );
    expect(classes).toEqual({
      normal: 'normal',
      at95: null,
      below95: 'abnormal',
      new10: 'new',
      newBig: 'new_effective',
      newSmall: 'new_ineffective',
      nothing: 'no_business',
      pending: 'pending',
      stagnant: 'stagnant',
      worse: 'deteriorating',
    });
    // Score breakdown: value, normalised score, weight of each indicator; they add up to the SQL-computed score.
    const v = await valueOf(ids.normal);
    expect(
      v.current.parts.map((p: { key: string; value: number; score: number; weight: number }) => [
        p.key,
        p.value,
        p.score,
        p.weight,
      ]),
    ).toEqual([
      ['sales', 20, 5, 30],
      ['growth', null, 0, 30],
      ['collection', 96, 60, 20],
      ['returns', 2, 75, 10],
      ['manager', 80, 80, 10],
    ]);
    // 1.5 + 0 + 12 + 7.5 + 8
    expect(v.current.score).toBe(29);
    expect(v.current.ruleClassLabel).toBe('正常客户');
    expect(v.current.rfm).toEqual({ r: expect.any(Number), f: expect.any(Number), m: expect.any(Number) });
    expect(v.history).toHaveLength(1);
  });

  it('the SQL recompute and the preview (pure functions) agree, customer by customer', async () => {
    const g = `g-${letters(6)}`;
    const ids: string[] = [];
    for (let i = 0; i < 6; i++)
      ids.push(
        await mk(
          g,
          [
            order(7 + i * 13.37),
            order(3.3),
            pay(6 + i * 11.1),
            ret(0.17 * (i + 1)),
            ...(i % 2 ? [] : [order(4.44 + i, 400)]),
          ],
          {
            rating: 13 * i,
          },
        ),
      );
    // Odd ones have no sales the year before: growth is missing and must score 0 in SQL as in the pure functions.
    await recompute();
    const preview = await admin.post('/api/value/preview', { config: DEFAULT_VALUE_CONFIG, sampleSize: 50 });
    expect(preview.statusCode, preview.body).toBe(200);
    const rows = preview.json().items as {
      customerId: string;
      score: number;
      ruleClass: string | null;
      stars: number;
    }[];
    let compared = 0;
    for (const row of rows) {
      const v = (await valueOf(row.customerId)).current;
      expect([row.customerId, v.score, v.ruleClass, v.computedStars]).toEqual([
        row.customerId,
        row.score,
        row.ruleClass,
        row.stars,
      ]);
      compared++;
    }
    expect(compared).toBeGreaterThanOrEqual(6);
  });

  it('percentile tiers cut a business type 20 / 60 / 20; the customer list filters by the latest run', async () => {
    const g = `g-${letters(6)}`;
    const ids: string[] = [];
    for (let i = 0; i < 10; i++)
      ids.push(
        await mk(
          g,
          Array.from({ length: 10 - i }, () => order(1 + (10 - i))),
        ),
      );
    // A tie at the large/medium cut: the 2nd and 3rd have the same orders → both large (ties go up whole).
    const tied = await mk(
      g,
      Array.from({ length: 9 }, () => order(10)),
    );
    await recompute();
    const tiers = await Promise.all([...ids, tied].map(async (id) => (await valueOf(id)).current.tier));
    expect(tiers).toEqual([
      'large',
      'large',
      'medium',
      'medium',
      'medium',
      'medium',
      'medium',
      'medium',
      'small',
      'small',
      'large',
    ]);
    const custom = JSON.stringify({ business_type: g });
    const large = await listCustomers(admin, { custom, valueTier: 'large', pageSize: 100 });
    expect(idsOf(large).sort()).toEqual([ids[0]!, ids[1]!, tied].sort());
    expect((await listCustomers(admin, { custom, valueTier: 'small' })).total).toBe(2);
    expect((await listCustomers(admin, { custom, valueClass: 'no_business' })).total).toBe(0);
    // The export of the same filter carries the value columns.
    const csv = await admin.get(
      `/api/customers/export?${new URLSearchParams({ format: 'csv', custom, valueTier: 'large' })}`,
    );
    expect(csv.statusCode, csv.body).toBe(200);
    const lines = csv.body
      .replace(/^\uFEFF/, '')
      .trim()
      .split(/\r?\n/);
    expect(lines[0]).toContain('价值得分,价值分层,客户分类,价值生命周期,星级');
    expect(lines.slice(1)).toHaveLength(3);
    expect(lines.slice(1).every((l) => l.includes(',大客户,'))).toBe(true);
  });

  it('percentile tiers are the same when the keys of a group exceed bigint (compared as numeric)', async () => {
    // The layout of the test above with every order 10¹⁵ × larger (written directly: the API caps amounts): the
    // largest key, orders × group amount + amount × group orders, passes 2⁶³, so the ranks are taken in numeric.
    const g = `g-${letters(6)}`;
    const E = 10n ** 15n;
    const mkHuge = async (orders: number, perOrder: bigint) => {
      const id = await mk(g, []);
      await t.pool.query(
        `insert into transactions (tenant_id, customer_id, unit_id, kind, amount_fen, occurred_at)
         select tenant_id, id, unit_id, 'order', $2::bigint, $3 from customers, generate_series(1, $4) where id = $1`,
        [id, String(perOrder), new Date(t.clock.now().getTime() - 30 * DAY), orders],
      );
      return id;
    };
    const ids: string[] = [];
    for (let i = 0; i < 10; i++) ids.push(await mkHuge(10 - i, BigInt(11 - i) * E));
    const tied = await mkHuge(9, 10n * E);
    const sales = [...Array.from({ length: 10 }, (_, i) => BigInt((10 - i) * (11 - i)) * E), 90n * E];
    const a = sales.reduce((x, y) => x + y, 0n);
    expect(10n * a + sales[0]! * 64n > 2n ** 63n - 1n).toBe(true);
    await recompute();
    const tiers = await Promise.all([...ids, tied].map(async (id) => (await valueOf(id)).current.tier));
    expect(tiers).toEqual([
      'large',
      'large',
      'medium',
      'medium',
      'medium',
      'medium',
      'medium',
      'medium',
      'small',
      'small',
      'large',
    ]);
  });
});

describe('models edited, runs kept and compared', () => {
  it('a saved weighted model and rule classes apply from the next run; runs compare up / down', async () => {
    const g = `g-${letters(6)}`;
    const a = await mk(g, [order(50), pay(50)]);
    const b = await mk(g, [order(150), pay(150)]);
    const first = await recompute();
    const cfg = structuredClone(DEFAULT_VALUE_CONFIG);
    // One indicator: order count 0–10, 100 %; one class: 大单 any(sales ≥ 100 万, batches > 5).
    cfg.weighted.indicators = [
      { key: 'orders', label: '订单数', metric: 'batches', weight: 100, min: 0, max: 10, direction: 'forward' },
    ];
    cfg.ruleClasses.classes = [
      {
        key: 'big',
        label: '大单',
        when: {
          any: [
            { metric: 'salesWan', op: 'gte', value: 100 },
            { metric: 'batches', op: 'gt', value: 5 },
          ],
        },
      },
    ];
    const saved = await saveConfig(cfg);
    expect(saved.version).toBeGreaterThan(0);
    // b gets more orders: its score goes up.
    for (let i = 0; i < 4; i++)
      await admin.post(`/api/customers/${b}/transactions`, {
        kind: 'order',
        amountFen: WAN,
        occurredAt: new Date(t.clock.now().getTime() - DAY).toISOString(),
      });
    t.clock.advance(60_000);
    const second = await recompute();
    expect(second.modelVersion).toBe(saved.version);
    const va = (await valueOf(a)).current;
    const vb = (await valueOf(b)).current;
    expect([va.score, va.ruleClass, vb.score, vb.ruleClass]).toEqual([10, null, 50, 'big']);
    expect((await valueOf(b)).history.map((h: { runId: string }) => h.runId)).toEqual([second.id, first.id]);
    const cmp = await admin.get(`/api/value/runs/compare?from=${first.id}&to=${second.id}`);
    expect(cmp.statusCode, cmp.body).toBe(200);
    expect(cmp.json().customers).toBe(first.total);
    expect(cmp.json().score.up + cmp.json().score.down + cmp.json().score.same).toBe(first.total);
    expect(cmp.json().classChanged).toBeGreaterThan(0);
    const runs = (await admin.get('/api/value/runs')).json().items as TValueRun[];
    expect(runs.slice(0, 2).map((r) => [r.id, r.requestedByName])).toEqual([
      [second.id, expect.any(String)],
      [first.id, expect.any(String)],
    ]);
    await saveConfig(DEFAULT_VALUE_CONFIG);
  });

  it('runs beyond the retention lose their per-customer values: history, comparison and the list say so', async () => {
    const c = await mk(`g-${letters(6)}`, [order(30), pay(30)]);
    const runs = [await recompute(), await recompute(), await recompute()];
    const rowsOf = (runId: string) =>
      countRows(t, 'select 1 from customer_values where tenant_id = $1 and run_id = $2', [t.tenantId, runId]);
    const before = await Promise.all(runs.map((r) => rowsOf(r.id)));
    expect(before.every((n) => n > 0)).toBe(true);
    // Every finished run so far is within the default retention: the recompute pruned nothing.
    expect(
      await countRows(t, 'select 1 from value_runs where tenant_id = $1 and details_pruned_at is not null', [
        t.tenantId,
      ]),
    ).toBe(0);

    // Keep two: the oldest of the three (and any earlier run of this file) loses its rows, the two latest keep theirs.
    expect(await pruneValueRunDetails(t.db, t.clock, t.tenantId, 2)).toBeGreaterThanOrEqual(1);
    expect(await Promise.all(runs.map((r) => rowsOf(r.id)))).toEqual([0, before[1], before[2]]);
    const listed = (await admin.get('/api/value/runs')).json().items as TValueRun[];
    const byId = new Map(listed.map((r) => [r.id, r]));
    expect(byId.get(runs[0]!.id)).toMatchObject({
      status: 'done',
      detailsPrunedAt: expect.any(String),
      total: runs[0]!.total,
    });
    expect(byId.get(runs[2]!.id)!.detailsPrunedAt).toBeNull();
    expect((await valueOf(c)).history.map((h: { runId: string }) => h.runId)).toEqual([runs[2]!.id, runs[1]!.id]);

    // A comparison needs both runs' rows: a pruned run is a 400 on its field, the two kept runs still compare.
    expectError(
      await admin.get(`/api/value/runs/compare?from=${runs[0]!.id}&to=${runs[2]!.id}`),
      400,
      'VALIDATION_FAILED',
      ['querystring.from'],
    );
    expectError(
      await admin.get(`/api/value/runs/compare?from=${runs[2]!.id}&to=${runs[0]!.id}`),
      400,
      'VALIDATION_FAILED',
      ['querystring.to'],
    );
    const cmp = await admin.get(`/api/value/runs/compare?from=${runs[1]!.id}&to=${runs[2]!.id}`);
    expect(cmp.statusCode, cmp.body).toBe(200);
    expect(cmp.json().customers).toBe(runs[2]!.total);

    // Pruning again changes nothing (the pruned run keeps its first timestamp).
    const at = byId.get(runs[0]!.id)!.detailsPrunedAt;
    t.clock.advance(60_000);
    expect(await pruneValueRunDetails(t.db, t.clock, t.tenantId, 2)).toBe(0);
    expect(((await admin.get(`/api/value/runs/${runs[0]!.id}`)).json() as TValueRun).detailsPrunedAt).toBe(at);

    // Every finished recompute applies the retention itself: with 24 more finished runs on record, the next recompute
    // leaves exactly VALUE_RUN_DETAILS_KEPT runs with their details.
    await t.pool.query(
      `insert into value_runs (tenant_id, model_version, trigger, status, as_of, created_at, finished_at)
       select $1, 0, 'manual', 'done', $2, $2, $2 from generate_series(1, 24)`,
      [t.tenantId, t.clock.now()],
    );
    const last = await recompute();
    const kept = await t.pool.query<{ id: string }>(
      `select id from value_runs where tenant_id = $1 and status = 'done' and details_pruned_at is null order by seq desc`,
      [t.tenantId],
    );
    expect(kept.rows.length).toBe(VALUE_RUN_DETAILS_KEPT);
    expect(kept.rows[0]!.id).toBe(last.id);
    expect(await rowsOf(runs[2]!.id)).toBe(0);
  });

  it('a second recompute while one is queued is a 409', async () => {
    const res = await admin.post('/api/value/runs');
    expect(res.statusCode).toBe(202);
    expectError(await admin.post('/api/value/runs'), 409, 'CONFLICT');
    await t.jobs.idle();
  });

  it('a run left running by a crashed process for over two hours no longer blocks a recompute', async () => {
    const stale = await t.pool.query<{ id: string }>(
      `insert into value_runs (tenant_id, model_version, trigger, status, as_of, created_at, started_at)
       values ($1, 0, 'manual', 'running', $2, $2, $2) returning id`,
      [t.tenantId, new Date(t.clock.now().getTime() - 3 * 3600_000)],
    );
    await recompute();
    const row = await t.pool.query(`select status, error_message from value_runs where id = $1`, [stale.rows[0]!.id]);
    expect(row.rows[0]).toEqual({ status: 'failed', error_message: 'interrupted (no progress)' });
  });
});

describe('stars, expert scores, churn warnings', () => {
  it('a manual service star needs a reason, wins over the computed stars, is audited and filters the list', async () => {
    const g = `g-${letters(6)}`;
    const id = await mk(g, [order(1.2)]);
    await recompute();
    expect((await valueOf(id)).current).toMatchObject({ stars: 1, computedStars: 1, starOverride: null });
    expectError(
      await admin.request({
        method: 'PUT',
        url: `/api/customers/${id}/value/stars`,
        payload: { stars: 5, reason: '' },
      }),
      400,
      'VALIDATION_FAILED',
      ['body.reason'],
    );
    const res = await admin.request({
      method: 'PUT',
      url: `/api/customers/${id}/value/stars`,
      payload: { stars: 5, reason: '长期合作, 服务要求高' },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().current).toMatchObject({ stars: 5, computedStars: 1, starOverride: { stars: 5 } });
    expect(
      await countRows(t, `select 1 from audit_events where action = 'value.star_override_set' and entity_id = $1`, [
        id,
      ]),
    ).toBe(1);
    const custom = JSON.stringify({ business_type: g });
    expect(idsOf(await listCustomers(admin, { custom, valueStarsMin: 5 }))).toEqual([id]);
  });

  it('expert criteria scores (every criterion, 0–10) give the weighted average in the next run', async () => {
    const id = await mk(`g-${letters(6)}`, []);
    const scores = Object.fromEntries(DEFAULT_VALUE_CONFIG.expert.criteria.map((c) => [c.key, 5]));
    expectError(
      await admin.request({
        method: 'PUT',
        url: `/api/customers/${id}/value/expert-scores`,
        payload: { scores: { volume: 8 } },
      }),
      400,
      'VALIDATION_FAILED',
      ['body.scores.margin'],
    );
    const res = await admin.request({
      method: 'PUT',
      url: `/api/customers/${id}/value/expert-scores`,
      payload: { scores: { ...scores, volume: 8, margin: 6 } },
    });
    expect(res.statusCode, res.body).toBe(200);
    await recompute();
    expect((await valueOf(id)).current.expertScore).toBe(5.95);
  });

  it('a customer with no order for 90 days gets one churn warning, listed for the owner, and a churn-save task', async () => {
    const liu = await t.login('liu.agent');
    const ownerId = await userIdByName(t, 'liu.agent');
    const plan = await admin.post('/api/followup/plans', {
      name: `流失挽回-${letters(5)}`,
      topic: 'churn_save',
      methods: ['phone'],
      targetKind: 'rule',
      rule: { kind: 'churn_warning', withinDays: 3 },
      script: '您好{客户称呼}',
      startDate: new Date(t.clock.now().getTime() - DAY).toISOString().slice(0, 10),
      dueDays: 7,
      assignment: 'owner',
      maxAttempts: 2,
      retryHours: 4,
    });
    expect(plan.statusCode, plan.body).toBe(201);
    expect((await admin.post(`/api/followup/plans/${plan.json().id}/status`, { status: 'active' })).statusCode).toBe(
      200,
    );
    const id = await mk(`g-${letters(6)}`, [order(2, 120)], { ownerId, consentMarketing: true });
    await recompute();
    const mine = await liu.get('/api/value/churn-warnings?mine=true&pageSize=100');
    expect(mine.statusCode, mine.body).toBe(200);
    const w = mine.json().items.filter((x: { customerId: string }) => x.customerId === id);
    expect(w).toEqual([expect.objectContaining({ reason: 'no_purchase', daysSinceOrder: 120 })]);
    expect(
      await countRows(t, `select 1 from followup_tasks where customer_id = $1 and occurrence_key like 'churn:%'`, [id]),
    ).toBe(1);
    // Still at risk next run: the same warning stays open, no second task.
    await recompute();
    expect(await countRows(t, `select 1 from value_churn_warnings where customer_id = $1`, [id])).toBe(1);
    expect(
      await countRows(t, `select 1 from followup_tasks where customer_id = $1 and occurrence_key like 'churn:%'`, [id]),
    ).toBe(1);
    // The run wrote the customer's unit on his value row and on the warning; the 驾驶舱 counts the warning there.
    const sh = await unitIdByCode(t, 'SH');
    const other = await unitIdByCode(t, 'SH-LJZ');
    expect(
      (await t.pool.query(`select unit_id from customer_values where customer_id = $1`, [id])).rows.map(
        (r) => r.unit_id,
      ),
    ).toEqual([sh, sh]);
    const openAt = async (unitId: string) =>
      Number(
        (
          await t.pool.query(
            `select coalesce(sum(open), 0) as n from churn_warning_counts where unit_id = $1 and reason = 'no_purchase'`,
            [unitId],
          )
        ).rows[0].n,
      );
    const [shOpen, otherOpen] = [await openAt(sh), await openAt(other)];
    expect(shOpen).toBeGreaterThanOrEqual(1);
    // He moves to an outlet before the warning closes: it leaves the count of the unit it was counted in.
    await t.pool.query(`update customers set unit_id = $2 where id = $1`, [id, other]);
    // An order today (as big as the one before: no spend drop either): the warning closes.
    await admin.post(`/api/customers/${id}/transactions`, {
      kind: 'order',
      amountFen: 2 * WAN,
      occurredAt: new Date(t.clock.now().getTime() - 1000).toISOString(),
    });
    await recompute();
    expect(
      await countRows(t, `select 1 from value_churn_warnings where customer_id = $1 and resolved_at is null`, [id]),
    ).toBe(0);
    expect([await openAt(sh), await openAt(other)]).toEqual([shOpen - 1, otherOpen]);
  });
});
