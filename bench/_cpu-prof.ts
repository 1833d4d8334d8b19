import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';

/**
 * BENCH_CPU_PROF=1: the bench's server processes run under `node --cpu-prof`, the app's and the bare baseline's
 * profiles in separate folders under BENCH_CPU_PROF_DIR (default /tmp/huifang-cpu-prof/<bench>), written when the
 * server exits at the end of its run. Summarise one with `npx tsx bench/_cpuprofile-summary.ts <file.cpuprofile>`.
 */
export function cpuProfArgs(bench: string, mode: string): string[] {
  if (!process.env.BENCH_CPU_PROF) return [];
  const dir = path.join(process.env.BENCH_CPU_PROF_DIR ?? path.join('/tmp/huifang-cpu-prof', bench), mode);
  console.error(`cpu profile of the ${mode} server → ${dir}`);
  return ['--cpu-prof', `--cpu-prof-dir=${dir}`];
}

/**
 * BENCH_PG_STATEMENTS=1: load pg_stat_statements into the bench's Postgres (a restart with shared_preload_libraries),
 * so that `topStatements` can say which statements took the database's time during a run. `=all` also counts the
 * statements run by functions and triggers (their time is then counted twice: in themselves and in their caller).
 */
export async function withStatementStats(
  pgServer: { connectionString: string; stop(): Promise<void> },
  restart: () => Promise<{ connectionString: string; stop(): Promise<void> }>,
) {
  if (!process.env.BENCH_PG_STATEMENTS) return pgServer;
  const c = new pg.Client({ connectionString: pgServer.connectionString });
  await c.connect();
  await c.query(`alter system set shared_preload_libraries = 'pg_stat_statements'`);
  await c.query(`alter system set pg_stat_statements.track_planning = on`);
  // BENCH_PG_STATEMENTS=all: statements run inside functions and triggers too (the rollup triggers' upserts).
  if (process.env.BENCH_PG_STATEMENTS === 'all') await c.query(`alter system set pg_stat_statements.track = 'all'`);
  await c.end();
  await pgServer.stop();
  const again = await restart();
  const c2 = new pg.Client({ connectionString: again.connectionString });
  await c2.connect();
  await c2.query('create extension if not exists pg_stat_statements');
  await c2.end();
  return again;
}

/** The statements that took most of Postgres' time since the last reset (null without BENCH_PG_STATEMENTS). */
export async function topStatements(pool: pg.Pool, reset = false) {
  if (!process.env.BENCH_PG_STATEMENTS) return null;
  if (reset) {
    await pool.query('select pg_stat_statements_reset()');
    return null;
  }
  const r = await pool.query<{ query: string; calls: string; ms: number; plan_ms: number; rows: string }>(
    `select left(regexp_replace(query, '\\s+', ' ', 'g'), 160) as query, calls, round(total_exec_time::numeric, 1)::float as ms,
            round(total_plan_time::numeric, 1)::float as plan_ms, rows
     from pg_stat_statements where query not like '%pg_stat%' order by total_exec_time + total_plan_time desc limit 12`,
  );
  return r.rows;
}

/** buildApp's logger options for a bench server: none, or (BENCH_LOG set) the real one writing into /dev/null. */
export function benchLogger(): { logger?: boolean; logStream?: NodeJS.WritableStream } {
  if (!process.env.BENCH_LOG || process.env.BENCH_LOG === 'silent') return { logger: false };
  return { logStream: fs.createWriteStream('/dev/null') };
}

/**
 * BENCH_PG_SET="name=value,name=value": server settings for a diagnostic run (ALTER SYSTEM + reload, for both the app
 * and the bare route alike), e.g. `synchronous_commit=off` to see how much of a gap is the wait for the WAL flush.
 * Not for figures of record.
 */
export async function applyPgSettings(q: (text: string) => Promise<unknown>) {
  const spec = process.env.BENCH_PG_SET;
  if (!spec) return;
  for (const pair of spec.split(',')) {
    const [name, value] = pair.split('=').map((x) => x.trim());
    if (!name || !/^[a-z_.]+$/.test(name) || value === undefined) throw new Error(`BENCH_PG_SET: bad setting ${pair}`);
    await q(`alter system set ${name} = '${value.replace(/'/g, "''")}'`);
  }
  await q('select pg_reload_conf()');
  console.error(`BENCH_PG_SET: ${spec}`);
}

/**
 * BENCH_BATCH_TRACE=1: how the group commit's batches (the named statements kiosk-rate-batch, survey-open-batch) use
 * their slots, printed to stderr when the server stops: batches, rows per batch, mean time a batch is in Postgres,
 * and the gaps — a batch done and the next one not yet sent although the load goes on (a gap under 20 ms, so the
 * pauses between the bench's slices are not counted) — in ms per batch and as a share of the busy time.
 */
export function traceBatches(pool: pg.Pool) {
  const names = new Set(['kiosk-rate-batch', 'survey-open-batch']);
  const t = { batches: 0, rows: 0, inPgMs: 0, gapMs: 0, gaps: 0, busyMs: 0, inFlight: 0, lastChange: 0, lastDone: 0 };
  const hist: number[] = [0, 0, 0, 0, 0, 0, 0, 0, 0];
  const step = (now: number, d: number) => {
    if (t.inFlight > 0 || now - t.lastChange < 20) hist[t.inFlight] = (hist[t.inFlight] ?? 0) + (now - t.lastChange);
    t.inFlight += d;
    t.lastChange = now;
  };
  const query = pool.query.bind(pool) as (...a: unknown[]) => Promise<unknown>;
  (pool as unknown as { query: unknown }).query = (...args: unknown[]) => {
    const cfg = args[0] as { name?: string; values?: unknown[][] };
    if (!cfg || typeof cfg !== 'object' || !cfg.name || !names.has(cfg.name)) return query(...args);
    const sent = performance.now();
    if (t.inFlight === 0 && t.lastDone && sent - t.lastDone < 20) {
      t.gapMs += sent - t.lastDone;
      t.gaps++;
    }
    step(sent, 1);
    t.batches++;
    t.rows += Array.isArray(cfg.values?.[0]) ? cfg.values[0].length : 1;
    return query(...args).finally(() => {
      const done = performance.now();
      t.inPgMs += done - sent;
      t.lastDone = done;
      step(done, -1);
    });
  };
  process.on('SIGINT', () => {
    const r = (v: number) => Number(v.toFixed(3));
    const busy = hist.reduce((a, b) => a + b, 0);
    console.error(
      `batch trace ${JSON.stringify({
        batches: t.batches,
        rowsPerBatch: r(t.rows / Math.max(1, t.batches)),
        msInPostgresPerBatch: r(t.inPgMs / Math.max(1, t.batches)),
        gapMsPerBatch: r(t.gapMs / Math.max(1, t.batches)),
        shareOfTimeByBatchesInFlight: hist.map((h) => r(h / Math.max(1, busy))).filter((_, i) => i <= 4),
      })}`,
    );
  });
}
