import { sql } from 'drizzle-orm';
import type { DbOrTx } from '../../../db/client.ts';
import { notify } from '../../notifications/notifications.service.ts';

/** Abnormal findings and escalations are pushed at once as in-app notifications (modules/notifications). */
export async function notifyStaff(
  tx: DbOrTx,
  n: {
    tenantId: string;
    userIds: readonly string[];
    kind: string;
    title: string;
    body: string | null;
    link: string | null;
    at: Date;
  },
): Promise<number> {
  return notify(tx, n);
}

/**
 * Who answers for a customer's follow-up: the customer's owner and the nearest people above the task's unit who
 * manage follow-up (followup:manage) — not the agent who reports.
 */
export async function responsiblePeople(
  db: DbOrTx,
  tenantId: string,
  unitId: string,
  ownerId: string | null,
  exceptUserId: string,
): Promise<string[]> {
  const res = await db.execute<{ id: string }>(sql`
    with target as (select path from org_units where tenant_id = ${tenantId} and id = ${unitId}),
    cand as (
      select distinct u.id, ou.depth from users u
      join org_units ou on ou.id = u.unit_id
      join user_roles ur on ur.user_id = u.id join roles r on r.id = ur.role_id
      where u.tenant_id = ${tenantId} and u.is_active and 'followup:manage' = any(r.permissions) and r.key is distinct from 'admin'
        and (select path from target) like ou.path || '%' and u.id <> ${exceptUserId}
    )
    select id from cand where depth = (select max(depth) from cand)
    union select u.id from users u where u.id = ${ownerId}::uuid and u.is_active and u.id <> ${exceptUserId}`);
  return res.rows.map((r) => r.id);
}
