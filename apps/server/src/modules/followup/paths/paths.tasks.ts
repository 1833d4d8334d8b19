import { sql } from 'drizzle-orm';
import { ZPathPoint, type TPathPoint } from '@huifang/shared';
import type { Db, DbOrTx } from '../../../db/client.ts';
import { AppError, notFound } from '../../../lib/app-error.ts';
import type { TClock } from '../../../lib/clock.ts';
import type { TAuditCtx, TScope } from '../../../lib/scope.ts';
import { insertAuditEvent } from '../../audit/audit.repository.ts';
import { insertTaskEvent, taskVisible } from '../tasks/tasks.repository.ts';

type TDeps = { db: Db; clock: TClock };

/** A path task's occurrence key is `path:<service record>:<point no>`. */
const PATH_KEY = /^path:([0-9a-f-]{36}):(\d+)$/;

export interface TTaskPathPoint {
  templateId: string;
  templateName: string;
  version: number;
  no: number;
  point: TPathPoint;
}

/** The time point a task came from (method, script, questionnaire, priority, skippable), or null for other tasks. */
export async function findTaskPathPoint(
  db: DbOrTx,
  tenantId: string,
  task: { occurrenceKey: string },
): Promise<TTaskPathPoint | null> {
  const m = PATH_KEY.exec(task.occurrenceKey);
  if (!m) return null;
  const [row] = (
    await db.execute<{ template_id: string; name: string; version: number; points: unknown[] }>(sql`
    select pi.template_id, t.name, v.version, v.points from followup_path_instances pi
    join followup_path_versions v on v.tenant_id = pi.tenant_id and v.id = pi.version_id
    join followup_path_templates t on t.tenant_id = pi.tenant_id and t.id = pi.template_id
    where pi.tenant_id = ${tenantId} and pi.service_record_id = ${m[1]}`)
  ).rows;
  const no = Number(m[2]);
  const raw = row?.points[no - 1];
  if (!row || !raw) return null;
  return {
    templateId: row.template_id,
    templateName: row.name,
    version: Number(row.version),
    no,
    point: ZPathPoint.parse(raw),
  };
}

/** The path point of a task the caller can see (workbench: method, priority, script, skippable). */
export async function getTaskPathPoint(deps: TDeps, scope: TScope, taskId: string): Promise<TTaskPathPoint | null> {
  const [t] = (
    await deps.db.execute<{ occurrence_key: string }>(
      sql`select t.occurrence_key from followup_tasks t where ${taskVisible(scope)} and t.id = ${taskId}`,
    )
  ).rows;
  if (!t) throw notFound('task');
  return findTaskPathPoint(deps.db, scope.tenantId, { occurrenceKey: t.occurrence_key });
}

/**
 * Skip a path time point the template marks skippable (e.g. "+90 天短信 可跳过"): the open task is closed as cancelled
 * with a 'skipped' log entry carrying the reason. Points that are not skippable answer 409.
 */
export async function skipPathTask(deps: TDeps, scope: TScope, ctx: TAuditCtx, taskId: string, reason: string) {
  const now = deps.clock.now();
  return deps.db.transaction(async (tx) => {
    const [t] = (
      await tx.execute<{ state: string; unit_id: string; occurrence_key: string }>(
        sql`select t.state, t.unit_id, t.occurrence_key from followup_tasks t where ${taskVisible(scope)} and t.id = ${taskId} for update`,
      )
    ).rows;
    if (!t) throw notFound('task');
    const pp = await findTaskPathPoint(tx, scope.tenantId, { occurrenceKey: t.occurrence_key });
    if (!pp) throw new AppError('CONFLICT', 'not a path task');
    if (!pp.point.skippable) throw new AppError('CONFLICT', 'this time point may not be skipped');
    if (!['pending', 'in_progress', 'follow_up'].includes(t.state))
      throw new AppError('CONFLICT', `a ${t.state} task cannot be skipped`);
    await tx.execute(
      sql`update followup_tasks set state = 'cancelled', claimed_by = null, claimed_at = null, updated_at = ${now} where tenant_id = ${scope.tenantId} and id = ${taskId}`,
    );
    await insertTaskEvent(tx, {
      tenantId: scope.tenantId,
      taskId,
      kind: 'skipped',
      at: now,
      actorId: scope.userId,
      fromState: t.state,
      toState: 'cancelled',
      data: { reason, point: pp.no, label: pp.point.label },
    });
    await insertAuditEvent(
      tx,
      ctx,
      {
        action: 'followup_task.skipped',
        entityType: 'followup_task',
        entityId: taskId,
        unitId: t.unit_id,
        summary: `跳过回访路径节点 ${pp.point.label}`,
        after: { reason },
      },
      now,
    );
    return { ok: true as const };
  });
}
