/**
 * Customer import throughput and memory (issue 3 target: a 1,000,000-row CSV at ≥ 20,000 rows/s with validation,
 * server RSS ≤ 500 MB). BENCH_IMPORT_ROWS changes the row count, BENCH_IMPORT_PRELOAD the customers already there,
 * BENCH_IMPORT_FORMAT=xlsx imports the same rows as an xlsx workbook (the baselines still use the CSV).
 *
 * The real path, in this process: the upload streamed from a file on disk through the HTTP route (written to
 * DATA_DIR, parsed once through for the total), start, and the import job (streaming parse, validation with the
 * shared schema, upsert by phone through customer_phones, set-based batches of 5,000) into a customers table that
 * already holds BENCH_IMPORT_PRELOAD customers, a tenth of the file's phones among them (those rows are updates). One
 * row in a thousand has a bad phone (reported, not written).
 *
 * Baseline in the same run: a plain COPY of the same file into a bare table (no indexes, no validation) — the most
 * Postgres can ingest here. Also shown, to tell where time goes: the same rows INSERT … SELECTed from that table into
 * a copy of customers with all its indexes (Postgres index maintenance, no parsing, no validation, no trigger).
 * Peak RSS is sampled every 50 ms (process.memoryUsage().rss) in this process, which hosts the app and runs the job.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { importTimings } from '../apps/server/src/modules/imports/import-write.ts';
import { benchApp } from './_support.ts';

const N = Number(process.env.BENCH_IMPORT_ROWS ?? 1_000_000);
const FORMAT = process.env.BENCH_IMPORT_FORMAT === 'xlsx' ? 'xlsx' : 'csv';
const PRELOAD = Number(process.env.BENCH_IMPORT_PRELOAD ?? 200_000);
const TIERS = ['VIP', '重要', '普通'];
const mobile = (g: number) => `1${3 + (g % 7)}${String((g * 7919) % 1e9).padStart(9, '0')}`;

const t = await benchApp();

/** CPU seconds used so far by the bundled Postgres (postmaster and its live backends; one that exits meanwhile drops out) — ticks from /proc. */
const {
  rows: [{ setting: pgDataDir }],
} = await t.pool.query(`select setting from pg_settings where name = 'data_directory'`);
const postmaster = Number(fs.readFileSync(path.join(pgDataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
function postgresCpuSeconds(): number {
  let ticks = 0;
  for (const pid of fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields from 3 (state) on
      if (Number(pid) === postmaster || Number(f[1]) === postmaster) ticks += Number(f[11]) + Number(f[12]); // utime, stime
    } catch {
      // the process ended meanwhile
    }
  }
  return ticks / 100;
}
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'huifang-bench-import-'));
fs.chmodSync(dir, 0o755); // the bundled Postgres (another OS user when run as root) reads the file for the baseline COPY
const csvPath = path.join(dir, 'customers.csv');

// The file, written as a stream (never whole in this process's memory).
{
  const out = fs.createWriteStream(csvPath, { mode: 0o644 });
  let buf = '姓名,手机,等级,标签,地址\n';
  for (let g = 1; g <= N; g++) {
    const phone = g % 1000 === 500 ? '12345' : mobile(g);
    buf += `客户${g},${phone},${TIERS[g % 3]},导入,上海市浦东新区世纪大道${g % 999}号\n`;
    if (buf.length > 1 << 20) {
      if (!out.write(buf)) await once(out, 'drain');
      buf = '';
    }
  }
  out.end(buf);
  await once(out, 'finish');
}
// The same rows as an xlsx workbook, written by another process (the writer's memory must not count here).
const xlsxPath = path.join(dir, 'customers.xlsx');
if (FORMAT === 'xlsx')
  execFileSync(process.execPath, [path.join(import.meta.dirname, '_xlsx-file.mjs'), xlsxPath, String(N)], {
    stdio: 'inherit',
  });
const uploadPath = FORMAT === 'xlsx' ? xlsxPath : csvPath;
const fileBytes = fs.statSync(uploadPath).size;

const {
  rows: [root],
} = await t.pool.query(`select id from org_units where tenant_id = $1 and parent_id is null`, [t.tenantId]);
// Customers already there: every tenth file row's phone (→ updates), the rest landlines the file does not hold.
const p0 = performance.now();
await t.pool.query(
  `insert into customers (tenant_id, kind, name, phones, phone_digits, unit_id, tier, tags, address)
   select $1, 'individual', '老客户' || i, array[p], replace(p, '-', ''), $2, '普通', array['存量'], '杭州市西湖区文三路' || (i % 500) || '号'
     from (select i, case when i * 10 <= $4::int then '1' || (3 + (i * 10) % 7)::text || lpad(((i::bigint * 10 * 7919) % 1000000000)::text, 9, '0')
                          else '021-' || (20000000 + i)::text end as p
             from generate_series(1, $3::int) i) s`,
  [t.tenantId, root.id, PRELOAD, N],
);
await t.pool.query('vacuum analyze customers');
await t.pool.query('vacuum analyze customer_phones');
const preloadMs = performance.now() - p0;
const {
  rows: [pre],
} = await t.pool.query('select count(*)::int as n from customers where tenant_id = $1', [t.tenantId]);

