/**
 * Follow-up task generation at 1,000,000 customers (issue 5): a periodic rule plan ("every 3 months, every tier")
 * reaching every customer creates one task per eligible customer in ONE set-based INSERT … SELECT (contact policy and
 * round-robin assignment computed in SQL; the creation record is one followup_generation_runs row naming the plan,
 * rule and count, each task naming its run). Target ≥ 100,000 tasks/s.
 * Baseline in the same run: the same rows inserted one by one from Node (one INSERT per task, in one transaction, then
 * the run row), measured on a sample and extrapolated to rows/s. JSON output with both and the ratio.
 * History (same machine, shared 2 cores, load ≈ 1): 28,819 tasks/s with a `created` log row per task, per-row FKs to
 * customers and plans, random task ids and an on-disk sort → 113,529–115,434 tasks/s (see ARCHITECTURE.md, Follow-up).
 */
import crypto from 'node:crypto';
import { createFixedClock } from '../apps/server/src/lib/clock.ts';
import { generateTasks, type TPlanRow } from '../apps/server/src/modules/followup/rules/generate.ts';
import { genContext } from '../apps/server/src/modules/followup/plans/plans.service.ts';
import { benchApp } from './_support.ts';

const N = Number(process.env.BENCH_CUSTOMERS ?? 1_000_000);
const SAMPLE = Number(process.env.BENCH_BASELINE_SAMPLE ?? 20_000);
const t = await benchApp();
const { rows: outlets } = await t.pool.query(
  `select id from org_units where tenant_id = $1 and type = 'outlet' order by code`,
  [t.tenantId],
);
const { rows: roots } = await t.pool.query(`select id from org_units where tenant_id = $1 and parent_id is null`, [
  t.tenantId,
]);
const { rows: admins } = await t.pool.query(`select id from users where tenant_id = $1 and username = 'admin'`, [
  t.tenantId,
]);
const t0 = performance.now();
await t.pool.query(
  `insert into customers (tenant_id, kind, name, phones, phone_digits, unit_id, tier, consent_service, created_at, updated_at)
   select $1, 'individual', '客户' || g, array['139' || lpad(g::text, 8, '0')], '139' || lpad(g::text, 8, '0'),
          ($2::uuid[])[1 + g % ${outlets.length}], (array['VIP','重要','普通','普通','普通'])[1 + g % 5],
          g % 50 <> 0, now(), now()
     from generate_series(1, $3) g`,
  [t.tenantId, outlets.map((o) => o.id), N],
);
await t.pool.query('vacuum analyze customers');
const loadSeconds = (performance.now() - t0) / 1000;

const clock = createFixedClock('2026-04-15T02:00:00Z');
const db = t.app.deps.db;
const deps = { db, clock };
const mkPlan = async (name: string): Promise<TPlanRow> => {
  const { rows } = await t.pool.query(
    `insert into followup_plans (tenant_id, unit_id, name, topic, methods, target_kind, rule, start_date, assignment, assign_unit_id, status, created_by, created_at, updated_at)
     values ($1, $2, $3, 'care', '{phone}', 'rule', '{"kind":"periodic","monthsByTier":{},"defaultMonths":3}', '2026-01-01', 'round_robin', $2, 'active', $4, now(), now()) returning *`,
    [t.tenantId, roots[0].id, name, admins[0].id],
  );
  const r = rows[0];
  return {
    ...r,
    tenantId: r.tenant_id,
    unitId: r.unit_id,
    targetKind: r.target_kind,
    savedFilterId: r.saved_filter_id,
    customerIds: r.customer_ids,
    startDate: '2026-01-01',
    dueDays: r.due_days,
    assignment: r.assignment,
    assignUnitId: r.assign_unit_id,
    assigneeId: null,
    maxAttempts: 3,
    retryHours: 4,
    contactFromHour: 9,
    contactToHour: 21,
    minGapDays: 7,
    nextFollowupDays: null,
    createdBy: r.created_by,
    surveyId: null,
    budgetFen: null,
    giftName: null,
    giftFen: null,
    activatedAt: null,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  } as TPlanRow;
};
// A few thousand recent contacts so the frequency rule has something to exclude.
await t.pool.query(
  `insert into contact_events (tenant_id, customer_id, at, channel) select tenant_id, id, '2026-04-13T03:00:00Z', 'phone' from customers where tenant_id = $1 and name like '客户%7' limit 5000`,
  [t.tenantId],
);

// Set-based generation.
const plan = await mkPlan('bench set-based');
const ctx = await genContext(deps, t.tenantId, null);
const g0 = performance.now();
const created = await db.transaction((tx) => generateTasks(tx, plan, ctx));
const genSeconds = (performance.now() - g0) / 1000;
const r0 = performance.now();
const rerun = await db.transaction((tx) => generateTasks(tx, plan, ctx));
const rerunSeconds = (performance.now() - r0) / 1000;

// Baseline: one INSERT per task (and its log row) from Node, on a sample of the same customers.
const basePlan = await mkPlan('bench one-by-one');
const { rows: sample } = await t.pool.query(
  `select id, unit_id from customers where tenant_id = $1 and consent_service order by id limit $2`,
  [t.tenantId, SAMPLE],
);
const { rows: agents } = await t.pool.query(
  `select u.id from users u join user_roles ur on ur.user_id = u.id join roles r on r.id = ur.role_id where u.tenant_id = $1 and 'followup:work' = any(r.permissions) order by u.id`,
  [t.tenantId],
);
const client = await t.pool.connect();
const b0 = performance.now();
await client.query('begin');
const runId = crypto.randomUUID();
for (const [i, c] of sample.entries()) {
  await client.query(
    `insert into followup_tasks (tenant_id, plan_id, customer_id, occurrence_key, created_by_run, unit_id, assignee_id, team_unit_id, state, due_from, due_until, created_at, updated_at)
     values ($1, $2, $3, 'period:3m:2026-04', $7, $4, $5, $6, 'pending', '2026-04-15T01:00:00Z', '2026-04-22T13:00:00Z', now(), now())
     on conflict do nothing`,
    [t.tenantId, basePlan.id, c.id, c.unit_id, agents.length ? agents[i % agents.length].id : null, roots[0].id, runId],
  );
}
await client.query(
  `insert into followup_generation_runs (id, tenant_id, plan_id, occurrence, at, created) values ($1, $2, $3, 'bench', now(), $4)`,
  [runId, t.tenantId, basePlan.id, sample.length],
);
await client.query('commit');
const baseSeconds = (performance.now() - b0) / 1000;
client.release();

const setRate = created / genSeconds;
const baseRate = sample.length / baseSeconds;
console.log(
  JSON.stringify({
    bench: 'followup-generate',
    customers: N,
    load_seconds: Number(loadSeconds.toFixed(1)),
    set_based: {
      tasks_created: created,
      seconds: Number(genSeconds.toFixed(2)),
      tasks_per_second: Math.round(setRate),
    },
    rerun_same_day: { tasks_created: rerun, seconds: Number(rerunSeconds.toFixed(2)) },
    baseline_one_by_one: {
      sample_rows: sample.length,
      seconds: Number(baseSeconds.toFixed(2)),
      rows_per_second: Math.round(baseRate),
      extrapolated_seconds_for_all: Number((created / baseRate).toFixed(0)),
    },
    ratio: Number((setRate / baseRate).toFixed(1)),
    target_tasks_per_second: 100_000,
  }),
);
await t.close();
