import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TSurveyDefinition, TSurveyDetail } from '@huifang/shared';
import { createCustomer } from '../../../test/customers-helpers.ts';
import { createTestApp, type TClient, type TTestApp } from '../../../test/test-app.ts';
import { jobDefinitions } from '../../jobs/queue.ts';
import { foldSurveyRollups, rebuildSurveyRollups, wholeMonths } from './survey-rollups.ts';

/**
 * Property: whatever survey responses arrive (two versions, several units, local days either side of midnight and
 * of a month's end, skipped and empty answers, open-link batches and single staff entries) and whatever exclude /
 * restore corrections follow (in any order, one by one through the API or several in one statement), every row of
 * survey_rollups (after the write path's queue is folded into them, as every reader does; folds also happen at random
 * points in between) equals a GROUP BY over the facts — computed here in TypeScript from the raw rows — and a rebuild
 * gives the same rows.
 */

let t: TTestApp;
let admin: TClient;
let customers: string[] = [];
beforeAll(async () => {
  t = await createTestApp({ env: { SURVEY_SUBMIT_RATE_PER_MINUTE: '100000' } });
  admin = await t.login('admin');
  customers = [];
  for (const unit of ['SH-LJZ', 'HZ', 'SH']) customers.push((await createCustomer(t, admin, unit)).id);
});
afterAll(async () => t.close());

const options = (...vs: string[]) => vs.map((v) => ({ value: v, label: v.toUpperCase() }));
const V1: TSurveyDefinition = {
  title: '汇总属性测试',
  description: '',
  dimensions: [
    { key: 'service', name: '服务', weight: 60 },
    { key: 'env', name: '环境', weight: 40 },
  ],
  questions: [
    { key: 'q1', type: 'likert', title: '服务态度', required: true, dimensionKey: 'service' },
    { key: 'q2', type: 'rating', title: '效率', required: false, dimensionKey: 'service' },
    {
      key: 'visited',
      type: 'single',
      title: '到过网点',
      required: true,
      options: options('y', 'n'),
      skip: [{ op: 'eq', values: ['n'], goto: 'nps' }],
    },
    { key: 'q3', type: 'csat', title: '环境', required: false, dimensionKey: 'env' },
    { key: 'nps', type: 'nps', title: '推荐', required: false },
    { key: 'multi', type: 'multiple', title: '业务', required: false, options: options('a', 'b', 'c') },
    { key: 'amount', type: 'number', title: '金额', required: false },
    { key: 'when', type: 'date', title: '日期', required: false },
    { key: 'memo', type: 'text', title: '建议', required: false },
  ],
};
/** Version 2: `amount` becomes a free-text question (its texts are never tallied), one more env question. */
const V2: TSurveyDefinition = {
  ...V1,
  questions: [
    ...V1.questions.map((q) => (q.key === 'amount' ? { key: 'amount', type: 'text' as const, title: '金额说明' } : q)),
    { key: 'q4', type: 'likert' as const, title: '座位', required: false, dimensionKey: 'env' },
  ].map((q) => ({ required: false, ...q })),
};

const arbAnswers = fc.record(
  {
    q1: fc.integer({ min: 1, max: 5 }),
    q2: fc.integer({ min: 1, max: 5 }),
    visited: fc.constantFrom('y', 'n'),
    q3: fc.integer({ min: 1, max: 5 }),
    q4: fc.integer({ min: 1, max: 5 }),
    nps: fc.integer({ min: 0, max: 10 }),
    multi: fc.subarray(['a', 'b', 'c']),
    amount: fc.integer({ min: -2000, max: 2000 }).map((x) => x / 10),
    amountText: fc.constantFrom('', '约一万', '12.5'),
    when: fc.constantFrom('2026-01-31', '2026-02-01', '2025-12-31'),
    memo: fc.constantFrom('', '很好', '排队太久', '=1+1'),
  },
  { requiredKeys: ['q1', 'visited'] },
);
type TRawAnswers = typeof arbAnswers extends fc.Arbitrary<infer A> ? A : never;

/** The answers a respondent of this version gives: skipped questions (visited = n) and unknown ones left out. */
function answersFor(version: 1 | 2, raw: TRawAnswers): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const keys = new Set((version === 1 ? V1 : V2).questions.map((q) => q.key));
  for (const [k, v] of Object.entries(raw)) {
    if (k === 'amountText') continue;
    if (k === 'amount' && version === 2) {
      if (raw.amountText !== undefined) out.amount = raw.amountText;
      continue;
    }
    if (!keys.has(k)) continue;
    if (raw.visited === 'n' && k === 'q3') continue;
    out[k] = v;
  }
  return out;
}

