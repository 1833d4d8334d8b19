/**
 * Customer import throughput and memory (issue 3 target: ≥ 20,000 rows/s with validation, server RSS ≤ 500 MB for a
 * 1,000,000-row CSV). The real path: upload (raw CSV body, full parse), start, the import job (validation with the
 * shared schema, upsert by phone, batches of 1,000). Baseline in the same run: the same rows bulk-inserted with plain
 * multi-row INSERTs of 1,000 into a copy of the customers table with the same indexes, and no validation. RSS is sampled every 50 ms in this process, which hosts the app.
 */
import { benchApp } from './_support.ts';

const N = Number(process.env.BENCH_IMPORT_ROWS ?? 1_000_000);
const t = await benchApp();
const TIERS = ['VIP', '重要', '普通'];
const lines = ['姓名,手机,等级,标签,地址'];
for (let g = 1; g <= N; g++) lines.push(`客户${g},1${3 + (g % 7)}${String((g * 7919) % 1e9).padStart(9, '0')},${TIERS[g % 3]},导入,上海市浦东新区世纪大道${g % 999}号`);
const csv = Buffer.from(lines.join('\n'));
lines.length = 0;

let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
const login = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'admin', password: 'Admin12345' } });
const headers = { cookie: `hf_sid=${login.cookies[0]!.value}`, 'x-csrf-token': login.json().csrfToken as string };
const { rows: [root] } = await t.pool.query(`select id from org_units where tenant_id = $1 and parent_id is null`, [t.tenantId]);

const t0 = performance.now();
const up = await t.app.inject({ method: 'POST', url: '/api/customer-imports?fileName=bench.csv', payload: csv, headers: { ...headers, 'content-type': 'text/csv' } });
if (up.statusCode !== 201) throw new Error(up.body);
const uploadMs = performance.now() - t0;
const jobId = up.json().job.id as string;
const start = await t.app.inject({ method: 'POST', url: `/api/customer-imports/${jobId}/start`, payload: { mapping: up.json().suggestedMapping, upsertKey: 'phone', defaultUnitId: root.id }, headers });
if (start.statusCode !== 200) throw new Error(start.body);
await t.jobs.idle();
const totalMs = performance.now() - t0;
clearInterval(sampler);
const { rows: [job] } = await t.pool.query('select status, inserted_rows, error_rows, error_message from import_jobs where id = $1', [jobId]);

// Baseline: the same rows, plain INSERTs of 1,000, no parsing or validation.
await t.pool.query('create table bench_plain (like customers including all)');
const b0 = performance.now();
for (let g = 1; g <= N; g += 1000) {
  const n = Math.min(1000, N - g + 1);
  await t.pool.query(
    `insert into bench_plain (id, tenant_id, kind, name, phones, phone_digits, unit_id, tier, tags, address)
     select gen_random_uuid(), $1, 'individual', '客户' || i, array[p], p, $2, (array['VIP','重要','普通'])[1 + i % 3], array['导入'], '上海市浦东新区世纪大道' || (i % 999) || '号'
       from (select i, '1' || (3 + i % 7)::text || lpad(((i::bigint * 7919) % 1000000000)::text, 9, '0') as p from generate_series($3::int, $4::int) i) s`,
    [t.tenantId, root.id, g, g + n - 1],
  );
}
const baselineMs = performance.now() - b0;

console.log(JSON.stringify({
  bench: 'customers-import',
  rows: N,
  file_mb: Number((csv.length / 1048576).toFixed(1)),
  job: job,
  upload_and_parse_ms: Math.round(uploadMs),
  total_ms: Math.round(totalMs),
  rows_per_s: Math.round(N / (totalMs / 1000)),
  baseline_plain_insert_rows_per_s: Math.round(N / (baselineMs / 1000)),
  ratio_vs_plain_insert: Number((baselineMs / totalMs).toFixed(2)),
  peak_rss_mb: Math.round(peakRss / 1048576),
  targets: { rows_per_s: 20000, peak_rss_mb: 500 },
}));
await t.close();
