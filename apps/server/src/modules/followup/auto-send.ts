import { sql } from 'drizzle-orm';
import { MARKETING_TOPICS } from '@huifang/shared';
import type { Db, DbOrTx } from '../../db/client.ts';
import type { TClock } from '../../lib/clock.ts';
import { pgArray } from '../../lib/scope.ts';
import { enqueueOnce, type TNewMessage } from '../messaging/outbox.repository.ts';
import type { TOutboxOutcome } from '../messaging/outbox.sender.ts';
import type { TOutboxRow } from '../messaging/outbox.repository.ts';
import { templateParams } from '../messaging/templates.ts';
import { localDate } from './calendar.ts';
import { nextContactableAt } from './contact-policy.ts';
import { renderScript, salutation, type TScriptValues } from './script.ts';

/** Outbox ref_type of a plan's automatic message; ref_id is the task. */
export const AUTO_REF_TYPE = 'followup_task';
const BATCH = 500;

type TDeps = { db: Db; clock: TClock };

interface TDueRow extends Record<string, unknown> {
  tenant_id: string;
  id: string;
  unit_id: string;
  customer_id: string;
  attempts: number;
  channel: 'sms' | 'email';
  template: string;
  template_code: string | null;
  subject: string | null;
  plan_name: string;
  topic: string;
  gift_name: string | null;
  customer_name: string;
  gender: string | null;
  phone: string | null;
  email: string | null;
  unit_name: string;
  assignee_name: string | null;
  occurred_at: string | Date | null;
  type_name: string | null;
  time_zone: string;
}

export interface TAutoSendResult {
  queued: number;
  /** Tasks that cannot be sent on the plan's channel (no mobile number / no e-mail address): failed. */
  noAddress: number;
}

/** The values of the script placeholders for one task (as the workbench renders the script 话术). */
function valuesOf(r: TDueRow): TScriptValues {
  return {
    客户姓名: r.customer_name,
    客户称呼: salutation(r.customer_name, r.gender),
    服务日期: r.occurred_at ? localDate(new Date(r.occurred_at), r.time_zone) : '',
    服务类型: r.type_name ?? '',
    坐席姓名: r.assignee_name ?? '',
    计划名称: r.plan_name,
    网点名称: r.unit_name,
    礼品: r.gift_name ?? '',
  };
}

/**
 * The `followup-auto-send` job 自动发送: due pending tasks of active plans that have an automatic message
 * (followup_plan_messages) are executed by the system. Per batch, in ONE transaction: lock the due tasks (skip locked,
 * so two workers split the work), render the plan's template with each customer's values, queue one outbox message
 * per task (customerId → the sender's contact policy applies; isMarketing for marketing topics; ref followup_task),
 * move the tasks to in_progress and log `message_queued`. The outbox dedupe key `followup_task:<task>:<attempt no>`
 * makes a rerun (or a crash between commit and the next run) queue nothing twice. How the message ends is applied
 * to the task by the outbox outcome hook below (same transaction as the outbox change).
 */