/** Shanghai midnight of days either side of a month's end, ± up to 90 minutes. */
const MIDNIGHTS = ['2026-01-31', '2026-02-01', '2026-02-28', '2026-03-01', '2026-06-30'].map(
  (d) => Date.parse(`${d}T00:00:00+08:00`) - 0,
);
const arbAt = fc
  .record({ day: fc.nat({ max: MIDNIGHTS.length - 1 }), minutes: fc.integer({ min: -90, max: 90 }) })
  .map(({ day, minutes }) => new Date(MIDNIGHTS[day]! + minutes * 60_000 + 7_000).toISOString());

const arbAction = fc.oneof(
  {
    arbitrary: fc.record({
      t: fc.constant('open' as const),
      at: arbAt,
      batch: fc.array(arbAnswers, { minLength: 1, maxLength: 5 }),
    }),
    weight: 4,
  },
  {
    arbitrary: fc.record({
      t: fc.constant('staff' as const),
      at: arbAt,
      customer: fc.nat({ max: 2 }),
      answers: arbAnswers,
    }),
    weight: 2,
  },
  { arbitrary: fc.record({ t: fc.constant('publishV2' as const) }), weight: 1 },
  {
    arbitrary: fc.record({
      t: fc.constant('corrections' as const),
      batch: fc.array(fc.record({ pick: fc.nat(), kind: fc.constantFrom('exclude', 'restore', 'appeal') }), {
        minLength: 1,
        maxLength: 4,
      }),
    }),
    weight: 2,
  },
  {
    arbitrary: fc.record({
      t: fc.constant('correctApi' as const),
      pick: fc.nat(),
      kind: fc.constantFrom('exclude', 'restore'),
    }),
    weight: 2,
  },
  // what the survey-rollups-fold job or a reader does at any moment
  { arbitrary: fc.record({ t: fc.constant('fold' as const) }), weight: 1 },
);

type TRow = { n: number; sum: number; indexN: number; indexSum: number };
const localDay = (at: Date, timeZone: string) => new Intl.DateTimeFormat('sv-SE', { timeZone }).format(at);

/** The rollups as they should be, from the raw facts, with the rules written out here. */
async function expectedRows(surveyId?: string): Promise<Map<string, TRow>> {
  const [tz, responses, evals, corrections, versions] = await Promise.all([
    t.pool.query<{ time_zone: string }>('select time_zone from tenants where id = $1', [t.tenantId]),
    t.pool.query('select * from survey_responses where tenant_id = $1', [t.tenantId]),
    t.pool.query<{
      id: string;
      ref_type: string | null;
      ref_id: string | null;
      answers: { responseId?: string } | null;
    }>('select id, ref_type, ref_id, answers from evaluations where tenant_id = $1', [t.tenantId]),
    t.pool.query<{ evaluation_id: string; kind: string }>(
      'select evaluation_id, kind from evaluation_corrections where tenant_id = $1 order by id',
      [t.tenantId],
    ),
    t.pool.query<{ survey_id: string; version: number; definition: TSurveyDefinition }>(
      'select survey_id, version, definition from survey_versions where tenant_id = $1',
      [t.tenantId],
    ),
  ]);
  const timeZone = tz.rows[0]!.time_zone;
  const excluded = new Map<string, boolean>();
  for (const c of corrections.rows)
    if (c.kind === 'exclude' || c.kind === 'restore') excluded.set(c.evaluation_id, c.kind === 'exclude');
  const counted = new Set<string>();
  for (const e of evals.rows) {
    const rid =
      e.ref_type === 'survey_response' ? e.ref_id : e.ref_type === 'followup_task' ? e.answers?.responseId : null;
    if (rid && !excluded.get(e.id)) counted.add(rid);
  }
  const textKeys = new Map(
    versions.rows.map((v) => [
      `${v.survey_id}|${v.version}`,
      new Set(v.definition.questions.filter((q) => q.type === 'text').map((q) => q.key)),
    ]),
  );
  const out = new Map<string, TRow>();
  const add = (k: string, d: Partial<TRow>) => {
    const r = out.get(k) ?? { n: 0, sum: 0, indexN: 0, indexSum: 0 };
    out.set(k, {
      n: r.n + (d.n ?? 0),
      sum: r.sum + (d.sum ?? 0),
      indexN: r.indexN + (d.indexN ?? 0),
      indexSum: r.indexSum + (d.indexSum ?? 0),
    });
  };
  for (const r of responses.rows) {
    if (!counted.has(r.id) || (surveyId && r.survey_id !== surveyId)) continue;
    const day = localDay(new Date(r.submitted_at), timeZone);
    for (const [grain, d] of [
      ['day', day],
      ['month', `${day.slice(0, 7)}-01`],
    ] as const) {
      const at = (kind: string, key = '', value = '') =>
        [r.survey_id, grain, d, kind, r.version, r.unit_id, key, value].join('|');
      add(at('response'), {
        n: 1,
        ...(r.index_value === null ? {} : { indexN: 1, indexSum: Math.fround(r.index_value) }),
      });
      for (const [k, v] of Object.entries(r.dimension_scores as Record<string, number>))
        add(at('dimension', k), { n: 1, sum: Math.round(v * 100) });
      for (const [k, v] of Object.entries(r.answers as Record<string, unknown>)) {
        add(at('answered', k), { n: 1 });
        if (Array.isArray(v)) for (const x of v) add(at('value', k, String(x)), { n: 1 });
        else if (!textKeys.get(`${r.survey_id}|${r.version}`)!.has(k)) add(at('value', k, String(v)), { n: 1 });
      }
    }
  }
  return out;
}

