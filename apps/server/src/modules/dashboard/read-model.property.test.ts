import crypto from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unitIdByCode, userIdByName } from '../../../test/helpers.ts';
import { createTestApp, type TTestApp } from '../../../test/test-app.ts';
import { recordCorrectionsFromSource, recordEvaluation } from '../evaluations/evaluations.write.ts';
import { rebuildFollowupDoneRollups } from '../followup/figures/staff-done.ts';
import { rebuildDashboardRollups } from './read-model.ts';

/**
 * Property: whatever follow-up tasks (any state, attempts, due windows around local midnights), updates (state
 * changes, attempts, reassignment, cancel), deletes, service sessions, tickets (status changes, moves, deletes),
 * customer values of a run, churn warnings (opened, resolved) and appeals and decisions of ratings are written, in random batches and orders, every
 * row of the 驾驶舱 read model equals a GROUP BY over the facts written out here independently of the migration, and
 * the rebuild gives the same rows. The same for the completion-day rollups of follow-up tasks (followup_done_rollups
 * and its month table, read by followup/figures/staff-done.ts), with completions around local month ends.
 */
let t: TTestApp;
let units: string[];
let outlets: string[];
let counters: string[];
let staff: string[];
let plans: string[];
let customers: { id: string; unit: string }[];
let evaluations: string[];
const TIME_ZONE = 'America/New_York'; // not the default zone; 8 March 2026 is a DST change there
const T0 = new Date('2026-03-08T05:00:00Z').getTime();
const MIN = 60_000;
/** Local midnights starting a month, in minutes from T0: 1 March (EST, −05:00) and 1 April (EDT, −04:00). */
const MONTH_STARTS = [-7 * 1440, 24 * 1440 - 60];
const STATES = ['pending', 'in_progress', 'follow_up', 'done', 'failed', 'cancelled'] as const;
const OUTCOMES = [null, 'reached', 'no_answer', 'sent', 'send_failed'] as const;
const TICKET_STATUSES = ['new', 'assigned', 'in_progress', 'resolved', 'closed', 'reopened'] as const;

beforeAll(async () => {
  t = await createTestApp();
  await t.pool.query('update tenants set time_zone = $1 where id = $2', [TIME_ZONE, t.tenantId]);
  units = await Promise.all(['SH-LJZ', 'SH-XJH', 'HZ-XH'].map((c) => unitIdByCode(t, c)));
  outlets = units.slice(0, 2);
  counters = await Promise.all(['SH-LJZ-W1', 'SH-XJH-W2'].map((c) => unitIdByCode(t, c)));
  staff = await Promise.all(['chen.teller', 'teller02', 'teller03'].map((u) => userIdByName(t, u)));
  plans = [crypto.randomUUID(), crypto.randomUUID()];
  for (const id of plans)
    await t.pool.query(
      `insert into followup_plans (id, tenant_id, unit_id, name, topic, target_kind, start_date, assignment, created_at, updated_at)
       values ($1, $2, $3, '属性测试计划', 'care', 'list', '2026-03-01', 'fixed', now(), now())`,
      [id, t.tenantId, units[0]],
    );
  customers = [];
  for (const unit of units) {
    const id = crypto.randomUUID();
    await t.pool.query(
      `insert into customers (id, tenant_id, unit_id, kind, name, created_at, updated_at)
       values ($1, $2, $3, 'individual', '属性测试', now(), now())`,
      [id, t.tenantId, unit],
    );
    customers.push({ id, unit });
  }
  // Ratings to appeal (units and staff vary; one without staff).
  evaluations = [];
  for (let i = 0; i < 4; i++) {
    const { id } = await recordEvaluation(t.db, {
      tenantId: t.tenantId,
      channel: 'kiosk',
      occurredAt: new Date(T0 + i * 600 * MIN),
      unitId: units[i % 3]!,
      staffId: i === 3 ? null : staff[i % 3]!,
      sourceType: 'device',
      score: 1,
      idempotencyKey: crypto.randomUUID(),
    });
    evaluations.push(id);
  }
  await rebuildDashboardRollups(t.db, t.tenantId);
});
afterAll(async () => t.close());

