/**
 * Dashboard and analysis API calls at scale (issue 14): every call of the CALLS table below, through the real HTTP
 * server (the app of `npm start` in its own process, bench/_ingest-server.ts, on the bench database; requests by
 * `fetch` over 127.0.0.1), as three users — the HQ admin (tenant scope), a branch manager (subtree of one of the
 * generated branches) and a teller (own scope) — for three periods (this month, last month, this year): p50 / p95 over
 * BENCH_RUNS (30) requests each. Beside it, in the same run, the same figures computed by GROUP BY over the raw facts
 * (evaluations, service_sessions, tickets / ticket_events), BENCH_FACT_RUNS (5) runs each, and the ratio of the p95s.
 * Target: every call p95 ≤ 100 ms; ratio ≥ 20× (goal).
 *
 * The data set (generator below; every step timed): 1 HQ → BENCH_BRANCHES (30) branches → BENCH_OUTLETS (500) outlets
 * → BENCH_STAFF (2,000) counters, one teller each; BENCH_CUSTOMERS (1,000,000) customers; BENCH_EVALUATIONS
 * (10,000,000) evaluations over the last BENCH_DAYS (400) days (so 同比 has data) — 80 % kiosk, each on its own
 * service session, the rest survey / follow-up / order review — ~0.1 % appealed and excluded; BENCH_TICKETS (50,000)
 * complaints with their events; BENCH_TASKS (1,000,000) follow-up tasks. Set-based SQL (generate_series,
 * INSERT … SELECT) on a connection with `session_replication_role = replica` (no triggers, no FK checks; consistent
 * by construction), then the rollups rebuilt (evaluation + service-session rollups, ticket rollups) and VACUUM ANALYZE.
 * A quick run: `BENCH_EVALUATIONS=200000 BENCH_CUSTOMERS=20000 BENCH_TASKS=20000 BENCH_TICKETS=2000 npx tsx bench/analytics.ts`.
 *
 * ## Adding a call (e.g. the analysis or staff-performance API at merge): one line in CALLS
 *
 *   { name: 'analysis', url: (p) => `/api/analytics/analysis?period=${p.kind}&date=${p.date}` },
 *
 * `url` gets the period ({ key, kind: 'month' | 'year', date, fromDay, toDay, from, to } — days local `YYYY-MM-DD`,
 * from/to ISO instants of local midnight) and returns the path + query. Optional `facts: (ctx, user, p) => Promise`
 * runs the same figures by GROUP BY over the raw tables (helpers `evalFacts`, `sessionFacts`, `ticketFacts` below
 * take a user's scope); without it the call is timed and listed without a ratio. A user the endpoint refuses (403)
 * is reported as `{ status: 403 }` and not timed. Optional `periods: ['thisMonth']` limits the periods.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../apps/server/test/pg-cluster.ts';
import { createDatabase } from '../apps/server/src/db/client.ts';
import { startEmbeddedPostgres } from '../apps/server/src/db/embedded.ts';
import { runMigrations } from '../apps/server/src/db/migrate.ts';
import { systemClock } from '../apps/server/src/lib/clock.ts';
import { bootstrapTenant } from '../apps/server/src/modules/bootstrap/bootstrap.service.ts';
import { DEMO_PASSWORD, loadDemoData } from '../apps/server/src/modules/bootstrap/demo-data.ts';
import { addDays, localDay, rebuildEvaluationRollups } from '../apps/server/src/modules/evaluations/rollups.ts';
import { rebuildDashboardRollups } from '../apps/server/src/modules/dashboard/read-model.ts';
import { rebuildFollowupDoneRollups } from '../apps/server/src/modules/followup/figures/staff-done.ts';
import { rebuildTicketRollups } from '../apps/server/src/modules/tickets/rollups/ticket-rollups.ts';
import { cpuMeter } from './_load.ts';
import { baselinePool, timeIt } from './_support.ts';

const env = (k: string, d: number) => Number(process.env[k] ?? d);
const N = env('BENCH_EVALUATIONS', 10_000_000);
const CUSTOMERS = env('BENCH_CUSTOMERS', 1_000_000);
const STAFF = env('BENCH_STAFF', 2_000);
const OUTLETS = env('BENCH_OUTLETS', 500);
const BRANCHES = env('BENCH_BRANCHES', 30);
const TICKETS = env('BENCH_TICKETS', 50_000);
const TASKS = env('BENCH_TASKS', 1_000_000);
const DAYS = env('BENCH_DAYS', 400);
const RUNS = env('BENCH_RUNS', 30);
const FACT_RUNS = env('BENCH_FACT_RUNS', 5);
/** BENCH_CALLS / BENCH_USERS: regular expressions on the call name / user key (e.g. the GROUP-BY ratio of a few calls at 10 M). */
const ONLY_CALLS = new RegExp(process.env.BENCH_CALLS ?? '');
const ONLY_USERS = new RegExp(process.env.BENCH_USERS ?? '');
const TZ = 'Asia/Shanghai';
const KIOSK = Math.round(N * 0.8);

// ---------------------------------------------------------------------------------------------------------------
// Users, periods and the table of calls
// ---------------------------------------------------------------------------------------------------------------

interface TUser {
  key: 'hqAdmin' | 'branchManager' | 'teller';
  username: string;
  id: string;
  unitId: string;
  unitPath: string;
  dataScope: 'tenant' | 'subtree' | 'own';
}

