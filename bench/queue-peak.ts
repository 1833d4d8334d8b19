/**
 * Queue ticketing at peak (issue 16, DESIGN §4.4): BENCH_OUTLETS outlets (default 500) × BENCH_COUNTERS counters
 * (default 40), each outlet with two business types served by all its counters and one teller per counter, against a
 * real Huifang server process. Open loop at fixed rates: BENCH_TAKES takes/s (default 50; POST
 * /api/queue/take/:token/tickets, a random outlet and type, its own Idempotency-Key) and BENCH_CALLS calls/s (default
 * 50; POST /api/queue/counters/:id/call-next by an idle counter's teller, then that service's end, not timed).
 * Target: p99 ≤ 100 ms for takes and calls, 0 duplicate and 0 skipped numbers (checked in SQL afterwards).
 * Baseline in the same run, same Postgres: a bare Fastify route doing one INSERT, at the same total rate, before.
 * CPU per HTTP request (server process + Postgres, from /proc) of each phase against the bare route's: a takes-only
 * and a calls-only phase of BENCH_SPLIT_SECONDS (default 10; a call's untimed end counts as a request of its own),
 * then the mixed run at the target rates, whose latencies are the ones judged.
 *   BENCH_SECONDS (default 60), BENCH_PREFILL (tickets per outlet taken before the run, default 4), BENCH_POOL (10),
 *   BENCH_CPU_PROF / BENCH_PG_STATEMENTS (see _cpu-prof.ts; the statements are those of the mixed run)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
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
import { inlineJobs } from '../apps/server/src/jobs/queue.ts';
import { bootstrapTenant } from '../apps/server/src/modules/bootstrap/bootstrap.service.ts';
import { cpuProfArgs, topStatements, withStatementStats } from './_cpu-prof.ts';
import { cpuMeter } from './_load.ts';

const POOL = Number(process.env.BENCH_POOL ?? 10);

if (process.argv[2] === 'serve') {
  const [, , , mode, url] = process.argv;
  if (mode === 'baseline') {
    const pool = new pg.Pool({ connectionString: url, max: POOL });
    const app = Fastify({ logger: false });
    app.post('/insert', async (req) => {
      await pool.query('insert into bench_baseline (k) values ($1)', [(req.body as { k: string }).k]);
      return { ok: true };
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    console.log(`listening ${(app.server.address() as { port: number }).port}`);
  } else {
    const database = createDatabase(url!, POOL);
    const config = loadConfig({ LOG_LEVEL: 'silent', JOBS: 'false', DATABASE_URL: url });
    const app = await buildApp(
      { db: database.db, config, clock: systemClock, jobs: inlineJobs([]) },
      { logger: false },
    );
    await app.listen({ port: 0, host: '127.0.0.1' });
    console.log(`listening ${(app.server.address() as { port: number }).port}`);
  }
  process.on('SIGINT', () => process.exit(0));
} else {
  const OUTLETS = Number(process.env.BENCH_OUTLETS ?? 500);
  const COUNTERS = Number(process.env.BENCH_COUNTERS ?? 40);
  const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
  const TAKES = Number(process.env.BENCH_TAKES ?? 50);
  const CALLS = Number(process.env.BENCH_CALLS ?? 50);
  const PREFILL = Number(process.env.BENCH_PREFILL ?? 4);
  const SPLIT_SECONDS = Number(process.env.BENCH_SPLIT_SECONDS ?? 10);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'huifang-bench-'));
  const pgDataDir = path.join(dataDir, 'pg');
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
    const q = (text: string, params: unknown[] = []) => database.pool.query(text, params);
    const tenant = boot.tenantId;
    // The hall is open all day for the bench, whatever the hour it runs.
    await q(
      `
      with root as (select id, path from org_units where tenant_id = $1 and parent_id is null),
      o as (
        insert into org_units (id, tenant_id, parent_id, type, name, code, path, depth)
        select g.id, $1, root.id, 'outlet', '网点' || g.n, 'O' || g.n, root.path || g.id || '/', 1
        from root, (select gen_random_uuid() as id, n from generate_series(1, $2::int) n) g returning id, path, code)
      insert into org_units (id, tenant_id, parent_id, type, name, code, path, depth)
      select x.cid, $1, x.id, 'counter', x.n || '号窗口', x.code || '-W' || x.n, x.path || x.cid || '/', 2
      from (select o.id, o.path, o.code, n, gen_random_uuid() as cid from o cross join generate_series(1, $3::int) n) x`,
      [tenant, OUTLETS, COUNTERS],
    );
    await q(
      `
      insert into queue_settings (tenant_id, outlet_id, opens_at, closes_at, link_token, updated_at)
      select $1, id, '00:00', '23:59', 'bench-link-token-' || code, now() from org_units where tenant_id = $1 and type = 'outlet'`,
      [tenant],
    );
    await q(
      `
      insert into queue_business_types (tenant_id, outlet_id, name, prefix, sort_order, created_at)
      select $1, o.id, t.name, t.prefix, t.ord, now() from org_units o,
        (values ('个人业务', 'A', 0), ('对公业务', 'B', 1)) t(name, prefix, ord)
      where o.tenant_id = $1 and o.type = 'outlet'`,
      [tenant],
    );
    await q(
      `
      insert into queue_counter_types (tenant_id, counter_id, type_id)
      select $1, c.id, t.id from org_units c join queue_business_types t on t.outlet_id = c.parent_id
      where c.tenant_id = $1 and c.type = 'counter'`,
      [tenant],
    );
    // One teller per counter, each with a session (inserted as a login would: sha256 of the cookie token).
    await q(
      `
      with u as (
        insert into users (tenant_id, unit_id, username, display_name, password_hash)
        select $1, c.id, 'bt-' || c.code, '柜员' || c.code, 'x' from org_units c where c.tenant_id = $1 and c.type = 'counter'
        returning id, username)
      , r as (insert into user_roles (tenant_id, user_id, role_id)
        select $1, u.id, (select id from roles where tenant_id = $1 and key = 'teller') from u returning user_id)
      insert into sessions (token_hash, tenant_id, user_id, csrf_token, expires_at)
      select encode(sha256(convert_to('tok-' || u.username, 'UTF8')), 'hex'), $1, u.id, 'bench-csrf', now() + interval '1 day' from u`,
      [tenant],
    );
    await q(
      'create table bench_baseline (id bigserial primary key, k text not null unique, at timestamptz not null default now())',
    );
    const outlets = (
      await q(
        `select o.code, array_agg(t.id order by t.prefix) as types from org_units o join queue_business_types t on t.outlet_id = o.id
               where o.tenant_id = $1 and o.type = 'outlet' group by o.code`,
        [tenant],
      )
    ).rows as { code: string; types: string[] }[];
    const counters = (
      await q(`select c.id, c.code from org_units c where c.tenant_id = $1 and c.type = 'counter'`, [tenant])
    ).rows as { id: string; code: string }[];
    await q('vacuum analyze');

    const startServer = async (mode: 'app' | 'baseline') => {
      const child = spawn(
        process.execPath,
        [...cpuProfArgs('queue-peak', mode), '--import', 'tsx', import.meta.filename, 'serve', mode, url],
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
      return { port, pid: child.pid! };
    };
    /** CPU ms per HTTP request of the server process and Postgres over `requests` requests since `meter` was made. */
    const cpuPer = (meter: ReturnType<typeof cpuMeter>, requests: number) => {
      const u = meter.used();
      const per = (ms: number) => Number((ms / Math.max(1, requests)).toFixed(3));
      return { requests, server: per(u.server), postgres: per(u.postgres), total: per(u.server + u.postgres) };
    };
    const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
    const send = (port: number, p: string, headers: Record<string, string>, body: string) =>
      new Promise<{ status: number; body: string; ms: number }>((resolve) => {
        const t0 = performance.now();
        const req = http.request(
          {
            host: '127.0.0.1',
            port,
            method: 'POST',
            path: p,
            agent,
            headers: { 'content-type': 'application/json', ...headers },
          },
          (res) => {
            let data = '';
            res.on('data', (c: Buffer) => (data += c.toString()));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body: data, ms: performance.now() - t0 }));
          },
        );
        req.on('error', (err) => resolve({ status: 0, body: String(err), ms: performance.now() - t0 }));
        req.end(body);
      });
    const pct = (xs: number[], p: number) => {
      const s = [...xs].sort((a, b) => a - b);
      return s.length ? Math.round(s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]! * 10) / 10 : null;
    };
    const stats = (xs: number[]) => ({
      n: xs.length,
      p50: pct(xs, 50),
      p95: pct(xs, 95),
      p99: pct(xs, 99),
      max: pct(xs, 100),
    });
    /** Fire `fn` `rate` times a second for `seconds`, not waiting for answers (open loop). */
    const openLoop = async (rate: number, seconds: number, fn: (i: number) => Promise<void>) => {
      const pending: Promise<void>[] = [];
      const t0 = performance.now();
      for (let i = 0; i < rate * seconds; i++) {
        const due = t0 + (i * 1000) / rate;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        pending.push(fn(i));
      }
      await Promise.all(pending);
    };

    // Baseline: a bare INSERT route at the same total rate.
    const base = await startServer('baseline');
    const baseLat: number[] = [];
    const baseMeter = cpuMeter({ serverPids: [base.pid], pgDataDir });
    await openLoop(TAKES + CALLS, SECONDS, async (i) => {
      const r = await send(base.port, '/insert', {}, JSON.stringify({ k: `b-${i}` }));
      if (r.status === 200) baseLat.push(r.ms);
    });
    const baseCpu = cpuPer(baseMeter, TAKES * SECONDS + CALLS * SECONDS);

    const app = await startServer('app');
    const port = app.port;
    const pick = <T>(xs: T[]) => xs[Math.floor(Math.random() * xs.length)]!;
    const take = async (lat?: number[], errors?: string[]) => {
      const o = pick(outlets);
      const r = await send(
        port,
        `/api/queue/take/bench-link-token-${o.code}/tickets`,
        { 'idempotency-key': crypto.randomUUID() },
        JSON.stringify({ typeId: pick(o.types), channel: 'screen' }),
      );
      if (r.status === 200) lat?.push(r.ms);
      else errors?.push(`${r.status} ${r.body.slice(0, 120)}`);
    };
    // Pre-fill: a few people waiting at every outlet.
    for (let i = 0; i < OUTLETS * PREFILL; i += 20) await Promise.all(Array.from({ length: 20 }, () => take()));

    let takeLat: number[] = [];
    let callLat: number[] = [];
    const errors: string[] = [];
    let empty = 0;
    let ends = 0;
    const busy = new Set<string>();
    const call = async () => {
      let c = pick(counters);
      for (let k = 0; k < 5 && busy.has(c.id); k++) c = pick(counters);
      if (busy.has(c.id)) return;
      busy.add(c.id);
      const auth = { cookie: `hf_sid=tok-bt-${c.code}`, 'x-csrf-token': 'bench-csrf' };
      const r = await send(port, `/api/queue/counters/${c.id}/call-next`, auth, '{}');
      if (r.status === 200) {
        callLat.push(r.ms);
        const sessionId = (JSON.parse(r.body) as { sessionId: string }).sessionId;
        const e = await send(port, `/api/counter/sessions/${sessionId}/end`, auth, '{}');
        ends++;
        if (e.status !== 200) errors.push(`end ${e.status} ${e.body.slice(0, 120)}`);
      } else if (r.status === 409 && r.body.includes('QUEUE_EMPTY')) {
        callLat.push(r.ms);
        empty++;
      } else errors.push(`${r.status} ${r.body.slice(0, 120)}`);
      busy.delete(c.id);
    };
    // CPU per request, takes alone then calls alone (each call's end counted as a request).
    const takeMeter = cpuMeter({ serverPids: [app.pid], pgDataDir });
    await openLoop(TAKES, SPLIT_SECONDS, () => take(takeLat, errors));
    const takeCpu = cpuPer(takeMeter, takeLat.length + errors.length);
    const takeOnly = stats(takeLat);
    const callMeter = cpuMeter({ serverPids: [app.pid], pgDataDir });
    await openLoop(CALLS, SPLIT_SECONDS, () => call());
    const callCpu = { ...cpuPer(callMeter, callLat.length + ends), calls: callLat.length, ends };
    const callOnly = stats(callLat);
    takeLat = [];
    callLat = [];
    empty = 0;
    ends = 0;

    // The judged run: takes and calls together at the target rates.
    await topStatements(database.pool, true);
    const loadBefore = os.loadavg();
    const mixMeter = cpuMeter({ serverPids: [app.pid], pgDataDir });
    await Promise.all([openLoop(TAKES, SECONDS, () => take(takeLat, errors)), openLoop(CALLS, SECONDS, () => call())]);
    const mixCpu = cpuPer(mixMeter, takeLat.length + callLat.length + ends);
    const statements = await topStatements(database.pool);

    const dup = await q(
      `select count(*)::int as n from (select 1 from queue_tickets group by taken_type_id, day, seq having count(*) > 1) x`,
    );
    const gaps = await q(
      `select count(*)::int as n from (select taken_type_id, day from queue_tickets group by 1, 2 having max(seq) <> count(*)) x`,
    );
    const sameTicketTwice = await q(
      `select count(*)::int as n from (select ticket_id from queue_ticket_events where kind = 'called' group by ticket_id having count(*) > 1) x`,
    );
    console.log(
      JSON.stringify(
        {
          bench: 'queue-peak',
          outlets: OUTLETS,
          countersPerOutlet: COUNTERS,
          seconds: SECONDS,
          rates: { takesPerSecond: TAKES, callsPerSecond: CALLS },
          take: stats(takeLat),
          call: { ...stats(callLat), empty },
          errors: { count: errors.length, first: errors.slice(0, 3) },
          duplicateNumbers: dup.rows[0].n,
          typeDaysWithGaps: gaps.rows[0].n,
          ticketsCalledTwice: sameTicketTwice.rows[0].n,
          baseline: { bareInsert: stats(baseLat), cpuMsPerRequest: baseCpu },
          /** CPU (server + Postgres) per HTTP request over the bare route's: takes alone, calls (+ ends) alone, mixed. */
          cpuMsPerRequest: { takeOnly: takeCpu, callOnly: callCpu, mixed: mixCpu },
          ratioCpuPerRequest: {
            take: Number((takeCpu.total / baseCpu.total).toFixed(2)),
            callAndEnd: Number((callCpu.total / baseCpu.total).toFixed(2)),
            mixed: Number((mixCpu.total / baseCpu.total).toFixed(2)),
          },
          splitPhases: { seconds: SPLIT_SECONDS, take: takeOnly, call: callOnly },
          loadAverage: {
            before: loadBefore.map((x) => Number(x.toFixed(2))),
            after: os.loadavg().map((x) => Number(x.toFixed(2))),
          },
          statements,
          target: 'p99 ≤ 100 ms, 0 duplicate numbers',
        },
        null,
        2,
      ),
    );
  } finally {
    for (const c of children) c.kill('SIGINT');
    await database.close();
    await pgServer.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