/** survey_rollups as a reader sees them: the tenant's queued responses folded in first. */
async function rollupRows(surveyId?: string): Promise<Map<string, TRow>> {
  await foldSurveyRollups(t.db, t.tenantId);
  const res = await t.pool.query(
    `select survey_id, grain, day::text as day, kind, version, unit_id, key, value, n, sum::text as sum, index_n, index_sum
     from survey_rollups where tenant_id = $1 and ($2::uuid is null or survey_id = $2)`,
    [t.tenantId, surveyId ?? null],
  );
  return new Map(
    res.rows.map((r) => [
      [r.survey_id, r.grain, r.day, r.kind, r.version, r.unit_id, r.key, r.value].join('|'),
      { n: r.n, sum: Math.round(Number(r.sum) * 100), indexN: r.index_n, indexSum: r.index_sum },
    ]),
  );
}

async function publish(surveyId: string) {
  const res = await admin.post(`/api/surveys/${surveyId}/publish`, {});
  expect(res.statusCode, res.body).toBe(200);
}

let device = 0;
describe('survey rollups', () => {
  it('equal a GROUP BY over the facts after any responses and corrections; a rebuild gives the same rows', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(arbAction, { minLength: 3, maxLength: 12 }), async (actions) => {
        const created = await admin.post('/api/surveys', { definition: V1 });
        expect(created.statusCode, created.body).toBe(201);
        const survey = created.json() as TSurveyDetail;
        await publish(survey.id);
        const token = (await admin.post(`/api/surveys/${survey.id}/open-link`, {})).json().openToken as string;
        let version: 1 | 2 = 1;
        const evaluationIds = async () =>
          (
            await t.pool.query<{ id: string }>(
              "select id from evaluations where tenant_id = $1 and answers->>'surveyId' = $2 order by received_at, id",
              [t.tenantId, survey.id],
            )
          ).rows.map((r) => r.id);
        for (const a of actions) {
          if (a.t === 'open') {
            t.clock.set(a.at);
            // submitted together: the open-link writer stores them in one statement (negative ones one by one)
            const res = await Promise.all(
              a.batch.map((raw) =>
                t.app.inject({
                  method: 'POST',
                  url: `/api/s/${token}/responses`,
                  payload: { answers: answersFor(version, raw) },
                  headers: { 'idempotency-key': `device-rollup-${++device}` },
                }),
              ),
            );
            for (const r of res) expect(r.statusCode, r.body).toBe(201);
          } else if (a.t === 'staff') {
            t.clock.set(a.at);
            const res = await admin.post(`/api/surveys/${survey.id}/responses`, {
              customerId: customers[a.customer],
              answers: answersFor(version, a.answers),
            });
            expect(res.statusCode, res.body).toBe(201);
          } else if (a.t === 'publishV2' && version === 1) {
            const res = await admin.request({
              method: 'PUT',
              url: `/api/surveys/${survey.id}`,
              payload: { definition: V2 },
            });
            expect(res.statusCode, res.body).toBe(200);
            await publish(survey.id);
            version = 2;
          } else if (a.t === 'corrections') {
            const ids = await evaluationIds();
            if (!ids.length) continue;
            // several corrections in one statement (even of one evaluation), as a bulk job would write them
            await t.pool.query(
              `insert into evaluation_corrections (tenant_id, evaluation_id, kind, reason, actor_id, at)
               select $1, x.e, x.k, '属性测试', $4, now() from unnest($2::uuid[], $3::text[]) with ordinality as x(e, k, o) order by x.o`,
              [t.tenantId, a.batch.map((c) => ids[c.pick % ids.length]), a.batch.map((c) => c.kind), admin.me.user.id],
            );
          } else if (a.t === 'correctApi') {
            const ids = await evaluationIds();
            if (!ids.length) continue;
            const res = await admin.post(`/api/evaluations/${ids[a.pick % ids.length]}/${a.kind}`, { reason: '复核' });
            expect([200, 409], res.body).toContain(res.statusCode);
          } else if (a.t === 'fold') {
            await foldSurveyRollups(t.db);
          }
        }
        // each run checks its own survey, so that a counterexample is about its own actions
        const expected = await expectedRows(survey.id);
        expect(await rollupRows(survey.id)).toEqual(expected);
        await rebuildSurveyRollups(t.db, t.tenantId);
        expect(await rollupRows(survey.id)).toEqual(expected);
      }),
      { numRuns: 8 },
    );
  });

  it('a new tenant time zone re-buckets the days', async () => {
    const created = (await admin.post('/api/surveys', { definition: V1 })).json() as TSurveyDetail;
    await publish(created.id);
    const token = (await admin.post(`/api/surveys/${created.id}/open-link`, {})).json().openToken as string;
    t.clock.set('2026-03-31T20:00:00Z'); // 04:00 on 1 April in Shanghai, still 31 March in London
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/s/${token}/responses`,
      payload: { answers: { q1: 5, visited: 'n' } },
      headers: { 'idempotency-key': `device-rollup-${++device}` },
    });
    expect(res.statusCode, res.body).toBe(201);
    const days = async () => {
      await foldSurveyRollups(t.db, t.tenantId);
      return (
        await t.pool.query(
          "select grain, day::text as day from survey_rollups where survey_id = $1 and kind = 'response' order by grain",
          [created.id],
        )
      ).rows;
    };
    expect(await days()).toEqual([
      { grain: 'day', day: '2026-04-01' },
      { grain: 'month', day: '2026-04-01' },
    ]);
    await t.pool.query("update tenants set time_zone = 'Europe/London' where id = $1", [t.tenantId]);
    try {
      expect(await days()).toEqual([
        { grain: 'day', day: '2026-03-31' },
        { grain: 'month', day: '2026-03-01' },
      ]);
      expect(await rollupRows()).toEqual(await expectedRows());
    } finally {
      await t.pool.query("update tenants set time_zone = 'Asia/Shanghai' where id = $1", [t.tenantId]);
    }
  });

  it('the write path only queues a response; the results read and the fold job add it into the rollups', async () => {
    const created = (await admin.post('/api/surveys', { definition: V1 })).json() as TSurveyDetail;
    await publish(created.id);
    const token = (await admin.post(`/api/surveys/${created.id}/open-link`, {})).json().openToken as string;
    const submit = async (q1: number) => {
      const res = await t.app.inject({
        method: 'POST',
        url: `/api/s/${token}/responses`,
        payload: { answers: { q1, visited: 'n' } },
        headers: { 'idempotency-key': `device-rollup-${++device}` },
      });
      expect(res.statusCode, res.body).toBe(201);
    };
    const stored = async () =>
      (await t.pool.query('select count(*)::int as n from survey_rollups where survey_id = $1', [created.id])).rows[0]
        .n as number;
    const pending = async () =>
      (await t.pool.query('select count(*)::int as n from survey_rollup_pending where tenant_id = $1', [t.tenantId]))
        .rows[0].n as number;
    await foldSurveyRollups(t.db);
    await submit(4);
    // no shared rollup row written by the submit: one queued row
    expect(await stored()).toBe(0);
    expect(await pending()).toBe(1);
    // the results read folds the tenant's queue first, so it shows the response at once
    const results = await admin.get(`/api/surveys/${created.id}/results`);
    expect(results.statusCode, results.body).toBe(200);
    expect(results.json().responses).toBe(1);
    expect(await pending()).toBe(0);
    expect(await stored()).toBeGreaterThan(0);
    // the job folds without any reader
    await submit(2);
    expect(await pending()).toBe(1);
    const job = jobDefinitions({
      db: t.db,
      clock: t.clock,
      log: { info: () => undefined, error: () => undefined },
      sessionIdleMinutes: 30,
    }).find((j) => j.name === 'survey-rollups-fold')!;
    await job.handler({});
    expect(await pending()).toBe(0);
    expect(await rollupRows(created.id)).toEqual(await expectedRows(created.id));
  });

  it('folds running at once (readers, the job, several processes) each take a pending row once', async () => {
    const created = (await admin.post('/api/surveys', { definition: V1 })).json() as TSurveyDetail;
    await publish(created.id);
    const token = (await admin.post(`/api/surveys/${created.id}/open-link`, {})).json().openToken as string;
    let ids: string[] | undefined;
    for (let round = 0; round < 3; round++) {
      const res = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          t.app.inject({
            method: 'POST',
            url: `/api/s/${token}/responses`,
            payload: { answers: { q1: 1 + ((i + round) % 5), visited: 'y', multi: i % 2 ? ['a', 'c'] : ['b'] } },
            headers: { 'idempotency-key': `device-rollup-${++device}` },
          }),
        ),
      );
      for (const r of res) expect(r.statusCode, r.body).toBe(201);
      // four of them excluded, restored, excluded again: a -1 or +1 queued each round beside the new +1s
      ids ??= (
        await t.pool.query<{ id: string }>(
          "select id from evaluations where tenant_id = $1 and answers->>'surveyId' = $2 order by id limit 4",
          [t.tenantId, created.id],
        )
      ).rows.map((r) => r.id);
      await t.pool.query(
        `insert into evaluation_corrections (tenant_id, evaluation_id, kind, reason, actor_id, at)
         select $1, e, $3, '并发折叠', $4, now() from unnest($2::uuid[]) e`,
        [t.tenantId, ids, round % 2 ? 'restore' : 'exclude', admin.me.user.id],
      );
      const taken = await Promise.all([
        t.pool.query('select survey_rollups_fold(null) as n'),
        t.pool.query('select survey_rollups_fold($1) as n', [t.tenantId]),
        t.pool.query('select survey_rollups_fold(null) as n'),
        t.pool.query('select survey_rollups_fold($1) as n', [t.tenantId]),
      ]);
      // 12 responses + 4 corrections queued this round, each taken by exactly one of the folds
      expect(taken.reduce((a, r) => a + (r.rows[0].n as number), 0)).toBe(16);
    }
    expect(await rollupRows(created.id)).toEqual(await expectedRows(created.id));
  });

  it('npm run rollups:rebuild recomputes lost or damaged rows from the facts', async () => {
    const expected = await rollupRows();
    expect(expected.size).toBeGreaterThan(0);
    await t.pool.query("delete from survey_rollups where tenant_id = $1 and kind = 'value'", [t.tenantId]);
    await t.pool.query('update survey_rollups set n = n + 7 where tenant_id = $1', [t.tenantId]);
    const serverDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
    const { url } = await t.pool.query('select current_database() as db').then((r) => ({
      url: (t.pool.options as { connectionString: string }).connectionString.replace(/\/[^/]+$/, `/${r.rows[0].db}`),
    }));
    const code = await new Promise<number | null>((resolve) => {
      const child = spawn('npm', ['run', 'rollups:rebuild', '--silent', '--', t.tenantId], {
        cwd: serverDir,
        env: { ...process.env, DATABASE_URL: url, LOG_LEVEL: 'silent' },
        stdio: 'ignore',
      });
      child.on('exit', resolve);
    });
    expect(code).toBe(0);
    expect(await rollupRows()).toEqual(expected);
  });
});

describe('wholeMonths', () => {
  it('splits a period into whole months and the days at either end', () => {
    expect(wholeMonths()).toEqual({});
    expect(wholeMonths('2026-01-01', '2026-03-31')).toEqual({ monthsFrom: '2026-01-01', monthsTo: '2026-04-01' });
    expect(wholeMonths('2026-01-15', '2026-03-30')).toEqual({ monthsFrom: '2026-02-01', monthsTo: '2026-03-01' });
    expect(wholeMonths('2026-12-02', undefined)).toEqual({ monthsFrom: '2027-01-01' });
    expect(wholeMonths(undefined, '2026-02-28')).toEqual({ monthsTo: '2026-03-01' });
    // inside one month: no whole month, every day read day by day
    expect(wholeMonths('2026-05-03', '2026-05-20')).toEqual({ monthsFrom: '2026-06-01', monthsTo: '2026-05-01' });
  });
});
