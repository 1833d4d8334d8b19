/**
 * What two read-model triggers that build dynamic SQL (migration 0040: `session_hour_rollups_on_change` on
 * service_sessions, `followup_task_rollups_on_change` on followup_tasks) cost an UPDATE that changes none of the
 * columns they count, before and after migration 0068 gave them a static early exit: single-row UPDATEs from one
 * connection inside one transaction per round (no commit), µs per statement — a session's rating flag (as its end's
 * bookkeeping) and a task's claim (领取: claimed_at). Baseline in the same run, on the same database, in alternating
 * rounds: the same functions without the early exit (0068's text with it cut out, i.e. the functions before 0068).
 * The rows: ended service sessions at one counter and pending tasks of one plan, made for the run.
 *   BENCH_ROWS (updates per round, default 2,000), BENCH_ROUNDS (per way and table, default 3)
 */
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { benchApp, median, triggerBenchFixture } from './_support.ts';

const ROWS = Number(process.env.BENCH_ROWS ?? 2000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const file = path.join(import.meta.dirname, '../apps/server/src/db/migrations/0068_rollup_triggers_skip_unchanged.sql');
const after = fs.readFileSync(file, 'utf8').split('--> statement-breakpoint');
// Before 0068: the same functions without their early exit (the block from IF NOT EXISTS to its END IF).
const before = after.map((f) => f.replace(/ {4}IF NOT EXISTS \(SELECT 1 FROM old_rows[\s\S]*?END IF;\n/, ''));
if (before.some((f, i) => f === after[i])) throw new Error('rollup-trigger-skip: no early exit found to cut out');

const b = await benchApp();
const client = new pg.Client({ connectionString: b.connectionString });
try {
  await client.connect();
  const q = (text: string, params: unknown[] = []) => client.query(text, params);
  const t = b.tenantId;
  const { outlet, staff, customer, counter, planId } = await triggerBenchFixture(q, t, 'BENCH-SKIP');
  const sessionIds = await q(
    `insert into service_sessions (tenant_id, counter_id, outlet_id, staff_id, business_type, started_at, ended_at, handling_seconds)
     select $1, $2, $3, $4, '个人存取款', now() - g * interval '1 minute', now() - g * interval '1 minute' + interval '5 minutes', 300
     from generate_series(1, $5) g returning id`,
    [t, counter, outlet.id, staff.id, ROWS],
  );
  const taskIds = await q(
    `insert into followup_tasks (tenant_id, plan_id, customer_id, occurrence_key, unit_id, due_from, due_until, created_at, updated_at)
     select $1, $2, $3, 'bench-skip-' || g, $4, now(), now() + interval '7 days', now(), now() from generate_series(1, $5) g
     returning id`,
    [t, planId, customer.id, outlet.id, ROWS],
  );
  await q('vacuum analyze service_sessions, followup_tasks');
  const idsOf = (r: pg.QueryResult) => r.rows.map((x: { id: string }) => x.id);
  const tables = {
    sessions: {
      ids: idsOf(sessionIds),
      sql: 'update service_sessions set rating_closed = not rating_closed where id = $1',
    },
    tasks: { ids: idsOf(taskIds), sql: 'update followup_tasks set claimed_at = now() where id = $1' },
  };
  type TTable = keyof typeof tables;
  type TWay = 'before' | 'after';
  const round = async (way: TWay, table: TTable) => {
    for (const f of way === 'before' ? before : after) await q(f);
    await q('begin');
    const started = performance.now();
    for (const id of tables[table].ids) await q(tables[table].sql, [id]);
    const micros = ((performance.now() - started) * 1000) / tables[table].ids.length;
    await q('rollback');
    return Math.round(micros);
  };
  const us: Record<TWay, Record<TTable, number[]>> = {
    before: { sessions: [], tasks: [] },
    after: { sessions: [], tasks: [] },
  };
  await round('after', 'sessions'); // warm-up
  for (let i = 0; i < ROUNDS; i++)
    for (const table of ['sessions', 'tasks'] as const)
      for (const way of (i % 2 ? ['after', 'before'] : ['before', 'after']) as TWay[])
        us[way][table].push(await round(way, table));
  for (const f of after) await q(f);
  const ratio = (t: TTable) => Number((median(us.before[t]) / median(us.after[t])).toFixed(2));
  console.log(
    JSON.stringify(
      {
        bench: 'rollup-trigger-skip',
        rows: { sessions: tables.sessions.ids.length, tasks: tables.tasks.ids.length },
        microsPerUpdate: us,
        speedup: { sessions: ratio('sessions'), tasks: ratio('tasks') },
      },
      null,
      2,
    ),
  );
} finally {
  await client.end().catch(() => undefined);
  await b.close();
}
