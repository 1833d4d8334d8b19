import { and, asc, desc, eq, sql } from 'drizzle-orm';
import {
  DEFAULT_FOLLOWUP_METHODS,
  ZFollowupRule,
  type TCreatePlanInput,
  type TFollowupPlan,
  type TPlanPreview,
} from '@huifang/shared';
import type { Db, DbOrTx } from '../../../db/client.ts';
import { dictionaryItems, followupPlans, orgUnits, savedFilters, serviceTypes } from '../../../db/schema/index.ts';
import { AppError, invalidField, notFound, unknownRef } from '../../../lib/app-error.ts';
import type { TClock } from '../../../lib/clock.ts';
import { toPage } from '../../../lib/pagination.ts';
import { pgArray, unitVisible, type TAuditCtx, type TScope } from '../../../lib/scope.ts';
import { tenantTimeZone } from '../../../lib/time.ts';
import { insertAuditEvent } from '../../audit/audit.repository.ts';
import { findVisibleIds } from '../../customers/customers.repository.ts';
import { findVisibleUnit } from '../../org-units/org-units.repository.ts';
import { findVisibleUser } from '../../users/users.repository.ts';
import { localDate } from '../../policy/calendar.ts';
import { generateTasks, previewTasks, type TGenContext, type TPlanRow } from '../rules/generate.ts';
import { checkPlanMessage, loadPlanMessages, savePlanMessage } from './plan-messages.ts';
import { surveyReadable } from '../../surveys/surveys.repository.ts';

type TDeps = { db: Db; clock: TClock };
export const METHOD_DICT = 'followup_method';

/** Default follow-up methods of a tenant (dictionary followup_method); topped up at start, never overwriting edits. */
export async function ensureFollowupDefaults(db: DbOrTx, tenantId: string): Promise<void> {
  await db
    .insert(dictionaryItems)
    .values(
      DEFAULT_FOLLOWUP_METHODS.map((m, i) => ({
        tenantId,
        dict: METHOD_DICT,
        code: m.code,
        label: m.label,
        sortOrder: i,
      })),
    )
    .onConflictDoNothing();
}

export async function listMethods(db: DbOrTx, tenantId: string) {
  return db
    .select({ code: dictionaryItems.code, label: dictionaryItems.label })
    .from(dictionaryItems)
    .where(
      and(
        eq(dictionaryItems.tenantId, tenantId),
        eq(dictionaryItems.dict, METHOD_DICT),
        eq(dictionaryItems.isActive, true),
      ),
    )
    .orderBy(asc(dictionaryItems.sortOrder), asc(dictionaryItems.code));
}

export async function addMethod(deps: TDeps, scope: TScope, ctx: TAuditCtx, input: { code: string; label: string }) {
  const now = deps.clock.now();
  return deps.db.transaction(async (tx) => {
    const [max] = await tx
      .select({ n: sql<number>`coalesce(max(${dictionaryItems.sortOrder}), 0)::int` })
      .from(dictionaryItems)
      .where(and(eq(dictionaryItems.tenantId, scope.tenantId), eq(dictionaryItems.dict, METHOD_DICT)));
    const rows = await tx
      .insert(dictionaryItems)
      .values({
        tenantId: scope.tenantId,
        dict: METHOD_DICT,
        code: input.code,
        label: input.label,
        sortOrder: (max?.n ?? 0) + 1,
      })
      .onConflictDoNothing()
      .returning();
    if (!rows.length)
      throw new AppError('CONFLICT', 'a method with this code exists', {
        details: [{ path: 'body.code', message: '编码已存在' }],
      });
    await insertAuditEvent(
      tx,
      ctx,
      {
        action: 'followup_method.created',
        entityType: 'followup_method',
        entityId: null,
        unitId: scope.unitId,
        summary: `新增回访方式 ${input.label}`,
      },
      now,
    );
    return { code: input.code, label: input.label };
  });
}

export async function genContext(deps: TDeps, tenantId: string, actorId: string | null): Promise<TGenContext> {
  const timeZone = await tenantTimeZone(deps.db, tenantId);
  const now = deps.clock.now();
  return { tenantId, timeZone, now, today: localDate(now, timeZone), actorId };
}

const planVisible = (scope: TScope) =>
  and(eq(followupPlans.tenantId, scope.tenantId), unitVisible(scope, followupPlans.unitId));