interface TPeriodArg {
  key: 'thisMonth' | 'lastMonth' | 'thisYear';
  kind: 'month' | 'year';
  /** A day inside the period (what the dashboard's `date` takes). */
  date: string;
  /** The period's local days [fromDay, toDay), cut at today when it is still running. */
  fromDay: string;
  toDay: string;
  /** The same as instants (local midnight, ISO with offset). */
  from: string;
  to: string;
}

interface TCtx {
  q: (text: string, params?: unknown[]) => Promise<{ rows: Record<string, unknown>[] }>;
  tenantId: string;
  today: string;
}

interface TCall {
  name: string;
  url: (p: TPeriodArg) => string;
  facts?: (ctx: TCtx, u: TUser, p: TPeriodArg) => Promise<unknown>;
  periods?: TPeriodArg['key'][];
}

/** One line per endpoint + query. */
const CALLS: TCall[] = [
  {
    name: 'analytics-dashboard',
    url: (p) => `/api/analytics/dashboard?period=${p.kind}&date=${p.date}`,
    facts: (c, u, p) => analyticsDashboardFacts(c, u, p),
  },
  {
    name: 'dashboard-summary',
    url: () => '/api/dashboard/summary',
    facts: (c, u) => summaryFacts(c, u),
    periods: ['thisMonth'],
  },
  {
    name: 'service-report-outlet',
    url: (p) => `/api/service-sessions/report?groupBy=outlet&from=${enc(p.from)}&to=${enc(p.to)}`,
    facts: (c, u, p) => serviceReportFacts(c, u, p, 's.outlet_id'),
  },
  {
    name: 'service-report-staff',
    url: (p) => `/api/service-sessions/report?groupBy=staff&from=${enc(p.from)}&to=${enc(p.to)}`,
    facts: (c, u, p) => serviceReportFacts(c, u, p, 's.staff_id'),
  },
  {
    name: 'ticket-figures-staff',
    url: (p) => `/api/ticket-figures/staff?from=${p.fromDay}&to=${addDays(p.toDay, -1)}`,
    facts: (c, u, p) => ticketFacts(c, u, p, 't.staff_id'),
  },
  // 统计分析, 满意度排名 and 员工绩效 (added at merge; timed without a GROUP BY twin yet).
  {
    name: 'analysis-by-unit',
    url: (p) => `/api/analytics/analysis?groupBy=unit&from=${p.fromDay}&to=${addDays(p.toDay, -1)}`,
  },
  {
    name: 'analysis-by-day',
    url: (p) => `/api/analytics/analysis?groupBy=period&granularity=day&from=${p.fromDay}&to=${addDays(p.toDay, -1)}`,
  },
  {
    name: 'ranking-staff',
    url: (p) => `/api/analytics/ranking?kind=staff&from=${p.fromDay}&to=${addDays(p.toDay, -1)}`,
  },
  {
    name: 'staff-performance',
    url: (p) => `/api/reports/staff-performance?from=${p.fromDay}&to=${addDays(p.toDay, -1)}`,
  },
];

const enc = encodeURIComponent;

// ---------------------------------------------------------------------------------------------------------------
// The same figures by GROUP BY over the facts (what the app computed before rollups)
// ---------------------------------------------------------------------------------------------------------------

/** The user's scope as SQL over a row's owner and unit columns (lib/scope.ts ownedVisible, spelled out). */
function scopeSql(c: TCtx, u: TUser, owner: string, unit: string): string {
  if (u.dataScope === 'own') return `${owner} = '${u.id}'`;
  if (u.dataScope === 'subtree')
    return `${unit} in (select ou.id from org_units ou where ou.tenant_id = '${c.tenantId}' and ou.path like '${u.unitPath}%')`;
  return 'true';
}
const instant = (day: string) => `('${day}'::date::timestamp at time zone '${TZ}')`;

/** Evaluation figures (counted, rated, per score; excluded apart) of [fromDay, toDay), grouped by `key` (or none). */
function evalFacts(c: TCtx, u: TUser, fromDay: string, toDay: string, key?: string) {
  return c.q(
    `select ${key ? `${key} as k,` : ''} count(*) filter (where not x.ex)::int as total,
            count(e.score) filter (where not x.ex)::int as rated,
            count(*) filter (where not x.ex and e.score >= 4)::int as satisfied,
            count(*) filter (where not x.ex and e.score <= 2)::int as unsatisfied,
            round(avg(e.score) filter (where not x.ex), 2)::float8 as avg_score, count(*) filter (where x.ex)::int as excluded
     from evaluations e
     left join lateral (select coalesce((select v.is_excluded from evaluation_exclusions v
                         where v.tenant_id = e.tenant_id and v.evaluation_id = e.id), false) as ex) x on true
     where e.tenant_id = $1 and e.occurred_at >= ${instant(fromDay)} and e.occurred_at < ${instant(toDay)}
       and ${scopeSql(c, u, 'e.staff_id', 'e.unit_id')}
     ${key ? 'group by 1' : ''}`,
    [c.tenantId],
  );
}

/** 客流量 and handling time of [fromDay, toDay) from service_sessions (scoped by counter; own: staff). */
function sessionFacts(c: TCtx, u: TUser, p: Pick<TPeriodArg, 'fromDay' | 'toDay'>, key?: string) {
  return c.q(
    `select ${key ? `${key} as k,` : ''} count(*)::int as sessions, round(avg(s.handling_seconds))::int as avg_handling
     from service_sessions s
     where s.tenant_id = $1 and s.started_at >= ${instant(p.fromDay)} and s.started_at < ${instant(p.toDay)}
       and ${scopeSql(c, u, 's.staff_id', 's.counter_id')}
     ${key ? 'group by 1' : ''}`,
    [c.tenantId],
  );
}

