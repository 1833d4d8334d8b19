import { sql } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import type { TClock } from '../../lib/clock.ts';
import { addDays, localDate, zonedInstant } from '../policy/calendar.ts';

const TZ = 'Asia/Shanghai';
const TEMPLATE = '{客户称呼}您好，您在{网点名称}的定期存款将于近日到期，如需续存请致电网点或到店办理。';

/**
 * Demo of a plan sent automatically by SMS 自动发送 (set-based, a few statements): an active reminder plan of 上海分行
 * with its message template and 25 tasks — sent and delivered, sent but undelivered (空号), sent without a receipt yet,
 * one waiting in the outbox (deferred by the 7-day gap) and upcoming ones the followup-auto-send job will queue when
 * due. The outbox rows, attempts (outcome sent), contact events and task log look as the job and the sender leave
 * them. Returns the number of tasks (0 when the plan exists already or there are too few customers).
 */
export async function loadDemoPlanMessages(deps: { db: Db; clock: TClock }, tenantId: string): Promise<number> {
  const db = deps.db;
  const [exists] = (
    await db.execute<{ n: number }>(
      sql`select count(*)::int as n from followup_plan_messages where tenant_id = ${tenantId}`,
    )
  ).rows;
  if ((exists?.n ?? 0) > 0) return 0;
  const [who] = (
    await db.execute<{ liu: string | null; zhang: string | null; sh: string | null }>(sql`
      select (select id from users where tenant_id = ${tenantId} and username = 'liu.agent') as liu,
             (select id from users where tenant_id = ${tenantId} and username = 'zhang.manager') as zhang,
             (select id from org_units where tenant_id = ${tenantId} and code = 'SH') as sh`)
  ).rows;
  if (!who?.liu || !who.sh || !who.zhang) return 0;
  const now = deps.clock.now();
  const today = localDate(now, TZ);
  const at = (days: number, hour: number) => zonedInstant(addDays(today, days), hour, TZ);

  return db.transaction(async (tx) => {
    // 上海分行 customers with a mobile number who allow service contact, after those the follow-up demo uses (first 260).
    const picked = await tx.execute<{ id: string }>(sql`
      select c.id from customers c join org_units ou on ou.id = c.unit_id
      where c.tenant_id = ${tenantId} and ou.path like (select path from org_units where id = ${who.sh}) || '%' and c.consent_service
        and cardinality(c.phones) > 0 and (c.do_not_contact_until is null or c.do_not_contact_until < ${now})
      order by c.created_at, c.id offset 260 limit 25`);
    if (picked.rows.length < 10) return 0;
    const [plan] = (
      await tx.execute<{ id: string }>(sql`
        insert into followup_plans (tenant_id, unit_id, name, topic, methods, target_kind, customer_ids, script, start_date, due_days, assignment, assignee_id,
                                    max_attempts, retry_hours, status, activated_at, created_by, created_at, updated_at)
        values (${tenantId}, ${who.sh}, '定期存款到期短信提醒 (自动发送)', 'reminder', '{sms}', 'list', ${`{${picked.rows.map((r) => r.id).join(',')}}`}::uuid[], '',
                ${addDays(today, -10)}, 3, 'fixed', ${who.liu}, 2, 4, 'active', ${at(-10, 9)}, ${who.zhang}, ${at(-11, 10)}, ${at(-10, 9)})
        returning id`)
    ).rows;
    const planId = plan!.id;
    await tx.execute(sql`insert into followup_plan_messages (tenant_id, plan_id, channel, template, template_code, updated_at)
      values (${tenantId}, ${planId}, 'sms', ${TEMPLATE}, 'SMS_DEMO_0001', ${at(-11, 10)})`);
    const [run] = (
      await tx.execute<{
        id: string;
      }>(sql`insert into followup_generation_runs (tenant_id, plan_id, rule_kind, occurrence, actor_id, at, created)
        values (${tenantId}, ${planId}, null, 'activation', ${who.zhang}, ${at(-10, 9)}, ${picked.rows.length}) returning id`)
    ).rows;
    /*
     * Slots (n % 5): 0–1 sent and delivered, 2 sent and undelivered (n = 2) or without a receipt yet, 3 queued in the
     * outbox (deferred: contacted within 7 days), 4 upcoming (due in 2 days, still pending).
     */
    await tx.execute(sql`
      with tgt as (
        select u.cid, u.n, (u.n % 5)::int as slot, c.unit_id from unnest(${`{${picked.rows.map((r) => r.id).join(',')}}`}::uuid[]) with ordinality as u(cid, n)
        join customers c on c.id = u.cid
      )
      insert into followup_tasks (tenant_id, plan_id, customer_id, occurrence_key, created_by_run, unit_id, assignee_id, team_unit_id, state, due_from, due_until,
                                  attempts, last_outcome, completed_at, created_at, updated_at)
      select ${tenantId}, ${planId}, tgt.cid, 'once', ${run!.id}, tgt.unit_id, ${who.liu}, ${who.sh},
        (array['done','done','done','in_progress','pending'])[tgt.slot + 1],
        case when tgt.slot = 4 then ${at(2, 9)}::timestamptz else ${at(-10, 9)}::timestamptz + (tgt.n % 5) * interval '1 day' end,
        case when tgt.slot = 4 then ${at(5, 21)}::timestamptz else ${at(-7, 21)}::timestamptz + (tgt.n % 5) * interval '1 day' end,
        case when tgt.slot < 3 then 1 else 0 end, case when tgt.slot < 3 then 'sent' end,
        case when tgt.slot < 3 then ${at(-10, 9)}::timestamptz + (tgt.n % 5) * interval '1 day' + interval '3 minutes' end,
        ${at(-10, 9)}, ${now}
      from tgt`);
    // The outbox rows as the job queued them and the sender left them (provider ids of the log provider).
    await tx.execute(sql`
      insert into outbox_messages (tenant_id, unit_id, channel, to_address, body, status, attempts, created_at, send_after, claimed_at, sent_at, ref_type, ref_id,
                                   customer_id, template_code, template_params, provider_message_id, policy_outcome, dedupe_key, delivery_status, delivered_at, delivery_error)
      select t.tenant_id, t.unit_id, 'sms', c.phones[1],
        concat(case c.gender when 'male' then left(c.name, 1) || '先生' when 'female' then left(c.name, 1) || '女士' else c.name end,
               '您好，您在', ou.name, '的定期存款将于近日到期，如需续存请致电网点或到店办理。'),
        case when t.state = 'done' then 'sent' else 'queued' end, case when t.state = 'done' then 1 else 0 end, t.due_from,
        case when t.state = 'done' then t.due_from else ${at(3, 9)}::timestamptz end,
        case when t.state = 'done' then t.completed_at - interval '1 second' end, t.completed_at, 'followup_task', t.id, t.customer_id, 'SMS_DEMO_0001',
        jsonb_build_array(jsonb_build_array('客户称呼', case c.gender when 'male' then left(c.name, 1) || '先生' when 'female' then left(c.name, 1) || '女士' else c.name end),
                          jsonb_build_array('网点名称', ou.name)),
        case when t.state = 'done' then 'log-demo-' || left(t.id::text, 8) end,
        case when t.state = 'in_progress' then 'deferred:recent_contact' end,
        'followup_task:' || t.id::text || ':1',
        case when t.state = 'done' and (t.due_from - ${at(-10, 9)}::timestamptz) < interval '2 days' then 'delivered'
             when t.id = (select min(x.id::text)::uuid from followup_tasks x where x.plan_id = ${planId} and x.state = 'done'
                          and (x.due_from - ${at(-10, 9)}::timestamptz) >= interval '2 days') then 'undelivered' end,
        case when t.state = 'done' and (t.due_from - ${at(-10, 9)}::timestamptz) < interval '2 days' then t.completed_at + interval '6 seconds' end,
        case when t.state = 'done' and (t.due_from - ${at(-10, 9)}::timestamptz) < interval '2 days' then 'DELIVERED 用户接收成功' end
      from followup_tasks t join customers c on c.id = t.customer_id join org_units ou on ou.id = t.unit_id
      where t.tenant_id = ${tenantId} and t.plan_id = ${planId} and t.state <> 'pending'`);
    await tx.execute(sql`update outbox_messages set delivered_at = sent_at + interval '9 seconds', delivery_error = 'MK:0001 空号'
      where tenant_id = ${tenantId} and ref_type = 'followup_task' and delivery_status = 'undelivered' and ref_id in (select id from followup_tasks where plan_id = ${planId})`);
    await tx.execute(sql`
      insert into followup_attempts (tenant_id, task_id, plan_id, customer_id, unit_id, by_user_id, at, channel, outcome, next_action)
      select t.tenant_id, t.id, t.plan_id, t.customer_id, t.unit_id, null, t.completed_at, 'sms', 'sent', 'close'
      from followup_tasks t where t.tenant_id = ${tenantId} and t.plan_id = ${planId} and t.state = 'done'`);
    await tx.execute(sql`
      insert into contact_events (tenant_id, customer_id, at, channel, ref_type, ref_id)
      select o.tenant_id, o.customer_id, o.sent_at, 'sms', 'outbox_message', o.id from outbox_messages o
      where o.tenant_id = ${tenantId} and o.status = 'sent' and o.ref_type = 'followup_task' and o.ref_id in (select id from followup_tasks where plan_id = ${planId})`);
    // The task log as the job, the sender's outcome hook and the receipt webhook write it.
    await tx.execute(sql`
      insert into followup_task_events (tenant_id, task_id, kind, at, actor_id, from_state, to_state, data)
      select o.tenant_id, o.ref_id, 'message_queued', o.created_at, null::uuid, 'pending', 'in_progress', jsonb_build_object('channel', 'sms', 'outboxId', o.id)
      from outbox_messages o join followup_tasks t on t.id = o.ref_id where t.plan_id = ${planId}
      union all
      select a.tenant_id, a.task_id, 'attempted', a.at, null, 'in_progress', 'done', jsonb_build_object('attemptId', a.id, 'outcome', 'sent', 'channel', 'sms')
      from followup_attempts a where a.plan_id = ${planId}
      union all
      select a.tenant_id, a.task_id, 'completed', a.at, null, 'in_progress', 'done', jsonb_build_object('channel', 'sms') from followup_attempts a where a.plan_id = ${planId}
      union all
      select o.tenant_id, o.ref_id, 'message_delivery', o.delivered_at, null, null, null,
             jsonb_build_object('status', o.delivery_status, 'detail', o.delivery_error, 'reportedAt', o.delivered_at, 'outboxId', o.id, 'channel', 'sms')
      from outbox_messages o join followup_tasks t on t.id = o.ref_id where t.plan_id = ${planId} and o.delivery_status is not null`);
    return picked.rows.length;
  });
}