let peakRss = process.memoryUsage().rss;
const rssAtStart = peakRss;
let atPeak = process.memoryUsage();
let phase = 'upload';
const peakByPhase: Record<string, number> = {};
const sampler = setInterval(() => {
  const m = process.memoryUsage();
  peakByPhase[phase] = Math.max(peakByPhase[phase] ?? 0, m.rss);
  if (m.rss > peakRss) [peakRss, atPeak] = [m.rss, m];
}, 50);
const login = await t.app.inject({
  method: 'POST',
  url: '/api/auth/login',
  payload: { username: 'admin', password: 'Admin12345' },
});
const headers = { cookie: `hf_sid=${login.cookies[0]!.value}`, 'x-csrf-token': login.json().csrfToken as string };

const t0 = performance.now();
const contentType =
  FORMAT === 'xlsx' ? 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' : 'text/csv';
const up = await t.app.inject({
  method: 'POST',
  url: `/api/customer-imports?fileName=bench.${FORMAT}`,
  payload: fs.createReadStream(uploadPath),
  headers: { ...headers, 'content-type': contentType, 'content-length': String(fileBytes) },
});
if (up.statusCode !== 201) throw new Error(up.body);
const uploadMs = performance.now() - t0;
const jobId = up.json().job.id as string;
phase = 'job';
const start = await t.app.inject({
  method: 'POST',
  url: `/api/customer-imports/${jobId}/start`,
  payload: { mapping: up.json().suggestedMapping, upsertKey: 'phone', defaultUnitId: root.id },
  headers,
});
if (start.statusCode !== 200) throw new Error(start.body);
const j0 = performance.now();
const [nodeCpu0, pgCpu0] = [process.cpuUsage(), postgresCpuSeconds()];
await t.jobs.idle();
const jobMs = performance.now() - j0;
const nodeCpu = process.cpuUsage(nodeCpu0);
const jobCpu = {
  node_s: Number(((nodeCpu.user + nodeCpu.system) / 1e6).toFixed(1)),
  postgres_s: Number((postgresCpuSeconds() - pgCpu0).toFixed(1)),
};
const totalMs = performance.now() - t0;
clearInterval(sampler);
const {
  rows: [job],
} = await t.pool.query(
  'select status, total_rows, inserted_rows, updated_rows, error_rows, error_message from import_jobs where id = $1',
  [jobId],
);
const {
  rows: [sync],
} = await t.pool.query(
  `select (select count(*) from customer_phones where tenant_id = $1)::int as phone_rows,
          (select count(*) from customers c, unnest(c.phones) p where c.tenant_id = $1)::int as phones_in_customers`,
  [t.tenantId],
);

// Baseline: plain COPY of the same file into a bare table.
await t.pool.query('create table bench_plain (name text, phone text, tier text, tags text, address text)');
const b0 = performance.now();
await t.pool.query(`copy bench_plain from '${csvPath}' with (format csv, header true)`);
const copyMs = performance.now() - b0;
// Where Postgres's own time goes: the same rows into a copy of customers with all its indexes (set-based, unchecked).
await t.pool.query('create table bench_indexed (like customers including defaults including indexes)');
const i0 = performance.now();
await t.pool.query(
  `insert into bench_indexed (tenant_id, kind, name, phones, phone_digits, unit_id, tier, tags, address)
   select $1, 'individual', name, array[phone], phone, $2, tier, array[tags], address from bench_plain`,
  [t.tenantId, root.id],
);
const indexedMs = performance.now() - i0;

const rate = (ms: number) => Math.round(N / (ms / 1000));
const mb = (b: number) => Math.round(b / 1048576);
console.log(
  JSON.stringify({
    bench: 'customers-import',
    rows: N,
    format: FORMAT,
    file_mb: Number((fileBytes / 1048576).toFixed(1)),
    customers_before: pre.n,
    preload_ms: Math.round(preloadMs),
    job,
    customer_phones_in_sync: sync.phone_rows === sync.phones_in_customers,
    upload_ms: Math.round(uploadMs),
    job_ms: Math.round(jobMs),
    total_ms: Math.round(totalMs),
    rows_per_s: rate(totalMs),
    job_rows_per_s: rate(jobMs),
    baseline_copy_bare_rows_per_s: rate(copyMs),
    ratio_vs_copy: Number((copyMs / totalMs).toFixed(3)),
    indexed_insert_select_rows_per_s: rate(indexedMs),
    ratio_vs_indexed_insert_select: Number((indexedMs / totalMs).toFixed(3)),
    rss_at_start_mb: mb(rssAtStart),
    peak_rss_mb: mb(peakRss),
    peak_rss_mb_by_phase: Object.fromEntries(Object.entries(peakByPhase).map(([k, v]) => [k, mb(v)])),
    at_peak_mb: {
      heap_total: mb(atPeak.heapTotal),
      heap_used: mb(atPeak.heapUsed),
      external: mb(atPeak.external),
      array_buffers: mb(atPeak.arrayBuffers),
    },
    // CPU the job used (this process + Postgres): on a loaded machine the wall clock says little, this says what the
    // import costs; rows/s on an otherwise idle machine is bounded by rows / (cpu seconds / cores).
    job_cpu_s: jobCpu,
    job_rows_per_cpu_s: Math.round(N / (jobCpu.node_s + jobCpu.postgres_s)),
    import_ms_by_phase: Object.fromEntries(Object.entries(importTimings).map(([k, v]) => [k, Math.round(v)])),
    targets: { rows_per_s: 20000, peak_rss_mb: 500 },
    meets: { rows_per_s: rate(totalMs) >= 20000, peak_rss_mb: mb(peakRss) <= 500 },
  }),
);
fs.rmSync(dir, { recursive: true, force: true });
await t.close();
