import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
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

/** A bundled Postgres in a temp dir with the demo tenant, and the app on it. */
export async function benchApp() {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'huifang-bench-'));
  const pgServer = await startEmbeddedPostgres({
    dataDir,
    port: await freePort(),
    log: { info: () => undefined, warn: () => undefined },
  });
  const database = createDatabase(pgServer.connectionString);
  await runMigrations(database.pool);
  const config = loadConfig({ LOG_LEVEL: 'silent', JOBS: 'false', LOGIN_MAX_FAILURES_PER_IP: '100000' });
  const jobs = inlineJobs(
    jobDefinitions({
      db: database.db,
      clock: systemClock,
      log: { info: () => undefined, error: () => undefined } as never,
      sessionIdleMinutes: 30,
    }),
  );
  const deps = { db: database.db, config, clock: systemClock, jobs };
  const boot = await bootstrapTenant(deps, {
    tenantName: '基准测试银行',
    adminPassword: 'Admin12345',
    timeZone: 'Asia/Shanghai',
  });
  await loadDemoData(deps, boot.tenantId);
  const app = await buildApp(deps, { logger: false });
  await app.ready();
  return {
    app,
    jobs,
    pool: database.pool,
    connectionString: pgServer.connectionString,
    tenantId: boot.tenantId,
    close: async () => {
      await app.close();
      await database.close();
      await pgServer.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function timeIt(n: number, fn: () => Promise<unknown>) {
  const ms: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn();
    ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  // Nearest rank: the p-quantile is the ⌈p·n⌉-th smallest (the 19th of 20 for p95; floor(p·n) took the 20th, the max).
  const pct = (p: number) => Number(ms[Math.max(0, Math.ceil(p * ms.length) - 1)]!.toFixed(2));
  return { n, p50: pct(0.5), p95: pct(0.95), max: pct(1) };
}

/**
 * A pool for the GROUP-BY baselines over the raw facts, with Postgres' own defaults (parallel workers included): the
 * app's pool runs without parallel workers (db/client.ts), which would make the baseline slower than it need be and
 * the ratio larger than it is. JIT stays off as before (its compile time is not the query's).
 */
export function baselinePool(connectionString: string): pg.Pool {
  const pool = new pg.Pool({ connectionString, max: 4, application_name: 'bench-baseline', options: '-c jit=off' });
  pool.on('error', () => undefined);
  return pool;
}

/**
 * Turn every rollup queue trigger that fires on an INSERT into `evaluations` off or on (the write path's share of the
 * read models: evaluation rollups, survey rollups, the customer-value cut). Read from the catalogue, so a rollup
 * trigger added later is in the measurement too. Returns the triggers' names.
 */
export async function setEvaluationRollupTriggers(
  q: (text: string) => Promise<{ rows: unknown[] }>,
  on: boolean,
): Promise<string[]> {
  const res = await q(
    `select tgname from pg_trigger where tgrelid = 'evaluations'::regclass and not tgisinternal
       and (tgtype & 4) <> 0 and tgname like '%rollups%' order by tgname`,
  );
  const names = (res.rows as { tgname: string }[]).map((r) => r.tgname);
  for (const name of names) await q(`alter table evaluations ${on ? 'enable' : 'disable'} trigger ${name}`);
  return names;
}

/** The median of a few samples (the upper middle for an even count). */
export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** `n` new tickets (状态 new) at the tenant's first outlet, for the ticket write-cost benches; returns their ids and the outlet. */
export async function insertBenchTickets(
  q: (text: string, params?: unknown[]) => Promise<{ rows: unknown[] }>,
  tenantId: string,
  n: number,
): Promise<{ unit: string; ids: string[] }> {
  const units = await q(`select id from org_units where tenant_id = $1 and type = 'outlet' order by code limit 1`, [
    tenantId,
  ]);
  const unit = (units.rows[0] as { id: string }).id;
  const res = await q(
    `insert into tickets (tenant_id, source, category, priority, title, description, unit_id, status, created_at, updated_at)
     select $1, 'manual', 'service_attitude', 'normal', '基准工单' || g, '', $2, 'new', now(), now()
     from generate_series(1, $3) g returning id`,
    [tenantId, unit, n],
  );
  return { unit, ids: (res.rows as { id: string }[]).map((r) => r.id) };
}

/**
 * What the read-model trigger benches write rows against: the tenant's first outlet, a teller, a new customer, a new
 * counter under the outlet (code `counterCode`) and an active rule plan of the admin's.
 */
export async function triggerBenchFixture(
  q: (text: string, params?: unknown[]) => Promise<{ rows: unknown[] }>,
  tenantId: string,
  counterCode: string,
) {
  const one = async (text: string) =>
    (await q(text, [tenantId])).rows[0] as { id: string; path: string; depth: number };
  const outlet = await one(
    `select id, path, depth from org_units where tenant_id = $1 and type = 'outlet' order by code limit 1`,
  );
  const staff = await one(
    `select id from users where tenant_id = $1 and username like 'teller%' order by username limit 1`,
  );
  const admin = await one(`select id from users where tenant_id = $1 and username = 'admin'`);
  const customer = (
    await q(`insert into customers (tenant_id, name, unit_id) values ($1, '基准客户', $2) returning id`, [
      tenantId,
      outlet.id,
    ])
  ).rows[0] as { id: string };
  const counter = crypto.randomUUID();
  await q(
    `insert into org_units (id, tenant_id, parent_id, type, name, code, path, depth, sort_order, created_at, updated_at)
     values ($1, $2, $3, 'counter', '基准窗口', $4, $5, $6, 999, now(), now())`,
    [counter, tenantId, outlet.id, counterCode, `${outlet.path}${counter}/`, outlet.depth + 1],
  );
  const plan = (
    await q(
      `insert into followup_plans (tenant_id, unit_id, name, topic, methods, target_kind, rule, start_date, assignment, assign_unit_id, status, created_by, created_at, updated_at)
       values ($1, $2, '基准计划', 'care', '{phone}', 'rule', '{"kind":"periodic","monthsByTier":{},"defaultMonths":3}', '2026-01-01', 'round_robin', $2, 'active', $3, now(), now())
       returning id`,
      [tenantId, outlet.id, admin.id],
    )
  ).rows[0] as { id: string };
  return { outlet, staff, customer, counter, planId: plan.id };
}
