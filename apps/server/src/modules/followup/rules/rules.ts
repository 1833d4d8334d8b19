import { and, eq, sql } from 'drizzle-orm';
import type { Db, DbOrTx } from '../../../db/client.ts';
import { followupPlans, followupTasks } from '../../../db/schema/index.ts';
import type { TClock } from '../../../lib/clock.ts';
import { tenantTimeZone } from '../../../lib/time.ts';
import { loadWorkCalendar } from '../../policy/business-calendar.service.ts';
import { addDays, addWorkingDays, localDate } from '../../policy/calendar.ts';
import { generateTasks, planRule, type TPlanRow } from './generate.ts';
import { genContext } from '../plans/plans.service.ts';

type TDeps = { db: Db; clock: TClock };

/** Rule kinds the scheduler runs; the others are event-driven (seams below). */
const SCHEDULED = ['after_service', 'periodic', 'birthday', 'holiday'];

/**
 * The `followup-rules` job: every active rule plan of every tenant runs today's occurrence (tenant time zone).
 * Idempotent: the unique occurrence key makes a second run in the same day (or after a crash) create nothing.
 */
export async function runFollowupRules(
  deps: TDeps,
  opts: { tenantId?: string; planId?: string } = {},
): Promise<{ plans: number; created: number }> {
  const plans = await deps.db
    .select()
    .from(followupPlans)
    .where(
      and(
        eq(followupPlans.status, 'active'),
        eq(followupPlans.targetKind, 'rule'),
        sql`${followupPlans.rule} ->> 'kind' in (${sql.join(
          SCHEDULED.map((k) => sql`${k}`),
          sql`, `,
        )})`,
        opts.tenantId ? eq(followupPlans.tenantId, opts.tenantId) : undefined,
        opts.planId ? eq(followupPlans.id, opts.planId) : undefined,
      ),
    );
  let created = 0;
  for (const plan of plans) {
    const ctx = await genContext(deps, plan.tenantId, null);
    created += await deps.db.transaction((tx) => generateTasks(tx, plan, ctx));
  }
  return { plans: plans.length, created };
}

async function eventPlans(deps: TDeps, tenantId: string, kind: string): Promise<TPlanRow[]> {
  return deps.db
    .select()
    .from(followupPlans)
    .where(
      and(
        eq(followupPlans.tenantId, tenantId),
        eq(followupPlans.status, 'active'),
        eq(followupPlans.targetKind, 'rule'),
        sql`${followupPlans.rule} ->> 'kind' = ${kind}`,
      ),
    );
}

/**
 * Seam for complaint tickets (a later issue): call when a complaint is resolved. Every active complaint-check plan
 * reaching the customer gets one callback task (key complaint:<ticket>), due "within N working days" (the rule's
 * withinDays, default 2) of the tenant's business calendar 工作日历: from today (the next working day when today is
 * a holiday or weekend) until the N-th working day after today — weekends, public holidays and make-up working days
 * 调休 as the tenant's calendar says. Callbacks the customer expects skip the contact-frequency rule.
 */
export async function onComplaintResolved(
  deps: TDeps,
  e: { tenantId: string; customerId: string; ticketId: string },
): Promise<number> {
  return runEvent(deps, e.tenantId, 'complaint_resolved', e.customerId, `complaint:${e.ticketId}`, true, 'working');
}

/** Whether any active rule plan of the tenant listens to this event kind (callers skip per-event work when none). */
export async function hasEventPlans(deps: TDeps, tenantId: string, kind: string): Promise<boolean> {
  return (await eventPlans(deps, tenantId, kind)).length > 0;
}

/** Seam for churn warnings (modules/value, after each recompute run): one churn-save task per warning (key churn:<warning>). */
export async function onChurnWarning(
  deps: TDeps,
  e: { tenantId: string; customerId: string; warningId: string },
): Promise<number> {
  return runEvent(deps, e.tenantId, 'churn_warning', e.customerId, `churn:${e.warningId}`, false, 'calendar');
}