export async function runAutoSends(deps: TDeps, opts: { tenantId?: string } = {}): Promise<TAutoSendResult> {
  const result: TAutoSendResult = { queued: 0, noAddress: 0 };
  for (;;) {
    const n = await deps.db.transaction(async (tx) => {
      const now = deps.clock.now();
      const due = await tx.execute<TDueRow>(sql`
        select t.tenant_id, t.id, t.unit_id, t.customer_id, t.attempts, pm.channel, pm.template, pm.template_code, pm.subject,
               p.name as plan_name, p.topic, p.gift_name, c.name as customer_name, c.gender, c.phones[1] as phone, c.email,
               ou.name as unit_name, u.display_name as assignee_name, sr.occurred_at, st.name as type_name, tn.time_zone
        from followup_tasks t
        join followup_plan_messages pm on pm.tenant_id = t.tenant_id and pm.plan_id = t.plan_id
        join followup_plans p on p.tenant_id = t.tenant_id and p.id = t.plan_id and p.status = 'active'
        join customers c on c.id = t.customer_id
        join org_units ou on ou.id = t.unit_id
        join tenants tn on tn.id = t.tenant_id
        left join users u on u.id = t.assignee_id
        left join service_records sr on sr.tenant_id = t.tenant_id and sr.id = t.service_record_id
        left join service_types st on st.id = sr.service_type_id
        where t.state = 'pending' and t.claimed_by is null and t.due_from <= ${now} and (t.next_attempt_at is null or t.next_attempt_at <= ${now})
          ${opts.tenantId ? sql`and t.tenant_id = ${opts.tenantId}` : sql``}
        order by t.due_from
        limit ${BATCH}
        for update of t skip locked`);
      const rows = due.rows;
      if (rows.length === 0) return 0;
      const messages: (TNewMessage & { dedupeKey: string })[] = [];
      const noAddress: TDueRow[] = [];
      for (const r of rows) {
        const to = r.channel === 'sms' ? r.phone : r.email && /.+@.+/.test(r.email) ? r.email : null;
        if (!to) {
          noAddress.push(r);
          continue;
        }
        const values = valuesOf(r);
        messages.push({
          tenantId: r.tenant_id,
          unitId: r.unit_id,
          channel: r.channel,
          to,
          subject: r.channel === 'email' ? renderScript(r.subject ?? '', values) : null,
          body: renderScript(r.template, values),
          refType: AUTO_REF_TYPE,
          refId: r.id,
          customerId: r.customer_id,
          isMarketing: (MARKETING_TOPICS as readonly string[]).includes(r.topic),
          templateCode: r.channel === 'sms' ? r.template_code : null,
          templateParams: r.channel === 'sms' ? templateParams(values, r.template) : null,
          dedupeKey: `${AUTO_REF_TYPE}:${r.id}:${Number(r.attempts) + 1}`,
        });
      }
      const inserted = new Map((await enqueueOnce(tx, now, messages)).map((m) => [m.dedupeKey, m.id]));
      // Tasks whose message exists already (a rerun after a crash) move on too: that message's outcome drives them.
      const queued = messages.map((m) => ({ taskId: m.refId!, tenantId: m.tenantId, channel: m.channel, outboxId: inserted.get(m.dedupeKey) ?? null }));
      if (queued.length) {
        const data = JSON.stringify(queued.map((q) => ({ t: q.tenantId, id: q.taskId, d: { channel: q.channel, outboxId: q.outboxId } })));
        await tx.execute(sql`
          with q as (select (x->>'t')::uuid as tenant_id, (x->>'id')::uuid as id, x->'d' as d from jsonb_array_elements(${data}::jsonb) x),
          u as (update followup_tasks t set state = 'in_progress', updated_at = ${now} from q where t.tenant_id = q.tenant_id and t.id = q.id returning t.tenant_id, t.id, q.d)
          insert into followup_task_events (tenant_id, task_id, kind, at, actor_id, from_state, to_state, data)
          select u.tenant_id, u.id, 'message_queued', ${now}::timestamptz, null, 'pending', 'in_progress', u.d from u`);
      }
      if (noAddress.length) {
        const data = JSON.stringify(noAddress.map((r) => ({ t: r.tenant_id, id: r.id, d: { reason: r.channel === 'sms' ? 'no_phone' : 'no_email' } })));
        await tx.execute(sql`
          with q as (select (x->>'t')::uuid as tenant_id, (x->>'id')::uuid as id, x->'d' as d from jsonb_array_elements(${data}::jsonb) x),
          u as (update followup_tasks t set state = 'failed', completed_at = ${now}, updated_at = ${now} from q where t.tenant_id = q.tenant_id and t.id = q.id returning t.tenant_id, t.id, q.d)
          insert into followup_task_events (tenant_id, task_id, kind, at, actor_id, from_state, to_state, data)
          select u.tenant_id, u.id, 'failed', ${now}::timestamptz, null, 'pending', 'failed', u.d from u`);
      }
      result.queued += queued.length;
      result.noAddress += noAddress.length;
      return rows.length;
    });
    if (n < BATCH) break;
  }
  return result;
}

/**
 * Outbox outcome hook for ref_type followup_task (registered in jobs/queue.ts): how a plan's automatic message ended
 * becomes the task's next state, in the outbox's transaction. Only a task still in progress is touched (a supervisor
 * may have cancelled it meanwhile).
 * - sent: an attempt (channel sms/email, outcome `sent`, by the system) and the task done;
 * - blocked by the contact policy (opt-out, no consent, customer gone): the task cancelled, the reason in its log;
 * - failed (provider errors after retries, or delivery unknown after a crash): an attempt `send_failed`; the task
 *   retries after the plan's retry hours (inside its contact hours) — the next run queues attempt n+1 — or fails
 *   after the plan's max attempts.
 */
