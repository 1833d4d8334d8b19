/**
 * Public survey submissions over HTTP (issue 4, DESIGN §4.2): the H5 page's POST /api/s/:token/responses on the open
 * link of the consumer-goods template (17 questions, skip logic, 7 weighted dimensions), each with its own
 * Idempotency-Key, c=50 closed-loop clients, against a real Huifang server process: link lookup, cached published
 * definition, answer validation, scoring, survey_responses + evaluation store in one transaction.
 * Targets: ≥ 5,000 submissions/s (issue 4); ≥ 1.0× the bare route of the same run and p99 ≤ 50 ms (issue 12).
 * Baseline in the same run, same Postgres: a bare Fastify route doing one INSERT, measured in one-second slices
 * alternating with the app's. CPU per request of each party
 * (server, Postgres, load generator) is reported beside, and `fold`: the survey rollups' queue of the run folded
 * afterwards (what the survey-rollups-fold job does every 5 s; the bench app runs no jobs), its Postgres CPU per
 * response, added to the app's in `ratioCpuPerRequestWithFold`.
 *   BENCH_SECONDS (default 10), BENCH_CONCURRENCY (default 50), BENCH_POOL (server pool size, default 10),
 *   BENCH_ROLLUPS=0 (rollup triggers off), BENCH_LOG (the app's LOG_LEVEL, into /dev/null; default: no logger), BENCH_CPU_PROF (see _cpu-prof.ts)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Fastify from 'fastify';
import pg from 'pg';
import { freePort } from '../apps/server/test/pg-cluster.ts';
import { buildApp } from '../apps/server/src/app.ts';
import { loadConfig } from '../apps/server/src/config/env.ts';
import { createDatabase } from '../apps/server/src/db/client.ts';
import { startEmbeddedPostgres } from '../apps/server/src/db/embedded.ts';
import { runMigrations } from '../apps/server/src/db/migrate.ts';
import { systemClock } from '../apps/server/src/lib/clock.ts';
import { inlineJobs, jobDefinitions } from '../apps/server/src/jobs/queue.ts';
import { bootstrapTenant } from '../apps/server/src/modules/bootstrap/bootstrap.service.ts';
import { loadDemoData } from '../apps/server/src/modules/bootstrap/demo-data.ts';
import { applyPgSettings, benchLogger, cpuProfArgs, traceBatches } from './_cpu-prof.ts';
import { cpuMeter, procCpuMs, runInterleaved, runLoad } from './_load.ts';
import { setEvaluationRollupTriggers } from './_support.ts';

const POOL = Number(process.env.BENCH_POOL ?? 10);

if (process.argv[2] === 'serve') {
  // Child process: the app (or the bare baseline) on the given database.
  const [, , , mode, url] = process.argv;
  if (mode === 'baseline') {
    const pool = new pg.Pool({ connectionString: url, max: POOL });
    const app = Fastify({ logger: false });
    app.post('/insert', async (req) => {
      const body = req.body as { key: string; answers: unknown };
      await pool.query('insert into bench_baseline (idempotency_key, answers) values ($1, $2)', [
        body.key,
        JSON.stringify(body.answers),
      ]);
      return { ok: true };
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    console.log(`listening ${(app.server.address() as { port: number }).port}`);
  } else {
    const database = createDatabase(url!, POOL);
    if (process.env.BENCH_BATCH_TRACE) traceBatches(database.pool);
    const config = loadConfig({
      LOG_LEVEL: process.env.BENCH_LOG ?? 'silent',
      JOBS: 'false',
      DATABASE_URL: url,
      SURVEY_SUBMIT_RATE_PER_MINUTE: '100000000',
    });
    const jobs = inlineJobs(
      jobDefinitions({
        db: database.db,
        clock: systemClock,
        log: { info: () => undefined, error: () => undefined } as never,
        sessionIdleMinutes: 30,
      }),
    );
    const app = await buildApp({ db: database.db, config, clock: systemClock, jobs }, benchLogger());
    await app.listen({ port: 0, host: '127.0.0.1' });
    console.log(`listening ${(app.server.address() as { port: number }).port}`);
  }
  process.on('SIGINT', () => process.exit(0));
} else {
  const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
  const C = Number(process.env.BENCH_CONCURRENCY ?? 50);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'huifang-bench-'));
  const pgServer = await startEmbeddedPostgres({
    dataDir,
    port: await freePort(),
    log: { info: () => undefined, warn: () => undefined },
  });
  const url = pgServer.connectionString;
  const database = createDatabase(url);
  const children: ChildProcess[] = [];
  try {
    await runMigrations(database.pool);
    const config = loadConfig({ LOG_LEVEL: 'silent', JOBS: 'false' });
    const jobs = inlineJobs([]);
    const deps = { db: database.db, config, clock: systemClock, jobs };
    const boot = await bootstrapTenant(deps, {
      tenantName: '基准测试银行',
      adminPassword: 'Admin12345',
      timeZone: 'Asia/Shanghai',
    });
    await loadDemoData(deps, boot.tenantId);
    // BENCH_ROLLUPS=0: the same run without the rollup triggers on evaluations (their cost to the write path is this
    // run against a default one).
    if (process.env.BENCH_ROLLUPS === '0')
      console.error(`rollup triggers off: ${await setEvaluationRollupTriggers((t) => database.pool.query(t), false)}`);
    await database.pool.query(
      'create table bench_baseline (id uuid primary key default gen_random_uuid(), idempotency_key text not null unique, answers jsonb, at timestamptz not null default now())',
    );

    // The template survey, published, with its open link — through the API as an admin would.
    const setup = await buildApp(deps, { logger: false });
    const login = await setup.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { username: 'admin', password: 'Admin12345' },
    });
    const headers = {
      cookie: `hf_sid=${login.cookies.find((c) => c.name === 'hf_sid')!.value}`,
      'x-csrf-token': login.json().csrfToken as string,
    };
    const survey = (
      await setup.inject({ method: 'POST', url: '/api/surveys', headers, payload: { template: 'consumer_goods' } })
    ).json() as { id: string };
    await setup.inject({ method: 'POST', url: `/api/surveys/${survey.id}/publish`, headers, payload: {} });
    const token = (
      (
        await setup.inject({ method: 'POST', url: `/api/surveys/${survey.id}/open-link`, headers, payload: {} })
      ).json() as { openToken: string }
    ).openToken;
    await setup.close();
    await database.pool.query('vacuum analyze');
    await applyPgSettings((text) => database.pool.query(text));

    const answers = (i: number) => {
      const v = (k: number) => 1 + ((i + k) % 5);
      const a: Record<string, unknown> = {
        brand_trust: v(0),
        brand_image: v(1),
        quality_overall: v(2),
        quality_durability: v(3),
        price_value: v(4),
        price_transparency: v(0),
        service_speed: v(1),
        service_attitude: v(2),
        had_return: i % 3 === 0 ? 'yes' : 'no',
        had_complaint: i % 5 === 0 ? 'yes' : 'no',
        comm_info: v(3),
        nps: i % 11,
      };
      if (i % 3 === 0) Object.assign(a, { return_process: v(4), return_refund: v(0) });
      if (i % 5 === 0) Object.assign(a, { complaint_handling: v(1), complaint_speed: v(2) });
      if (i % 4 === 0) a.suggestion = '希望价格再优惠一些';
      return a;
    };

    const startServer = async (mode: 'app' | 'baseline') => {
      const child = spawn(
        process.execPath,
        [...cpuProfArgs('survey-submit', mode), '--import', 'tsx', import.meta.filename, 'serve', mode, url],
        { stdio: ['ignore', 'pipe', 'inherit'] },
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

    const base = await startServer('baseline');
    const bare = (prefix: string) => (i: number) => ({
      path: '/insert',
      headers: {},
      body: JSON.stringify({ key: `${prefix}-${i}`, answers: answers(i) }),
    });
    await runLoad({ port: base.port, concurrency: C, seconds: 2, expectStatus: [200], makeRequest: bare('warm') });
    // Both servers run side by side and are measured in alternating one-second slices (runInterleaved), so that the
    // load of the machine's neighbours falls on both alike.
    const app = await startServer('app');
    const submit = (i: number) => ({
      path: `/api/s/${token}/responses`,
      headers: { 'idempotency-key': `dev-${crypto.randomUUID()}` },
      body: JSON.stringify({ answers: answers(i) }),
    });
    await runLoad({ port: app.port, concurrency: C, seconds: 2, expectStatus: [201], makeRequest: submit });
    const count = async () =>
      Number((await database.pool.query(`select count(*) from survey_responses`)).rows[0].count);
    const before = await count();
    const pgDataDir = path.join(dataDir, 'pg');
    const { baseline, submit: run } = await runInterleaved(
      {
        baseline: {
          port: base.port,
          concurrency: C,
          expectStatus: [200],
          makeRequest: bare('b'),
          cpu: { serverPids: [base.pid], pgDataDir },
        },
        submit: {
          port: app.port,
          concurrency: C,
          expectStatus: [201],
          makeRequest: submit,
          cpu: { serverPids: [app.pid], pgDataDir },
        },
      },
      SECONDS,
    );
    const stored = (await count()) - before;
    const evals = Number(
      (await database.pool.query(`select count(*) from evaluations where ref_type = 'survey_response'`)).rows[0].count,
    );
    await app.stop();
    await base.stop();
    // The write path queues each response (survey_rollup_pending); the survey-rollups-fold job (every 5 s) or a reader
    // adds them into survey_rollups. The bench app runs no jobs: the fold of the run's queue is measured here, after
    // the run, and its Postgres CPU per response is added to the app's for ratioCpuPerRequestWithFold.
    // The evaluation rollups' queues too (evaluation_rollup_new and evaluation_rollup_pending, the
    // evaluation-rollups-fold job).
    const pendingRows = Number((await database.pool.query('select count(*) from survey_rollup_pending')).rows[0].count);
    // Each fold measured on its own (Postgres CPU per response of the run), then added up.
    // postgresCpuMsPerResponse: every Postgres process (autovacuum of the run's inserts may fall in it);
    // backendCpuMsPerResponse: the folding backend alone (10 ms clock ticks).
    const measureFold = async (fn: string) => {
      const client = await database.pool.connect();
      try {
        const backend = Number((await client.query('select pg_backend_pid() as pid')).rows[0].pid);
        const backendBefore = procCpuMs(backend);
        const cpu = cpuMeter({ serverPids: [], pgDataDir });
        const started = performance.now();
        await client.query(`select ${fn}(null)`);
        const per = (ms: number) => Number((ms / Math.max(1, pendingRows)).toFixed(3));
        return {
          ms: Math.round(performance.now() - started),
          postgresCpuMsPerResponse: per(cpu.used().postgres),
          backendCpuMsPerResponse: per(procCpuMs(backend) - backendBefore),
        };
      } finally {
        client.release();
      }
    };
    const surveyFold = await measureFold('survey_rollups_fold');
    const evaluationFold = await measureFold('evaluation_rollups_fold');
    const fold = {
      pendingRows,
      ms: surveyFold.ms + evaluationFold.ms,
      postgresCpuMsPerResponse: Number(
        (surveyFold.postgresCpuMsPerResponse + evaluationFold.postgresCpuMsPerResponse).toFixed(3),
      ),
      survey: surveyFold,
      evaluation: evaluationFold,
    };

    console.log(
      JSON.stringify(
        {
          bench: 'survey-submit',
          concurrency: C,
          seconds: SECONDS,
          submit: { ...run, storedDuringRun: stored, evaluationsTotal: evals },
          baselineBareInsert: baseline,
          // The figures issue 12 asks for: throughput against the bare one-INSERT route of the same run, and p99.
          ratioThroughput: Number((run.perSecond / baseline.perSecond).toFixed(3)),
          p99Ms: run.p99,
          baselineP99Ms: baseline.p99,
          /** CPU per request of app + Postgres + load generator over the same for the bare route (< 1 = cheaper). */
          ratioCpuPerRequest: Number((run.cpuMsPerRequest!.total / baseline.cpuMsPerRequest!.total).toFixed(3)),
          fold,
          ratioCpuPerRequestWithFold: Number(
            ((run.cpuMsPerRequest!.total + fold.postgresCpuMsPerResponse) / baseline.cpuMsPerRequest!.total).toFixed(3),
          ),
          targets: {
            ratioThroughput: 1,
            p99Ms: 50,
            met: run.perSecond >= baseline.perSecond && run.p99 <= 50 && run.errors === 0,
          },
        },
        null,
        2,
      ),
    );
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
}
