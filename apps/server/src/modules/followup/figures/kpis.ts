import type { Writable } from 'node:stream';
import { sql } from 'drizzle-orm';
import type { TKpiQuery, TKpiRow, TKpis } from '@huifang/shared';
import type { Db } from '../../../db/client.ts';
import type { TClock } from '../../../lib/clock.ts';
import { createSpreadsheet, PERCENT_FORMAT } from '../../../lib/export-file.ts';
import { unitVisible, type TScope } from '../../../lib/scope.ts';
import { addDays, localDate, zonedInstant } from '../../policy/calendar.ts';
import { tenantTimeZone } from '../../../lib/time.ts';

/**
 * Follow-up KPIs (DESIGN §5), all computed in SQL over the tasks of the caller's units whose due window started in
 * [from, to] (local dates, default: this natural month) and by now, or that were worked before their window opened
 * (an agent who calls at 08:30 for a 09:00 window has done the task) — cancelled tasks do not count:
 * - coverage   = tasks with ≥ 1 attempt ÷ due tasks
 * - reach rate = connected attempts (reached / replied / refused) ÷ attempts by people: a task the system sent by
 *   SMS / e-mail (last outcome sent / send_failed) counts for coverage and completion, not here — its delivery is
 *   in the plan's message figures (plan-messages.ts), and counting it as "not connected" would sink the rate
 * - completion = done ÷ due;  on-time rate = done by the end of the window ÷ done
 * - satisfaction gained = number of satisfaction scores collected and their mean.
 * Per plan and per agent (who executed it, else the assignee) with GROUPING SETS, in one pass.
 */
export async function computeKpis(deps: { db: Db; clock: TClock }, scope: TScope, q: TKpiQuery): Promise<TKpis> {
  const now = deps.clock.now();
  const tz = await tenantTimeZone(deps.db, scope.tenantId);
  const today = localDate(now, tz);
  const from = q.from ?? `${today.slice(0, 7)}-01`;
  const to = q.to ?? today;
  const fromAt = zonedInstant(from, 0, tz);
  const toAt = zonedInstant(addDays(to, 1), 0, tz);
  const visible =
    scope.dataScope === 'own'
      ? sql`(t.assignee_id = ${scope.userId} or t.executed_by = ${scope.userId})`
      : unitVisible(scope, sql`t.unit_id`);
  const res = await deps.db.execute<Record<string, string | number | null>>(sql`
    with t as (
      select t.*, coalesce(t.executed_by, t.assignee_id) as agent_id, coalesce(t.last_outcome in ('sent', 'send_failed'), false) as by_system from followup_tasks t
      where t.tenant_id = ${scope.tenantId} and ${visible} and t.state <> 'cancelled'
        and t.due_from >= ${fromAt} and t.due_from < ${toAt} and (t.due_from <= ${now} or t.attempts > 0 or t.state in ('done', 'failed'))
        ${q.planId ? sql`and t.plan_id = ${q.planId}` : sql``}
    ),
    g as (
      select grouping(t.plan_id) as gp, grouping(t.agent_id) as ga, t.plan_id, t.agent_id,
        count(*)::int as due,
        count(*) filter (where t.attempts > 0)::int as attempted,
        coalesce(sum(t.attempts), 0)::int as attempts,
        coalesce(sum(t.attempts) filter (where not t.by_system), 0)::int as people_attempts,
        coalesce(sum(t.reached_attempts), 0)::int as connected,
        count(*) filter (where t.state = 'done')::int as done,
        count(*) filter (where t.state = 'done' and t.completed_at <= t.due_until)::int as on_time,
        count(*) filter (where t.state = 'failed')::int as failed,
        count(t.satisfaction)::int as satisfaction_count,
        round(avg(t.satisfaction)::numeric, 2)::float8 as avg_satisfaction
      from t group by grouping sets ((), (t.plan_id), (t.agent_id))
    )
    select g.*, p.name as plan_name, u.display_name as agent_name,
      round(g.attempted::numeric / nullif(g.due, 0), 4)::float8 as coverage,
      round(g.connected::numeric / nullif(g.people_attempts, 0), 4)::float8 as reach_rate,
      round(g.done::numeric / nullif(g.due, 0), 4)::float8 as completion,
      round(g.on_time::numeric / nullif(g.done, 0), 4)::float8 as on_time_rate
    from g left join followup_plans p on p.tenant_id = ${scope.tenantId} and p.id = g.plan_id left join users u on u.id = g.agent_id
    order by g.due desc`);
  const row = (r: Record<string, string | number | null>, key: string, label: string): TKpiRow => ({
    key,
    label,
    due: Number(r.due),
    attempted: Number(r.attempted),
    attempts: Number(r.attempts),
    connected: Number(r.connected),
    done: Number(r.done),
    onTime: Number(r.on_time),
    failed: Number(r.failed),
    satisfactionCount: Number(r.satisfaction_count),
    coverage: r.coverage === null ? null : Number(r.coverage),
    reachRate: r.reach_rate === null ? null : Number(r.reach_rate),
    completion: r.completion === null ? null : Number(r.completion),
    onTimeRate: r.on_time_rate === null ? null : Number(r.on_time_rate),
    avgSatisfaction: r.avg_satisfaction === null ? null : Number(r.avg_satisfaction),
  });
  const totalRow = res.rows.find((r) => Number(r.gp) === 1 && Number(r.ga) === 1);
  const zero = {
    due: 0,
    attempted: 0,
    attempts: 0,
    connected: 0,
    done: 0,
    on_time: 0,
    failed: 0,
    satisfaction_count: 0,
    coverage: null,
    reach_rate: null,
    completion: null,
    on_time_rate: null,
    avg_satisfaction: null,
  };
  return {
    total: row(totalRow ?? zero, 'total', '合计'),
    byPlan: res.rows.filter((r) => Number(r.gp) === 0).map((r) => row(r, String(r.plan_id), String(r.plan_name ?? ''))),
    byAgent: res.rows
      .filter((r) => Number(r.ga) === 0)
      .map((r) => row(r, String(r.agent_id ?? 'team'), r.agent_name === null ? '(团队)' : String(r.agent_name))),
  };
}

/** The KPIs as an xlsx workbook into `out` (two sheets: per plan, per agent; the total on top of each; rates as % cells). */
export async function writeKpisWorkbook(out: Writable, k: TKpis, timeZone: string): Promise<void> {
  const file = createSpreadsheet(out, 'xlsx', timeZone);
  const columns = [
    ...['名称', '应回访', '已回访', '尝试次数', '接通次数', '已完成', '按时完成', '失败', '满意度条数'].map(
      (header) => ({ header }),
    ),
    ...['覆盖率', '接通率', '完成率', '按时率'].map((header) => ({ header, numFmt: PERCENT_FORMAT })),
    { header: '平均满意度' },
  ];
  for (const [name, rows] of [
    ['按计划', k.byPlan],
    ['按回访员', k.byAgent],
  ] as const) {
    const ws = file.addSheet(name, columns);
    // Labels come from users' input: the writer escapes a leading = + - @ so it never becomes a formula.
    for (const r of [k.total, ...rows])
      ws.addRow([
        r.label,
        r.due,
        r.attempted,
        r.attempts,
        r.connected,
        r.done,
        r.onTime,
        r.failed,
        r.satisfactionCount,
        r.coverage,
        r.reachRate,
        r.completion,
        r.onTimeRate,
        r.avgSatisfaction,
      ]);
  }
  await file.finish();
}