const arbMinutes = fc.oneof(
  fc.integer({ min: -1440, max: 3 * 1440 }),
  fc.tuple(fc.integer({ min: -1, max: 2 }), fc.integer({ min: -3, max: 3 })).map(([d, m]) => d * 1440 + m),
  // Around a local month start (the month tables' edges).
  fc.tuple(fc.constantFrom(...MONTH_STARTS), fc.integer({ min: -90, max: 90 })).map(([m, d]) => m + d),
);
const arbTask = fc.record({
  plan: fc.nat(1),
  customer: fc.nat(2),
  unit: fc.nat(2),
  assignee: fc.option(fc.nat(2), { nil: null }),
  state: fc.constantFrom(...STATES),
  from: arbMinutes,
  window: fc.integer({ min: 0, max: 4 * 1440 }),
  attempts: fc.nat(3),
  reached: fc.nat(3),
  outcome: fc.constantFrom(...OUTCOMES),
  completedAfter: fc.option(fc.integer({ min: -1440, max: 6 * 1440 }), { nil: null }),
  /** When set, completed this many minutes from a local month start instead (the month tables' edges). */
  completedAtMonthEdge: fc.option(
    fc.tuple(
      fc.constantFrom(...MONTH_STARTS),
      fc.oneof(fc.integer({ min: -3, max: 3 }), fc.integer({ min: -1500, max: 1500 })),
    ),
    { nil: null },
  ),
});
const arbCase = fc.record({
  tasks: fc.array(arbTask, { minLength: 1, maxLength: 12 }),
  /** Updates: task index → new values of some columns. */
  updates: fc.array(fc.record({ i: fc.nat(11), to: arbTask }), { maxLength: 10 }),
  /**
   * Updates of one column only: a unit move, a reassignment, a new completion time (a done task stays done), or the
   * due window's end moved to a few minutes either side of the completion (on time ⇄ late); nothing else changes.
   */
  moves: fc.array(
    fc.record({
      i: fc.nat(11),
      column: fc.constantFrom('unit', 'assignee', 'completed', 'due'),
      to: arbTask,
      minutes: fc.integer({ min: -2, max: 2 }),
    }),
    { maxLength: 8 },
  ),
  deletes: fc.array(fc.nat(11), { maxLength: 3 }),
  sessions: fc.array(fc.record({ counter: fc.nat(1), staff: fc.nat(2), minutes: arbMinutes }), { maxLength: 6 }),
  tickets: fc.array(
    fc.record({
      unit: fc.nat(2),
      staff: fc.option(fc.nat(2), { nil: null }),
      status: fc.constantFrom(...TICKET_STATUSES),
    }),
    { maxLength: 6 },
  ),
  ticketMoves: fc.array(fc.record({ i: fc.nat(5), unit: fc.nat(2), status: fc.constantFrom(...TICKET_STATUSES) }), {
    maxLength: 6,
  }),
  values: fc.array(
    fc.record({ customer: fc.nat(2), tier: fc.option(fc.constantFrom('large', 'medium', 'small'), { nil: null }) }),
    { maxLength: 3 },
  ),
  /** Correction batches (each one statement): evaluation, kind, minutes from T0 (days either side of midnight). */
  corrections: fc.array(
    fc.array(
      fc.record({
        e: fc.nat(3),
        kind: fc.constantFrom('appeal', 'appeal', 'appeal_rejected', 'exclude', 'restore'),
        minutes: arbMinutes,
      }),
      { minLength: 1, maxLength: 4 },
    ),
    { maxLength: 5 },
  ),
  warnings: fc.array(
    fc.record({ customer: fc.nat(2), reason: fc.constantFrom('no_purchase', 'spend_drop'), resolve: fc.boolean() }),
    { maxLength: 3 },
  ),
});

const q = async (text: string) => (await t.pool.query(text, [t.tenantId])).rows;

const storedTasks = () =>
  q(`select day::text, due_day::text, unit_id, assignee_id, plan_id, tasks, attempted, reached, attempts, people_attempts,
            connected, done, on_time, failed, open
     from followup_task_rollups where tenant_id = $1
       and (tasks, attempted, reached, attempts, people_attempts, connected, done, on_time, failed, open) <> (0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
     order by 1, 2, 3, 4, 5`);
