import crypto from 'node:crypto';
import { sql, type SQL } from 'drizzle-orm';
import {
  MARKETING_TOPICS,
  ZCustomerListQuery,
  ZFollowupRule,
  type TContactExclusionReason,
  type TFollowupRule,
  type TPlanPreview,
} from '@huifang/shared';
import { PARALLEL_BATCH_WORK, type DbOrTx } from '../../../db/client.ts';
import type { followupPlans } from '../../../db/schema/index.ts';
import { listConditions } from '../../customers/customers.repository.ts';
import { subtreeUnitIds } from '../../org-units/org-units.repository.ts';
import { addDays, isLeapYear, monthPeriod } from '../../policy/calendar.ts';
import { contactExclusionSql, dncStartSql } from '../../policy/contact-policy.ts';

export type TPlanRow = typeof followupPlans.$inferSelect;

/**
 * Set-based task generation: ONE `INSERT … SELECT` over the customers a plan reaches, with the assignment computed
 * in SQL (owner / round-robin by row_number() modulo the agents / fixed person, absent people replaced by their
 * delegate) and the contact policy as SQL predicates. `ON CONFLICT (tenant, plan, customer, occurrence) DO NOTHING`
 * makes re-running it harmless: the same task is never created twice.
 */
export interface TGenContext {
  tenantId: string;
  timeZone: string;
  now: Date;
  /** Today's local date in the tenant zone (YYYY-MM-DD). */
  today: string;
  /** Who causes the generation (null = the rule scheduler). */
  actorId: string | null;
}

/** One explicit occurrence for one customer (complaint resolved, churn warning, next follow-up). */
export interface TSingleOccurrence {
  customerId: string;
  occurrenceKey: string;
  dueDate: string;
  dueUntilDate: string;
  serviceRecordId?: string | null;
  sourceTaskId?: string | null;
  /** Callbacks the customer expects (complaint) are not held back by the contact-frequency rule. */
  ignoreGap?: boolean;
}

export const planRule = (plan: TPlanRow): TFollowupRule | null => (plan.rule ? ZFollowupRule.parse(plan.rule) : null);
export const isMarketingPlan = (plan: Pick<TPlanRow, 'topic'>) =>
  (MARKETING_TOPICS as readonly string[]).includes(plan.topic);

const dateLit = (d: string) => sql`${d}::date`;

/** Customers of the plan's unit and below, narrowed by its target (saved filter / list). Null: the plan reaches nobody. */
async function targetCondition(db: DbOrTx, plan: TPlanRow): Promise<SQL> {
  const [unit] = (
    await db.execute<{ path: string }>(
      sql`select path from org_units where tenant_id = ${plan.tenantId} and id = ${plan.unitId}`,
    )
  ).rows;
  const unitPath = unit?.path ?? '/-/';
  const conds: SQL[] = [sql`customers.tenant_id = ${plan.tenantId}`];
  // The plan's own subtree (literal ids: lets the planner use the unit indexes).
  const unitIds = await subtreeUnitIds(db, plan.tenantId, unitPath);
  conds.push(
    unitIds.length
      ? sql`customers.unit_id in (${sql.join(
          unitIds.map((u) => sql`${u}::uuid`),
          sql`, `,
        )})`
      : sql`false`,
  );
  if (plan.savedFilterId) {
    const [f] = (
      await db.execute<{ filter: Record<string, string> }>(
        sql`select filter from saved_filters where tenant_id = ${plan.tenantId} and id = ${plan.savedFilterId}`,
      )
    ).rows;
    if (!f) return sql`false`;
    const q = ZCustomerListQuery.parse(f.filter);
    const scope = {
      tenantId: plan.tenantId,
      userId: plan.createdBy ?? '00000000-0000-0000-0000-000000000000',
      unitId: plan.unitId,
      unitPath,
      dataScope: 'subtree' as const,
    };
    let filterUnitIds: string[] | null = null;
    if (q.unitId) {
      const [fu] = (
        await db.execute<{ path: string }>(
          sql`select path from org_units where tenant_id = ${plan.tenantId} and id = ${q.unitId} and path like ${unitPath + '%'}`,
        )
      ).rows;
      filterUnitIds = fu ? await subtreeUnitIds(db, plan.tenantId, fu.path) : [];
    }
    conds.push(listConditions(scope, q, { scopeUnitIds: unitIds, filterUnitIds }));
  }
  if (plan.targetKind === 'list') {
    conds.push(
      plan.customerIds.length
        ? sql`customers.id in (${sql.join(
            plan.customerIds.map((id) => sql`${id}::uuid`),
            sql`, `,
          )})`
        : sql`false`,
    );
  }
  return sql.join(conds, sql` and `);
}

