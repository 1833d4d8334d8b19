import { sql } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import type { TClock } from '../../lib/clock.ts';
import { addDays, localDate, zonedInstant } from '../policy/calendar.ts';

const TZ = 'Asia/Shanghai';

/**
 * Demo follow-up data 回访演示数据 (set-based, a handful of statements): four plans — an active satisfaction plan for
 * 上海分行 customers assigned to liu.agent (with the demo questionnaire), an active birthday rule plan, a closed
 * quarter plan and a draft — and ~260 tasks spread over every state with a history of attempts, contacts and log
 * entries, placed relative to the load time so that liu.agent has tasks due today, overdue and upcoming.
 * Returns the number of tasks (0 when follow-up plans already exist).
 */
export async function loadDemoFollowup(deps: { db: Db; clock: TClock }, tenantId: string): Promise<number> {
  const db = deps.db;
  const [exists] = (
    await db.execute<{ n: number }>(sql`select count(*)::int as n from followup_plans where tenant_id = ${tenantId}`)
  ).rows;
  if ((exists?.n ?? 0) > 0) return 0;
  const [who] = (
    await db.execute<{
      liu: string | null;
      wang: string | null;
      zhang: string | null;
      sh: string | null;
      survey: string | null;
    }>(sql`
      select (select id from users where tenant_id = ${tenantId} and username = 'liu.agent') as liu,
             (select id from users where tenant_id = ${tenantId} and username = 'wang.supervisor') as wang,
             (select id from users where tenant_id = ${tenantId} and username = 'zhang.manager') as zhang,
             (select id from org_units where tenant_id = ${tenantId} and code = 'SH') as sh,
             (select id from surveys where tenant_id = ${tenantId} and status = 'published' order by created_at limit 1) as survey`)
  ).rows;
  if (!who?.liu || !who.sh || !who.zhang) return 0;
  const now = deps.clock.now();
  const today = localDate(now, TZ);
  const at = (days: number, hour: number) => zonedInstant(addDays(today, days), hour, TZ);
  const script =
    '您好，{客户称呼}！我是{网点名称}的回访专员{坐席姓名}，想占用您两分钟了解一下您{服务日期}办理{服务类型}的体验。';

  return db.transaction(async (tx) => {
    const plans = await tx.execute<{ id: string; name: string }>(sql`
      insert into followup_plans (tenant_id, unit_id, name, topic, methods, target_kind, rule, script, survey_id, start_date, due_days, assignment,
                                  assign_unit_id, assignee_id, max_attempts, retry_hours, budget_fen, gift_name, gift_fen, status, activated_at, created_by, created_at, updated_at)
      values
        (${tenantId}, ${who.sh}, '上海分行季度满意度回访', 'satisfaction', '{phone,sms}', 'list', null, ${script}, ${who.survey}, ${addDays(today, -20)}, 7, 'fixed',
         null, ${who.liu}, 3, 4, 500000, '定制保温杯', 3500, 'active', ${at(-20, 9)}, ${who.zhang}, ${at(-21, 10)}, ${at(-20, 9)}),
        (${tenantId}, ${who.sh}, '生日关怀', 'birthday', '{phone,wechat}', 'rule', '{"kind":"birthday","leadDays":0}'::jsonb, '{客户称呼}您好，祝您生日快乐！{网点名称}为您准备了{礼品}。', null,
         ${addDays(today, -60)}, 3, 'round_robin', ${who.sh}, null, 2, 4, null, '生日蛋糕券', 8800, 'active', ${at(-60, 9)}, ${who.zhang}, ${at(-61, 10)}, ${at(-60, 9)}),
        (${tenantId}, ${who.sh}, '一季度理财到期提醒', 'reminder', '{phone}', 'list', null, '{客户称呼}您好，您在{网点名称}购买的理财产品即将到期。', null,
         ${addDays(today, -75)}, 10, 'fixed', null, ${who.liu}, 3, 4, null, null, null, 'closed', ${at(-75, 9)}, ${who.zhang}, ${at(-76, 10)}, ${at(-40, 18)}),
        (${tenantId}, ${who.sh}, '沉睡客户挽回 (草稿)', 'churn_save', '{phone}', 'list', null, '{客户称呼}您好，好久不见！', null,
         ${addDays(today, 3)}, 7, 'owner', null, null, 3, 4, 200000, null, null, 'draft', null, ${who.zhang}, ${at(-1, 15)}, ${at(-1, 15)})
      returning id, name`);
    const id = (name: string) => plans.rows.find((p) => p.name.startsWith(name))!.id;
    const [pA, pC, pD] = [id('上海分行季度'), id('一季度'), id('沉睡客户')];
    // Explicit target lists: 上海分行 customers who allow service contact (oldest first, deterministic).
    await tx.execute(sql`
      with sh as (
        select c.id, row_number() over (order by c.created_at, c.id) as n from customers c join org_units ou on ou.id = c.unit_id
        where c.tenant_id = ${tenantId} and ou.path like (select path from org_units where id = ${who.sh}) || '%' and c.consent_service
          and (c.do_not_contact_until is null or c.do_not_contact_until < ${now}))
      update followup_plans p set customer_ids = x.ids from (
        select ${pA}::uuid as pid, array_agg(id order by n) filter (where n <= 160) as ids from sh
        union all select ${pC}::uuid, array_agg(id order by n) filter (where n > 160 and n <= 240) from sh
        union all select ${pD}::uuid, array_agg(id order by n) filter (where n > 240 and n <= 260) from sh) x
      where p.tenant_id = ${tenantId} and p.id = x.pid and x.ids is not null`);
    // One generation run per activated plan: the creation record of its tasks.
    const runs = await tx.execute<{ id: string; plan_id: string }>(sql`
      insert into followup_generation_runs (tenant_id, plan_id, rule_kind, occurrence, actor_id, at, created)
      select ${tenantId}, p.id, p.rule ->> 'kind', 'activation', ${who.zhang}, p.activated_at, 0 from followup_plans p
      where p.tenant_id = ${tenantId} and p.id in (${pA}, ${pC}) returning id, plan_id`);
    const run = (pid: string) => runs.rows.find((r) => r.plan_id === pid)!.id;
    /*
     * Tasks by slot (n % 10) for plan A (active): 0–2 due today, 3 overdue after a missed call, 4 in progress (claimed
     * by liu), 5 follow-up needed, 6–7 done, 8 failed, 9 upcoming; plan C (closed): done / failed / cancelled.
     */
    await tx.execute(sql`
      with tgt as (
        select p.id as plan_id, p.activated_at, u.n, u.cid, c.unit_id from followup_plans p
        cross join lateral unnest(p.customer_ids) with ordinality as u(cid, n) join customers c on c.id = u.cid
        where p.tenant_id = ${tenantId} and p.id in (${pA}, ${pC})
      ), shaped as (
        select tgt.*, (n % 10)::int as slot, tgt.plan_id = ${pC}::uuid as is_closed from tgt
      )
      insert into followup_tasks (tenant_id, plan_id, customer_id, occurrence_key, created_by_run, unit_id, assignee_id, team_unit_id, claimed_by, claimed_at,
                                  executed_by, state, due_from, due_until, next_attempt_at, attempts, reached_attempts, last_outcome, satisfaction, completed_at, created_at, updated_at)
      select ${tenantId}, s.plan_id, s.cid, 'once', case when s.is_closed then ${run(pC)}::uuid else ${run(pA)}::uuid end, s.unit_id,
        case when s.is_closed and s.slot = 9 then null else ${who.liu}::uuid end, ${who.sh}::uuid,
        case when not s.is_closed and s.slot = 4 then ${who.liu}::uuid end, case when not s.is_closed and s.slot = 4 then ${at(0, 9)}::timestamptz end,
        case when s.is_closed or s.slot in (3, 5, 6, 7, 8) then ${who.liu}::uuid end,
        case when s.is_closed then (case when s.slot < 6 then 'done' when s.slot < 9 then 'failed' else 'cancelled' end)
             else (array['pending','pending','pending','pending','in_progress','follow_up','done','done','failed','pending'])[s.slot + 1] end,
        case when s.is_closed then ${at(-75, 9)}::timestamptz when s.slot = 3 then ${at(-12, 9)}::timestamptz when s.slot = 9 then ${at(4, 9)}::timestamptz
             when s.slot in (6, 7, 8) then ${at(-15, 9)}::timestamptz else ${at(-1, 9)}::timestamptz end,
        case when s.is_closed then ${at(-65, 21)}::timestamptz when s.slot = 3 then ${at(-5, 21)}::timestamptz when s.slot = 9 then ${at(11, 21)}::timestamptz
             when s.slot in (6, 7, 8) then ${at(-8, 21)}::timestamptz else ${at(3, 21)}::timestamptz end,
        case when not s.is_closed and s.slot = 3 then ${at(-5, 14)}::timestamptz end,
        case when s.is_closed then (case when s.slot < 6 then 1 when s.slot < 9 then 3 else 0 end) else (array[0,0,0,1,0,1,1,2,3,0])[s.slot + 1] end,
        case when s.is_closed then (case when s.slot < 6 then 1 else 0 end) else (array[0,0,0,0,0,1,1,1,0,0])[s.slot + 1] end,
        case when s.is_closed then (case when s.slot < 6 then 'reached' when s.slot < 9 then 'no_answer' end)
             else (array[null,null,null,'no_answer',null,'reached','reached','reached','busy',null])[s.slot + 1] end,
        case when (s.is_closed and s.slot < 6) or (not s.is_closed and s.slot in (5, 6, 7)) then (3 + (s.n % 3))::smallint end,
        case when s.is_closed and s.slot < 9 then ${at(-68, 15)}::timestamptz when not s.is_closed and s.slot in (6, 7) then ${at(-14 + 0, 11)}::timestamptz + (s.n % 9) * interval '1 day'
             when not s.is_closed and s.slot = 8 then ${at(-9, 16)}::timestamptz end,
        s.activated_at, ${now}::timestamptz
      from shaped s`);
    // Attempts: one per counted attempt, the last one carrying the task's outcome; earlier ones were not answered.
    await tx.execute(sql`
      insert into followup_attempts (tenant_id, task_id, plan_id, customer_id, unit_id, by_user_id, at, channel, reached_whom, outcome, notes, satisfaction, next_action)
      select t.tenant_id, t.id, t.plan_id, t.customer_id, t.unit_id, t.executed_by,
        coalesce(t.completed_at, t.due_from + interval '2 hours') - (t.attempts - g) * interval '1 day', 'phone',
        case when g = t.attempts and t.reached_attempts > 0 then 'customer' end,
        case when g = t.attempts then t.last_outcome else 'no_answer' end,
        case when g = t.attempts and t.state = 'done' then '客户对办理效率满意，建议增加周末营业时间。' when g = t.attempts and t.state = 'follow_up' then '客户在外地，约定下周再详聊。' end,
        case when g = t.attempts then t.satisfaction end,
        case when g = t.attempts and t.state = 'follow_up' then 'continue' else 'close' end
      from followup_tasks t cross join lateral generate_series(1, t.attempts) g
      where t.tenant_id = ${tenantId} and t.plan_id in (${pA}, ${pC}) and t.attempts > 0`);
    await tx.execute(sql`
      insert into contact_events (tenant_id, customer_id, at, channel, ref_type, ref_id)
      select a.tenant_id, a.customer_id, a.at, a.channel, 'followup_attempt', a.id from followup_attempts a where a.tenant_id = ${tenantId} and a.plan_id in (${pA}, ${pC})`);
    // The log: one entry per attempt, then the closing change.
    await tx.execute(sql`
      insert into followup_task_events (tenant_id, task_id, kind, at, actor_id, from_state, to_state, data)
      select a.tenant_id, a.task_id, 'attempted', a.at, a.by_user_id, 'in_progress', null, jsonb_build_object('attemptId', a.id, 'outcome', a.outcome)
      from followup_attempts a where a.tenant_id = ${tenantId} and a.plan_id in (${pA}, ${pC})
      union all
      select t.tenant_id, t.id, case t.state when 'done' then 'completed' when 'failed' then 'failed' when 'cancelled' then 'cancelled' else 'claimed' end,
        coalesce(t.completed_at, t.claimed_at, ${at(-40, 18)}::timestamptz), case when t.state = 'cancelled' then ${who.zhang}::uuid else ${who.liu}::uuid end,
        case when t.state = 'cancelled' then 'pending' when t.state = 'in_progress' then 'pending' else 'in_progress' end, t.state,
        case when t.state = 'cancelled' then '{"reason":"plan_closed"}'::jsonb end
      from followup_tasks t where t.tenant_id = ${tenantId} and t.plan_id in (${pA}, ${pC}) and t.state in ('done', 'failed', 'cancelled', 'in_progress')`);
    const counted = await tx.execute<{ n: number }>(sql`
      update followup_generation_runs r set created = x.n from (select created_by_run, count(*)::int as n from followup_tasks where tenant_id = ${tenantId} group by 1) x
      where r.tenant_id = ${tenantId} and r.id = x.created_by_run returning x.n`);
    return counted.rows.reduce((s, r) => s + Number(r.n), 0);
  });
}
