import { and, eq, sql, type SQL } from 'drizzle-orm';
import { MARKETING_TOPICS, SCRIPT_PLACEHOLDERS } from '@huifang/shared';
import type { Db, DbOrTx } from '../../../db/client.ts';
import type { TClock } from '../../../lib/clock.ts';
import { pgArray } from '../../../lib/scope.ts';
import type { TOutboxOutcome } from '../../messaging/outbox.sender.ts';
import type { TOutboxRow } from '../../messaging/outbox.repository.ts';
import { followupPlans } from '../../../db/schema/index.ts';
import { addDays, localDate } from '../../policy/calendar.ts';
import { isQuietTime, nextContactableAt } from '../../policy/contact-policy.ts';
import { generateTasks, type TPlanRow } from '../rules/generate.ts';
import { pathPointFieldSql } from '../tasks/tasks.repository.ts';

/** Outbox ref_type of a plan's automatic message; ref_id is the task. */
export const AUTO_REF_TYPE = 'followup_task';
/** Tasks per statement: bounds one transaction (locks, outbox rows) on a big plan; a run loops until none is due. */
const CHUNK = 20_000;

type TDeps = { db: Db; clock: TClock };
type TPlaceholder = (typeof SCRIPT_PLACEHOLDERS)[number];

export interface TAutoSendResult {
  queued: number;
  /** Tasks that cannot be sent on the plan's channel (no mobile number / no e-mail address): failed. */
  noAddress: number;
  /** Plans skipped because it is outside their contact hours now. */
  outsideHours: number;
}

/**
 * The script placeholders in SQL, over the aliases of the statement below — the same values the workbench renders
 * (script.ts renderScript / salutation; tested against the same expected texts).
 */
const VALUE_SQL: Record<TPlaceholder, SQL> = {
  客户姓名: sql`c.name`,
  客户称呼: sql`(case c.gender when 'male' then left(c.name, 1) || '先生' when 'female' then left(c.name, 1) || '女士' else c.name end)`,
  服务日期: sql`coalesce(to_char((sr.occurred_at at time zone tn.time_zone)::date, 'YYYY-MM-DD'), '')`,
  服务类型: sql`coalesce(st.name, '')`,
  坐席姓名: sql`coalesce(u.display_name, '')`,
  计划名称: sql`p.name`,
  网点名称: sql`ou.name`,
  礼品: sql`coalesce(p.gift_name, '')`,
};
const isPlaceholder = (n: string): n is TPlaceholder => (SCRIPT_PLACEHOLDERS as readonly string[]).includes(n);

/** A template as one SQL `concat(…)`: literal text as parameters, each known `{占位符}` as its value expression. */
export function renderSql(template: string): SQL {
  const parts: SQL[] = [];
  let at = 0;
  for (const m of template.matchAll(/\{([^{}]*)\}/g)) {
    const name = m[1] ?? '';
    if (!isPlaceholder(name)) continue;
    if (m.index > at) parts.push(sql`${template.slice(at, m.index)}::text`);
    parts.push(VALUE_SQL[name]);
    at = m.index + m[0].length;
  }
  if (at < template.length) parts.push(sql`${template.slice(at)}::text`);
  return parts.length ? sql`concat(${sql.join(parts, sql`, `)})` : sql`''::text`;
}

/** The provider template's parameters as [name, value] pairs: the placeholders the template uses, in their order. */
function paramsSql(template: string): SQL {
  const used = [...new Set([...template.matchAll(/\{([^{}]*)\}/g)].map((m) => m[1] ?? ''))].filter(isPlaceholder);
  return used.length
    ? sql`jsonb_build_array(${sql.join(
        used.map((n) => sql`jsonb_build_array(${n}::text, ${VALUE_SQL[n]})`),
        sql`, `,
      )})`
    : sql`'[]'::jsonb`;
}

interface TAutoPlan extends Record<string, unknown> {
  tenant_id: string;
  plan_id: string;
  channel: 'sms' | 'email';
  template: string;
  template_code: string | null;
  subject: string | null;
  topic: string;
  contact_from_hour: number;
  contact_to_hour: number;
  time_zone: string;
}

/**
 * The `followup-auto-send` job 自动发送: due pending tasks of active plans that have an automatic message
 * (followup_plan_messages) are executed by the system. Set-based, per plan and chunk ONE statement: lock the due tasks
 * (skip locked, so two workers split the work), render the plan's template for each customer in SQL, INSERT one
 * outbox message per task (customer_id → the sender's contact policy; marketing by topic; ref followup_task), move
 * the tasks to in_progress and log `message_queued` — or, without a mobile number / e-mail address, fail the task
 * (`no_phone` / `no_email`). The outbox dedupe key `followup_task:<task>:<attempt no>` (ON CONFLICT DO NOTHING) makes
 * a rerun queue nothing twice. How the message ends is applied to the task by the outbox outcome hook below.
 */
