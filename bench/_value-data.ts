import type pg from 'pg';

/**
 * The value-recompute benchmark's data (bench/value-recompute.ts, bench/_value-profile.ts): `n` customers in 4
 * business types with a manager rating, ~`tx` transactions each over the 730 days before `now` (orders, payments,
 * returns; one customer in ten has none), analysed. Returns the seconds it took.
 */
export async function loadValueBenchData(pool: pg.Pool, tenantId: string, now: Date, n: number, tx: number) {
  const { rows: outlets } = await pool.query(
    `select id from org_units where tenant_id = $1 and type = 'outlet' order by code`,
    [tenantId],
  );
  const l0 = performance.now();
  await pool.query(
    `insert into customers (tenant_id, kind, name, phones, phone_digits, unit_id, intent_level, custom, created_at, updated_at)
     select $1, 'company', '客户' || g, '{}', '', ($2::uuid[])[1 + g % ${outlets.length}],
            (array['马上要做','考虑中','关注','已做'])[1 + g % 4],
            jsonb_build_object('business_type', (array['批发','零售','工程','电商'])[1 + g % 4], 'manager_rating', g % 101),
            $3::timestamptz - make_interval(days => g % 900), $3::timestamptz
       from generate_series(1, $4) g`,
    [tenantId, outlets.map((o) => o.id), now.toISOString(), n],
  );
  // Transactions: per customer ~tx rows over the last 730 days; one in 10 customers has none. Amounts in fen.
  await pool.query(
    `insert into transactions (tenant_id, customer_id, unit_id, kind, amount_fen, occurred_at)
     select c.tenant_id, c.id, c.unit_id,
            case when k % 5 in (0, 1) then 'order' when k % 5 in (2, 3) then 'payment' else 'return' end,
            case when k % 5 = 4 then 1000 + (hashint4((k + i)::int) & 65535) else 100000 + (hashint4((i * 7 + k)::int) & 8388607) end,
            $2::timestamptz - make_interval(secs => ((hashint4((i * 31 + k)::int) & 2147483647) % (730 * 86400)))
       from (select id, unit_id, tenant_id, row_number() over () as i from customers where tenant_id = $1) c,
            generate_series(1, $3) k
      where c.i % 10 <> 0`,
    [tenantId, now.toISOString(), tx],
  );
  await pool.query('vacuum analyze customers');
  await pool.query('vacuum analyze transactions');
  return (performance.now() - l0) / 1000;
}