async function runEvent(
  deps: TDeps,
  tenantId: string,
  kind: string,
  customerId: string,
  key: string,
  ignoreGap: boolean,
  days: 'working' | 'calendar',
): Promise<number> {
  const ctx = await genContext(deps, tenantId, null);
  const cal = days === 'working' ? await loadWorkCalendar(deps.db, tenantId) : null;
  let created = 0;
  for (const plan of await eventPlans(deps, tenantId, kind)) {
    const rule = planRule(plan);
    const within = rule && 'withinDays' in rule ? rule.withinDays : 2;
    const dueDate = cal ? addWorkingDays(ctx.today, 0, cal) : ctx.today;
    const dueUntilDate = cal ? addWorkingDays(ctx.today, within, cal) : addDays(ctx.today, within);
    created += await deps.db.transaction((tx) =>
      generateTasks(tx, plan, ctx, { customerId, occurrenceKey: key, dueDate, dueUntilDate, ignoreGap }),
    );
  }
  return created;
}

/** Occurrence keys of ticket callback tasks: `ticket-callback:<callback id>`; their call results carry flag ticket_callback. */
export const TICKET_CALLBACK_KEY_PREFIX = 'ticket-callback:';
const TICKET_CALLBACK_PLAN = '工单处理回访（系统）';

/**
 * Seam for the close-the-loop of complaint tickets (tickets/close-loop): one follow-up call task 回访任务 for the
 * customer, in the caller's transaction, under the tenant's system plan 工单处理回访 (made on first use: the whole
 * tenant, phone, the given assignee else the customer's owner else the customer's unit team, due within `withinWorkingDays` working days of the
 * business calendar). The task's key names the callback, so a repeat creates nothing and returns the same task; the
 * agent's recorded result is the callback's answer (flag ticket_callback). Null when the customer may not be called
 * (do-not-contact, no service consent).
 */
export async function createTicketCallbackTask(
  tx: DbOrTx,
  e: {
    tenantId: string;
    customerId: string;
    callbackId: string;
    now: Date;
    withinWorkingDays: number;
    /** Who calls (e.g. the ticket unit's agent 客服); default the plan's assignment (the customer's owner, else the team). */
    assigneeId?: string | null;
  },
): Promise<string | null> {
  const timeZone = await tenantTimeZone(tx, e.tenantId);
  const today = localDate(e.now, timeZone);
  const plan = await ticketCallbackPlan(tx, e.tenantId, e.now, today);
  const cal = await loadWorkCalendar(tx, e.tenantId);
  const key = `${TICKET_CALLBACK_KEY_PREFIX}${e.callbackId}`;
  await generateTasks(
    tx,
    plan,
    { tenantId: e.tenantId, timeZone, now: e.now, today, actorId: null },
    {
      customerId: e.customerId,
      occurrenceKey: key,
      dueDate: addWorkingDays(today, 0, cal),
      dueUntilDate: addWorkingDays(today, e.withinWorkingDays, cal),
      ignoreGap: true,
    },
  );
  const [task] = await tx
    .select({ id: followupTasks.id })
    .from(followupTasks)
    .where(
      and(
        eq(followupTasks.tenantId, e.tenantId),
        eq(followupTasks.customerId, e.customerId),
        eq(followupTasks.planId, plan.id),
        eq(followupTasks.occurrenceKey, key),
      ),
    );
  if (task && e.assigneeId)
    await tx
      .update(followupTasks)
      .set({ assigneeId: e.assigneeId })
      .where(
        and(
          eq(followupTasks.tenantId, e.tenantId),
          eq(followupTasks.id, task.id),
          eq(followupTasks.state, 'pending'),
          sql`${followupTasks.claimedBy} is null`,
        ),
      );
  return task?.id ?? null;
}