/**
 * The population of one run: rows (customer_id, unit_id, owner_id, policy columns, okey, due_date, due_until_date,
 * service_record_id, source_task_id). Null when nothing is due today (e.g. not a holiday).
 */
async function populationSql(
  db: DbOrTx,
  plan: TPlanRow,
  ctx: TGenContext,
  single?: TSingleOccurrence,
): Promise<SQL | null> {
  // A path plan has no population of its own: its tasks come from the templates attached to it (paths.sql.ts).
  // Its next follow-ups (single occurrences) still go through here.
  if (plan.targetKind === 'path' && !single) return null;
  const target = await targetCondition(db, plan);
  const cols = sql`customers.id as customer_id, customers.unit_id, customers.owner_id, customers.do_not_contact_until, customers.consent_service, customers.consent_marketing`;
  const start = plan.startDate > ctx.today ? plan.startDate : ctx.today;
  if (single) {
    return sql`select ${cols}, ${single.occurrenceKey}::text as okey, ${dateLit(single.dueDate)} as due_date, ${dateLit(single.dueUntilDate)} as due_until_date,
      ${single.serviceRecordId ?? null}::uuid as service_record_id, ${single.sourceTaskId ?? null}::uuid as source_task_id
      from customers where ${target} and customers.id = ${single.customerId}`;
  }
  const rule = planRule(plan);
  const D = dateLit(ctx.today);
  if (!rule) {
    return sql`select ${cols}, 'once'::text as okey, ${dateLit(start)} as due_date, ${dateLit(addDays(start, plan.dueDays))} as due_until_date,
      null::uuid as service_record_id, null::uuid as source_task_id from customers where ${target}`;
  }
  if (ctx.today < plan.startDate) return null;
  switch (rule.kind) {
    case 'after_service': {
      // Local service date sd: due from sd + afterDays; a record older than withinDays no longer generates.
      const sd = sql`(sr.occurred_at at time zone ${ctx.timeZone})::date`;
      return sql`select ${cols}, 'sr:' || sr.id::text as okey, ${sd} + ${rule.afterDays}::int as due_date,
          least(${sd} + ${rule.afterDays}::int + ${plan.dueDays}::int, ${sd} + ${rule.withinDays - 1}::int) as due_until_date,
          sr.id as service_record_id, null::uuid as source_task_id
        from service_records sr join customers on customers.id = sr.customer_id
        where sr.tenant_id = ${plan.tenantId} and sr.service_type_id = ${rule.serviceTypeId}
          and sr.occurred_at >= (${dateLit(addDays(ctx.today, -rule.withinDays))}::timestamp at time zone ${ctx.timeZone})
          and ${sd} + ${rule.afterDays}::int <= ${D} and ${D} < ${sd} + ${rule.withinDays}::int and ${target}`;
    }
    case 'periodic': {
      // Every N months per tier; the period (aligned on January) is the occurrence, its end the due date.
      // Plain CASEs over constants (no per-row jsonb lookup or to_char): the planner folds them when every tier has the same period.
      const tiers = Object.entries(rule.monthsByTier);
      const months = tiers.length
        ? sql`(case customers.tier ${sql.join(
            tiers.map(([tier, n]) => sql`when ${tier} then ${n}::int`),
            sql` `,
          )} else ${rule.defaultMonths}::int end)`
        : sql`${rule.defaultMonths}::int`;
      const periods = [
        ...new Set([...Object.values(rule.monthsByTier), ...(rule.defaultMonths ? [rule.defaultMonths] : [])]),
      ];
      if (!periods.length) return null;
      const byMonths = (f: (n: number) => SQL) =>
        sql`(case ${months} ${sql.join(
          periods.map((n) => sql`when ${n}::int then ${f(n)}`),
          sql` `,
        )} end)`;
      const okey = byMonths((n) => sql`${`period:${n}m:${monthPeriod(ctx.today, n).start.slice(0, 7)}`}::text`);
      const nextOf = byMonths((n) => dateLit(monthPeriod(ctx.today, n).next));
      return sql`select ${cols}, ${okey} as okey, ${D} as due_date,
          least(${D} + ${plan.dueDays}::int, ${nextOf} - 1) as due_until_date, null::uuid as service_record_id, null::uuid as source_task_id
        from customers where ${target} and ${months} is not null`;
    }
    case 'birthday': {
      const day = addDays(ctx.today, rule.leadDays);
      const year = Number(day.slice(0, 4));
      const md = day.slice(5);
      // 29 Feb birthdays are greeted on 28 Feb in non-leap years (calendar.birthdayIn).
      const isFeb28NonLeap = md === '02-28' && !isLeapYear(year);
      const match = isFeb28NonLeap
        ? sql`to_char(customers.birthday, 'MM-DD') in ('02-28', '02-29')`
        : sql`to_char(customers.birthday, 'MM-DD') = ${md}`;
      return sql`select ${cols}, ${'birthday:' + year}::text as okey, ${D} as due_date, ${dateLit(day)} as due_until_date,
          null::uuid as service_record_id, null::uuid as source_task_id
        from customers where ${target} and customers.birthday is not null and ${match}`;
    }
    case 'holiday': {
      const day = addDays(ctx.today, rule.leadDays);
      if (!rule.dates.includes(day.slice(5))) return null;
      return sql`select ${cols}, ${'holiday:' + day}::text as okey, ${D} as due_date, ${dateLit(day)} as due_until_date,
          null::uuid as service_record_id, null::uuid as source_task_id from customers where ${target}`;
    }
    case 'complaint_resolved':
    case 'churn_warning':
    case 'potential_customer':
      // Event-driven: only through onComplaintResolved / onChurnWarning / onPotentialCustomer (single occurrences).
      return null;
  }
}

