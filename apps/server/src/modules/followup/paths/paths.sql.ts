import { sql, type SQL } from 'drizzle-orm';
import { MARKETING_TOPICS } from '@huifang/shared';
import { pgArray } from '../../../lib/scope.ts';
import type { TGenContext } from '../rules/generate.ts';

/**
 * The SQL of plan templates 回访路径, shared by instantiation (one INSERT … SELECT for any number of service records)
 * and by the explain / preview endpoints, so that what the UI explains is what the insert does.
 *
 * Matching: a template applies to service records of customers in its unit's subtree. Its score for a record is the
 * sum of the weights of its positive rules that match; any matching negative rule excludes it. A template is eligible
 * when it is active, its plan is active, its score is > 0 and it is not excluded. The winner is the eligible template
 * with the highest score; ties go to the older template (created first), then the smaller id — a stable order.
 *
 * Points: due window = anchor date + offset ± window (local dates of the tenant zone), from the plan's contact start
 * hour on the first day to its contact end hour on the last. No task for a point whose anchor is empty (a date field
 * left blank), whose window has already ended, or whose customer the contact policy excludes (do-not-contact over
 * the whole window, missing consent; a do-not-contact date inside the window moves its start; the frequency rule is
 * left to the sender: a window weeks ahead cannot know it).
 */

/**
 * A YYYY-MM-DD text as a date, or null when it is not a real calendar day (2026-02-30, 2026-13-01): a cast would fail
 * the whole statement, and with it every other record of the batch. Portable to Postgres 15 (no pg_input_is_valid).
 */
export const isoDateOrNull = (
  s: SQL,
) => sql`(case when ${s} ~ '^[1-9][0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$' then
    case when substr(${s}, 9, 2)::int <= extract(day from make_date(substr(${s}, 1, 4)::int, substr(${s}, 6, 2)::int, 1) + interval '1 month - 1 day')
    then (${s})::date end end)`;

const isMarketingSql = (topic: SQL) => sql`(${topic} = any(${pgArray(MARKETING_TOPICS as readonly string[], 'text')}))`;

/** CTEs `recs`, `tmpl`, `scored`, `ranked`: the records (filter), the templates (filter) with their current version, scores. */
export function matchCtes(ctx: TGenContext, recFilter: SQL, tmplFilter: SQL): SQL {
  const T = ctx.tenantId;
  return sql`
    recs as (
      select sr.id, sr.customer_id, sr.service_type_id, sr.occurred_at, sr.custom, cu.path as unit_path
      from service_records sr join customers c on c.id = sr.customer_id join org_units cu on cu.id = c.unit_id
      where sr.tenant_id = ${T} and ${recFilter}
    ),
    tmpl as (
      select t.id, t.name, t.status, t.rules, t.created_at, t.plan_id, p.status as plan_status, v.id as version_id, v.version, v.points, tu.path as unit_path
      from followup_path_templates t
      join followup_path_versions v on v.tenant_id = t.tenant_id and v.template_id = t.id and v.version = t.current_version
      join followup_plans p on p.tenant_id = t.tenant_id and p.id = t.plan_id
      join org_units tu on tu.id = t.unit_id
      where t.tenant_id = ${T} and ${tmplFilter}
    ),
    scored as (
      select r.id as sr_id, tm.id as template_id,
        coalesce(sum(m.weight) filter (where m.hit and not m.neg), 0)::int as score,
        coalesce(bool_or(m.hit and m.neg), false) as excluded,
        coalesce(array_agg(m.idx order by m.idx) filter (where m.hit), '{}'::int[]) as matched
      from recs r join tmpl tm on r.unit_path like tm.unit_path || '%'
      left join lateral (
        select (e.ord - 1)::int as idx, coalesce((e.rule ->> 'weight')::int, 10) as weight, coalesce((e.rule ->> 'negative')::boolean, false) as neg,
          coalesce(case e.rule ->> 'kind'
            when 'service_type' then r.service_type_id::text = e.rule ->> 'serviceTypeId'
            when 'field_equals' then r.custom ->> (e.rule ->> 'key') = e.rule ->> 'value'
            when 'field_contains' then strpos(lower(r.custom ->> (e.rule ->> 'key')), lower(e.rule ->> 'value')) > 0
          end, false) as hit
        from jsonb_array_elements(tm.rules) with ordinality e(rule, ord)
      ) m on true
      group by r.id, tm.id
    ),
    ranked as (
      select s.*, tm.name, tm.status, tm.plan_status, tm.created_at,
        (tm.status = 'active' and tm.plan_status = 'active' and s.score > 0 and not s.excluded) as eligible
      from scored s join tmpl tm on tm.id = s.template_id
    )`;
}

