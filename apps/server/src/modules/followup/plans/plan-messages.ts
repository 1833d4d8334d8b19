import { and, eq, inArray, sql } from 'drizzle-orm';
import type { TPlanMessage, TPlanMessageStats } from '@huifang/shared';
import type { DbOrTx } from '../../../db/client.ts';
import { followupPlanMessages } from '../../../db/schema/index.ts';
import { invalidField } from '../../../lib/app-error.ts';

/**
 * The automatic message of a plan 自动发送 (one row per plan in followup_plan_messages). A plan with one is worked by
 * the followup-auto-send job; without one, by agents.
 */
export async function loadPlanMessages(
  db: DbOrTx,
  tenantId: string,
  planIds: string[],
): Promise<Map<string, TPlanMessage>> {
  if (planIds.length === 0) return new Map();
  const rows = await db
    .select()
    .from(followupPlanMessages)
    .where(and(eq(followupPlanMessages.tenantId, tenantId), inArray(followupPlanMessages.planId, planIds)));
  return new Map(
    rows.map((r) => [
      r.planId,
      {
        channel: r.channel as TPlanMessage['channel'],
        template: r.template,
        templateCode: r.templateCode,
        subject: r.subject,
      },
    ]),
  );
}

/** The message channel must be one of the plan's methods (else 400 on body.message.channel). */
export function checkPlanMessage(methods: string[], message: TPlanMessage | null | undefined): void {
  if (message && !methods.includes(message.channel))
    throw invalidField('body.message.channel', `the plan's methods do not include ${message.channel}`);
}

/** Store (or remove, when null) the plan's automatic message in the caller's transaction. */
export async function savePlanMessage(
  tx: DbOrTx,
  tenantId: string,
  planId: string,
  message: TPlanMessage | null | undefined,
  now: Date,
): Promise<void> {
  if (!message) {
    await tx
      .delete(followupPlanMessages)
      .where(and(eq(followupPlanMessages.tenantId, tenantId), eq(followupPlanMessages.planId, planId)));
    return;
  }
  const values = {
    channel: message.channel,
    template: message.template,
    templateCode: message.channel === 'sms' ? (message.templateCode ?? null) : null,
    subject: message.channel === 'email' ? (message.subject ?? null) : null,
    updatedAt: now,
  };
  await tx
    .insert(followupPlanMessages)
    .values({ tenantId, planId, ...values })
    .onConflictDoUpdate({ target: [followupPlanMessages.tenantId, followupPlanMessages.planId], set: values });
}

/**
 * Messages of the plan's automatic sends by outcome (plan KPIs 自动发送): queued (incl. deferred and sending),
 * sent (no receipt yet), delivered / undelivered (provider receipts), blocked (contact policy), failed.
 */
export async function planMessageStats(db: DbOrTx, tenantId: string, planId: string): Promise<TPlanMessageStats> {
  const res = await db.execute<{ k: string; n: number }>(sql`
    select case when o.status = 'sent' then coalesce(o.delivery_status, 'sent')
                when o.status = 'cancelled' and o.policy_outcome like 'blocked:%' then 'blocked'
                when o.status in ('queued', 'sending') then 'queued'
                else o.status end as k, count(*)::int as n
    from outbox_messages o join followup_tasks t on t.tenant_id = o.tenant_id and t.id = o.ref_id
    where o.tenant_id = ${tenantId} and o.ref_type = 'followup_task' and t.plan_id = ${planId}
    group by 1`);
  const out: TPlanMessageStats = { queued: 0, sent: 0, delivered: 0, undelivered: 0, blocked: 0, failed: 0 };
  for (const r of res.rows) if (r.k in out) out[r.k as keyof TPlanMessageStats] = Number(r.n);
  return out;
}