async function taskCounts(
  db: DbOrTx,
  tenantId: string,
  planIds: string[],
): Promise<Map<string, Record<string, number>>> {
  const out = new Map<string, Record<string, number>>();
  if (!planIds.length) return out;
  const res = await db.execute<{ plan_id: string; state: string; n: number }>(
    sql`select plan_id, state, count(*)::int as n from followup_tasks where tenant_id = ${tenantId} and plan_id = any(${pgArray(planIds, 'uuid')}) group by plan_id, state`,
  );
  for (const r of res.rows) out.set(r.plan_id, { ...(out.get(r.plan_id) ?? {}), [r.state]: Number(r.n) });
  return out;
}

function toPlanDto(
  p: TPlanRow,
  unitName: string,
  counts: Record<string, number>,
  message: TFollowupPlan['message'] = null,
): TFollowupPlan {
  return {
    id: p.id,
    unitId: p.unitId,
    unitName,
    name: p.name,
    topic: p.topic as TFollowupPlan['topic'],
    methods: p.methods,
    targetKind: p.targetKind as TFollowupPlan['targetKind'],
    savedFilterId: p.savedFilterId,
    customerIds: p.customerIds,
    rule: p.rule ? ZFollowupRule.parse(p.rule) : null,
    script: p.script,
    surveyId: p.surveyId,
    startDate: p.startDate,
    dueDays: p.dueDays,
    assignment: p.assignment as TFollowupPlan['assignment'],
    assignUnitId: p.assignUnitId,
    assigneeId: p.assigneeId,
    maxAttempts: p.maxAttempts,
    retryHours: p.retryHours,
    contactFromHour: p.contactFromHour,
    contactToHour: p.contactToHour,
    minGapDays: p.minGapDays,
    budgetFen: p.budgetFen,
    giftName: p.giftName,
    giftFen: p.giftFen,
    nextFollowupDays: p.nextFollowupDays,
    remindByEmail: p.remindByEmail,
    escalateAfterDays: p.escalateAfterDays,
    message,
    status: p.status as TFollowupPlan['status'],
    activatedAt: p.activatedAt?.toISOString() ?? null,
    createdAt: p.createdAt.toISOString(),
    updatedAt: p.updatedAt.toISOString(),
    taskCounts: counts,
  };
}

export async function findVisiblePlan(
  db: DbOrTx,
  scope: TScope,
  id: string,
): Promise<{ p: TPlanRow; unitName: string } | null> {
  const [row] = await db
    .select({ p: followupPlans, unitName: orgUnits.name })
    .from(followupPlans)
    .innerJoin(orgUnits, eq(orgUnits.id, followupPlans.unitId))
    .where(and(planVisible(scope), eq(followupPlans.id, id)));
  return row ?? null;
}

export async function listPlans(
  deps: TDeps,
  scope: TScope,
  q: { page: number; pageSize: number; q?: string | undefined; status?: string | undefined },
) {
  const where = and(
    planVisible(scope),
    q.status ? eq(followupPlans.status, q.status) : undefined,
    q.q ? sql`${followupPlans.name} ilike ${'%' + q.q.replace(/[\\%_]/g, (c) => `\\${c}`) + '%'}` : undefined,
  );
  const [rows, [total]] = await Promise.all([
    deps.db
      .select({ p: followupPlans, unitName: orgUnits.name })
      .from(followupPlans)
      .innerJoin(orgUnits, eq(orgUnits.id, followupPlans.unitId))
      .where(where)
      .orderBy(desc(followupPlans.createdAt))
      .limit(q.pageSize)
      .offset((q.page - 1) * q.pageSize),
    deps.db
      .select({ n: sql<number>`count(*)::int` })
      .from(followupPlans)
      .where(where),
  ]);
  const counts = await taskCounts(
    deps.db,
    scope.tenantId,
    rows.map((r) => r.p.id),
  );
  const messages = await loadPlanMessages(
    deps.db,
    scope.tenantId,
    rows.map((r) => r.p.id),
  );
  return toPage(
    rows.map((r) => toPlanDto(r.p, r.unitName, counts.get(r.p.id) ?? {}, messages.get(r.p.id) ?? null)),
    total?.n ?? 0,
    q,
  );
}

export async function getPlan(deps: TDeps, scope: TScope, id: string): Promise<TFollowupPlan> {
  const row = await findVisiblePlan(deps.db, scope, id);
  if (!row) throw notFound('plan');
  const counts = await taskCounts(deps.db, scope.tenantId, [id]);
  const messages = await loadPlanMessages(deps.db, scope.tenantId, [id]);
  return toPlanDto(row.p, row.unitName, counts.get(id) ?? {}, messages.get(id) ?? null);
}

