/**
 * What the rollups cost the write path (issue 12): the kiosk rating endpoint of a real server process, c=50
 * closed-loop clients (as bench/evaluations-ingest.ts), with the rollup trigger on `evaluations` disabled and
 * enabled, in alternating rounds on the same database (off, on, off, on, …) so that the shared machine's drift hits
 * both alike. Also the bare SQL cost: single-row INSERTs of an evaluation from one connection, triggers off vs on
 * (µs per statement, inside a transaction, i.e. without the commit).
 * Target: throughput with the rollups ≥ 90 % of without (cost ≤ 10 %).
 *   BENCH_SECONDS (per round, default 10), BENCH_ROUNDS (default 2), BENCH_CONCURRENCY (default 50)
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
import { runLoad, type TLoadResult } from './_load.ts';
import { median, setEvaluationRollupTriggers } from './_support.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const C = Number(process.env.BENCH_CONCURRENCY ?? 50);
const SESSIONS_PER_DEVICE = Math.ceil((ROUNDS * 2 * (SECONDS + 1) * 8_000) / C) + 200;
const SQL_INSERTS = 1000;

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'huifang-bench-'));
const pgServer = await startEmbeddedPostgres({
  dataDir,
  port: await freePort(),
  log: { info: () => undefined, warn: () => undefined },
});
const url = pgServer.connectionString;
const database = createDatabase(url);
const q = (text: string, params: unknown[] = []) => database.pool.query(text, params);
let child: ChildProcess | null = null;
try {
  await runMigrations(database.pool);
  const boot = await bootstrapTenant(
    { db: database.db, clock: systemClock },
    { tenantName: '基准测试银行', adminPassword: 'Admin12345', timeZone: 'Asia/Shanghai' },
  );
  await loadDemoData({ db: database.db, clock: systemClock }, boot.tenantId);
  const t = boot.tenantId;
  const outlets = (
    await q(`select id, path, depth from org_units where tenant_id = $1 and type = 'outlet' order by code`, [t])
  ).rows as { id: string; path: string; depth: number }[];
  const staff = (
    await q(`select id from users where tenant_id = $1 and username like 'teller%' order by username limit 1`, [t])
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
  await q('vacuum analyze');
  // Every rollup trigger of an insert: the evaluation rollups' queue, the survey rollups' queue and the customer-value
  // cut's queue (an anonymous kiosk press adds no row to the last two, only the triggers' calls and filters).
  const setTrigger = async (on: boolean) => {
    rollupTriggers = await setEvaluationRollupTriggers(q, on);
  };
  let rollupTriggers: string[] = [];

  // Bare SQL: single-row INSERTs (one statement each, as a lone writer's) inside one transaction per round, so that
  // the commit's fsync does not drown the trigger's CPU cost; µs per statement, triggers off vs on.
  const unit = outlets[0]!.id;
  const sqlCost: Record<'off' | 'on', number[]> = { off: [], on: [] };
  const client = await database.pool.connect();
  try {
    for (let r = 0; r < ROUNDS * 3; r++)
      for (const on of [false, true]) {
        await setTrigger(on);
        await client.query('begin');
        const t0 = performance.now();
        for (let i = 0; i < SQL_INSERTS; i++)
          await client.query(
            `insert into evaluations (tenant_id, channel, occurred_at, unit_id, staff_id, source_type, score, idempotency_key)
             values ($1, 'staff', now(), $2, $3, 'user', 4, $4)`,
            [t, unit, staff, crypto.randomUUID()],
          );
        sqlCost[on ? 'on' : 'off'].push(Math.round(((performance.now() - t0) * 1000) / SQL_INSERTS));
        await client.query('commit');
      }
  } finally {
    client.release();
  }

  child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(import.meta.dirname, '_ingest-server.ts'), 'app', url],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, KIOSK_RATINGS_PER_MINUTE: '1000000' },
    },
  );
  const port = await new Promise<number>((resolve, reject) => {
    child!.stdout!.on('data', (d: Buffer) => {
      const m = /listening (\d+)/.exec(d.toString());
      if (m) resolve(Number(m[1]));
    });
    child!.once('exit', (code) => reject(new Error(`server exited ${code}`)));
  });
  const next = devices.map(() => 0);
  const press = (i: number) => {
    const d = i % C;
    const dev = devices[d]!;
    const sessionId = dev.sessions[next[d]!++]!;
    const shown = Date.now() - 2500;
    return {
      path: '/api/kiosk/device/ratings',
      headers: { authorization: `Bearer ${dev.token}`, 'idempotency-key': crypto.randomUUID() },
      body: JSON.stringify({
        sessionId,
        key: 1 + (i % 3),
        shownAt: new Date(shown).toISOString(),
        pressedAt: new Date(shown + 2000).toISOString(),
      }),
    };
  };
  await runLoad({ port, concurrency: C, seconds: 2, expectStatus: [200], makeRequest: press });
  const http: Record<'off' | 'on', TLoadResult[]> = { off: [], on: [] };
  for (let r = 0; r < ROUNDS; r++)
    for (const on of [false, true]) {
      await setTrigger(on);
      http[on ? 'on' : 'off'].push(
        await runLoad({ port, concurrency: C, seconds: SECONDS, expectStatus: [200], makeRequest: press }),
      );
    }
  await setTrigger(true);

  const sum = (xs: TLoadResult[], k: 'requests' | 'seconds') => xs.reduce((n, x) => n + x[k], 0);
  const rate = (xs: TLoadResult[]) => sum(xs, 'requests') / sum(xs, 'seconds');
  const offRate = rate(http.off);
  const onRate = rate(http.on);
  const costPercent = Number(((1 - onRate / offRate) * 100).toFixed(1));
  const sqlOff = median(sqlCost.off);
  const sqlOn = median(sqlCost.on);
  console.log(
    JSON.stringify(
      {
        bench: 'rollups-write-cost',
        concurrency: C,
        secondsPerRound: SECONDS,
        rounds: ROUNDS,
        rollupTriggers,
        kioskRatings: {
          withoutRollups: { perSecond: Number(offRate.toFixed(1)), rounds: http.off },
          withRollups: { perSecond: Number(onRate.toFixed(1)), rounds: http.on },
          costPercent,
        },
        sqlSingleRowInsertMicros: {
          withoutRollups: sqlCost.off,
          withRollups: sqlCost.on,
          medianOverheadMicros: sqlOn - sqlOff,
          medianCostPercent: Number(((sqlOn / sqlOff - 1) * 100).toFixed(1)),
        },
        targets: { costPercent: 10, met: costPercent <= 10 },
      },
      null,
      2,
    ),
  );
} finally {
  child?.kill('SIGINT');
  await database.close();
  await pgServer.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
}