/**
 * The candidate rows with the contact policy evaluated (`reason` null = allowed) and the assignment computed,
 * as the CTEs `cand` and `assigned`. Shared by preview and insert so both say the same thing.
 */
function candidatesSql(plan: TPlanRow, ctx: TGenContext, pop: SQL, opts: { ignoreGap: boolean }): SQL {
  const T = plan.tenantId;
  const gapFrom = addDays(ctx.today, -(plan.minGapDays + 1));
  const reason = contactExclusionSql({
    isMarketing: isMarketingPlan(plan),
    minGapDays: plan.minGapDays,
    ignoreGap: opts.ignoreGap,
  });
  const agentsUnit = plan.assignment === 'round_robin' ? plan.assignUnitId : null;
  const assignee =
    plan.assignment === 'owner'
      ? sql`ow.id`
      : plan.assignment === 'fixed'
        ? sql`(select u.id from users u where u.id = ${plan.assigneeId} and u.is_active)`
        : sql`ag.id`;
  const team = plan.assignment === 'owner' ? sql`e.unit_id` : sql`${plan.assignUnitId ?? plan.unitId}::uuid`;
  return sql`
    pop as (${pop}),
    recent as (
      select ce.customer_id, max(ce.at) as last_contact_at from contact_events ce
      where ce.tenant_id = ${T} and ce.at >= (${dateLit(gapFrom)}::timestamp at time zone ${ctx.timeZone}) group by ce.customer_id
    ),
    cand as (
      select c.*, ${reason} as reason from (
        -- A do-not-contact date later than the window's start moves the start to its first contact hour (dnc_from).
        select b.*, coalesce(b.dnc_from, b.base_from) as due_from from (
          select a.*, ${dncStartSql(sql`a.do_not_contact_until`, sql`a.base_from`, ctx.timeZone, plan)} as dnc_from from (
            select pop.*, recent.last_contact_at,
              ((pop.due_date::timestamp + make_interval(hours => ${plan.contactFromHour}::int)) at time zone ${ctx.timeZone}) as base_from,
              ((pop.due_until_date::timestamp + make_interval(hours => ${plan.contactToHour}::int)) at time zone ${ctx.timeZone}) as win_end
            from pop left join recent on recent.customer_id = pop.customer_id
          ) a
        ) b
      ) c
    ),
    elig as (
      select cand.*, row_number() over (order by cand.customer_id) - 1 as rn from cand
      where cand.reason is null and not exists (
        select 1 from followup_tasks ft where ft.tenant_id = ${T} and ft.plan_id = ${plan.id} and ft.customer_id = cand.customer_id and ft.occurrence_key = cand.okey)
    ),
    agents as (
      select u.id, row_number() over (order by u.id) - 1 as rn, count(*) over () as n
      from users u join org_units ou on ou.id = u.unit_id
      where u.tenant_id = ${T} and u.is_active and ${agentsUnit ?? null}::uuid is not null
        and ou.path like (select path from org_units where tenant_id = ${T} and id = ${agentsUnit ?? null}::uuid) || '%'
        and exists (select 1 from user_roles ur join roles r on r.id = ur.role_id where ur.user_id = u.id and 'followup:work' = any(r.permissions))
    ),
    absent as (
      select distinct on (sa.user_id) sa.user_id, sa.delegate_id from staff_absences sa
      where sa.tenant_id = ${T} and ${dateLit(ctx.today)} between sa.starts_on and sa.ends_on order by sa.user_id, sa.created_at desc
    ),
    assigned0 as (
      select e.*, ${assignee} as assignee, ${team} as team_unit_id
      from elig e
      left join users ow on ow.id = e.owner_id and ow.is_active
      left join agents ag on ag.rn = e.rn % nullif((select max(n) from agents), 0)
    ),
    assigned as (
      select a.*, coalesce(ab.delegate_id, a.assignee) as final_assignee from assigned0 a left join absent ab on ab.user_id = a.assignee
    )`;
}