/** 服务统计 (GET /api/service-sessions/report) by GROUP BY over the facts: sessions joined to their kiosk evaluation
 * and its latest exclude / restore (the query the app ran before the rollups; bench/service-stats.ts). */
function serviceReportFacts(c: TCtx, u: TUser, p: Pick<TPeriodArg, 'fromDay' | 'toDay'>, key: string) {
  return c.q(
    `select ${key} as k, count(*)::int as sessions, round(avg(s.handling_seconds))::int as avg_handling,
            count(sc.v)::int as rated, count(*) filter (where e.id is not null and e.score is null)::int as unrated,
            round(avg(sc.v)::numeric, 2)::float8 as avg_score, count(*) filter (where sc.v >= 4)::int as satisfied,
            count(*) filter (where sc.v <= 2)::int as unsatisfied
     from service_sessions s
     left join evaluations e on e.tenant_id = s.tenant_id and e.idempotency_key = 'kiosk:session:' || s.id::text
     left join lateral (select ec.kind = 'exclude' as excluded from evaluation_corrections ec
                        where ec.tenant_id = e.tenant_id and ec.evaluation_id = e.id and ec.kind in ('exclude', 'restore')
                        order by ec.id desc limit 1) x on true
     cross join lateral (select case when coalesce(x.excluded, false) then null else e.score end as v) sc
     where s.tenant_id = $1 and s.started_at >= ${instant(p.fromDay)} and s.started_at < ${instant(p.toDay)}
       and ${scopeSql(c, u, 's.staff_id', 's.counter_id')}
     group by 1`,
    [c.tenantId],
  );
}

/** Complaints received / resolved / SLA breaches of [fromDay, toDay) from ticket_events joined to their tickets. */
function ticketFacts(c: TCtx, u: TUser, p: Pick<TPeriodArg, 'fromDay' | 'toDay'>, key?: string) {
  return c.q(
    `select ${key ? `${key} as k,` : ''} count(*) filter (where e.type = 'created')::int as received,
            count(*) filter (where e.type = 'resolve')::int as resolved,
            count(*) filter (where e.type = 'sla_breached')::int as sla_breaches
     from ticket_events e join tickets t on t.tenant_id = e.tenant_id and t.id = e.ticket_id
     where e.tenant_id = $1 and e.at >= ${instant(p.fromDay)} and e.at < ${instant(p.toDay)}
       and e.type in ('created', 'resolve', 'sla_breached') and ${scopeSql(c, u, 't.staff_id', 't.unit_id')}
     ${key ? 'group by 1' : ''}`,
    [c.tenantId],
  );
}

/** The period before and the same one a year earlier, cut like the dashboard cuts a running period. */
function comparisons(p: TPeriodArg, today: string) {
  const shift = (day: string, months: number) => {
    const [y, m] = day.split('-').map(Number) as [number, number];
    const t = new Date(Date.UTC(y, m - 1 + months, 1));
    return t.toISOString().slice(0, 10);
  };
  const months = p.kind === 'year' ? 12 : 1;
  const running = today >= p.fromDay && today < p.toDay;
  const len = (Date.parse(p.toDay) - Date.parse(p.fromDay)) / 86_400_000;
  const range = (from: string, wholeTo: string) => {
    const to = running ? addDays(from, len) : wholeTo;
    return { fromDay: from, toDay: to < wholeTo ? to : wholeTo };
  };
  const prevFrom = shift(p.fromDay, -months);
  const yearFrom = shift(p.fromDay, -12);
  return { prev: range(prevFrom, p.fromDay), lastYear: range(yearFrom, shift(yearFrom, months)) };
}

/** GET /api/analytics/dashboard by GROUP BY over the facts: three periods × (evaluations, sessions, tickets), the
 * daily trend and the ranking of the units below the caller's. */
async function analyticsDashboardFacts(c: TCtx, u: TUser, p: TPeriodArg) {
  const { prev, lastYear } = comparisons(p, c.today);
  const whole = {
    fromDay: p.fromDay,
    toDay: p.kind === 'year' ? `${Number(p.fromDay.slice(0, 4)) + 1}-01-01` : p.toDay,
  };
  const day = `to_char(e.occurred_at at time zone '${TZ}', 'YYYY-MM-DD')`;
  const rankingKey = `(select ch.id from org_units ou join org_units ch on ch.tenant_id = ou.tenant_id
                       and ch.parent_id = '${u.unitId}' and ou.path like ch.path || '%'
                       where ou.tenant_id = e.tenant_id and ou.id = e.unit_id)`;
  return Promise.all([
    ...[p, prev, lastYear].flatMap((r) => [
      evalFacts(c, u, r.fromDay, r.toDay),
      sessionFacts(c, u, r),
      ticketFacts(c, u, r),
    ]),
    evalFacts(c, u, whole.fromDay, whole.toDay, day),
    u.dataScope === 'own' ? Promise.resolve(null) : evalFacts(c, u, p.fromDay, p.toDay, rankingKey),
  ]);
}

/** The rollup-backed figures of GET /api/dashboard/summary (evaluations today and over 30 days, sessions today) by
 * GROUP BY over the facts; its other blocks (tasks, audit, units) read the same tables either way and are left out. */