/** References must exist and be visible to the caller; an unknown or invisible id is a 404 on its field. */
async function checkPlanRefs(db: DbOrTx, scope: TScope, input: TCreatePlanInput): Promise<void> {
  const methods = new Set((await listMethods(db, scope.tenantId)).map((m) => m.code));
  const badMethod = input.methods.findIndex((m) => !methods.has(m));
  if (badMethod >= 0) throw invalidField(`body.methods.${badMethod}`, `unknown method ${input.methods[badMethod]}`);
  checkPlanMessage(input.methods, input.message);
  if (input.savedFilterId) {
    const [f] = await db
      .select({ id: savedFilters.id })
      .from(savedFilters)
      .where(
        and(
          eq(savedFilters.tenantId, scope.tenantId),
          eq(savedFilters.id, input.savedFilterId),
          sql`(${savedFilters.ownerId} = ${scope.userId} or ${savedFilters.isShared})`,
        ),
      );
    if (!f) throw unknownRef('body.savedFilterId', 'saved filter');
  }
  if (input.targetKind === 'list') {
    const asked = [...new Set(input.customerIds)];
    const found = new Set(await findVisibleIds(db, scope, asked));
    const missing = input.customerIds.findIndex((id) => !found.has(id));
    if (missing >= 0) throw unknownRef(`body.customerIds.${missing}`, 'customer');
  }
  if (input.assigneeId && !(await findVisibleUser(db, scope, input.assigneeId)))
    throw unknownRef('body.assigneeId', 'user');
  if (input.assignUnitId && !(await findVisibleUnit(db, scope, input.assignUnitId)))
    throw unknownRef('body.assignUnitId', 'unit');
  if (input.rule?.kind === 'after_service') {
    const [st] = await db
      .select({ id: serviceTypes.id })
      .from(serviceTypes)
      .where(and(eq(serviceTypes.tenantId, scope.tenantId), eq(serviceTypes.id, input.rule.serviceTypeId)));
    if (!st) throw unknownRef('body.rule.serviceTypeId', 'service type');
  }
  if (input.surveyId) {
    const found = await db.execute(
      sql`select 1 from surveys s where s.tenant_id = ${scope.tenantId} and s.id = ${input.surveyId} and ${surveyReadable(scope, sql`s.unit_id`)}`,
    );
    if (!found.rows.length) throw unknownRef('body.surveyId', 'survey');
  }
}

function planValues(input: TCreatePlanInput) {
  return {
    name: input.name,
    topic: input.topic,
    methods: input.methods,
    targetKind: input.targetKind,
    savedFilterId: input.targetKind === 'segment' || input.targetKind === 'rule' ? (input.savedFilterId ?? null) : null,
    customerIds: input.targetKind === 'list' ? [...new Set(input.customerIds)] : [],
    rule: input.targetKind === 'rule' && input.rule ? (input.rule as Record<string, unknown>) : null,
    script: input.script,
    surveyId: input.surveyId ?? null,
    startDate: input.startDate,
    dueDays: input.dueDays,
    assignment: input.assignment,
    assignUnitId: input.assignUnitId ?? null,
    assigneeId: input.assignment === 'fixed' ? (input.assigneeId ?? null) : null,
    maxAttempts: input.maxAttempts,
    retryHours: input.retryHours,
    contactFromHour: input.contactFromHour,
    contactToHour: input.contactToHour,
    minGapDays: input.minGapDays,
    budgetFen: input.budgetFen ?? null,
    giftName: input.giftName ?? null,
    giftFen: input.giftFen ?? null,
    nextFollowupDays: input.nextFollowupDays ?? null,
    remindByEmail: input.remindByEmail,
    escalateAfterDays: input.escalateAfterDays,
  };
}

export async function createPlan(
  deps: TDeps,
  scope: TScope,
  ctx: TAuditCtx,
  input: TCreatePlanInput,
): Promise<TFollowupPlan> {
  await checkPlanRefs(deps.db, scope, input);
  const now = deps.clock.now();
  const id = await deps.db.transaction(async (tx) => {
    const [row] = await tx
      .insert(followupPlans)
      .values({
        ...planValues(input),
        tenantId: scope.tenantId,
        unitId: scope.unitId,
        status: 'draft',
        createdBy: scope.userId,
        createdAt: now,
        updatedAt: now,
      })
      .returning();
    await savePlanMessage(tx, scope.tenantId, row!.id, input.message, now);
    await insertAuditEvent(
      tx,
      ctx,
      {
        action: 'followup_plan.created',
        entityType: 'followup_plan',
        entityId: row!.id,
        unitId: scope.unitId,
        summary: `新建回访计划 ${input.name}`,
        after: { ...planValues(input), message: input.message ?? null },
      },
      now,
    );
    return row!.id;
  });
  return getPlan(deps, scope, id);
}