export async function runAutoSends(deps: TDeps, opts: { tenantId?: string } = {}): Promise<TAutoSendResult> {
  const result: TAutoSendResult = { queued: 0, noAddress: 0, outsideHours: 0 };
  const plans = await deps.db.execute<TAutoPlan>(sql`
    select pm.tenant_id, pm.plan_id, pm.channel, pm.template, pm.template_code, pm.subject, p.topic, p.contact_from_hour, p.contact_to_hour, tn.time_zone
    from followup_plan_messages pm join followup_plans p on p.tenant_id = pm.tenant_id and p.id = pm.plan_id join tenants tn on tn.id = pm.tenant_id
    where p.status = 'active' ${opts.tenantId ? sql`and pm.tenant_id = ${opts.tenantId}` : sql``}`);
  for (const plan of plans.rows) {
    // Outside the plan's own contact hours nothing is queued (the sender only knows the tenant's quiet hours, which
    // may be wider): a task that fell due while the job was down waits for the plan's next contact window.
    if (
      isQuietTime(deps.clock.now(), plan.time_zone, {
        contactFromHour: Number(plan.contact_from_hour),
        contactToHour: Number(plan.contact_to_hour),
      })
    ) {
      result.outsideHours += 1;
      continue;
    }
    for (;;) {
      const n = await queuePlanChunk(deps.db, plan, deps.clock.now());
      result.queued += n.queued;
      result.noAddress += n.noAddress;
      if (n.queued + n.noAddress < CHUNK) break;
    }
  }
  return result;
}