/** The winner per record (CTE `winner`: sr_id, template_id, version_id, points, plan_id), after matchCtes. */
export const winnerCte = sql`
    winner as (
      select distinct on (rk.sr_id) rk.sr_id, rk.template_id, tm.version_id, tm.points, tm.plan_id
      from ranked rk join tmpl tm on tm.id = rk.template_id
      where rk.eligible
      order by rk.sr_id, rk.score desc, rk.created_at asc, rk.template_id asc
    )`;

/**
 * CTE `pts`: one row per (record, point) of the CTE `chosen` (sr_id, template_id, version_id, points, plan_id), with the
 * anchor date, the due window and the reason a point makes no task (null = a task). Needs `recs`.
 */
export function pointCtes(ctx: TGenContext): SQL {
  const tz = ctx.timeZone;
  return sql`
    pts0 as (
      select ch.sr_id, ch.template_id, ch.version_id, ch.plan_id, r.customer_id, c.unit_id as customer_unit_id, c.owner_id,
        c.do_not_contact_until, c.consent_service, c.consent_marketing, p.topic, p.assignment, p.assignee_id, p.assign_unit_id, p.unit_id as plan_unit_id,
        e.ord::int as no, e.pt,
        case when e.pt -> 'anchor' ->> 'kind' = 'field'
          then ${isoDateOrNull(sql`(r.custom ->> (e.pt -> 'anchor' ->> 'key'))`)}
          else (r.occurred_at at time zone ${tz})::date end as anchor_date,
        case when e.pt -> 'anchor' ->> 'kind' = 'field' then nullif(btrim(r.custom ->> (e.pt -> 'anchor' ->> 'key')), '') end as anchor_text,
        p.contact_from_hour, p.contact_to_hour
      from chosen ch join recs r on r.id = ch.sr_id join customers c on c.id = r.customer_id
      join followup_plans p on p.tenant_id = ${ctx.tenantId} and p.id = ch.plan_id
      cross join lateral jsonb_array_elements(ch.points) with ordinality e(pt, ord)
    ),
    pts1 as (
      select pts0.*, anchor_date + (pt ->> 'offsetDays')::int - (pt ->> 'windowDays')::int as from_date,
        anchor_date + (pt ->> 'offsetDays')::int + (pt ->> 'windowDays')::int as until_date
      from pts0
    ),
    pts2 as (
      select pts1.*, ((from_date::timestamp + make_interval(hours => contact_from_hour)) at time zone ${tz}) as base_from,
        ((until_date::timestamp + make_interval(hours => contact_to_hour)) at time zone ${tz}) as due_until
      from pts1
    ),
    pts as (
      -- The contact policy's rules for a window (contact-policy.ts): do-not-contact over the whole window skips the
      -- point, one ending inside it moves the start; consent by the plan's topic.
      select c.*, greatest(c.base_from, c.do_not_contact_until) as due_from, case
          when c.anchor_date is null and c.anchor_text is not null then 'anchor_invalid'
          when c.anchor_date is null then 'anchor_empty'
          when c.until_date < ${ctx.today}::date then 'expired'
          when c.do_not_contact_until is not null and c.do_not_contact_until >= c.due_until then 'do_not_contact'
          when ${isMarketingSql(sql`c.topic`)} and not c.consent_marketing then 'no_marketing_consent'
          when not ${isMarketingSql(sql`c.topic`)} and not c.consent_service then 'no_service_consent'
        end as reason
      from pts2 c
    )`;
}

/**
 * Instantiate the winning template of every record the filter selects that has no path yet: one statement writes
 * the tasks (ON CONFLICT DO NOTHING on the task key), one generation run per plan, and one instance row per record
 * (its primary key makes a second instantiation of the record impossible). Returns (records, tasks) created.
 */
