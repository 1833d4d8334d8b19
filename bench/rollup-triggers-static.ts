/**
 * What the four read-model triggers that built their upserts as dynamic SQL cost the statements they count, before and
 * after migration 0069 wrote them with static statements (plans cached by PL/pgSQL): a service session started (an
 * INSERT: session_hour_rollups_on_change, four upserts), a follow-up attempt recorded (attempts and outcome:
 * followup_task_rollups_on_change), a task done (state and completion: that one and followup_done_rollups_on_change)
 * and a ticket event counted (the ticket listener's upsert of ticket_rollups → ticket_rollups_tenant_on_change). Single-row statements from
 * one connection inside one transaction per round (rolled back), µs per statement, whole statements (every other
 * trigger of the table included, as a user's write pays them). Baseline in the same run, on the same database, in
 * alternating rounds: the functions as they were (0068, 0057, 0063), swapped back in.
 *   BENCH_ROWS (statements per round, default 1,000), BENCH_ROUNDS (per way and case, default 3)
 */
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { benchApp, median, triggerBenchFixture } from './_support.ts';

const ROWS = Number(process.env.BENCH_ROWS ?? 1000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const migration = (file: string) =>
  fs
    .readFileSync(path.join(import.meta.dirname, '../apps/server/src/db/migrations', file), 'utf8')
    .split('--> statement-breakpoint');
const fn = (file: string, name: string) => {
  const stmt = migration(file).find((s) => new RegExp(`FUNCTION ${name}\\(\\) RETURNS trigger`).test(s));
  if (!stmt) throw new Error(`rollup-triggers-static: ${name} not found in ${file}`);
  return stmt.replace(/CREATE FUNCTION/, 'CREATE OR REPLACE FUNCTION');
};
// Before 0069: the dynamic functions, as the migrations before it left them.
const before = [
  fn('0068_rollup_triggers_skip_unchanged.sql', 'session_hour_rollups_on_change'),
  fn('0068_rollup_triggers_skip_unchanged.sql', 'followup_task_rollups_on_change'),
  fn('0057_followup_done_rollups.sql', 'followup_done_rollups_on_change'),
  fn('0063_ticket_rollups_month.sql', 'ticket_rollups_tenant_on_change'),
];
if (before.some((f) => !/\bEXECUTE\b/.test(f))) throw new Error('rollup-triggers-static: a baseline is not dynamic');
const after = ['select rollup_triggers_make_static()'];

const b = await benchApp();
const client = new pg.Client({ connectionString: b.connectionString });
try {
  await client.connect();
  const q = (text: string, params: unknown[] = []) => client.query(text, params);
  const t = b.tenantId;
  const { outlet, staff, customer, counter, planId } = await triggerBenchFixture(q, t, 'BENCH-STATIC');
  const taskIds = (
    await q(
      `insert into followup_tasks (tenant_id, plan_id, customer_id, occurrence_key, unit_id, assignee_id, state, due_from, due_until, created_at, updated_at)
       select $1, $2, $3, 'bench-static-' || g, $4, $5, 'in_progress', now() - (g % 30) * interval '1 day', now() + interval '7 days', now(), now()
       from generate_series(1, $6) g returning id`,
      [t, planId, customer.id, outlet.id, staff.id, ROWS],
    )
  ).rows.map((x: { id: string }) => x.id);
  await q('vacuum analyze service_sessions, followup_tasks');

  const cases = {
    /** 一次服务 recorded at the counter (one open session per counter, so each row is an ended one). */
    sessionStart: (i: number) =>
      q(
        `insert into service_sessions (tenant_id, counter_id, outlet_id, staff_id, business_type, started_at, ended_at, handling_seconds)
         values ($1, $2, $3, $4, '个人存取款', now() - ($5 % 600) * interval '1 minute', now() - ($5 % 600) * interval '1 minute' + interval '5 minutes', 300)`,
        [t, counter, outlet.id, staff.id, i],
      ),
    /** 记录回访: an attempt that did not reach the customer. */
    taskAttempt: (i: number) =>
      q(`update followup_tasks set attempts = attempts + 1, last_outcome = 'no_answer' where id = $1`, [taskIds[i]]),
    /** 完成回访. */
    taskDone: (i: number) =>
      q(
        `update followup_tasks set state = 'done', completed_at = now(), last_outcome = 'reached', reached_attempts = 1, attempts = attempts + 1 where id = $1`,
        [taskIds[i]],
      ),
    /** A ticket event's daily count (the ticket listener's upsert of ticket_rollups: 受理 +1). */
    ticketCounted: (i: number) =>
      q(
        `insert into ticket_rollups as r (tenant_id, day, unit_id, staff_id, category, priority, received)
         values ($1, current_date - ($2 % 60), $3, $4, 'service_attitude', 'normal', 1)
         on conflict on constraint ticket_rollups_key_uq do update set received = r.received + excluded.received`,
        [t, i, outlet.id, staff.id],
      ),
  };
  type TCase = keyof typeof cases;
  type TWay = 'before' | 'after';
  const names = Object.keys(cases) as TCase[];
  const round = async (way: TWay, c: TCase) => {
    for (const f of way === 'before' ? before : after) await q(f);
    await q('begin');
    const started = performance.now();
    for (let i = 0; i < ROWS; i++) await cases[c](i);
    const micros = ((performance.now() - started) * 1000) / ROWS;
    await q('rollback');
    return Math.round(micros);
  };
  const us = Object.fromEntries(
    (['before', 'after'] as TWay[]).map((w) => [w, Object.fromEntries(names.map((n) => [n, [] as number[]]))]),
  ) as Record<TWay, Record<TCase, number[]>>;
  for (const c of names) await round('after', c); // warm-up
  for (let i = 0; i < ROUNDS; i++)
    for (const c of names)
      for (const way of (i % 2 ? ['after', 'before'] : ['before', 'after']) as TWay[])
        us[way][c].push(await round(way, c));
  for (const f of after) await q(f);
  const ratio = (c: TCase) => Number((median(us.before[c]) / median(us.after[c])).toFixed(2));
  console.log(
    JSON.stringify(
      {
        bench: 'rollup-triggers-static',
        statementsPerRound: ROWS,
        microsPerStatement: us,
        speedup: Object.fromEntries(names.map((c) => [c, ratio(c)])),
      },
      null,
      2,
    ),
  );
} finally {
  await client.end().catch(() => undefined);
  await b.close();
}
