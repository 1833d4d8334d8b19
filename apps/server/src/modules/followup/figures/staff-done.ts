import { sql } from 'drizzle-orm';
import type { DbOrTx } from '../../../db/client.ts';
import { ownedVisible, type TScope } from '../../../lib/scope.ts';

/**
 * Follow-ups done per staff member 回访完成数 (staff performance 员工绩效): tasks assigned to him that were completed
 * (state done) in [fromAt, toAt), among the tasks of the caller's scope (own: his own tasks; wider: tasks of the
 * visible units). Index-backed: followup_tasks_done_idx (tenant, completed_at, assignee, unit) where state = 'done'
 * makes the range an index-only scan for every scope. followup_task_rollups keys tasks by their due days, not by the
 * day they were done, so it cannot answer this; a completion-day rollup would be the next step at year ranges.
 */
export async function followupsDoneByStaff(
  db: DbOrTx,
  scope: TScope,
  range: { fromAt: Date; toAt: Date },
): Promise<Map<string, number>> {
  const res = await db.execute<{ staff_id: string; done: number }>(sql`
    select t.assignee_id as staff_id, count(*)::int as done
    from followup_tasks t
    where t.tenant_id = ${scope.tenantId} and t.state = 'done' and t.assignee_id is not null
      and ${ownedVisible(scope, sql`t.assignee_id`, sql`t.unit_id`)}
      and t.completed_at >= ${range.fromAt} and t.completed_at < ${range.toAt}
    group by t.assignee_id`);
  return new Map(res.rows.map((r) => [r.staff_id, Number(r.done)]));
}
