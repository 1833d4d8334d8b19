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

const N = Number(process.env.BENCH_CUSTOMERS ?? 1_000_000);
const TX = Number(process.env.BENCH_TX_PER_CUSTOMER ?? 5);
const t = await benchApp();
const { rows: outlets } = await t.pool.query(
  `select id from org_units where tenant_id = $1 and type = 'outlet' order by code`,
  [t.tenantId],
);
const now = new Date('2026-06-15T02:00:00Z');
const l0 = performance.now();
await t.pool.query(
  `insert into customers (tenant_id, kind, name, phones, phone_digits, unit_id, intent_level, custom, created_at, updated_at)
   select $1, 'company', '客户' || g, '{}', '', ($2::uuid[])[1 + g % ${outlets.length}],
          (array['马上要做','考虑中','关注','已做'])[1 + g % 4],
          jsonb_build_object('business_type', (array['批发','零售','工程','电商'])[1 + g % 4], 'manager_rating', g % 101),
          $3::timestamptz - make_interval(days => g % 900), $3::timestamptz
     from generate_series(1, $4) g`,
  [t.tenantId, outlets.map((o) => o.id), now.toISOString(), N],
);
// Transactions: per customer ~TX rows over the last 730 days; one in 10 customers has none. Amounts in fen.
await t.pool.query(
  `insert into transactions (tenant_id, customer_id, unit_id, kind, amount_fen, occurred_at)
   select c.tenant_id, c.id, c.unit_id,
          case when k % 5 in (0, 1) then 'order' when k % 5 in (2, 3) then 'payment' else 'return' end,
          case when k % 5 = 4 then 1000 + (hashint4((k + i)::int) & 65535) else 100000 + (hashint4((i * 7 + k)::int) & 8388607) end,
          $2::timestamptz - make_interval(secs => ((hashint4((i * 31 + k)::int) & 2147483647) % (730 * 86400)))
     from (select id, unit_id, tenant_id, row_number() over () as i from customers where tenant_id = $1) c,
          generate_series(1, $3) k
    where c.i % 10 <> 0`,
  [t.tenantId, now.toISOString(), TX],
);
await t.pool.query('vacuum analyze customers');
await t.pool.query('vacuum analyze transactions');
const loadSeconds = (performance.now() - l0) / 1000;
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
