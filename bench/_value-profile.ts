/**
 * Profile of a customer value recompute (issue 15): the `value-recompute` job over BENCH_CUSTOMERS customers (default
 * 100,000; data as bench/value-recompute.ts), every SQL statement it sends logged with its duration, and the time
 * between statements (the Node side). EXPLAIN=1 runs each INSERT / UPDATE / CREATE … AS of the job under
 * EXPLAIN (ANALYZE, BUFFERS) instead and prints the plans (the statements still take effect; results are not returned,
 * so the run's counts are not meaningful then). `npx tsx bench/_value-profile.ts` (underscored: `npm run bench` skips
 * it, it has no baseline). Not a benchmark: bench/value-recompute.ts measures.
 */
import pg from 'pg';
import { createFixedClock } from '../apps/server/src/lib/clock.ts';
import { runValueRecompute } from '../apps/server/src/modules/value/value.runner.ts';
import { benchApp } from './_support.ts';
import { loadValueBenchData } from './_value-data.ts';

const N = Number(process.env.BENCH_CUSTOMERS ?? 100_000);
const TX = Number(process.env.BENCH_TX_PER_CUSTOMER ?? 5);
const EXPLAIN = process.env.EXPLAIN === '1';
const t = await benchApp();
const now = new Date('2026-06-15T02:00:00Z');
const loadSeconds = await loadValueBenchData(t.pool, t.tenantId, now, N, TX);
console.log(JSON.stringify({ customers: N, load_seconds: Number(loadSeconds.toFixed(1)) }));

type TQuery = (this: pg.Client, ...args: unknown[]) => Promise<pg.QueryResult>;
const original = pg.Client.prototype.query as unknown as TQuery;
const log: { ms: number; gapMs: number; sql: string; rows: number | null }[] = [];
let last = 0;
let on = false;
(pg.Client.prototype as unknown as { query: TQuery }).query = async function (this: pg.Client, ...args: unknown[]) {
  if (!on) return original.apply(this, args);
  const cb = args[args.length - 1];
  if (typeof cb === 'function') {
    // pool.query's callback form: time it through the callback.
    const t0 = performance.now();
    const gapMs = t0 - last;
    const c0 = args[0] as string | { text: string };
    const short = (typeof c0 === 'string' ? c0 : c0.text).replace(/\s+/g, ' ').trim();
    args[args.length - 1] = (err: unknown, r: pg.QueryResult) => {
      last = performance.now();
      log.push({ ms: last - t0, gapMs, sql: short.slice(0, 110), rows: r?.rowCount ?? null });
      (cb as (e: unknown, r: pg.QueryResult) => void)(err, r);
    };
    return original.apply(this, args);
  }
  const cfg = args[0] as string | { text: string; values?: unknown[] };
  const text = typeof cfg === 'string' ? cfg : cfg.text;
  const values = (typeof cfg === 'string' ? undefined : cfg.values) ?? (args[1] as unknown[] | undefined);
  const t0 = performance.now();
  const gapMs = t0 - last;
  const short = text.replace(/\s+/g, ' ').trim();
  if (EXPLAIN && /^(insert|update|create temp table \w+ on commit drop as)/i.test(short)) {
    // Parameters inlined as literals (EXPLAIN of a statement whose subqueries take parameters fails in PG 15).
    const lit = (v: unknown) => (typeof v === 'number' ? String(v) : `'${String(v).replace(/'/g, "''")}'`);
    const inlined = text.replace(/\$(\d+)/g, (_m, i: string) => lit((values ?? [])[Number(i) - 1]));
    const r = await original.call(this, `explain (analyze, buffers) ${inlined}`);
    console.log(
      `\n=== ${short.slice(0, 100)}\n` + r.rows.map((x: Record<string, string>) => x['QUERY PLAN']).join('\n'),
    );
    last = performance.now();
    log.push({ ms: last - t0, gapMs, sql: short.slice(0, 110), rows: null });
    return { ...r, rows: [], rowCount: 0 };
  }
  const r = await original.apply(this, args);
  last = performance.now();
  log.push({ ms: last - t0, gapMs, sql: short.slice(0, 110), rows: r.rowCount });
  return r;
};

// The bench's baseline, same run (the machine is shared: compare ratios).
const b0 = performance.now();
await t.pool.query(
  `select count(*)::int as n from (select customer_id, sum(amount_fen), count(*) from transactions
    where tenant_id = $1 and occurred_at <= $2 group by customer_id) s`,
  [t.tenantId, now.toISOString()],
);
const baseMs = performance.now() - b0;
const { rows: runs } = await t.pool.query(
  `insert into value_runs (tenant_id, model_version, trigger, status, as_of) values ($1, 0, 'manual', 'queued', $2) returning id`,
  [t.tenantId, now.toISOString()],
);
on = true;
last = performance.now();
const r0 = performance.now();
await runValueRecompute({ db: t.app.deps.db, clock: createFixedClock(now) }, runs[0].id);
const total = performance.now() - r0;
on = false;
for (const l of log)
  console.log(
    `${l.ms.toFixed(0).padStart(7)} ms  (+${l.gapMs.toFixed(0).padStart(4)} ms before)  ${l.rows ?? '-'}  ${l.sql}`,
  );
const inSql = log.reduce((s, l) => s + l.ms, 0);
console.log(
  JSON.stringify({
    total_seconds: Number((total / 1000).toFixed(2)),
    baseline_seconds: Number((baseMs / 1000).toFixed(2)),
    ratio: Number((total / baseMs).toFixed(1)),
    sql_seconds: Number((inSql / 1000).toFixed(2)),
    node_seconds: Number(((total - inSql) / 1000).toFixed(2)),
    statements: log.length,
  }),
);
await t.close();
