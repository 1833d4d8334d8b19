/**
 * Plan templates 回访路径 (issue 5, DESIGN §5): instantiating paths for service records.
 * On the bundled Postgres with the demo tenant, its 3,000 customers and its paths (the active 出院随访路径: 3 time points, a negative rule for 产科; and
 * the car-delivery path), BENCH_PATH_RECORDS discharge records (default 50,000) over the last 20 days, spread over the
 * demo customers, with their discharge date and department (one in eight 产科, which the path excludes). The
 * templates belong to 上海分行, so only the records of its customers (about half) get a path; points whose window has
 * already passed make no task.
 * Measures:
 * - the catch-up job (`runPathCatchUp`): ONE INSERT … SELECT matching every record of the last 400 days without a
 *   path against the templates, instances + tasks → records/s and tasks/s; and the rerun (creates nothing);
 * - baseline in the same run: the same work record by record, as the service-record create hook does it (one
 *   transaction per record, `onServiceRecordCreated`), on BENCH_PATH_BASELINE records (default 1,000) → tasks/s.
 * JSON with both and the ratio.
 */
import { sql } from 'drizzle-orm';
import { systemClock } from '../apps/server/src/lib/clock.ts';
import { loadDemoCustomers } from '../apps/server/src/modules/bootstrap/demo-customers.ts';
import { loadDemoPaths } from '../apps/server/src/modules/bootstrap/demo-paths.ts';
import { onServiceRecordCreated, runPathCatchUp } from '../apps/server/src/modules/followup/paths/paths.service.ts';
import { benchApp } from './_support.ts';

const N = Number(process.env.BENCH_PATH_RECORDS ?? 50_000);
const BASELINE = Number(process.env.BENCH_PATH_BASELINE ?? 1_000);
const t = await benchApp();
const db = t.app.deps.db;
const deps = { db, clock: systemClock };
await loadDemoCustomers(deps, t.tenantId);
if (!(await loadDemoPaths(deps, t.tenantId))) throw new Error('the demo paths did not load');

const {
  rows: [st],
} = await t.pool.query(`select id from service_types where tenant_id = $1 and key = 'discharge'`, [t.tenantId]);
if (!st) throw new Error('the demo has no discharge service type');
const customers = Number(
  (await t.pool.query(`select count(*)::int as n from customers where tenant_id = $1`, [t.tenantId])).rows[0].n,
);

/** `n` discharge records numbered from `from`, over the demo customers; returns their ids. */
async function insertRecords(from: number, n: number, tag: string): Promise<string[]> {
  const { rows } = await t.pool.query(
    `with c as (select id, unit_id, row_number() over (order by id) as k from customers where tenant_id = $1)
     insert into service_records (tenant_id, customer_id, service_type_id, unit_id, occurred_at, summary, custom, created_at)
     select $1, c.id, $2, c.unit_id, now() - (g % 20) * interval '1 day', $5,
            jsonb_build_object('discharge_date', to_char(now()::date - (g % 20), 'YYYY-MM-DD'),
                               'dept', (array['心内科','骨科','普外科','产科','神经内科','呼吸科','心内科','骨科'])[1 + g % 8]), now()
     from generate_series($3::int, $3::int + $4::int - 1) g join c on c.k = 1 + g % $6
     returning id`,
    [t.tenantId, st.id, from, n, tag, customers],
  );
  return rows.map((r) => r.id as string);
}
const tasksNow = async () =>
  Number(
    (
      await t.pool.query(
        `select count(*)::int as n from followup_tasks where tenant_id = $1 and occurrence_key like 'path:%'`,
        [t.tenantId],
      )
    ).rows[0].n,
  );

// Whatever the demo left to catch up, first (so both measurements start from "nothing pending").
await runPathCatchUp(deps, { tenantId: t.tenantId });

// Baseline: record by record through the create hook.
const baseIds = await insertRecords(1, BASELINE, '出院 (baseline)');
await t.pool.query('analyze service_records');
const tasksBefore = await tasksNow();
const b0 = performance.now();
for (const id of baseIds)
  await db.transaction((tx) =>
    onServiceRecordCreated(deps, tx, { tenantId: t.tenantId, serviceRecordId: id, actorId: null }),
  );
const baseSeconds = (performance.now() - b0) / 1000;
const baseTasks = (await tasksNow()) - tasksBefore;

// The catch-up over N records.
await insertRecords(BASELINE + 1, N, '出院');
await t.pool.query('analyze service_records');
const c0 = performance.now();
const caught = await runPathCatchUp(deps, { tenantId: t.tenantId });
const catchUpSeconds = (performance.now() - c0) / 1000;
const r0 = performance.now();
const rerun = await runPathCatchUp(deps, { tenantId: t.tenantId });
const rerunSeconds = (performance.now() - r0) / 1000;
const excluded = Number(
  (
    await db.execute<{
      n: number;
    }>(sql`select count(*)::int as n from service_records sr where sr.tenant_id = ${t.tenantId} and sr.summary = '出院' and sr.custom->>'dept' = '产科'
     and exists (select 1 from followup_path_instances pi where pi.tenant_id = sr.tenant_id and pi.service_record_id = sr.id)`)
  ).rows[0]!.n,
);

const catchUpTps = caught.tasks / catchUpSeconds;
const baseTps = baseTasks / baseSeconds;
console.log(
  JSON.stringify(
    {
      records: N,
      customers,
      catchUp: {
        records: caught.records,
        tasks: caught.tasks,
        seconds: Number(catchUpSeconds.toFixed(2)),
        recordsPerSecond: Math.round(caught.records / catchUpSeconds),
        tasksPerSecond: Math.round(catchUpTps),
      },
      rerun: { records: rerun.records, tasks: rerun.tasks, seconds: Number(rerunSeconds.toFixed(2)) },
      baselineOneByOne: {
        records: BASELINE,
        tasks: baseTasks,
        seconds: Number(baseSeconds.toFixed(2)),
        recordsPerSecond: Math.round(BASELINE / baseSeconds),
        tasksPerSecond: Math.round(baseTps),
      },
      ratio: Number((catchUpTps / baseTps).toFixed(1)),
      obstetricsRecordsWithAPath: excluded,
    },
    null,
    2,
  ),
);
await t.close();
