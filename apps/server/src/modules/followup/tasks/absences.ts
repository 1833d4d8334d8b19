import { sql } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { AppError, invalidField, unknownRef } from '../../../lib/app-error.ts';
import type { TClock } from '../../../lib/clock.ts';
import { unitVisible, type TAuditCtx, type TScope } from '../../../lib/scope.ts';
import { insertAuditEvent } from '../../audit/audit.repository.ts';
import { findVisibleUser } from '../../users/users.repository.ts';

/** Staff absences 请假/外出: meanwhile new tasks of the absent person go to the named delegate (task generation). */
export async function createAbsence(
  deps: { db: Db; clock: TClock },
  scope: TScope,
  ctx: TAuditCtx,
  input: { userId: string; delegateId: string; startsOn: string; endsOn: string; note?: string | null | undefined },
) {
  const user = await findVisibleUser(deps.db, scope, input.userId);
  if (!user) throw unknownRef('body.userId', 'user');
  const delegate = await findVisibleUser(deps.db, scope, input.delegateId);
  if (!delegate) throw unknownRef('body.delegateId', 'user');
  if (!delegate.user.isActive) throw invalidField('body.delegateId', 'the user is disabled');
  const now = deps.clock.now();
  return deps.db.transaction(async (tx) => {
    const overlap = await tx.execute(
      sql`select 1 from staff_absences where tenant_id = ${scope.tenantId} and user_id = ${input.userId} and starts_on <= ${input.endsOn}::date and ends_on >= ${input.startsOn}::date`,
    );
    if (overlap.rows.length)
      throw new AppError('CONFLICT', 'an absence of this person overlaps these dates', {
        details: [{ path: 'body.startsOn', message: '与已登记的缺勤重叠' }],
      });
    const [row] = (
      await tx.execute<{
        id: string;
      }>(sql`insert into staff_absences (tenant_id, user_id, delegate_id, starts_on, ends_on, note, created_by, created_at)
        values (${scope.tenantId}, ${input.userId}, ${input.delegateId}, ${input.startsOn}, ${input.endsOn}, ${input.note ?? null}, ${scope.userId}, ${now}) returning id`)
    ).rows;
    await insertAuditEvent(
      tx,
      ctx,
      {
        action: 'followup_absence.created',
        entityType: 'user',
        entityId: input.userId,
        unitId: user.user.unitId,
        summary: `${user.user.displayName} 缺勤 ${input.startsOn}~${input.endsOn}, 代理人 ${delegate.user.displayName}`,
      },
      now,
    );
    return {
      id: row!.id,
      userId: input.userId,
      userName: user.user.displayName,
      delegateId: input.delegateId,
      delegateName: delegate.user.displayName,
      startsOn: input.startsOn,
      endsOn: input.endsOn,
      note: input.note ?? null,
    };
  });
}

export async function listAbsences(db: Db, scope: TScope) {
  const res = await db.execute<{
    id: string;
    user_id: string;
    user_name: string;
    delegate_id: string;
    delegate_name: string;
    starts_on: string;
    ends_on: string;
    note: string | null;
  }>(sql`
    select a.id, a.user_id, u.display_name as user_name, a.delegate_id, d.display_name as delegate_name, a.starts_on::text, a.ends_on::text, a.note
    from staff_absences a join users u on u.id = a.user_id join users d on d.id = a.delegate_id
    where a.tenant_id = ${scope.tenantId} and ${unitVisible(scope, sql`u.unit_id`)} order by a.starts_on desc limit 200`);
  return res.rows.map((r) => ({
    id: r.id,
    userId: r.user_id,
    userName: r.user_name,
    delegateId: r.delegate_id,
    delegateName: r.delegate_name,
    startsOn: r.starts_on,
    endsOn: r.ends_on,
    note: r.note,
  }));
}

/** People who can work follow-up tasks (followup:work) in the caller's units: for assignment pickers. */
export async function listWorkers(db: Db, scope: TScope) {
  const res = await db.execute<{ id: string; display_name: string; unit_name: string }>(sql`
    select distinct u.id, u.display_name, ou.name as unit_name from users u join org_units ou on ou.id = u.unit_id
    join user_roles ur on ur.user_id = u.id join roles r on r.id = ur.role_id
    where u.tenant_id = ${scope.tenantId} and u.is_active and 'followup:work' = any(r.permissions) and ${unitVisible(scope, sql`u.unit_id`)}
    order by u.display_name`);
  return res.rows.map((r) => ({ id: r.id, displayName: r.display_name, unitName: r.unit_name }));
}
