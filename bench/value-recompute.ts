/**
 * Customer value recompute 客户分级 at 1,000,000 customers (issue 15): one run of the `value-recompute` job — metrics
 * over every customer's transactions (set-based, chunked), the weighted score, the nine default rule classes, stars,
 * lifecycle, percentile tiers within business type and RFM (window functions), churn warnings — written as one
 * customer_values row per customer. Target ≤ 30 s at 1M customers.
 * Baseline in the same run: a plain aggregate over the same transactions (sum and count per customer, nothing
 * written), so the figure is a ratio: how much the whole recompute costs over just reading the facts once.
 * Generator: BENCH_CUSTOMERS customers (default 1,000,000) in 4 business types, ~BENCH_TX_PER_CUSTOMER (default 5)
 * transactions each over the last two years (orders, payments, some returns).
 */
import { createFixedClock } from '../apps/server/src/lib/clock.ts';
import { runValueRecompute } from '../apps/server/src/modules/value/value.runner.ts';
import { benchApp } from './_support.ts';
import { loadValueBenchData } from './_value-data.ts';

const N = Number(process.env.BENCH_CUSTOMERS ?? 1_000_000);
const TX = Number(process.env.BENCH_TX_PER_CUSTOMER ?? 5);
const t = await benchApp();
const now = new Date('2026-06-15T02:00:00Z');
const loadSeconds = await loadValueBenchData(t.pool, t.tenantId, now, N, TX);
const { rows: txCount } = await t.pool.query(`select count(*)::int as n from transactions where tenant_id = $1`, [
  t.tenantId,
]);

// Baseline: the plain aggregate over the same transactions.
const b0 = performance.now();
const { rows: agg } = await t.pool.query(
  `select count(*)::int as n from (select customer_id, sum(amount_fen), count(*) from transactions
    where tenant_id = $1 and occurred_at <= $2 group by customer_id) s`,
  [t.tenantId, now.toISOString()],
);
const baseSeconds = (performance.now() - b0) / 1000;

// The recompute job, as the server runs it.
const clock = createFixedClock(now);
const deps = { db: t.app.deps.db, clock };
const { rows: runs } = await t.pool.query(
  `insert into value_runs (tenant_id, model_version, trigger, status, as_of) values ($1, 0, 'manual', 'queued', $2) returning id`,
  [t.tenantId, now.toISOString()],
);
const r0 = performance.now();
await runValueRecompute(deps, runs[0].id);
const runSeconds = (performance.now() - r0) / 1000;
const { rows: done } = await t.pool.query(`select status, total, processed, counts from value_runs where id = $1`, [
  runs[0].id,
]);

console.log(
  JSON.stringify({
    bench: 'value-recompute',
    customers: N,
    transactions: txCount[0].n,
    load_seconds: Number(loadSeconds.toFixed(1)),
    recompute: {
      status: done[0].status,
      customers_scored: done[0].processed,
      seconds: Number(runSeconds.toFixed(2)),
      customers_per_second: Math.round(done[0].processed / runSeconds),
      tiers: done[0].counts.tier,
      churn_opened: done[0].counts.churn?.opened,
    },
    baseline_plain_aggregate: { customers_with_transactions: agg[0].n, seconds: Number(baseSeconds.toFixed(2)) },
    ratio: Number((runSeconds / baseSeconds).toFixed(1)),
    target_seconds_at_1m: 30,
  }),
);
await t.close();
