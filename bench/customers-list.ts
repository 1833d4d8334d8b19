/**
 * Customer list at 1,000,000 customers (issue 3): filter + sort + page, and phone-fragment search, through the real
 * app (session, scope, masking, count). Targets: list p95 ≤ 50 ms, phone search p95 ≤ 100 ms.
 * Baseline in the same run: the same requests with index scans disabled in Postgres (sequential scans), so the
 * ratio shows what the indexes buy. Rows are generated in SQL (generate_series) for speed.
 */
import { benchApp, timeIt } from './_support.ts';

const N = Number(process.env.BENCH_CUSTOMERS ?? 1_000_000);
const t = await benchApp();
const t0 = performance.now();
const { rows: outlets } = await t.pool.query(`select id from org_units where tenant_id = $1 and type = 'outlet' order by code`, [t.tenantId]);
await t.pool.query(
  `insert into customers (tenant_id, kind, name, phones, phone_digits, unit_id, tier, intent_level, tags, created_at, updated_at)
   select $1, 'individual', '客户' || g,
          array['1' || (3 + g % 7)::text || lpad(((g::bigint * 7919) % 1000000000)::text, 9, '0')],
          '1' || (3 + g % 7)::text || lpad(((g::bigint * 7919) % 1000000000)::text, 9, '0'),
          ($2::uuid[])[1 + g % ${outlets.length}],
          (array['VIP','重要','普通','普通','普通'])[1 + g % 5],
          (array['马上要做','考虑中','关注','一年内不会做','已做','尚不了解'])[1 + g % 6],
          case when g % 3 = 0 then array['理财客户'] else '{}'::text[] end,
          now() - (g % 540) * interval '1 day' - (g % 86400) * interval '1 second',
          now()
     from generate_series(1, $3) g`,
  [t.tenantId, outlets.map((o) => o.id), N],
);
await t.pool.query('vacuum analyze customers');
const loadSeconds = (performance.now() - t0) / 1000;

const login = async (username: string, password: string) => {
  const r = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password } });
  if (r.statusCode !== 200) throw new Error(r.body);
  return r.cookies.find((c) => c.name === 'hf_sid')!.value;
};
const manager = await login('zhang.manager', 'Huifang2026');
const get = (url: string) => async () => {
  const r = await t.app.inject({ method: 'GET', url, headers: { cookie: `hf_sid=${manager}` } });
  if (r.statusCode !== 200) throw new Error(`${r.statusCode} ${r.body}`);
};
const listUrl = `/api/customers?tier=VIP&sort=-createdAt&page=3&pageSize=20`;
const listUrl2 = `/api/customers?tier=${encodeURIComponent('重要')}&intentLevel=${encodeURIComponent('关注')}&sort=-createdAt&page=2&pageSize=20`;
const phoneUrls = ['5678', '13312', '0007919', '88888'].map((q) => `/api/customers?q=${q}&pageSize=20`);
let i = 0;
const phoneSearch = async () => get(phoneUrls[i++ % phoneUrls.length]!)();

async function measure() {
  await timeIt(10, get(listUrl));
  const list = await timeIt(100, get(listUrl));
  await timeIt(5, get(listUrl2));
  const list2 = await timeIt(50, get(listUrl2));
  await timeIt(8, phoneSearch);
  const phone = await timeIt(100, phoneSearch);
  return { list, list2, phone };
}
const indexed = await measure();
// Baseline: the same requests with index use disabled for every pool connection.
await t.pool.query(`alter database ${(await t.pool.query('select current_database() d')).rows[0].d} set enable_indexscan = off`);
await t.pool.query(`alter database ${(await t.pool.query('select current_database() d')).rows[0].d} set enable_bitmapscan = off`);
await t.pool.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()').catch(() => undefined);
const seq = await (async () => {
  const list = await timeIt(10, get(listUrl));
  const phone = await timeIt(10, phoneSearch);
  return { list, phone };
})().catch((e: Error) => ({ error: e.message }));

console.log(JSON.stringify({
  bench: 'customers-list',
  customers: N,
  load_seconds: Number(loadSeconds.toFixed(1)),
  scope: 'manager of 上海分行 (subtree ≈ half the customers)',
  list_filter_sort_page_ms: indexed.list,
  list_two_filters_sort_page_ms: indexed.list2,
  phone_fragment_search_ms: indexed.phone,
  baseline_without_indexes_ms: seq,
  targets: { list_p95_ms: 50, phone_p95_ms: 100 },
  ratio_list_p95: 'list' in seq ? Number((seq.list.p95 / indexed.list.p95).toFixed(1)) : null,
  ratio_phone_p95: 'phone' in seq ? Number((seq.phone.p95 / indexed.phone.p95).toFixed(1)) : null,
}));
await t.close();
