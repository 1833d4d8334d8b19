import { sql } from 'drizzle-orm';
import type { DbOrTx } from '../../../db/client.ts';
import { pgArray } from '../../../lib/scope.ts';

/**
 * Customer merge 合并重复客户: the merged customers' follow-up tasks, attempts, contacts (the contact-policy ledger)
 * and explicit plan targets move to the kept customer — nothing is deleted. When the kept customer already has the
 * same occurrence of a plan (both were targeted), the moved task keeps its history under the key
 * `<occurrence>~merged:<old customer>` so the unique occurrence key still holds and a re-run creates nothing new.
 * Each moved task gets a `customer_merged` log entry. Call inside the merge transaction, before the customers go.
 */
export async function moveFollowupToCustomer(
  tx: DbOrTx,
  e: { tenantId: string; fromIds: string[]; keepId: string; actorId: string | null; at: Date },
): Promise<number> {
  const from = pgArray(e.fromIds, 'uuid');
  const moved = await tx.execute<{ id: string }>(sql`
    with ranked as (
      select t.id, t.customer_id, row_number() over (partition by t.plan_id, t.occurrence_key order by (t.customer_id = ${e.keepId}) desc, t.created_at, t.id) as rk
      from followup_tasks t where t.tenant_id = ${e.tenantId} and (t.customer_id = ${e.keepId} or t.customer_id = any(${from}))
    ), upd as (
      update followup_tasks t set customer_id = ${e.keepId},
        occurrence_key = case when r.rk = 1 then t.occurrence_key else t.occurrence_key || '~merged:' || r.customer_id::text end, updated_at = ${e.at}
      from ranked r where t.tenant_id = ${e.tenantId} and t.id = r.id and r.customer_id = any(${from})
      returning t.id, r.customer_id as old_customer
    ), logged as (
      insert into followup_task_events (tenant_id, task_id, kind, at, actor_id, data)
      select ${e.tenantId}::uuid, upd.id, 'customer_merged', ${e.at}::timestamptz, ${e.actorId}::uuid, jsonb_build_object('from', upd.old_customer, 'to', ${e.keepId}::uuid) from upd
    )
    select id from upd`);
  await tx.execute(
    sql`update followup_attempts set customer_id = ${e.keepId} where tenant_id = ${e.tenantId} and customer_id = any(${from})`,
  );
  await tx.execute(
    sql`update contact_events set customer_id = ${e.keepId} where tenant_id = ${e.tenantId} and customer_id = any(${from})`,
  );
  await tx.execute(sql`
    update followup_plans set customer_ids = array(select distinct case when c = any(${from}) then ${e.keepId}::uuid else c end from unnest(customer_ids) c)
    where tenant_id = ${e.tenantId} and customer_ids && ${from}`);
  return moved.rows.length;
}