/** The task measures of followup_task_rollups, written out here independently of the migration (alias f). */
const TASK_MEASURES = `count(*)::int as tasks,
            (count(*) filter (where f.attempts > 0))::int as attempted, (count(*) filter (where f.reached_attempts > 0))::int as reached,
            sum(f.attempts)::int as attempts,
            (coalesce(sum(f.attempts) filter (where f.last_outcome is null or f.last_outcome not in ('sent', 'send_failed')), 0))::int as people_attempts,
            sum(f.reached_attempts)::int as connected, (count(*) filter (where f.state = 'done'))::int as done,
            (count(*) filter (where f.state = 'done' and f.completed_at <= f.due_until))::int as on_time,
            (count(*) filter (where f.state = 'failed'))::int as failed,
            (count(*) filter (where f.state in ('pending', 'in_progress', 'follow_up')))::int as open
     from followup_tasks f join tenants tn on tn.id = f.tenant_id
     where f.tenant_id = $1 and f.state <> 'cancelled'`;
const expectedTasks = () =>
  q(`select (f.due_from at time zone tn.time_zone)::date::text as day, (f.due_until at time zone tn.time_zone)::date::text as due_day,
            f.unit_id, f.assignee_id, f.plan_id, ${TASK_MEASURES}
     group by 1, 2, 3, 4, 5 order by 1, 2, 3, 4, 5`);
/** The same tasks by the local month their due window opens × unit × assignee (followup_task_month_rollups). */
const storedTaskMonths = () =>
  q(`select month::text, unit_id, assignee_id, tasks, attempted, reached, attempts, people_attempts, connected, done,
            on_time, failed, open
     from followup_task_month_rollups where tenant_id = $1
       and (tasks, attempted, reached, attempts, people_attempts, connected, done, on_time, failed, open) <> (0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
     order by 1, 2, 3`);
const expectedTaskMonths = () =>
  q(`select date_trunc('month', f.due_from at time zone tn.time_zone)::date::text as month, f.unit_id, f.assignee_id,
            ${TASK_MEASURES}
     group by 1, 2, 3 order by 1, 2, 3`);
/** 客流量 by local month × ISO weekday × hour, per outlet and per tenant (the heat map's month tables). */
const storedFlowMonths = async () => ({
  outlet: await q(`select month::text, isodow, hour, outlet_id, sessions from session_hour_month_rollups
                   where tenant_id = $1 and sessions <> 0 order by 1, 2, 3, 4`),
  tenant: await q(`select month::text, isodow, hour, sessions from session_hour_tenant_month_rollups
                   where tenant_id = $1 and sessions <> 0 order by 1, 2, 3`),
  tenantDay: await q(`select day::text, hour, sessions from session_hour_tenant_rollups
                      where tenant_id = $1 and sessions <> 0 order by 1, 2`),
});
const flowMonths = (outlet: boolean) =>
  q(`select date_trunc('month', s.started_at at time zone tn.time_zone)::date::text as month,
            extract(isodow from s.started_at at time zone tn.time_zone)::smallint as isodow,
            extract(hour from s.started_at at time zone tn.time_zone)::smallint as hour${outlet ? ', s.outlet_id' : ''},
            count(*)::int as sessions
     from service_sessions s join tenants tn on tn.id = s.tenant_id where s.tenant_id = $1
     group by ${outlet ? '1, 2, 3, 4 order by 1, 2, 3, 4' : '1, 2, 3 order by 1, 2, 3'}`);
const expectedFlowMonths = async () => ({
  outlet: await flowMonths(true),
  tenant: await flowMonths(false),
  tenantDay: await q(`select (s.started_at at time zone tn.time_zone)::date::text as day,
                             extract(hour from s.started_at at time zone tn.time_zone)::smallint as hour, count(*)::int as sessions
                      from service_sessions s join tenants tn on tn.id = s.tenant_id where s.tenant_id = $1
                      group by 1, 2 order by 1, 2`),
});
/** Done tasks by the local day and the local month of completion (a done task without completed_at counts nowhere). */
const storedDone = (table: 'followup_done_rollups' | 'followup_done_month_rollups', key: 'day' | 'month') =>
  q(`select ${key}::text as key, unit_id, assignee_id, done, on_time from ${table}
     where tenant_id = $1 and (done, on_time) <> (0, 0) order by 1, 2, 3`);
const expectedDone = (grain: 'day' | 'month') =>
  q(`select date_trunc('${grain}', f.completed_at at time zone tn.time_zone)::date::text as key, f.unit_id, f.assignee_id,
            count(*)::int as done, (count(*) filter (where f.completed_at <= f.due_until))::int as on_time
     from followup_tasks f join tenants tn on tn.id = f.tenant_id
     where f.tenant_id = $1 and f.state = 'done' and f.completed_at is not null
     group by 1, 2, 3 order by 1, 2, 3`);