async function summaryFacts(c: TCtx, u: TUser) {
  const tomorrow = addDays(c.today, 1);
  return Promise.all([
    evalFacts(c, u, c.today, tomorrow),
    evalFacts(c, u, addDays(c.today, -29), tomorrow),
    sessionFacts(c, u, { fromDay: c.today, toDay: tomorrow }),
  ]);
}

// ---------------------------------------------------------------------------------------------------------------
// Generator
// ---------------------------------------------------------------------------------------------------------------

// BENCH_DATA_DIR=<dir>: keep the generated data set there and, on a later run with the same scale on the same local
// day, measure it again without generating (migrations run; the rollups are rebuilt when a migration was applied or
// BENCH_REBUILD=1, not with BENCH_REBUILD=0 — a migration that fills its own tables needs no rebuild). So a 10 M
// data set generated once measures the read path before and after a change.
const keepDir = process.env.BENCH_DATA_DIR;
if (keepDir) fs.mkdirSync(keepDir, { recursive: true });
const dataDir = keepDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'huifang-bench-'));
const markerFile = path.join(dataDir, 'bench-analytics.json');
const scaleKey = JSON.stringify({ N, CUSTOMERS, STAFF, OUTLETS, BRANCHES, TICKETS, TASKS, DAYS });
const pgServer = await startEmbeddedPostgres({
  dataDir,
  port: await freePort(),
  log: { info: () => undefined, warn: () => undefined },
});
const url = pgServer.connectionString;
const pgDataDir = path.join(dataDir, 'pg');
const database = createDatabase(url);
let baseline: ReturnType<typeof baselinePool> | undefined;
const q = (text: string, params: unknown[] = []) => database.pool.query(text, params);
const seconds = (t0: number) => Number(((performance.now() - t0) / 1000).toFixed(1));
const timings: Record<string, number> = {};
const loads: number[][] = [os.loadavg()];
const step = async (name: string, fn: () => Promise<unknown>) => {
  const t0 = performance.now();
  await fn();
  timings[name] = seconds(t0);
  console.error(`[analytics] ${name}: ${timings[name]} s (load ${os.loadavg()[0]!.toFixed(1)})`);
};
let server: ChildProcess | undefined;

