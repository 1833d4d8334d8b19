/**
 * Evaluation ingestion over HTTP (issue 4): kiosk key presses with Idempotency-Key, c=50 closed-loop clients, against
 * a real Huifang server process (device-token auth, rate limiting, schema validation, the session check and the
 * idempotent insert into the evaluation store; unsatisfied ratings also notify the outlet manager in the same
 * transaction). Targets: ≥ 5,000 acknowledged submissions/s (issue 4); ≥ 1.0× the bare route of the same run and
 * p99 ≤ 50 ms (issue 12). CPU per request of each party (server, Postgres, load generator) is reported beside.
 * Baseline in the same run, on the same Postgres: a bare Fastify route doing one INSERT (no auth, no validation),
 * measured in one-second slices alternating with the app's (the neighbours' load falls on both alike).
 * The load generator, the server and Postgres share this machine's cores, as they would on a 2-core box.
 *   BENCH_SECONDS (default 10), BENCH_CONCURRENCY (default 50), BENCH_POOL (server pool size, default 10),
 *   BENCH_PROCESSES (API processes for the app, default 1; stateless, as DESIGN §9 runs N per machine),
 *   BENCH_UNSATISFIED_EVERY (one press in N is 不满意, default 20), BENCH_ROLLUPS=0 (rollup triggers off), BENCH_LOG (the app's LOG_LEVEL, into /dev/null;
 *   default: no logger), BENCH_CPU_PROF and BENCH_PG_STATEMENTS (see _cpu-prof.ts)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../apps/server/test/pg-cluster.ts';
import { createDatabase } from '../apps/server/src/db/client.ts';
import { startEmbeddedPostgres } from '../apps/server/src/db/embedded.ts';
import { runMigrations } from '../apps/server/src/db/migrate.ts';
import { systemClock } from '../apps/server/src/lib/clock.ts';
import { bootstrapTenant } from '../apps/server/src/modules/bootstrap/bootstrap.service.ts';
import { loadDemoData } from '../apps/server/src/modules/bootstrap/demo-data.ts';
import { applyPgSettings, cpuProfArgs, topStatements, withStatementStats } from './_cpu-prof.ts';
import { cpuMeter, runInterleaved, runLoad } from './_load.ts';
import { setEvaluationRollupTriggers } from './_support.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const C = Number(process.env.BENCH_CONCURRENCY ?? 50);
const PROCESSES = Number(process.env.BENCH_PROCESSES ?? 1);
const SESSIONS_PER_DEVICE = Math.ceil((SECONDS * 12_000) / C) + 500;

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'huifang-bench-'));
const pgPort = await freePort();
const startPg = () =>
  startEmbeddedPostgres({ dataDir, port: pgPort, log: { info: () => undefined, warn: () => undefined } });
const pgServer = await withStatementStats(await startPg(), startPg);
const url = pgServer.connectionString;
const database = createDatabase(url);
const children: ChildProcess[] = [];
try {
  await runMigrations(database.pool);
  const boot = await bootstrapTenant(
    { db: database.db, clock: systemClock },
    { tenantName: '基准测试银行', adminPassword: 'Admin12345', timeZone: 'Asia/Shanghai' },
  );
  await loadDemoData({ db: database.db, clock: systemClock }, boot.tenantId);
  const q = (text: string, params: unknown[] = []) => database.pool.query(text, params);
  await q(
    'create table bench_baseline (id uuid primary key default gen_random_uuid(), idempotency_key text not null unique, score int, at timestamptz not null default now())',
  );

  // C counters (one kiosk each) spread over the demo outlets, each with enough ended, unrated service sessions.
  const t = boot.tenantId;
  const outlets = (
    await q(`select id, path, depth from org_units where tenant_id = $1 and type = 'outlet' order by code`, [t])
  ).rows as { id: string; path: string; depth: number }[];
  const staff = (
    await q(
      `select u.id from users u where u.tenant_id = $1 and u.username like 'teller%' order by u.username limit 1`,
      [t],
    )
  ).rows[0].id as string;
  const devices: { token: string; sessions: string[] }[] = [];
  for (let i = 0; i < C; i++) {
    const o = outlets[i % outlets.length]!;
    const counterId = crypto.randomUUID();
    await q(
      `insert into org_units (id, tenant_id, parent_id, type, name, code, path, depth, sort_order, created_at, updated_at)
             values ($1, $2, $3, 'counter', $4, $5, $6, $7, 100 + $8, now(), now())`,
      [counterId, t, o.id, `基准${i + 1}号窗口`, `BENCH-W${i + 1}`, `${o.path}${counterId}/`, o.depth + 1, i],
    );
    const token = crypto.randomBytes(32).toString('base64url');
    await q(
      `insert into kiosk_devices (tenant_id, counter_id, outlet_id, name, token_hash, created_at) values ($1, $2, $3, $4, $5, now())`,
      [t, counterId, o.id, `基准评价器${i + 1}`, crypto.createHash('sha256').update(token).digest('hex')],
    );
    const s = await q(
      `insert into service_sessions (tenant_id, counter_id, outlet_id, staff_id, business_type, started_at, ended_at, handling_seconds)
       select $1, $2, $3, $4, '个人存取款', now() - interval '1 hour' - g * interval '1 second', now() - interval '50 minutes' - g * interval '1 second', 600
       from generate_series(1, $5) g returning id`,
      [t, counterId, o.id, staff, SESSIONS_PER_DEVICE],
    );
    devices.push({ token, sessions: s.rows.map((r: { id: string }) => r.id) });
  }
  // BENCH_ROLLUPS=0: the same run without the rollup triggers on evaluations (issue 12: the rollups' cost to the
  // write path is this run against a default one).
  if (process.env.BENCH_ROLLUPS === '0')
    console.error(`rollup triggers off: ${await setEvaluationRollupTriggers(q, false)}`);
  await q('vacuum analyze');
  await applyPgSettings(q);

  const startServer = async (mode: 'app' | 'baseline') => {
    const child = spawn(
      process.execPath,
      [
        ...cpuProfArgs('evaluations-ingest', mode),
        '--import',
        'tsx',
        path.join(import.meta.dirname, '_ingest-server.ts'),
        mode,
        url,
      ],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
        env: { ...process.env, KIOSK_RATINGS_PER_MINUTE: '1000000' },
      },
    );
    children.push(child);
    const port = await new Promise<number>((resolve, reject) => {
      child.stdout!.on('data', (d: Buffer) => {
        const m = /listening (\d+)/.exec(d.toString());
        if (m) resolve(Number(m[1]));
      });
      child.once('exit', (code) => reject(new Error(`${mode} server exited ${code}`)));
    });
    return {
      port,
      pid: child.pid!,
      stop: () =>
        new Promise<void>((resolve) => {
          child.once('exit', () => resolve());
          child.kill('SIGINT');
        }),
    };
  };

  // Both servers run side by side and are measured in alternating one-second slices (runInterleaved), so that the
  // load of the machine's neighbours falls on both alike: the ratio is of the same moments.
  const base = await startServer('baseline');
  const bare = (prefix: string) => (i: number) => ({
    path: '/insert',
    headers: {},
    body: JSON.stringify({ key: `${prefix}-${i}`, score: 4 }),
  });
  await runLoad({ port: base.port, concurrency: C, seconds: 2, expectStatus: [200], makeRequest: bare('warm') });

  // The real kiosk rating endpoint: worker w presses on device w; 1 press in BENCH_UNSATISFIED_EVERY (default 20,
  // 0 = none) is 不满意 (notification path: its own transaction, outside the group commit).
  const unsatisfiedEvery = Number(process.env.BENCH_UNSATISFIED_EVERY ?? 20);
  const apps = await Promise.all(Array.from({ length: PROCESSES }, () => startServer('app')));
  const app = {
    port: apps.map((a) => a.port),
    pids: apps.map((a) => a.pid),
    stop: () => Promise.all(apps.map((a) => a.stop())),
  };
  const next = devices.map(() => 0);
  const press = (warm: boolean) => (i: number) => {
    const d = i % C;
    const dev = devices[d]!;
    const sessionId = dev.sessions[next[d]!++]!;
    const shown = Date.now() - 2500;
    const key = warm ? 2 : unsatisfiedEvery > 0 && i % unsatisfiedEvery === 0 ? 4 : 1 + (i % 3);
    return {
      path: '/api/kiosk/device/ratings',
      headers: { authorization: `Bearer ${dev.token}`, 'idempotency-key': crypto.randomUUID() },
      body: JSON.stringify({
        sessionId,
        key,
        shownAt: new Date(shown).toISOString(),
        pressedAt: new Date(shown + 2000).toISOString(),
      }),
    };
  };
  await runLoad({ port: app.port, concurrency: C, seconds: 2, expectStatus: [200], makeRequest: press(true) });
  const before = Number((await q(`select count(*) from evaluations where channel = 'kiosk'`)).rows[0].count);
  const xacts = async () =>
    Number(
      (await q('select xact_commit + xact_rollback as n from pg_stat_database where datname = current_database()'))
        .rows[0].n,
    );
  const xactsBefore = await xacts();
  await topStatements(database.pool, true);
  const pgDataDir = path.join(dataDir, 'pg');
  // BENCH_PG_WAITS=1: sample what the active backends wait on during the run (share of samples, by statement).
  const waits = new Map<string, number>();
  let waitSamples = 0;
  let sampling = !!process.env.BENCH_PG_WAITS;
  const sampler = (async () => {
    while (sampling) {
      const r = await q(
        `select coalesce(wait_event_type || ':' || wait_event, 'cpu') as w, left(regexp_replace(query, '\\s+', ' ', 'g'), 24) as q
         from pg_stat_activity where state = 'active' and pid <> pg_backend_pid() and backend_type = 'client backend'`,
      );
      for (const row of r.rows as { w: string; q: string }[])
        waits.set(`${row.w} ${row.q}`, (waits.get(`${row.w} ${row.q}`) ?? 0) + 1);
      waitSamples++;
      await new Promise((res) => setTimeout(res, 5));
    }
  })();
  const runs = await runInterleaved(
    {
      baseline: {
        port: base.port,
        concurrency: C,
        expectStatus: [200],
        makeRequest: bare('b'),
        cpu: { serverPids: [base.pid], pgDataDir },
      },
      kiosk: {
        port: app.port,
        concurrency: C,
        expectStatus: [200],
        makeRequest: press(false),
        cpu: { serverPids: app.pids, pgDataDir },
      },
    },
    SECONDS,
  );
  const { kiosk, baseline } = runs;
  sampling = false;
  await sampler;
  const statements = await topStatements(database.pool);
  const stored = Number((await q(`select count(*) from evaluations where channel = 'kiosk'`)).rows[0].count) - before;
  // Statistics are flushed by backends at most once a second; wait so the count is complete. Each bare request is
  // one transaction of its own.
  await new Promise((r) => setTimeout(r, 1500));
  const dbTransactionsPerRequest = Number(((await xacts()) - xactsBefore - baseline.requests) / kiosk.requests).toFixed(
    2,
  );
  await app.stop();
  await base.stop();
  // The write path queues each batch's new evaluations (evaluation_rollup_new: their ids, migration
  // evaluation_rollups_new_queue; corrections' changes go to evaluation_rollup_pending); the evaluation-rollups-fold
  // job (every 5 s) or a reader adds them into the rollups. The bench app runs no jobs: the fold of the run's queue is
  // measured here, after the run, and its Postgres CPU per press is added for ratioCpuPerRequestWithFold.
  const pendingRows = Number((await q('select count(*) from evaluation_rollup_pending')).rows[0].count);
  const queuedEvaluations = Number(
    (await q('select coalesce(sum(cardinality(ids)), 0) as n from evaluation_rollup_new')).rows[0].n,
  );
  const foldCpu = cpuMeter({ serverPids: [], pgDataDir });
  const foldStarted = performance.now();
  await q('select evaluation_rollups_fold(null)');
  const fold = {
    pendingRows,
    queuedEvaluations,
    ms: Math.round(performance.now() - foldStarted),
    postgresCpuMsPerPress: Number((foldCpu.used().postgres / Math.max(1, stored)).toFixed(3)),
  };

  const result = {
    bench: 'evaluations-ingest',
    concurrency: C,
    seconds: SECONDS,
    appProcesses: PROCESSES,
    unsatisfiedEvery,
    kiosk: { ...kiosk, storedDuringRun: stored, dbTransactionsPerRequest },
    baselineBareInsert: baseline,
    // The figures issue 12 asks for: throughput against the bare one-INSERT route of the same run, and p99.
    ratioThroughput: Number((kiosk.perSecond / baseline.perSecond).toFixed(3)),
    p99Ms: kiosk.p99,
    baselineP99Ms: baseline.p99,
    /** CPU per request of app + Postgres + load generator over the same for the bare route (< 1 = cheaper). */
    ratioCpuPerRequest: Number((kiosk.cpuMsPerRequest!.total / baseline.cpuMsPerRequest!.total).toFixed(3)),
    fold,
    ratioCpuPerRequestWithFold: Number(
      ((kiosk.cpuMsPerRequest!.total + fold.postgresCpuMsPerPress) / baseline.cpuMsPerRequest!.total).toFixed(3),
    ),
    ...(statements ? { kioskRunStatements: statements } : {}),
    ...(waitSamples
      ? {
          pgWaits: Object.fromEntries(
            [...waits]
              .sort((a, b) => b[1] - a[1])
              .slice(0, 12)
              .map(([k, v]) => [k, Number((v / waitSamples).toFixed(2))]),
          ),
        }
      : {}),
    targets: {
      ratioThroughput: 1,
      p99Ms: 50,
      met: kiosk.perSecond >= baseline.perSecond && kiosk.p99 <= 50 && kiosk.errors === 0,
    },
  };
  console.log(JSON.stringify(result, null, 2));
} catch (err) {
  // Said here: a failure of the clean-up below would otherwise replace it (runs have died with `undefined`).
  console.error('bench failed:', err);
  throw err;
} finally {
  for (const c of children) c.kill();
  await database.close();
  await pgServer.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
}