const storedFlow = () =>
  q(
    `select day::text, hour, outlet_id, sessions from session_hour_rollups where tenant_id = $1 and sessions <> 0 order by 1, 2, 3`,
  );
const expectedFlow = () =>
  q(`select (s.started_at at time zone tn.time_zone)::date::text as day, extract(hour from s.started_at at time zone tn.time_zone)::smallint as hour,
            s.outlet_id, count(*)::int as sessions
     from service_sessions s join tenants tn on tn.id = s.tenant_id where s.tenant_id = $1 group by 1, 2, 3 order by 1, 2, 3`);
const storedTickets = () =>
  q(
    `select unit_id, staff_id, status, tickets from ticket_status_counts where tenant_id = $1 and tickets <> 0 order by 1, 2, 3`,
  );
const expectedTickets = () =>
  q(
    `select unit_id, staff_id, status, count(*)::int as tickets from tickets where tenant_id = $1 group by 1, 2, 3 order by 1, 2, 3`,
  );
const storedValues = () =>
  q(
    `select run_id, unit_id, tier, lifecycle, customers from customer_value_rollups where tenant_id = $1 and customers <> 0 order by 1, 2, 3, 4`,
  );
const expectedValues = () =>
  q(`select v.run_id, c.unit_id, v.tier, v.lifecycle, count(*)::int as customers
     from customer_values v join customers c on c.tenant_id = v.tenant_id and c.id = v.customer_id
     where v.tenant_id = $1 group by 1, 2, 3, 4 order by 1, 2, 3, 4`);
const storedChurn = () =>
  q(`select unit_id, reason, open from churn_warning_counts where tenant_id = $1 and open <> 0 order by 1, 2`);
const expectedChurn = () =>
  q(`select c.unit_id, w.reason, count(*)::int as open
     from value_churn_warnings w join customers c on c.tenant_id = w.tenant_id and c.id = w.customer_id
     where w.tenant_id = $1 and w.resolved_at is null group by 1, 2 order by 1, 2`);

const storedAppeals = () =>
  q(`select day::text, unit_id, staff_id, filed, decided from evaluation_appeal_rollups
     where tenant_id = $1 and (filed, decided) <> (0, 0) order by 1, 2, 3`);
/** Filed on the appeal's day; decided on the day of the first correction after it that is not an appeal. */
const expectedAppeals = () =>
  q(`with a as (
       select c.tenant_id, c.at, e.unit_id, e.staff_id,
              (select d.at from evaluation_corrections d where d.evaluation_id = c.evaluation_id and d.kind <> 'appeal'
                and d.id > c.id order by d.id limit 1) as decided_at
       from evaluation_corrections c join evaluations e on e.id = c.evaluation_id
       where c.tenant_id = $1 and c.kind = 'appeal'),
     x as (select at, unit_id, staff_id, 1 as f, 0 as d from a
           union all select decided_at, unit_id, staff_id, 0, 1 from a where decided_at is not null)
     select (x.at at time zone tn.time_zone)::date::text as day, x.unit_id, x.staff_id, sum(f)::int as filed, sum(d)::int as decided
     from x cross join tenants tn where tn.id = $1 group by 1, 2, 3 order by 1, 2, 3`);

const all = async () => ({
  appeals: await storedAppeals(),
  tasks: await storedTasks(),
  taskMonths: await storedTaskMonths(),
  flowMonths: await storedFlowMonths(),
  doneByDay: await storedDone('followup_done_rollups', 'day'),
  doneByMonth: await storedDone('followup_done_month_rollups', 'month'),
  flow: await storedFlow(),
  tickets: await storedTickets(),
  values: await storedValues(),
  churn: await storedChurn(),
});
const want = async () => ({
  appeals: await expectedAppeals(),
  tasks: await expectedTasks(),
  taskMonths: await expectedTaskMonths(),
  flowMonths: await expectedFlowMonths(),
  doneByDay: await expectedDone('day'),
  doneByMonth: await expectedDone('month'),
  flow: await expectedFlow(),
  tickets: await expectedTickets(),
  values: await expectedValues(),
  churn: await expectedChurn(),
});

