/**
 * 服务统计 over a large evaluation store (issue 12): BENCH_EVALUATIONS (default 10,000,000) kiosk evaluations, one per
 * service session, spread over the last 365 days on 100 counters, ~7 % 未评价 and ~0.1 % excluded on appeal. The
 * generator writes the facts with generate_series while the rollup triggers are disabled, then rebuilds the rollups
 * (both timed). Then the report by outlet, staff and day for the last 30 local days: p95 over BENCH_RUNS (50) runs
 * from the rollups (the app's sessionReport) against the same report by GROUP BY over the facts (the query the app
 * ran before the rollups), BENCH_FACT_RUNS (5) runs each, in the same run. Targets: rollups p95 ≤ 50 ms, ≥ 20×.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TSessionReportQuery } from '@huifang/shared';
import { freePort } from '../apps/server/test/pg-cluster.ts';
import { createDatabase } from '../apps/server/src/db/client.ts';
import { startEmbeddedPostgres } from '../apps/server/src/db/embedded.ts';
import { runMigrations } from '../apps/server/src/db/migrate.ts';
import { systemClock } from '../apps/server/src/lib/clock.ts';
import { bootstrapTenant } from '../apps/server/src/modules/bootstrap/bootstrap.service.ts';
import { loadDemoData } from '../apps/server/src/modules/bootstrap/demo-data.ts';
import { sessionReport } from '../apps/server/src/modules/counter/sessions.repository.ts';
import { rebuildEvaluationRollups } from '../apps/server/src/modules/evaluations/rollups.ts';
import { baselinePool, timeIt } from './_support.ts';

const N = Number(process.env.BENCH_EVALUATIONS ?? 10_000_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 50);
const FACT_RUNS = Number(process.env.BENCH_FACT_RUNS ?? 5);
const COUNTERS = 100;
const TZ = 'Asia/Shanghai';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'huifang-bench-'));
const pgServer = await startEmbeddedPostgres({
  dataDir,
  port: await freePort(),
  log: { info: () => undefined, warn: () => undefined },
});
const database = createDatabase(pgServer.connectionString);
const q = (text: string, params: unknown[] = []) => database.pool.query(text, params);
const baseline = baselinePool(pgServer.connectionString);
const seconds = (t0: number) => Number(((performance.now() - t0) / 1000).toFixed(1));
try {
  await runMigrations(database.pool);
  await q(`alter system set max_wal_size = '4GB'`);
  await q('select pg_reload_conf()');
  const boot = await bootstrapTenant(
    { db: database.db, clock: systemClock },
    { tenantName: '基准测试银行', adminPassword: 'Admin12345', timeZone: TZ },
  );
  await loadDemoData({ db: database.db, clock: systemClock }, boot.tenantId);
  const t = boot.tenantId;

  // 100 counters over the demo outlets (the demo's 12 and new ones), each served by one of the demo tellers.
  await q(
    `insert into org_units (id, tenant_id, parent_id, type, name, code, path, depth, sort_order, created_at, updated_at)
     select x.id, $1, o.id, 'counter', '基准' || x.g || '号窗口', 'BENCH-W' || x.g, o.path || x.id || '/', o.depth + 1, 100 + x.g, now(), now()
     from (select g, gen_random_uuid() as id from generate_series(1, $2) g) x
     join lateral (select o.* from org_units o where o.tenant_id = $1 and o.type = 'outlet' order by o.code offset (x.g % 6) limit 1) o on true`,
    [t, COUNTERS - 12],
  );
  await q(`create table bench_counters as
    with c as (select row_number() over (order by c.code) - 1 as n, c.id as counter_id, c.parent_id as outlet_id
               from org_units c where c.tenant_id = '${t}' and c.type = 'counter'),
         u as (select row_number() over (order by u.username) - 1 as n, u.id
               from users u where u.tenant_id = '${t}' and u.username like '%teller%')
    select c.n, c.counter_id, c.outlet_id, u.id as staff_id from c join u on u.n = c.n % (select count(*) from u)`);

  // The facts, with every trigger off on the generating connection (session_replication_role = replica skips the
  // rollup triggers and the foreign-key checks; the rows are consistent by construction): sessions over the last 365
  // days, one kiosk evaluation each, ~2.5 % of the 不满意 excluded on appeal.
  const gen = await database.pool.connect();
  await gen.query('set session_replication_role = replica');
  const g0 = performance.now();
  const CHUNK = 1_000_000;
  for (let from = 0; from < N; from += CHUNK) {
    const to = Math.min(N, from + CHUNK) - 1;
    await gen.query(
      `insert into service_sessions (tenant_id, counter_id, outlet_id, staff_id, business_type, started_at, ended_at, handling_seconds, rating_closed)
       select $1, c.counter_id, c.outlet_id, c.staff_id, (array['个人存取款','开户销户','对公结算','理财咨询'])[1 + g % 4],
              st, st + make_interval(secs => h), h, true
       from generate_series($2::bigint, $3::bigint) g
       join bench_counters c on c.n = g % ${COUNTERS}
       cross join lateral (select now() - (g::float8 / $4) * interval '365 days' as st, 60 + (g * 7919) % 900 as h) x`,
      [t, from, to, N],
    );
  }
  const sessionsSeconds = seconds(g0);
  const e0 = performance.now();
  await gen.query(
    `insert into evaluations (tenant_id, channel, occurred_at, received_at, unit_id, counter_id, staff_id, ref_type, ref_id,
                              source_type, score, flags, idempotency_key)
     select s.tenant_id, 'kiosk', s.ended_at + interval '5 seconds', s.ended_at + interval '6 seconds', s.outlet_id, s.counter_id,
            s.staff_id, 'service_session', s.id, 'device',
            case when r < 0.07 then null when r < 0.62 then 5 when r < 0.87 then 4 when r < 0.96 then 3 else 1 end,
            '{}'::text[], 'kiosk:session:' || s.id::text
     from (select ss.*, random() as r from service_sessions ss where ss.tenant_id = $1) s`,
    [t],
  );
  await gen.query(
    `insert into evaluation_corrections (tenant_id, evaluation_id, kind, reason, at)
     select tenant_id, id, 'exclude', 'bench', occurred_at + interval '1 day' from evaluations
     where tenant_id = $1 and score = 1 and random() < 0.025`,
    [t],
  );
  const evaluationsSeconds = seconds(e0);
  await gen.query('set session_replication_role = origin');
  gen.release();
  const r0 = performance.now();
  await rebuildEvaluationRollups(database.db);
  const rebuildSeconds = seconds(r0);
  await q('vacuum analyze');

  const admin = (
    await q(
      `select u.id, u.unit_id, o.path from users u join org_units o on o.id = u.unit_id where u.tenant_id = $1 and u.username = 'admin'`,
      [t],
    )
  ).rows[0] as { id: string; unit_id: string; path: string };
  const scope = {
    tenantId: t,
    userId: admin.id,
    unitId: admin.unit_id,
    unitPath: admin.path,
    dataScope: 'tenant' as const,
  };
  const bounds = (
    await q(
      `select (date_trunc('day', now() at time zone $1) - interval '29 days') at time zone $1 as f,
              (date_trunc('day', now() at time zone $1) + interval '1 day') at time zone $1 as t`,
      [TZ],
    )
  ).rows[0] as { f: Date; t: Date };
  const range = { from: bounds.f.toISOString(), to: bounds.t.toISOString() };

  /** The report as the app computed it before the rollups: a GROUP BY over sessions joined to their evaluation. */
  const factReport = (groupBy: TSessionReportQuery['groupBy']) => {
    const key = groupBy === 'outlet' ? 's.outlet_id::text' : groupBy === 'staff' ? 's.staff_id::text' : 'd.day';
    return baseline.query(
      `select ${key} as key, count(*)::int as sessions, round(avg(s.handling_seconds))::int as avg_handling,
              count(sc.v)::int as rated, count(*) filter (where e.id is not null and e.score is null)::int as unrated,
              round(avg(sc.v)::numeric, 2)::float8 as avg_score, count(*) filter (where sc.v >= 4)::int as satisfied,
              count(*) filter (where sc.v <= 2)::int as unsatisfied
       from service_sessions s
       cross join lateral (select to_char(s.started_at at time zone $4, 'YYYY-MM-DD') as day) d
       left join evaluations e on e.tenant_id = s.tenant_id and e.idempotency_key = 'kiosk:session:' || s.id::text
       left join lateral (select ec.kind = 'exclude' as excluded from evaluation_corrections ec
                          where ec.tenant_id = e.tenant_id and ec.evaluation_id = e.id and ec.kind in ('exclude', 'restore')
                          order by ec.id desc limit 1) x on true
       cross join lateral (select case when coalesce(x.excluded, false) then null else e.score end as v) sc
       where s.tenant_id = $1 and s.started_at >= $2 and s.started_at < $3
       group by 1 order by 1`,
      [t, range.from, range.to, TZ],
    );
  };

  const groups = ['outlet', 'staff', 'day'] as const;
  const report: Record<string, unknown> = {};
  let worstRollupP95 = 0;
  let worstRatio = Infinity;
  for (const groupBy of groups) {
    const query = { groupBy, ...range };
    await sessionReport(database.db, scope, query, TZ); // warm
    const rollups = await timeIt(RUNS, () => sessionReport(database.db, scope, query, TZ));
    const facts = await timeIt(FACT_RUNS, () => factReport(groupBy));
    const a = (await sessionReport(database.db, scope, query, TZ)).rows;
    const b = (await factReport(groupBy)).rows as { sessions: number; rated: number }[];
    const sum = (xs: { sessions: number; rated: number }[], k: 'sessions' | 'rated') =>
      xs.reduce((n, x) => n + x[k], 0);
    const ratio = Number((facts.p95 / rollups.p95).toFixed(1));
    worstRollupP95 = Math.max(worstRollupP95, rollups.p95);
    worstRatio = Math.min(worstRatio, ratio);
    report[groupBy] = {
      rows: a.length,
      rollups,
      facts,
      ratioP95: ratio,
      // Sessions agree exactly; ratings may differ by the few rated after local midnight of a session's day.
      totals: { sessions: [sum(a, 'sessions'), sum(b, 'sessions')], rated: [sum(a, 'rated'), sum(b, 'rated')] },
    };
  }

  const size = (await q(`select pg_size_pretty(pg_database_size(current_database())) as s`)).rows[0].s as string;
  console.log(
    JSON.stringify(
      {
        bench: 'service-stats',
        evaluations: N,
        databaseSize: size,
        generate: { sessionsSeconds, evaluationsSeconds, rollupRebuildSeconds: rebuildSeconds },
        month: range,
        report,
        targets: {
          p95Ms: 50,
          ratio: 20,
          met: worstRollupP95 <= 50 && worstRatio >= 20,
        },
      },
      null,
      2,
    ),
  );
} finally {
  await baseline.end();
  await database.close();
  await pgServer.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
}
