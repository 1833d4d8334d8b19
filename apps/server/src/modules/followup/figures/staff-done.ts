import { sql } from 'drizzle-orm';
import type { DbOrTx } from '../../../db/client.ts';
import { rollupTableParts, rollupVisible, type TRollupTable } from '../../../lib/rollup-tables.ts';
import type { TScope } from '../../../lib/scope.ts';

/**
 * The completion-day read model of follow-up tasks (db/schema/followup-done-rollups.ts, migration
 * `followup_done_rollups`): done tasks per local day / local month of completed_at × unit × assignee, kept by
 * triggers on followup_tasks. Whole months of a range come from the month table, the partial months at its edges from
 * the day table (rollupTableParts), so a year is about twelve months of rows per assignee, not every task.
 */
const TABLES: readonly (TRollupTable & { column: 'day' | 'month' })[] = [
  { name: 'followup_done_month_rollups', grain: 'month', hasUnit: true, hasStaff: true, column: 'month' },
  { name: 'followup_done_rollups', grain: 'day', hasUnit: true, hasStaff: true, column: 'day' },
];

/**
 * Follow-ups done per staff member 回访完成数 (staff performance 员工绩效): tasks assigned to him that are done and were
 * completed on local days [fromDay, toDay) (tenant time zone, `YYYY-MM-DD`), among the tasks of the caller's scope
 * (own: his own tasks; wider: tasks of the visible units), counted under each task's current unit and assignee. Read
 * from the completion-day rollups only; staff with nothing done are absent.
 */
export async function followupsDoneByStaff(
  db: DbOrTx,
  scope: TScope,
  range: { fromDay: string; toDay: string },
): Promise<Map<string, number>> {
  if (range.fromDay >= range.toDay) return new Map();
  const parts = rollupTableParts(TABLES, { unit: true, staff: true, day: false }, range.fromDay, range.toDay).map(
    (p) => {
      const key = sql.raw(`r.${p.table.column}`);
      return sql`select r.assignee_id, r.done from ${sql.raw(p.table.name)} r
        where r.tenant_id = ${scope.tenantId} and ${key} >= ${p.from}::date and ${key} < ${p.to}::date
          and r.assignee_id is not null and ${rollupVisible(scope, sql`r.assignee_id`, sql`r.unit_id`)}`;
    },
  );
  const res = await db.execute<{ staff_id: string; done: number }>(sql`
    select x.assignee_id as staff_id, sum(x.done)::int as done
    from (${sql.join(parts, sql` union all `)}) x
    group by x.assignee_id
    having sum(x.done) > 0`);
  return new Map(res.rows.map((r) => [r.staff_id, Number(r.done)]));
}

/**
 * Recompute the completion-day rollups of one tenant (or all) from followup_tasks (`followup_done_rollups_rebuild`,
 * task writers wait meanwhile). `npm run rollups:rebuild -w @huifang/server`; the bench's generator after writing
 * tasks with the triggers off.
 */
export async function rebuildFollowupDoneRollups(db: DbOrTx, tenantId?: string): Promise<void> {
  await db.execute(sql`select followup_done_rollups_rebuild(${tenantId ?? null}::uuid)`);
}
