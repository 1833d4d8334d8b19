import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFixedClock } from '../../lib/clock.ts';
import { createTestApp, type TTestApp } from '../../../test/test-app.ts';
import { runValueRecompute } from './value.runner.ts';

/**
 * Pins the whole output of a recompute (every customer_values column, the churn warnings opened, kept and closed, the
 * run's counts) on a fixed, generated data set, so that reworking the SQL for speed cannot change a result. The data:
 * 3,000 customers (a fresh tenant without the demo customers) in 4 business types and none, numeric, non-numeric and
 * missing manager ratings, complete and partial expert scores; 0–7 transactions each over ~800 days before the run
 * (some after it, which a run must ignore), amounts deliberately tied for a third of them (ranks and percentile cuts
 * at ties); open warnings from an earlier run for one customer in 37. The digests were taken on the recompute as it
 * was before the speed work (commit 3710a4d) and must not move.
 */
let t: TTestApp;
const AS_OF = new Date('2026-06-15T02:00:00Z');

beforeAll(async () => {
  t = await createTestApp({ demo: false });
});
afterAll(async () => t.close());

async function generate() {
  const tenantId = t.tenantId;
  const { rows: units } = await t.pool.query<{ id: string }>(
    `select id from org_units where tenant_id = $1 order by code`,
    [tenantId],
  );
  await t.pool.query(
    `insert into customers (tenant_id, kind, name, phones, phone_digits, unit_id, intent_level, custom, created_at, updated_at)
     select $1, 'company', 'PIN' || lpad(g::text, 5, '0'), '{}', '', ($2::uuid[])[1 + g % ${units.length}],
            (array['马上要做','考虑中','关注','已做', null])[1 + g % 5],
            jsonb_strip_nulls(jsonb_build_object(
              'business_type', case when g % 9 <> 0 then (array['批发','零售','工程','电商'])[1 + g % 4] end,
              'manager_rating', case when g % 13 = 0 then to_jsonb('好'::text) when g % 17 = 0 then null
                                     when g % 7 = 0 then to_jsonb((g % 101) + 0.5) else to_jsonb(g % 101) end)),
            $3::timestamptz - make_interval(days => g % 900), $3::timestamptz
       from generate_series(1, 3000) g`,
    [tenantId, units.map((u) => u.id), AS_OF.toISOString()],
  );
  await t.pool.query(
    `insert into transactions (tenant_id, customer_id, unit_id, kind, amount_fen, occurred_at)
     select c.tenant_id, c.id, c.unit_id,
            case when c.g % 11 = 0 then 'payment' when k % 5 in (0, 1) then 'order' when k % 5 in (2, 3) then 'payment' else 'return' end,
            case when c.g % 3 = 0 then 100000 * (1 + (c.g + k) % 4)
                 when k % 5 = 4 then 1000 + (hashint4(k + c.g) & 65535)
                 else 100000 + (hashint4(c.g * 7 + k) & 8388607) end,
            $2::timestamptz - make_interval(secs => ((hashint4(c.g * 31 + k) & 2147483647) % (800 * 86400)))
              + case when (c.g + k) % 23 = 0 then interval '3 days' else interval '0' end
       from (select id, unit_id, tenant_id, substr(name, 4)::int as g from customers where tenant_id = $1) c,
            generate_series(1, c.g % 8) k`,
    [tenantId, AS_OF.toISOString()],
  );
  await t.pool.query(
    `insert into value_expert_scores (tenant_id, customer_id, scores)
     select tenant_id, id, case when substr(name, 4)::int % 100 = 0 then jsonb_build_object('volume', 7, 'margin', 3)
       else jsonb_build_object('volume', 8, 'margin', 6, 'potential', 5, 'credit', 9, 'quote_success', 4,
                               'relationship', 7, 'service_level', substr(name, 4)::int % 11) end
       from customers where tenant_id = $1 and substr(name, 4)::int % 50 = 0`,
    [tenantId],
  );
  await t.pool.query(
    `insert into value_churn_warnings (tenant_id, customer_id, run_id, reason, days_since_order, created_at)
     select tenant_id, id, gen_random_uuid(), 'no_purchase', 100, $2::timestamptz - interval '30 days'
       from customers where tenant_id = $1 and substr(name, 4)::int % 37 = 0`,
    [tenantId, AS_OF.toISOString()],
  );
  await t.pool.query('analyze customers; analyze transactions');
}

describe('a recompute on fixed data (pinned output)', () => {
  it('writes exactly the pinned values, churn warnings and counts', async () => {
    await generate();
    const { rows } = await t.pool.query<{ id: string }>(
      `insert into value_runs (tenant_id, model_version, trigger, status, as_of) values ($1, 0, 'manual', 'queued', $2) returning id`,
      [t.tenantId, AS_OF.toISOString()],
    );
    const runId = rows[0]!.id;
    await runValueRecompute({ db: t.db, clock: createFixedClock(AS_OF) }, runId);
    const run = (
      await t.pool.query(`select status, total, processed, counts, error_message from value_runs where id = $1`, [
        runId,
      ])
    ).rows[0];
    expect(run).toMatchObject({ status: 'done', total: 3000, processed: 3000, error_message: null });
    const values = (
      await t.pool.query(
        `select count(*)::int as n, sum(cv.score)::text as score_sum,
           md5(string_agg(concat_ws('|', c.name, cv.score, cv.expert_score, cv.rule_class, cv.tier, cv.lifecycle, cv.r, cv.f,
             cv.m, cv.stars, cv.sales_fen, cv.prev_sales_fen, cv.batches, cv.returns_fen, cv.payments_fen,
             cv.prev_payments_fen, cv.debt_fen, cv.days_since_order, cv.is_new, cv.manager_rating, cv.recent_fen,
             cv.prior_fen), E'\\n' order by c.name)) as digest
         from customer_values cv join customers c on c.id = cv.customer_id
         where cv.tenant_id = $1 and cv.run_id = $2`,
        [t.tenantId, runId],
      )
    ).rows[0];
    const warnings = (
      await t.pool.query(
        `select count(*) filter (where w.run_id = $2)::int as opened,
           count(*) filter (where w.run_id <> $2 and w.resolved_at is null)::int as kept,
           count(*) filter (where w.resolved_at is not null)::int as closed,
           md5(string_agg(concat_ws('|', c.name, w.run_id = $2, w.reason, w.days_since_order, w.drop_pct, w.created_at,
             w.resolved_at), E'\\n' order by c.name, w.created_at)) as digest
         from value_churn_warnings w join customers c on c.id = w.customer_id where w.tenant_id = $1`,
        [t.tenantId, runId],
      )
    ).rows[0];
    expect({ values, warnings, counts: run.counts }).toEqual({
      values: { n: 3000, score_sum: '42980.76', digest: '1b730c4a0dc25a4f8b2e81b5a15a460f' },
      warnings: { opened: 1903, kept: 53, closed: 28, digest: '62603d70ef0009c60fa4a260d308e724' },
      counts: {
        churn: { opened: 1903 },
        lifecycle: { churned: 1556, high_value: 26, ordinary: 1049, potential: 369 },
        ruleClass: {
          '-': 311,
          abnormal: 46,
          deteriorating: 125,
          new_effective: 50,
          new_ineffective: 376,
          no_business: 1118,
          pending: 973,
          stagnant: 1,
        },
        stars: { '0': 2119, '1': 472, '2': 409 },
        tier: { '-': 1528, large: 300, medium: 1006, small: 166 },
      },
    });
  });
});