const generate = async (t: string) => {
  await loadDemoData({ db: database.db, clock: systemClock }, t);
  const gen = await database.pool.connect();
  await gen.query('set session_replication_role = replica');
  await gen.query(`set work_mem = '256MB'`);
  const g = (text: string, params: unknown[] = []) => gen.query(text, params);

  await step('orgAndStaff', async () => {
    const root = (await g(`select id, path, depth from org_units where tenant_id = $1 and parent_id is null`, [t]))
      .rows[0] as { id: string; path: string; depth: number };
    await g(`create unlogged table bench_units (kind text, n int, id uuid, parent uuid, path text, depth int)`);
    await g(
      `insert into bench_units select 'branch', n, id, $1, $2 || id || '/', $3 + 1
       from (select n, gen_random_uuid() as id from generate_series(0, $4 - 1) n) x`,
      [root.id, root.path, root.depth, BRANCHES],
    );
    for (const [kind, parent, count] of [
      ['outlet', 'branch', OUTLETS],
      ['counter', 'outlet', STAFF],
    ] as const)
      await g(
        `insert into bench_units select '${kind}', x.n, x.id, p.id, p.path || x.id || '/', p.depth + 1
         from (select n, gen_random_uuid() as id from generate_series(0, $1 - 1) n) x
         join bench_units p on p.kind = '${parent}' and p.n = x.n % (select count(*) from bench_units where kind = '${parent}')`,
        [count],
      );
    await g(
      `insert into org_units (id, tenant_id, parent_id, type, name, code, path, depth, sort_order, created_at, updated_at)
       select id, $1, parent, kind,
              case kind when 'branch' then '基准分行' when 'outlet' then '基准网点' else '基准窗口' end || n,
              'B' || upper(left(kind, 1)) || n, path, depth, n, now(), now()
       from bench_units order by depth, n`,
      [t],
    );
    const hash = (await g(`select password_hash from users where tenant_id = $1 and username = 'chen.teller'`, [t]))
      .rows[0]!.password_hash as string;
    await g(
      `insert into users (id, tenant_id, unit_id, username, display_name, password_hash, staff_no, title, business_handled)
       select gen_random_uuid(), $1, c.id, 'bt' || c.n, '柜员' || c.n, $2, 'BT' || c.n, '柜员', array['个人存取款', '开户销户']
       from bench_units c where c.kind = 'counter'`,
      [t, hash],
    );
    await g(
      `insert into users (id, tenant_id, unit_id, username, display_name, password_hash, staff_no, title)
       select gen_random_uuid(), $1, b.id, 'bench.manager', '基准分行经理', $2, 'BM0', '分行经理'
       from bench_units b where b.kind = 'branch' and b.n = 0`,
      [t, hash],
    );
    await g(
      `insert into user_roles (tenant_id, user_id, role_id)
       select $1, u.id, r.id from users u
       join roles r on r.tenant_id = $1 and r.key = case when u.username = 'bench.manager' then 'manager' else 'teller' end
       where u.tenant_id = $1 and (u.username like 'bt%' or u.username = 'bench.manager')`,
      [t],
    );
    // counter n → its outlet and its teller
    await g(`create unlogged table bench_counters as
      select c.n, c.id as counter_id, c.parent as outlet_id, u.id as staff_id
      from bench_units c join users u on u.tenant_id = '${t}' and u.username = 'bt' || c.n where c.kind = 'counter'`);
    await g(`create unique index on bench_counters (n)`);
    await g(`analyze bench_counters`);
  });

  await step('customers', () =>
    g(
      `insert into customers (id, tenant_id, name, phones, phone_digits, unit_id, created_at, updated_at)
       select md5('bench-c' || x.g)::uuid, $1, '客户' || x.g, array[p.phone], p.phone, c.outlet_id, now(), now()
       from generate_series(0, $2 - 1) x(g)
       cross join lateral (select '139' || lpad(x.g::text, 8, '0') as phone) p
       join bench_counters c on c.n = x.g % ${STAFF}`,
      [t, CUSTOMERS],
    ),
  );

  // Kiosk: one evaluation per service session, sessions spread evenly over the last DAYS days (so every period and
  // its 同比 have data); in chunks so one statement does not hold gigabytes of sort.
  const CHUNK = 1_000_000;
  await step('serviceSessions', async () => {
    for (let from = 0; from < KIOSK; from += CHUNK) {
      const to = Math.min(KIOSK, from + CHUNK) - 1;
      await g(
        `insert into service_sessions (tenant_id, counter_id, outlet_id, staff_id, business_type, started_at, ended_at, handling_seconds, rating_closed)
         select $1, c.counter_id, c.outlet_id, c.staff_id, (array['个人存取款','开户销户','对公结算','理财咨询'])[1 + g % 4],
                st, st + make_interval(secs => h), h, true
         from generate_series($2::bigint, $3::bigint) g
         join bench_counters c on c.n = (g * 7) % ${STAFF}
         cross join lateral (select now() - (g::float8 / $4) * interval '${DAYS} days' as st, 60 + (g * 7919) % 900 as h) x`,
        [t, from, to, KIOSK],
      );
    }
  });
  await step('evaluations', async () => {
    await g(
      `insert into evaluations (tenant_id, channel, occurred_at, received_at, unit_id, counter_id, staff_id, ref_type, ref_id,
                                source_type, score, flags, idempotency_key)
       select s.tenant_id, 'kiosk', s.ended_at + interval '5 seconds', s.ended_at + interval '6 seconds', s.outlet_id,
              s.counter_id, s.staff_id, 'service_session', s.id, 'device',
              case when r < 0.07 then null when r < 0.62 then 5 when r < 0.87 then 4 when r < 0.96 then 3 when r < 0.98 then 2 else 1 end,
              '{}'::text[], 'kiosk:session:' || s.id::text
       from (select ss.*, random() as r from service_sessions ss where ss.tenant_id = $1) s`,
      [t],
    );
    const others = N - KIOSK;
    for (let from = 0; from < others; from += CHUNK) {
      const to = Math.min(others, from + CHUNK) - 1;
      await g(
        `insert into evaluations (tenant_id, channel, occurred_at, received_at, unit_id, staff_id, customer_id,
                                  source_type, score, flags, idempotency_key)
         select $1, ch, at, at, c.outlet_id, case when ch = 'order_review' then null else c.staff_id end,
                md5('bench-c' || (g % $5))::uuid, case ch when 'survey' then 'link' when 'followup' then 'user' else 'api' end,
                case when r < 0.55 then 5 when r < 0.8 then 4 when r < 0.92 then 3 when r < 0.96 then 2 else 1 end,
                '{}'::text[], 'bench:' || g
         from generate_series($2::bigint, $3::bigint) g
         join bench_counters c on c.n = (g * 13) % ${STAFF}
         cross join lateral (select (array['survey','survey','followup','order_review'])[1 + g % 4] as ch,
                                    now() - (g::float8 / $4) * interval '${DAYS} days' as at, random() as r) x`,
        [t, from, to, others, CUSTOMERS],
      );
    }
  });
  // ~0.1 % appealed by the teller and excluded by a manager a day later (the appeal first: ids in that order).
  await step('appealsExcluded', async () => {
    await g(`create unlogged table bench_appealed as
      select tenant_id, id, occurred_at from evaluations where tenant_id = '${t}' and score is not null and random() < 0.001`);
    for (const [kind, after] of [
      ['appeal', '1 hour'],
      ['exclude', '1 day'],
    ])
      await g(
        `insert into evaluation_corrections (tenant_id, evaluation_id, kind, reason, at)
         select tenant_id, id, '${kind}', 'bench', occurred_at + interval '${after}' from bench_appealed order by id`,
      );
  });
  await step('tickets', async () => {
    await g(
      `insert into tickets (id, tenant_id, source, category, priority, title, unit_id, staff_id, status, created_at, updated_at)
       select md5('bench-t' || g)::uuid, $1, 'manual',
              (array['service_attitude','waiting_time','business_error','price','quality','logistics','environment','other'])[1 + g % 8],
              (array['urgent','high','normal','normal','low'])[1 + g % 5], '基准投诉' || g, c.outlet_id, c.staff_id,
              case when g % 10 = 0 then 'in_progress' else 'closed' end, at, at
       from generate_series(0, $2 - 1) g
       join bench_counters c on c.n = (g * 17) % ${STAFF}
       cross join lateral (select now() - (g::float8 / $2) * interval '${DAYS} days' as at) x`,
      [t, TICKETS],
    );
    await g(
      `insert into ticket_events (tenant_id, ticket_id, type, at)
       select tenant_id, id, ev.type, created_at + ev.after from tickets t
       cross join lateral (values ('created', interval '0'), ('resolve', interval '26 hours'), ('close', interval '50 hours'),
                                  ('sla_breached', interval '24 hours')) ev(type, after)
       where t.tenant_id = $1 and t.title like '基准投诉%'
         and (ev.type = 'created' or (t.status = 'closed' and ev.type <> 'sla_breached')
              or (ev.type = 'sla_breached' and hashtext(t.id::text) % 7 = 0))
       order by created_at + ev.after`,
      [t],
    );
    // As a live system has them: derived by the SLA job up to their last event (sla_stale stays false with the
    // triggers off). Left at 0, the server's SLA ticker spent the whole bench deriving 50,000 tickets (about 18
    // minutes of one core, 2026-12-06).
    await g(
      `update tickets t set sla_event_id = e.last, sla_computed_at = now(), sla_breached = e.breached
       from (select ticket_id, max(id) as last, bool_or(type = 'sla_breached') as breached
             from ticket_events where tenant_id = $1 group by ticket_id) e
       where t.tenant_id = $1 and t.id = e.ticket_id`,
      [t],
    );
  });
  await step('followupTasks', () =>
    g(
      `insert into followup_tasks (tenant_id, plan_id, customer_id, occurrence_key, unit_id, assignee_id, state, due_from,
                                   due_until, attempts, reached_attempts, completed_at, created_at, updated_at)
       select $1, '00000000-0000-4000-8000-0000000000b1', md5('bench-c' || (g % $3))::uuid, 'bench-' || g, c.outlet_id,
              c.staff_id, st, due, due + interval '7 days', case when st = 'pending' then 0 else 1 end,
              case when st = 'done' then 1 else 0 end, case when st = 'done' then due + interval '1 day' end, due, due
       from generate_series(0, $2 - 1) g
       join bench_counters c on c.n = (g % $3) % ${STAFF}
       cross join lateral (select case when g % 20 < 17 then 'done' when g % 20 = 17 then 'failed' else 'pending' end as st,
                                  now() - (g::float8 / $2) * interval '${DAYS} days' + interval '3 days' as due) x`,
      [t, TASKS, CUSTOMERS],
    ),
  );
  await g('set session_replication_role = origin');
  gen.release();
  await step('evaluationRollupsRebuild', () => rebuildEvaluationRollups(database.db));
  await step('ticketRollupsRebuild', () => rebuildTicketRollups(database.db));
  // The tasks were written with the triggers off: 员工绩效's 回访完成数 reads the completion-day rollups.
  await step('followupDoneRollupsRebuild', () => rebuildFollowupDoneRollups(database.db));
  // And the 驾驶舱's read model (follow-up tasks by due day, 客流量 by hour, open tickets, appeals…): without it the
  // dashboard read tables that held only the demo tenant's rows, and its figures at scale were not measured.
  await step('dashboardRollupsRebuild', () => rebuildDashboardRollups(database.db));
  await step('vacuumAnalyze', () => q('vacuum analyze'));
};