async function ticketCallbackPlan(tx: DbOrTx, tenantId: string, now: Date, today: string): Promise<TPlanRow> {
  const [found] = await tx
    .select()
    .from(followupPlans)
    .where(
      and(
        eq(followupPlans.tenantId, tenantId),
        eq(followupPlans.name, TICKET_CALLBACK_PLAN),
        sql`${followupPlans.createdBy} is null`,
      ),
    )
    .limit(1);
  if (found) return found;
  const [root] = (
    await tx.execute<{ id: string }>(
      sql`select id from org_units where tenant_id = ${tenantId} order by depth, created_at limit 1`,
    )
  ).rows;
  const [plan] = await tx
    .insert(followupPlans)
    .values({
      tenantId,
      unitId: root!.id,
      name: TICKET_CALLBACK_PLAN,
      topic: 'complaint_check',
      methods: ['phone'],
      targetKind: 'rule',
      rule: { kind: 'complaint_resolved', withinDays: 2 },
      script: '{客户称呼}您好，这里是{网点名称}。您此前反映的问题已处理完毕，想了解您对处理结果是否满意（1–5 分）？',
      startDate: today,
      dueDays: 2,
      assignment: 'owner',
      maxAttempts: 3,
      minGapDays: 0,
      status: 'active',
      activatedAt: now,
      createdBy: null,
      createdAt: now,
      updatedAt: now,
    })
    .returning();
  return plan!;
}

/** The tenant's built-in 潜力客户跟进 plan: one per tenant, its id derived from the tenant (no lookup by name). */
const potentialPlanId = (tenantId: string) => sql`md5(${tenantId}::text || ':potential_customer')::uuid`;

/**
 * Seam for the counter page (counter/potential-customer.service.ts), in the caller's transaction: a teller flagged
 * a potential customer 潜力客户 during or after a service. The tenant's 潜力客户跟进 plan (rule kind
 * `potential_customer`, made on first use: active, topic care 关怀 — the customer asked at the counter, so this is
 * service contact, not marketing — owner assignment, phone) gets one task for the customer (key
 * potential:<session>), due today until `withinDays` (default 3) days later. With the plan's owner assignment the
 * task goes to `assigneeId` (the caller passes the customer's owner, else the outlet's 客服); a fixed or round-robin
 * assignment an admin chose is honoured. A paused or closed plan makes no task. Returns the tasks created (0 or 1).
 */
export async function onPotentialCustomer(
  tx: DbOrTx,
  e: { tenantId: string; customerId: string; sessionId: string; assigneeId: string | null; actorId: string; now: Date },
): Promise<number> {
  const timeZone = await tenantTimeZone(tx, e.tenantId);
  const today = localDate(e.now, timeZone);
  await tx.execute(sql`
    insert into followup_plans (id, tenant_id, unit_id, name, topic, methods, target_kind, rule, script, start_date, due_days,
                                assignment, status, activated_at, created_at, updated_at)
    select ${potentialPlanId(e.tenantId)}, ${e.tenantId}, ou.id, '潜力客户跟进', 'care', array['phone'], 'rule',
           ${JSON.stringify({ kind: 'potential_customer', withinDays: 3 })}::jsonb,
           '您好，{客户称呼}！我是{网点名称}的{坐席姓名}，感谢您今天到访办理业务，想就您关心的产品再为您详细介绍一下。',
           ${today}::date, 3, 'owner', 'active', ${e.now}, ${e.now}, ${e.now}
    from org_units ou where ou.tenant_id = ${e.tenantId} and ou.parent_id is null
    on conflict do nothing`);
  const [plan] = await tx
    .select()
    .from(followupPlans)
    .where(and(eq(followupPlans.tenantId, e.tenantId), eq(followupPlans.id, potentialPlanId(e.tenantId))));
  if (!plan || plan.status !== 'active') return 0;
  const rule = planRule(plan);
  const within = rule && 'withinDays' in rule ? rule.withinDays : 3;
  const assigned: TPlanRow =
    plan.assignment === 'owner' && e.assigneeId ? { ...plan, assignment: 'fixed', assigneeId: e.assigneeId } : plan;
  return generateTasks(
    tx,
    assigned,
    { tenantId: e.tenantId, timeZone, now: e.now, today, actorId: e.actorId },
    {
      customerId: e.customerId,
      occurrenceKey: `potential:${e.sessionId}`,
      dueDate: today,
      dueUntilDate: addDays(today, within),
      ignoreGap: true,
    },
  );
}