/**
 * Create the tasks of one run; returns how many were created (0 on a re-run). The run's creation record is ONE row in
 * followup_generation_runs (plan, rule, occurrence, count, actor) named by each task's created_by_run — not a log row
 * per task; every later change of a task is logged per task.
 */
export async function generateTasks(
  db: DbOrTx,
  plan: TPlanRow,
  ctx: TGenContext,
  single?: TSingleOccurrence,
): Promise<number> {
  const pop = await populationSql(db, plan, ctx, single);
  if (!pop) return 0;
  const T = plan.tenantId;
  const runId = crypto.randomUUID();
  // Task ids (RFC 9562 version 8, "custom"): 74 random bits of the run, then the row's number in the run. Unique (a
  // run never repeats a number, runs differ in their random part) and ascending within a run, so a million ids land
  // next to each other in the primary-key index instead of on a million random leaf pages (gen_random_uuid()).
  const r = crypto.randomBytes(10).toString('hex');
  const idPrefix = `${r.slice(0, 12)}8${r.slice(12, 15)}${'89ab'[parseInt(r[15]!, 16) % 4]}${r.slice(16, 19)}`;
  // The round-robin numbering sorts the run's customers once: in memory rather than on disk (local to this transaction).
  if (!single) {
    await db.execute(sql`select set_config('work_mem', '256MB', true)`);
    await db.execute(PARALLEL_BATCH_WORK);
  }
  const res = await db.execute(sql`
    with ${candidatesSql(plan, ctx, pop, { ignoreGap: single?.ignoreGap ?? false })}
      insert into followup_tasks (id, tenant_id, plan_id, customer_id, occurrence_key, created_by_run, unit_id, assignee_id, team_unit_id, state,
                                  due_from, due_until, service_record_id, source_task_id, created_at, updated_at)
      select (${idPrefix} || lpad(to_hex(a.rn), 12, '0'))::uuid, ${T}::uuid, ${plan.id}::uuid, a.customer_id, a.okey, ${runId}::uuid, a.unit_id, a.final_assignee, a.team_unit_id, 'pending',
             a.due_from, greatest(a.win_end, a.due_from), a.service_record_id, a.source_task_id, ${ctx.now}::timestamptz, ${ctx.now}::timestamptz
      from assigned a
      on conflict (tenant_id, plan_id, customer_id, occurrence_key) do nothing`);
  const n = res.rowCount ?? 0;
  if (n > 0) {
    const rule = planRule(plan);
    const occurrence = single ? single.occurrenceKey : rule ? `rule:${ctx.today}` : 'activation';
    await db.execute(sql`insert into followup_generation_runs (id, tenant_id, plan_id, rule_kind, occurrence, actor_id, at, created)
      values (${runId}, ${T}, ${plan.id}, ${rule?.kind ?? null}, ${occurrence}, ${ctx.actorId}, ${ctx.now}, ${n})`);
  }
  return n;
}

/** What a run would do now, without writing: matched, to create, already there, excluded by reason, to the team. */
export async function previewTasks(db: DbOrTx, plan: TPlanRow, ctx: TGenContext): Promise<TPlanPreview> {
  const empty: TPlanPreview = {
    matched: 0,
    willCreate: 0,
    alreadyExists: 0,
    excluded: { do_not_contact: 0, no_service_consent: 0, no_marketing_consent: 0, recent_contact: 0 },
    toTeam: 0,
  };
  const pop = await populationSql(db, plan, ctx);
  if (!pop) return empty;
  const res = await db.execute<{
    matched: number;
    will_create: number;
    to_team: number;
    reasons: Record<string, number> | null;
  }>(sql`
    with ${candidatesSql(plan, ctx, pop, { ignoreGap: false })}
    select (select count(*)::int from cand) as matched,
           (select count(*)::int from assigned) as will_create,
           (select count(*)::int from assigned where final_assignee is null) as to_team,
           (select jsonb_object_agg(reason, n) from (select reason, count(*)::int as n from cand where reason is not null group by reason) r) as reasons`);
  const row = res.rows[0]!;
  const excluded = { ...empty.excluded };
  for (const [k, n] of Object.entries(row.reasons ?? {})) excluded[k as TContactExclusionReason] = Number(n);
  const excludedTotal = Object.values(excluded).reduce((s, n) => s + n, 0);
  const matched = Number(row.matched);
  const willCreate = Number(row.will_create);
  return {
    matched,
    willCreate,
    alreadyExists: matched - excludedTotal - willCreate,
    excluded,
    toTeam: Number(row.to_team),
  };
}
