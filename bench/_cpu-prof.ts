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
