import { sql } from 'drizzle-orm';
import { CONNECTED_OUTCOMES } from '@huifang/shared';
import type { DbOrTx } from '../../../db/client.ts';
import { pgArray, type TScope } from '../../../lib/scope.ts';
import { taskVisible } from '../tasks/tasks.repository.ts';

const OPEN = sql`t.state in ('pending', 'in_progress', 'follow_up')`;
const MINE = (scope: TScope) =>
  sql`(t.assignee_id = ${scope.userId} or t.claimed_by = ${scope.userId} or (t.assignee_id is null and t.team_unit_id = ${scope.unitId}))`;

/**
 * The agent's own figures for the dashboard 工作台: open tasks due today (same rule as the workbench's 今日待回访),
 * overdue open tasks, and the reach rate 接通率 of his own attempts of the last 30 days (connected ÷ attempts).
 */
export async function myTaskFigures(db: DbOrTx, scope: TScope, bounds: { now: Date; endOfToday: Date; since: Date }) {
  const res = await db.execute<{ today: number; overdue: number; attempts: number; connected: number }>(sql`
    select
      (select count(*)::int from followup_tasks t where ${taskVisible(scope)} and ${MINE(scope)} and ${OPEN} and t.due_from < ${bounds.endOfToday} and t.due_until >= ${bounds.now}) as today,
      (select count(*)::int from followup_tasks t where ${taskVisible(scope)} and ${MINE(scope)} and ${OPEN} and t.due_until < ${bounds.now}) as overdue,
      count(*)::int as attempts,
      (count(*) filter (where a.outcome = any(${pgArray(CONNECTED_OUTCOMES, 'text')})))::int as connected
    from followup_attempts a where a.tenant_id = ${scope.tenantId} and a.by_user_id = ${scope.userId} and a.at >= ${bounds.since}`);
  const r = res.rows[0]!;
  return {
    dueToday: Number(r.today),
    overdue: Number(r.overdue),
    attempts30Days: Number(r.attempts),
    reachPercent30Days: Number(r.attempts) ? Math.round((Number(r.connected) / Number(r.attempts)) * 1000) / 10 : null,
  };
}