try {
  const marker = fs.existsSync(markerFile)
    ? (JSON.parse(fs.readFileSync(markerFile, 'utf8')) as { scale: string; today: string; tenantId: string })
    : null;
  const applied = () =>
    q(`select count(*)::int as n from drizzle.__drizzle_migrations`).then(
      (r) => r.rows[0]!.n as number,
      () => 0,
    );
  const migrationsBefore = await applied();
  await runMigrations(database.pool);
  const migrated = (await applied()) !== migrationsBefore;
  await q(`alter system set max_wal_size = '4GB'`);
  await q('select pg_reload_conf()');
  const today = localDay(new Date(), TZ);
  if (marker && (marker.scale !== scaleKey || marker.today !== today))
    throw new Error(`BENCH_DATA_DIR holds another data set (${marker.scale}, generated ${marker.today})`);
  let t: string;
  if (marker) {
    t = marker.tenantId;
    console.error(`[analytics] reusing the data set in ${dataDir}${migrated ? ' (new migrations applied)' : ''}`);
    if (process.env.BENCH_REBUILD === '1' || (migrated && process.env.BENCH_REBUILD !== '0')) {
      await step('evaluationRollupsRebuild', () => rebuildEvaluationRollups(database.db));
      await step('ticketRollupsRebuild', () => rebuildTicketRollups(database.db));
      await step('followupDoneRollupsRebuild', () => rebuildFollowupDoneRollups(database.db));
      await step('dashboardRollupsRebuild', () => rebuildDashboardRollups(database.db));
      await step('vacuumAnalyze', () => q('vacuum analyze'));
    } else if (migrated) {
      // New tables a migration backfilled: without statistics and visibility map the first run reads them slowly.
      await step('vacuumAnalyze', () => q('vacuum analyze'));
    }
  } else {
    const boot = await bootstrapTenant(
      { db: database.db, clock: systemClock },
      { tenantName: '基准测试银行', adminPassword: 'Admin12345', timeZone: TZ },
    );
    t = boot.tenantId;
    await generate(t);
    if (keepDir) fs.writeFileSync(markerFile, JSON.stringify({ scale: scaleKey, today, tenantId: t }));
  }
  loads.push(os.loadavg());

  const counts = (
    await q(
      `select (select count(*) from evaluations)::int as evaluations, (select count(*) from service_sessions)::int as sessions,
              (select count(*) from customers)::int as customers, (select count(*) from users where username like 'bt%')::int as staff,
              (select count(*) from org_units where type = 'outlet')::int as outlets, (select count(*) from tickets)::int as tickets,
              (select count(*) from followup_tasks)::int as tasks,
              (select count(*) from evaluation_corrections where kind = 'exclude')::int as excluded,
              (select count(*) from evaluation_rollups)::int as evaluation_rollup_rows,
              (select count(*) from evaluation_rollups_month)::int as evaluation_month_rows,
              (select count(*) from evaluation_rollups_unit_day)::int as evaluation_unit_day_rows,
              (select count(*) from evaluation_rollups_unit_month)::int as evaluation_unit_month_rows,
              (select count(*) from evaluation_rollups_tenant_day)::int as evaluation_tenant_day_rows,
              (select count(*) from service_session_rollups)::int as session_rollup_rows,
              (select count(*) from service_session_rollups_month)::int as session_month_rows,
              (select count(*) from service_session_rollups_outlet_day)::int as session_outlet_day_rows,
              (select count(*) from service_session_rollups_outlet_month)::int as session_outlet_month_rows,
              (select count(*) from service_session_rollups_tenant_day)::int as session_tenant_day_rows,
              (select count(*) from ticket_rollups)::int as ticket_rollup_rows,
              pg_size_pretty(pg_database_size(current_database())) as database_size`,
    )
  ).rows[0];

  // -------------------------------------------------------------------------------------------------------------
  // Measure
  // -------------------------------------------------------------------------------------------------------------
  const userRow = async (key: TUser['key'], username: string, dataScope: TUser['dataScope']): Promise<TUser> => {
    const r = (
      await q(
        `select u.id, u.unit_id, o.path from users u join org_units o on o.id = u.unit_id
         where u.tenant_id = $1 and u.username = $2`,
        [t, username],
      )
    ).rows[0] as { id: string; unit_id: string; path: string };
    return { key, username, id: r.id, unitId: r.unit_id, unitPath: r.path, dataScope };
  };
  const users = [
    await userRow('hqAdmin', 'admin', 'tenant'),
    await userRow('branchManager', 'bench.manager', 'subtree'),
    await userRow('teller', 'bt0', 'own'),
  ];
  const passwords: Record<string, string> = { admin: 'Admin12345' };

  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(import.meta.dirname, '_ingest-server.ts'), 'app', url],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  server = child;
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      const m = /listening (\d+)/.exec(d.toString());
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`app server exited ${code}`)));
  });
  const base = `http://127.0.0.1:${port}`;
  const cookies: Record<string, string> = {};
  for (const u of users) {
    const r = await fetch(`${base}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: u.username, password: passwords[u.username] ?? DEMO_PASSWORD }),
    });
    if (!r.ok) throw new Error(`login ${u.username}: ${r.status} ${await r.text()}`);
    const sid = /hf_sid=([^;]+)/.exec(r.headers.get('set-cookie') ?? '')?.[1];
    if (!sid) throw new Error(`login ${u.username}: no session cookie`);
    cookies[u.key] = sid;
  }
  const get = async (u: TUser, p: string) => {
    const r = await fetch(`${base}${p}`, { headers: { cookie: `hf_sid=${cookies[u.key]}` } });
    const body = await r.text();
    return { status: r.status, body };
  };

  // Periods: local days; a running period is cut at today (as the dashboard compares like for like).
  const [y, m] = today.split('-').map(Number) as [number, number];
  const pad = (n: number) => String(n).padStart(2, '0');
  const monthStart = `${y}-${pad(m)}-01`;
  const lastMonthStart = m === 1 ? `${y - 1}-12-01` : `${y}-${pad(m - 1)}-01`;
  const tomorrow = addDays(today, 1);
  const midnight = async (day: string) =>
    ((await q(`select ($1::date::timestamp at time zone $2) as t`, [day, TZ])).rows[0]!.t as Date).toISOString();
  const periodArg = async (key: TPeriodArg['key'], kind: TPeriodArg['kind'], fromDay: string, toDay: string) => ({
    key,
    kind,
    date: fromDay,
    fromDay,
    toDay,
    from: await midnight(fromDay),
    to: await midnight(toDay),
  });
  const periods: TPeriodArg[] = [
    await periodArg('thisMonth', 'month', monthStart, tomorrow),
    await periodArg('lastMonth', 'month', lastMonthStart, monthStart),
    await periodArg('thisYear', 'year', `${y}-01-01`, tomorrow),
  ];
  // The GROUP-BY twins run on a pool with Postgres' defaults (parallel workers), not the app's settings.
  const factsPool = (baseline = baselinePool(url));
  const ctx: TCtx = { q: (text, params = []) => factsPool.query(text, params), tenantId: t, today };

  const results: Record<string, unknown>[] = [];
  const misses: string[] = [];
  for (const call of CALLS.filter((c) => ONLY_CALLS.test(c.name))) {
    for (const p of periods.filter((x) => !call.periods || call.periods.includes(x.key))) {
      for (const u of users.filter((x) => ONLY_USERS.test(x.key))) {
        const path_ = call.url(p);
        const first = await get(u, path_);
        const row: Record<string, unknown> = { call: call.name, period: p.key, user: u.key, url: path_ };
        if (first.status !== 200) {
          row.status = first.status;
          if (first.status !== 403) row.body = first.body.slice(0, 300);
          results.push(row);
          continue;
        }
        const apiCpu = cpuMeter({ serverPids: [child.pid!], pgDataDir });
        const api = await timeIt(RUNS, async () => {
          const r = await get(u, path_);
          if (r.status !== 200) throw new Error(`${path_} as ${u.key}: ${r.status}`);
        });
        row.api = api;
        // CPU ms per call (server process + Postgres): steadier than wall time on the shared, loaded machine.
        const cpu = apiCpu.perRequest(RUNS);
        row.apiCpuMs = Number((cpu.server + cpu.postgres).toFixed(2));
        // BENCH_FACT_RUNS=0: the API calls only (e.g. a before/after comparison of the read path on the same data).
        if (call.facts && FACT_RUNS > 0) {
          await call.facts(ctx, u, p); // warm
          const factCpu = cpuMeter({ serverPids: [], pgDataDir });
          const facts = await timeIt(FACT_RUNS, () => call.facts!(ctx, u, p));
          row.facts = facts;
          row.factsCpuMs = factCpu.perRequest(FACT_RUNS).postgres;
          row.ratioP95 = Number((facts.p95 / api.p95).toFixed(1));
          row.ratioCpu = Number(((row.factsCpuMs as number) / (row.apiCpuMs as number)).toFixed(1));
        }
        if (api.p95 > 100) misses.push(`${call.name}/${p.key}/${u.key}: p95 ${api.p95} ms`);
        results.push(row);
        console.error(
          `[analytics] ${call.name} ${p.key} ${u.key}: p50 ${api.p50} p95 ${api.p95} cpu ${row.apiCpuMs}` +
            (row.facts
              ? ` | facts p95 ${(row.facts as { p95: number }).p95} cpu ${row.factsCpuMs} ×${row.ratioP95} (cpu ×${row.ratioCpu})`
              : ''),
        );
      }
    }
  }
  // BENCH_EXPLAIN=1: the plans of the dashboard's largest rollup reads (the SQL of readEvaluationRollups and of the
  // 客流量 tile, spelled out for each user's scope) over this year, to stderr. These read the fine evaluation_rollups
  // (readEvaluationRollups' fine path); the coarse path reads the tables rollupParts picks.
  if (process.env.BENCH_EXPLAIN === '1') {
    const year = periods.find((p) => p.key === 'thisYear')!;
    const sums = `coalesce(sum(r.total), 0)::int, coalesce(sum(r.unrated), 0)::int, coalesce(sum(r.score_sum), 0)::float8,
      coalesce(sum(r.score_1), 0)::int, coalesce(sum(r.score_2), 0)::int, coalesce(sum(r.score_3), 0)::int,
      coalesce(sum(r.score_4), 0)::int, coalesce(sum(r.score_5), 0)::int, coalesce(sum(r.excluded), 0)::int`;
    for (const u of users) {
      const ev = scopeSql(ctx, u, 'r.staff_id', 'r.unit_id');
      const ss = scopeSql(ctx, u, 'sr.staff_id', 'sr.counter_id');
      const range = `r.tenant_id = $1 and r.day >= $2::date and r.day < $3::date`;
      for (const [label, text] of [
        ['evaluation totals', `select ${sums} from evaluation_rollups r where ${range} and ${ev}`],
        [
          'evaluation by day',
          `select to_char(r.day, 'YYYY-MM-DD'), ${sums} from evaluation_rollups r where ${range} and ${ev} group by 1`,
        ],
        [
          'evaluation by unit',
          `select r.unit_id::text, ${sums} from evaluation_rollups r where ${range} and ${ev} group by 1`,
        ],
        [
          'sessions',
          `select coalesce(sum(sr.sessions), 0)::int, sum(sr.handling_sum) from service_session_rollups sr
                      where sr.tenant_id = $1 and sr.day >= $2::date and sr.day < $3::date and ${ss}`,
        ],
      ] as const) {
        const plan = await q(`explain (analyze, buffers) ${text}`, [t, year.fromDay, year.toDay]);
        console.error(
          `[analytics] EXPLAIN ${u.key} thisYear ${label}:\n${plan.rows.map((r) => r['QUERY PLAN']).join('\n')}`,
        );
      }
    }
  }
  loads.push(os.loadavg());
  const ratios = results.map((r) => r.ratioP95).filter((r): r is number => typeof r === 'number');
  console.log(
    JSON.stringify(
      {
        bench: 'analytics',
        scale: {
          evaluations: N,
          customers: CUSTOMERS,
          staff: STAFF,
          outlets: OUTLETS,
          branches: BRANCHES,
          tickets: TICKETS,
          tasks: TASKS,
          days: DAYS,
        },
        counts,
        generateSeconds: timings,
        loadAverage: { start: loads[0], afterGenerate: loads[1], end: loads[2] },
        transport: 'real HTTP: the app in its own process (bench/_ingest-server.ts), fetch over 127.0.0.1',
        runs: { api: RUNS, facts: FACT_RUNS },
        today,
        periods: periods.map(({ key, fromDay, toDay }) => ({ key, fromDay, toDay })),
        results,
        targets: {
          p95Ms: 100,
          ratio: 20,
          worstP95: Math.max(...results.map((r) => (r.api as { p95: number } | undefined)?.p95 ?? 0)),
          minRatio: ratios.length ? Math.min(...ratios) : null,
          misses,
          met: misses.length === 0 && ratios.every((r) => r >= 20),
        },
      },
      null,
      2,
    ),
  );
} finally {
  if (server && server.exitCode === null) {
    const s = server;
    await new Promise<void>((resolve) => {
      s.once('exit', () => resolve());
      s.kill('SIGINT');
    });
  }
  await baseline?.end();
  await database.close();
  await pgServer.stop();
  if (!keepDir) fs.rmSync(dataDir, { recursive: true, force: true });
}