export async function updatePlan(
  deps: TDeps,
  scope: TScope,
  ctx: TAuditCtx,
  id: string,
  input: TCreatePlanInput,
): Promise<TFollowupPlan> {
  const cur = await findVisiblePlan(deps.db, scope, id);
  if (!cur) throw notFound('plan');
  if (cur.p.status === 'active' || cur.p.status === 'closed')
    throw new AppError('CONFLICT', `a ${cur.p.status} plan cannot be edited; pause it first`);
  await checkPlanRefs(deps.db, scope, input);
  const now = deps.clock.now();
  await deps.db.transaction(async (tx) => {
    await tx
      .update(followupPlans)
      .set({ ...planValues(input), updatedAt: now })
      .where(and(eq(followupPlans.tenantId, scope.tenantId), eq(followupPlans.id, id)));
    await savePlanMessage(tx, scope.tenantId, id, input.message, now);
    await insertAuditEvent(
      tx,
      ctx,
      {
        action: 'followup_plan.updated',
        entityType: 'followup_plan',
        entityId: id,
        unitId: cur.p.unitId,
        summary: `修改回访计划 ${input.name}`,
        after: { ...planValues(input), message: input.message ?? null },
      },
      now,
    );
  });
  return getPlan(deps, scope, id);
}

const TRANSITIONS: Record<string, string[]> = {
  draft: ['active', 'closed'],
  active: ['paused', 'closed'],
  paused: ['active', 'closed'],
  closed: [],
};

/**
 * Activate / pause / close. Activation of a segment or list plan creates its tasks at once (one INSERT … SELECT);
 * a rule plan also runs today's occurrence at once, then the scheduler runs it daily.
 */
export async function setPlanStatus(
  deps: TDeps,
  scope: TScope,
  ctx: TAuditCtx,
  id: string,
  status: 'active' | 'paused' | 'closed',
) {
  const gen = await genContext(deps, scope.tenantId, scope.userId);
  const created = await deps.db.transaction(async (tx) => {
    const [p] = await tx
      .select()
      .from(followupPlans)
      .where(and(planVisible(scope), eq(followupPlans.id, id)))
      .for('update');
    if (!p) throw notFound('plan');
    if (!TRANSITIONS[p.status]?.includes(status))
      throw new AppError('CONFLICT', `a ${p.status} plan cannot become ${status}`);
    const [next] = await tx
      .update(followupPlans)
      .set({ status, updatedAt: gen.now, ...(status === 'active' && !p.activatedAt ? { activatedAt: gen.now } : {}) })
      .where(and(eq(followupPlans.tenantId, scope.tenantId), eq(followupPlans.id, id)))
      .returning();
    let n = 0;
    if (status === 'active') n = await generateTasks(tx, next!, gen);
    if (status === 'closed') {
      // Closing a plan cancels its open tasks (logged per task).
      await tx.execute(sql`
        with c as (update followup_tasks set state = 'cancelled', claimed_by = null, updated_at = ${gen.now}
                   where tenant_id = ${scope.tenantId} and plan_id = ${id} and state in ('pending', 'in_progress', 'follow_up') returning id)
        insert into followup_task_events (tenant_id, task_id, kind, at, actor_id, to_state, data)
        select ${scope.tenantId}::uuid, c.id, 'cancelled', ${gen.now}::timestamptz, ${scope.userId}::uuid, 'cancelled', '{"reason":"plan_closed"}'::jsonb from c`);
    }
    await insertAuditEvent(
      tx,
      ctx,
      {
        action: 'followup_plan.status_changed',
        entityType: 'followup_plan',
        entityId: id,
        unitId: p.unitId,
        summary: `回访计划 ${p.name}: ${p.status} → ${status}`,
        before: { status: p.status },
        after: { status, tasksCreated: n },
      },
      gen.now,
    );
    return n;
  });
  return { plan: await getPlan(deps, scope, id), created };
}

export async function previewPlan(deps: TDeps, scope: TScope, id: string): Promise<TPlanPreview> {
  const row = await findVisiblePlan(deps.db, scope, id);
  if (!row) throw notFound('plan');
  return previewTasks(deps.db, row.p, await genContext(deps, scope.tenantId, scope.userId));
}