async function queuePlanChunk(db: Db, plan: TAutoPlan, now: Date): Promise<{ queued: number; noAddress: number }> {
  const isSms = plan.channel === 'sms';
  const to = isSms ? sql`c.phones[1]` : sql`(case when c.email ~ '.+@.+' then c.email end)`;
  const isMarketing = (MARKETING_TOPICS as readonly string[]).includes(plan.topic);
  const res = await db.execute<{ queued: number; no_address: number }>(sql`
    with due as (
      select t.tenant_id, t.id, t.unit_id, t.customer_id, t.assignee_id, t.service_record_id, t.attempts
      from followup_tasks t
      where t.tenant_id = ${plan.tenant_id} and t.plan_id = ${plan.plan_id} and t.state = 'pending' and t.claimed_by is null
        and t.due_from <= ${now}::timestamptz and (t.next_attempt_at is null or t.next_attempt_at <= ${now}::timestamptz)
        -- A path task is sent only if its time point's method is this channel: the phone points of the same path
        -- stay with the agents.
        and case when t.occurrence_key like 'path:%' then ${pathPointFieldSql('method')} = ${plan.channel} else true end
      limit ${CHUNK}
      for update of t skip locked
    ),
    r as (
      select due.*, ${to} as to_address, ${renderSql(plan.template)} as body,
             ${isSms ? sql`null::text` : renderSql(plan.subject ?? '')} as subject, ${isSms ? paramsSql(plan.template) : sql`null::jsonb`} as params
      from due
      join followup_plans p on p.tenant_id = due.tenant_id and p.id = ${plan.plan_id}
      join tenants tn on tn.id = due.tenant_id
      join customers c on c.id = due.customer_id
      join org_units ou on ou.id = due.unit_id
      left join users u on u.id = due.assignee_id
      -- The task's service record, else the customer's latest (as the workbench fills {服务日期} / {服务类型}).
      left join lateral (
        select s.occurred_at, s.service_type_id from service_records s
        where s.tenant_id = due.tenant_id and s.customer_id = due.customer_id and (due.service_record_id is null or s.id = due.service_record_id)
        order by s.occurred_at desc limit 1
      ) sr on true
      left join service_types st on st.id = sr.service_type_id
    ),
    ins as (
      insert into outbox_messages (id, tenant_id, unit_id, channel, to_address, subject, body, status, attempts, created_at, send_after,
                                   ref_type, ref_id, customer_id, is_marketing, template_code, template_params, dedupe_key)
      select gen_random_uuid(), r.tenant_id, r.unit_id, ${plan.channel}::text, r.to_address, r.subject, r.body, 'queued', 0, ${now}::timestamptz, ${now}::timestamptz,
             ${AUTO_REF_TYPE}::text, r.id, r.customer_id, ${isMarketing}::boolean, ${isSms ? plan.template_code : null}::text, r.params,
             ${AUTO_REF_TYPE + ':'} || r.id::text || ':' || (r.attempts + 1)::text
      from r where r.to_address is not null
      on conflict (tenant_id, dedupe_key) where dedupe_key is not null do nothing
      returning id, ref_id
    ),
    moved as (
      update followup_tasks t set state = case when r.to_address is null then 'failed' else 'in_progress' end,
             completed_at = case when r.to_address is null then ${now}::timestamptz else t.completed_at end, updated_at = ${now}::timestamptz
      from r where t.tenant_id = r.tenant_id and t.id = r.id
      returning t.id
    ),
    ev as (
      insert into followup_task_events (tenant_id, task_id, kind, at, actor_id, from_state, to_state, data)
      select r.tenant_id, r.id, case when r.to_address is null then 'failed' else 'message_queued' end, ${now}::timestamptz, null::uuid, 'pending',
             case when r.to_address is null then 'failed' else 'in_progress' end,
             case when r.to_address is null then jsonb_build_object('reason', ${isSms ? 'no_phone' : 'no_email'}::text)
                  -- a message of this attempt that exists already (a rerun after a crash) drives the task: no new id here
                  else jsonb_build_object('channel', ${plan.channel}::text, 'outboxId', ins.id) end
      from r left join ins on ins.ref_id = r.id
    )
    select (count(*) filter (where to_address is not null))::int as queued, (count(*) filter (where to_address is null))::int as no_address from r`);
  const row = res.rows[0];
  return { queued: Number(row?.queued ?? 0), noAddress: Number(row?.no_address ?? 0) };
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
export async function autoSendOutcome(
  tx: DbOrTx,
  rows: TOutboxRow[],
  outcome: TOutboxOutcome,
  now: Date,
): Promise<void> {
  const plans = new Map<string, TPlanRow | null>();
  for (const m of rows) {
    if (!m.refId) continue;
    const res = await tx.execute<{
      id: string;
      plan_id: string;
      customer_id: string;
      unit_id: string;
      attempts: number;
      max_attempts: number;
      retry_hours: number;
      from_h: number;
      to_h: number;
      time_zone: string;
    }>(sql`
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
      await tx.execute(
        sql`update followup_tasks set state = 'cancelled', updated_at = ${now} where tenant_id = ${m.tenantId} and id = ${task.id}`,
      );
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
      nextAttemptAt = nextContactableAt(
        new Date(now.getTime() + Number(task.retry_hours) * 3_600_000),
        task.time_zone,
        { contactFromHour: Number(task.from_h), contactToHour: Number(task.to_h) },
      );
    }
    const closed = state !== 'pending';
    await tx.execute(sql`
      update followup_tasks set state = ${state}, attempts = ${attempts}, last_outcome = ${isSent ? 'sent' : 'send_failed'}, next_attempt_at = ${nextAttemptAt},
        completed_at = ${closed ? now : null}, updated_at = ${now}
      where tenant_id = ${m.tenantId} and id = ${task.id}`);
    await event('attempted', state, { attemptId: attempt!.id, outcome: isSent ? 'sent' : 'send_failed' });
    if (state === 'done') await event('completed', 'done', {});
    if (state === 'failed') await event('failed', 'failed', { reason: 'max_attempts' });
    if (state === 'done') await nextAfterAutoSend(tx, plans, m.tenantId, task, now);
  }
}

/**
 * 下次回访 after a message that went out: the plan's interval, once (key next:<task>), exactly as when an agent
 * completes a task — only while the plan is active. The plan rows are read once per hook call.
 */
async function nextAfterAutoSend(
  tx: DbOrTx,
  plans: Map<string, TPlanRow | null>,
  tenantId: string,
  task: { id: string; plan_id: string; customer_id: string; time_zone: string },
  now: Date,
): Promise<void> {
  if (!plans.has(task.plan_id)) {
    const [p] = await tx
      .select()
      .from(followupPlans)
      .where(and(eq(followupPlans.tenantId, tenantId), eq(followupPlans.id, task.plan_id)));
    plans.set(task.plan_id, p && p.status === 'active' && p.nextFollowupDays ? p : null);
  }
  const plan = plans.get(task.plan_id);
  if (!plan) return;
  const today = localDate(now, task.time_zone);
  const due = addDays(today, plan.nextFollowupDays!);
  await generateTasks(
    tx,
    plan,
    { tenantId: plan.tenantId, timeZone: task.time_zone, now, today, actorId: null },
    {
      customerId: task.customer_id,
      occurrenceKey: `next:${task.id}`,
      dueDate: due,
      dueUntilDate: addDays(due, plan.dueDays),
      sourceTaskId: task.id,
      ignoreGap: true,
    },
  );
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
          (
            await tx.execute<{ id: string }>(
              sql`select id from followup_tasks where tenant_id = ${tenantId} and id = any(${pgArray(ids, 'uuid')}) and state = 'in_progress'`,
            )
          ).rows.map((r) => r.id),
        )
      : new Set<string>();
    for (const r of list) if (!r.refId || !open.has(r.refId)) gone.add(r.id);
  }
  return gone;
}
