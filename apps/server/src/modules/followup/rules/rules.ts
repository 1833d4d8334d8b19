import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { followupPlans } from '../../../db/schema/index.ts';
import type { TClock } from '../../../lib/clock.ts';
import { loadWorkCalendar } from '../../policy/business-calendar.service.ts';
import { addDays, addWorkingDays } from '../../policy/calendar.ts';
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