type TTask = fc.Arbitrary<typeof arbTask extends fc.Arbitrary<infer X> ? X : never>;
const taskColumns = (x: TTask extends fc.Arbitrary<infer X> ? X : never) => {
  const from = T0 + x.from * MIN;
  return {
    plan: plans[x.plan]!,
    unit: units[x.unit]!,
    assignee: x.assignee === null ? null : staff[x.assignee]!,
    state: x.state,
    dueFrom: new Date(from),
    dueUntil: new Date(from + x.window * MIN),
    attempts: x.attempts,
    reached: Math.min(x.reached, x.attempts),
    outcome: x.attempts ? x.outcome : null,
    completedAt:
      x.completedAtMonthEdge !== null
        ? new Date(T0 + (x.completedAtMonthEdge[0] + x.completedAtMonthEdge[1]) * MIN)
        : x.completedAfter === null
          ? null
          : new Date(from + x.completedAfter * MIN),
  };
};

describe('驾驶舱 read model (property)', () => {
  it('equals a GROUP BY over the facts after any sequence of writes, and the rebuild agrees', async () => {
    await fc.assert(
      fc.asyncProperty(arbCase, async (c) => {
        await rebuildDashboardRollups(t.db, t.tenantId);
        const taskIds = c.tasks.map(() => crypto.randomUUID());
        const cols = c.tasks.map(taskColumns);
        // One statement for all (as generation does), each task under its own occurrence key.
        await t.pool.query(
          `insert into followup_tasks (id, tenant_id, plan_id, customer_id, occurrence_key, unit_id, assignee_id, state, due_from,
                                       due_until, attempts, reached_attempts, last_outcome, completed_at, created_at, updated_at)
           select i.id, $2, i.plan, i.customer, i.id::text, i.unit, i.assignee, i.state, i.due_from, i.due_until, i.attempts,
                  i.reached, i.outcome, i.completed_at, now(), now()
           from unnest($1::uuid[], $3::uuid[], $4::uuid[], $5::uuid[], $6::uuid[], $7::text[], $8::timestamptz[], $9::timestamptz[],
                       $10::int[], $11::int[], $12::text[], $13::timestamptz[])
             as i(id, plan, customer, unit, assignee, state, due_from, due_until, attempts, reached, outcome, completed_at)`,
          [
            taskIds,
            t.tenantId,
            cols.map((x) => x.plan),
            c.tasks.map((x) => customers[x.customer]!.id),
            cols.map((x) => x.unit),
            cols.map((x) => x.assignee),
            cols.map((x) => x.state),
            cols.map((x) => x.dueFrom),
            cols.map((x) => x.dueUntil),
            cols.map((x) => x.attempts),
            cols.map((x) => x.reached),
            cols.map((x) => x.outcome),
            cols.map((x) => x.completedAt),
          ],
        );
        // Updates one statement each (some change nothing that counts: a claim).
        for (const u of c.updates) {
          const id = taskIds[u.i % taskIds.length]!;
          const x = taskColumns(u.to);
          await t.pool.query(
            `update followup_tasks set state = $3, attempts = $4, reached_attempts = $5, last_outcome = $6, completed_at = $7,
                    assignee_id = $8, due_until = $9, unit_id = $10, claimed_at = now() where tenant_id = $1 and id = $2`,
            [t.tenantId, id, x.state, x.attempts, x.reached, x.outcome, x.completedAt, x.assignee, x.dueUntil, x.unit],
          );
        }
        for (const m of c.moves) {
          const x = taskColumns(m.to);
          const [set, value] =
            m.column === 'unit'
              ? ['unit_id = $3::uuid', x.unit]
              : m.column === 'assignee'
                ? ['assignee_id = $3::uuid', x.assignee]
                : m.column === 'completed'
                  ? ['completed_at = $3::timestamptz', x.completedAt]
                  : ['due_until = coalesce(completed_at, due_until) + make_interval(mins => $3::int)', m.minutes];
          await t.pool.query(`update followup_tasks set ${set} where tenant_id = $1 and id = $2`, [
            t.tenantId,
            taskIds[m.i % taskIds.length],
            value,
          ]);
        }
        await t.pool.query('update followup_tasks set claimed_at = now() where tenant_id = $1 and id = any($2)', [
          t.tenantId,
          taskIds,
        ]);
        await t.pool.query('delete from followup_tasks where tenant_id = $1 and id = any($2)', [
          t.tenantId,
          c.deletes.map((d) => taskIds[d % taskIds.length]!),
        ]);
        // Sessions, stored ended (one open session per counter is a constraint).
        for (const s of c.sessions) {
          const at = new Date(T0 + s.minutes * MIN);
          await t.pool.query(
            `insert into service_sessions (tenant_id, counter_id, outlet_id, staff_id, business_type, started_at, ended_at)
             values ($1, $2, $3, $4, '对私', $5, $5)`,
            [t.tenantId, counters[s.counter], outlets[s.counter], staff[s.staff], at],
          );
        }
        // Tickets, then status changes and moves, then one delete.
        const ticketIds: string[] = [];
        for (const k of c.tickets) {
          const id = crypto.randomUUID();
          ticketIds.push(id);
          await t.pool.query(
            `insert into tickets (id, tenant_id, source, title, unit_id, staff_id, status, created_at, updated_at)
             values ($1, $2, 'manual', '属性测试', $3, $4, $5, now(), now())`,
            [id, t.tenantId, units[k.unit], k.staff === null ? null : staff[k.staff], k.status],
          );
        }
        if (ticketIds.length) {
          for (const m of c.ticketMoves)
            await t.pool.query(
              'update tickets set unit_id = $3, status = $4, sla_state = $5 where tenant_id = $1 and id = $2',
              [t.tenantId, ticketIds[m.i % ticketIds.length], units[m.unit], m.status, 'ok'],
            );
          await t.pool.query('update tickets set updated_at = now() where tenant_id = $1 and id = any($2)', [
            t.tenantId,
            ticketIds,
          ]);
          if (c.ticketMoves.length % 2 === 1)
            await t.pool.query('delete from tickets where tenant_id = $1 and id = $2', [t.tenantId, ticketIds[0]]);
        }
        // A value run's customer values (one statement), and churn warnings opened then maybe resolved.
        const runId = crypto.randomUUID();
        const seen = new Set<number>();
        const vals = c.values.filter((v) => !seen.has(v.customer) && seen.add(v.customer));
        if (vals.length)
          await t.pool.query(
            `insert into customer_values (tenant_id, run_id, customer_id, score, tier, lifecycle, stars, sales_fen, prev_sales_fen,
                                          batches, returns_fen, payments_fen, prev_payments_fen, debt_fen, is_new, recent_fen, prior_fen)
             select $1, $2, i.c, 50, i.tier, 'ordinary', 0, 0, 0, 0, 0, 0, 0, 0, false, 0, 0
             from unnest($3::uuid[], $4::text[]) as i(c, tier)`,
            [t.tenantId, runId, vals.map((v) => customers[v.customer]!.id), vals.map((v) => v.tier)],
          );
        await t.pool.query(
          'update value_churn_warnings set resolved_at = now() where tenant_id = $1 and resolved_at is null',
          [t.tenantId],
        );
        const warned = new Set<number>();
        for (const w of c.warnings) {
          if (warned.has(w.customer)) continue;
          warned.add(w.customer);
          const id = crypto.randomUUID();
          await t.pool.query(
            `insert into value_churn_warnings (id, tenant_id, customer_id, run_id, reason) values ($1, $2, $3, $4, $5)`,
            [id, t.tenantId, customers[w.customer]!.id, runId, w.reason],
          );
          if (w.resolve) await t.pool.query('update value_churn_warnings set resolved_at = now() where id = $1', [id]);
        }
        // Corrections in batches of one statement each (appeals, decisions, repeated and out of order).
        for (const batch of c.corrections)
          // One statement per batch, through the evaluation module's writer (corrections and their events).
          await t.pool.query(
            recordCorrectionsFromSource(`csrc as (
              select $1::uuid as tenant_id, i.e as evaluation_id, i.k as kind, 'property'::text as reason,
                     null::uuid as actor_id, i.at, i.n as ord, '{}'::jsonb as event_payload
              from unnest($2::uuid[], $3::text[], $4::timestamptz[]) with ordinality as i(e, k, at, n))`),
            [
              t.tenantId,
              batch.map((x) => evaluations[x.e]!),
              batch.map((x) => x.kind),
              batch.map((x) => new Date(T0 + x.minutes * MIN)),
            ],
          );
        const expected = await want();
        expect(await all()).toEqual(expected);
        await rebuildDashboardRollups(t.db, t.tenantId);
        await rebuildFollowupDoneRollups(t.db, t.tenantId);
        expect(await all()).toEqual(expected);
      }),
      { numRuns: 20 },
    );
  }, 180_000);
});