export function instantiateSql(ctx: TGenContext, recFilter: SQL, occurrence: string): SQL {
  const T = ctx.tenantId;
  const noInstance = sql`not exists (select 1 from followup_path_instances pi where pi.tenant_id = ${T} and pi.service_record_id = sr.id)`;
  return sql`
    with ${matchCtes(ctx, sql`${recFilter} and ${noInstance}`, sql`t.status = 'active' and p.status = 'active'`)},
    ${winnerCte},
    chosen as (select * from winner),
    ${pointCtes(ctx)},
    runids as (select x.plan_id, gen_random_uuid() as run_id from (select distinct plan_id from chosen) x),
    agents as (
      select pl.id as plan_id, u.id, (row_number() over (partition by pl.id order by u.id) - 1)::int as rn, count(*) over (partition by pl.id) as n
      from followup_plans pl join org_units au on au.id = pl.assign_unit_id
      join org_units ou on ou.tenant_id = ${T} and ou.path like au.path || '%'
      join users u on u.unit_id = ou.id and u.tenant_id = ${T} and u.is_active
      where pl.tenant_id = ${T} and pl.assignment = 'round_robin' and pl.id in (select plan_id from chosen)
        and exists (select 1 from user_roles ur join roles ro on ro.id = ur.role_id where ur.user_id = u.id and 'followup:work' = any(ro.permissions))
    ),
    absent as (
      select distinct on (sa.user_id) sa.user_id, sa.delegate_id from staff_absences sa
      where sa.tenant_id = ${T} and ${ctx.today}::date between sa.starts_on and sa.ends_on order by sa.user_id, sa.created_at desc
    ),
    assigned as (
      -- Round-robin by a hash of the customer: every point of one patient goes to the same agent, runs spread evenly.
      select x.*, case x.assignment when 'owner' then ow.id when 'fixed' then fx.id else ag.id end as assignee,
        case x.assignment when 'owner' then x.customer_unit_id else coalesce(x.assign_unit_id, x.plan_unit_id) end as team_unit_id
      from pts x
      left join users ow on ow.id = x.owner_id and ow.is_active
      left join users fx on fx.id = x.assignee_id and fx.is_active
      left join agents ag on ag.plan_id = x.plan_id and ag.rn = (abs(hashtext(x.customer_id::text)::bigint) % ag.n)
      where x.reason is null
    ),
    ins as (
      insert into followup_tasks (id, tenant_id, plan_id, customer_id, occurrence_key, created_by_run, unit_id, assignee_id, team_unit_id, state,
                                  due_from, due_until, service_record_id, created_at, updated_at)
      select gen_random_uuid(), ${T}::uuid, a.plan_id, a.customer_id, 'path:' || a.sr_id::text || ':' || a.no::text, ri.run_id, a.customer_unit_id,
             coalesce(ab.delegate_id, a.assignee), a.team_unit_id, 'pending', a.due_from, greatest(a.due_until, a.due_from), a.sr_id, ${ctx.now}::timestamptz, ${ctx.now}::timestamptz
      from assigned a join runids ri on ri.plan_id = a.plan_id left join absent ab on ab.user_id = a.assignee
      on conflict (tenant_id, customer_id, plan_id, occurrence_key) do nothing
      returning plan_id, created_by_run, service_record_id
    ),
    runs as (
      insert into followup_generation_runs (id, tenant_id, plan_id, rule_kind, occurrence, actor_id, at, created)
      select ins.created_by_run, ${T}::uuid, ins.plan_id, 'path', ${occurrence}, ${ctx.actorId}::uuid, ${ctx.now}::timestamptz, count(*)::int
      from ins group by ins.created_by_run, ins.plan_id
      returning id
    ),
    ins_n as (select ins.service_record_id, count(*)::int as n from ins group by ins.service_record_id),
    inst as (
      -- Counted once per record (a correlated count over \`ins\` per record was quadratic: 20 s for 10k records).
      insert into followup_path_instances (tenant_id, service_record_id, template_id, version_id, plan_id, customer_id, tasks, created_at)
      select ${T}::uuid, ch.sr_id, ch.template_id, ch.version_id, ch.plan_id, r.customer_id, coalesce(ins_n.n, 0), ${ctx.now}::timestamptz
      from chosen ch join recs r on r.id = ch.sr_id left join ins_n on ins_n.service_record_id = ch.sr_id
      on conflict (tenant_id, service_record_id) do nothing
      returning service_record_id
    )
    select (select count(*) from inst)::int as records, (select count(*) from ins)::int as tasks, (select count(*) from runs)::int as runs`;
}