export async function autoSendOutcome(tx: DbOrTx, rows: TOutboxRow[], outcome: TOutboxOutcome, now: Date): Promise<void> {
  for (const m of rows) {
    if (!m.refId) continue;
    const res = await tx.execute<{ id: string; plan_id: string; customer_id: string; unit_id: string; attempts: number; max_attempts: number; retry_hours: number; from_h: number; to_h: number; time_zone: string }>(sql`
      select t.id, t.plan_id, t.customer_id, t.unit_id, t.attempts, p.max_attempts, p.retry_hours, p.contact_from_hour as from_h, p.contact_to_hour as to_h, tn.time_zone
      from followup_tasks t join followup_plans p on p.tenant_id = t.tenant_id and p.id = t.plan_id join tenants tn on tn.id = t.tenant_id
      where t.tenant_id = ${m.tenantId} and t.id = ${m.refId} and t.state = 'in_progress' for update of t`);
    const task = res.rows[0];
    if (!task) continue;
    const event = (kind: string, toState: string, data: object) =>
      tx.execute(sql`insert into followup_task_events (tenant_id, task_id, kind, at, actor_id, from_state, to_state, data)
        values (${m.tenantId}, ${task.id}, ${kind}, ${now}, null, 'in_progress', ${toState}, ${JSON.stringify({ ...data, outboxId: m.id, channel: m.channel })}::jsonb)`);
    if (outcome === 'blocked') {
      const reason = (m.policyOutcome ?? '').replace(/^blocked:/, '') || 'contact_policy';
      await tx.execute(sql`update followup_tasks set state = 'cancelled', updated_at = ${now} where tenant_id = ${m.tenantId} and id = ${task.id}`);
      await event('cancelled', 'cancelled', { reason });
      continue;
    }
    const attempts = Number(task.attempts) + 1;
    const isSent = outcome === 'sent';
    const [attempt] = (
      await tx.execute<{ id: string }>(sql`
        insert into followup_attempts (tenant_id, task_id, plan_id, customer_id, unit_id, by_user_id, at, channel, outcome, notes, next_action)
        values (${m.tenantId}, ${task.id}, ${task.plan_id}, ${task.customer_id}, ${task.unit_id}, null, ${now}, ${m.channel}, ${isSent ? 'sent' : 'send_failed'},
                ${isSent ? null : (m.lastError ?? null)}, ${isSent ? 'close' : 'continue'})
        returning id`)
    ).rows;
    let state: 'done' | 'pending' | 'failed';
    let nextAttemptAt: Date | null = null;
    if (isSent) state = 'done';
    else if (attempts >= Number(task.max_attempts)) state = 'failed';
    else {
      state = 'pending';
      nextAttemptAt = nextContactableAt(new Date(now.getTime() + Number(task.retry_hours) * 3_600_000), task.time_zone, { contactFromHour: Number(task.from_h), contactToHour: Number(task.to_h) });
    }
    const closed = state !== 'pending';
    await tx.execute(sql`
      update followup_tasks set state = ${state}, attempts = ${attempts}, last_outcome = ${isSent ? 'sent' : 'send_failed'}, next_attempt_at = ${nextAttemptAt},
        completed_at = ${closed ? now : null}, updated_at = ${now}
      where tenant_id = ${m.tenantId} and id = ${task.id}`);
    await event('attempted', state, { attemptId: attempt!.id, outcome: isSent ? 'sent' : 'send_failed' });
    if (state === 'done') await event('completed', 'done', {});
    if (state === 'failed') await event('failed', 'failed', { reason: 'max_attempts' });
  }
}

/**
 * Outbox guard for ref_type followup_task: a queued automatic message whose task is no longer in progress (the plan
 * was closed, a supervisor cancelled or reassigned it to an agent) has lost its purpose and is cancelled, not sent.
 */
export async function autoSendGuard(tx: DbOrTx, rows: TOutboxRow[]): Promise<Set<string>> {
  const gone = new Set<string>();
  const byTenant = new Map<string, TOutboxRow[]>();
  for (const r of rows) byTenant.set(r.tenantId, [...(byTenant.get(r.tenantId) ?? []), r]);
  for (const [tenantId, list] of byTenant) {
    const ids = list.map((r) => r.refId).filter((x): x is string => Boolean(x));
    const open = ids.length
      ? new Set(
          (await tx.execute<{ id: string }>(sql`select id from followup_tasks where tenant_id = ${tenantId} and id = any(${pgArray(ids, 'uuid')}) and state = 'in_progress'`)).rows.map((r) => r.id),
        )
      : new Set<string>();
    for (const r of list) if (!r.refId || !open.has(r.refId)) gone.add(r.id);
  }
  return gone;
}
