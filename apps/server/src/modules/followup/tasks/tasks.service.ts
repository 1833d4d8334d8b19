import { sql } from 'drizzle-orm';
import {
  CONNECTED_OUTCOMES,
  maskName,
  maskPhone,
  type TAnswerValue,
  type TAttemptInput,
  type TBulkTaskActionInput,
  type TTaskDetail,
  type TTaskListQuery,
} from '@huifang/shared';
import type { Db, DbOrTx } from '../../../db/client.ts';
import { AppError, invalidField, notFound, unknownRef } from '../../../lib/app-error.ts';
import type { TClock } from '../../../lib/clock.ts';
import { toPage } from '../../../lib/pagination.ts';
import { pgArray, unitVisible, type TAuditCtx, type TScope } from '../../../lib/scope.ts';
import { insertAuditEvent } from '../../audit/audit.repository.ts';
import { recordEvaluation } from '../../evaluations/evaluations.write.ts';
import { storeFollowupResponse } from '../../surveys/surveys.responses.ts';
import { findTaskPathPoint } from '../paths/paths.tasks.ts';
import { findVisibleUser } from '../../users/users.repository.ts';
import { addDays, localDate, zonedInstant } from '../../policy/calendar.ts';
import { nextContactableAt } from '../../policy/contact-policy.ts';
import { generateTasks, type TPlanRow } from '../rules/generate.ts';
import { TICKET_CALLBACK_KEY_PREFIX } from '../rules/rules.ts';
import { notifyStaff, responsiblePeople } from './notify.ts';
import { tenantTimeZone } from '../../../lib/time.ts';
import { findVisiblePlan, genContext } from '../plans/plans.service.ts';
import { renderScript, salutation } from '../../policy/script.ts';
import { questionnaireDefinition } from './survey-seam.ts';
import {
  findTaskRow,
  insertTaskEvent,
  listTaskRows,
  summarizeTaskRows,
  taskVisible,
  toTaskDto,
  type TTaskBounds,
} from './tasks.repository.ts';
import { findVisibleUnit } from '../../org-units/org-units.repository.ts';

type TDeps = { db: Db; clock: TClock };
export type TWorker = TScope & { displayName: string };

/**
 * The list's time bounds, and its unit and day filters checked: a unit outside the caller's scope is a 404 naming
 * the field, `to` before `from` a 400.
 */
async function taskBounds(deps: TDeps, scope: TScope, q: TTaskListQuery): Promise<TTaskBounds> {
  if (q.unitId && !(await findVisibleUnit(deps.db, scope, q.unitId)))
    throw unknownRef('querystring.unitId', 'org unit');
  if (q.from && q.to && q.from > q.to) throw invalidField('querystring.to', 'to must not be before from');
  const now = deps.clock.now();
  const tz = await tenantTimeZone(deps.db, scope.tenantId);
  const endOfToday = zonedInstant(addDays(localDate(now, tz), 1), 0, tz);
  return {
    now,
    endOfToday,
    ...(q.from ? { dueFrom: zonedInstant(q.from, 0, tz) } : {}),
    ...(q.to ? { dueBefore: zonedInstant(addDays(q.to, 1), 0, tz) } : {}),
  };
}

export async function listTasks(deps: TDeps, scope: TScope, q: TTaskListQuery) {
  const bounds = await taskBounds(deps, scope, q);
  const now = bounds.now;
  const { rows, total } = await listTaskRows(deps.db, scope, q, bounds);
  return toPage(
    rows.map((r) => toTaskDto(r, now)),
    total,
    q,
  );
}

/** Counts of the tasks the list would show, by state and by assignee (supervisor view). */
export async function summarizeTasks(deps: TDeps, scope: TScope, q: TTaskListQuery) {
  return summarizeTaskRows(deps.db, scope, q, await taskBounds(deps, scope, q));
}

export async function getTask(deps: TDeps, viewer: TWorker, id: string): Promise<TTaskDetail> {
  const row = await findTaskRow(deps.db, viewer, id);
  if (!row) throw notFound('task');
  const t = viewer.tenantId;
  const [plan, customer, attempts, events, history, service] = await Promise.all([
    findVisiblePlanUnscoped(deps.db, t, row.plan_id),
    deps.db.execute<{
      id: string;
      name: string;
      gender: string | null;
      tier: string | null;
      phones: string[];
      tags: string[];
      owner_name: string | null;
      consent_marketing: boolean;
      do_not_contact_until: Date | null;
    }>(
      sql`select c.id, c.name, c.gender, c.tier, c.phones, c.tags, u.display_name as owner_name, c.consent_marketing, c.do_not_contact_until
          from customers c left join users u on u.id = c.owner_id where c.id = ${row.customer_id}`,
    ),
    deps.db.execute<
      Record<string, unknown>
    >(sql`select a.*, u.display_name as by_name from followup_attempts a left join users u on u.id = a.by_user_id
      where a.tenant_id = ${t} and a.task_id = ${id} order by a.at desc`),
    deps.db.execute<{
      id: string;
      kind: string;
      at: Date;
      actor_name: string | null;
      from_state: string | null;
      to_state: string | null;
      data: unknown;
    }>(
      // The log, with the creation record of the task's generation run as its `created` entry (one run row, not one per task).
      sql`select x.id, x.kind, x.at, x.actor_name, x.from_state, x.to_state, x.data from (
            select e.id::text as id, e.id as seq, e.kind, e.at, u.display_name as actor_name, e.from_state, e.to_state, e.data
            from followup_task_events e left join users u on u.id = e.actor_id where e.tenant_id = ${t} and e.task_id = ${id}
            union all
            select 'run:' || r.id::text, 0, 'created', r.at, u.display_name, null, 'pending',
                   jsonb_build_object('runId', r.id, 'occurrence', r.occurrence, 'ruleKind', r.rule_kind, 'runCreated', r.created)
            from followup_tasks ft join followup_generation_runs r on r.tenant_id = ft.tenant_id and r.id = ft.created_by_run left join users u on u.id = r.actor_id
            where ft.tenant_id = ${t} and ft.id = ${id}) x
          order by x.at desc, x.seq desc`,
    ),
    deps.db.execute<{
      id: string;
      plan_name: string;
      state: TTaskDetail['state'];
      due_from: Date;
      last_outcome: string | null;
      satisfaction: number | null;
    }>(
      sql`select t.id, p.name as plan_name, t.state, t.due_from, t.last_outcome, t.satisfaction from followup_tasks t join followup_plans p on p.tenant_id = t.tenant_id and p.id = t.plan_id
          where t.tenant_id = ${t} and t.customer_id = ${row.customer_id} and t.id <> ${id} order by t.due_from desc limit 20`,
    ),
    deps.db.execute<{ occurred_at: Date; type_name: string }>(
      sql`select sr.occurred_at, st.name as type_name from service_records sr join service_types st on st.id = sr.service_type_id
          where sr.tenant_id = ${t} and sr.customer_id = ${row.customer_id} and (${row.service_record_id}::uuid is null or sr.id = ${row.service_record_id}::uuid)
          order by sr.occurred_at desc limit 1`,
    ),
  ]);
  const c = customer.rows[0]!;
  const tz = await tenantTimeZone(deps.db, t);
  // A task made by a plan template 回访路径 is worked with its time point's method, script and questionnaire (the
  // plan's are the fallback).
  const point = (await findTaskPathPoint(deps.db, t, { occurrenceKey: row.occurrence_key }))?.point ?? null;
  const surveyId = point?.surveyId ?? plan?.surveyId ?? null;
  const qdef = surveyId ? await questionnaireDefinition(deps.db, t, surveyId) : null;
  const questionnaire = qdef
    ? {
        title: qdef.title ?? '',
        questions: (qdef.questions ?? []).flatMap((q) => {
          const key = q.key ?? q.id;
          return key
            ? [
                {
                  key,
                  type: q.type ?? 'text',
                  title: q.title ?? key,
                  required: q.required ?? false,
                  options: q.options ?? [],
                },
              ]
            : [];
        }),
      }
    : null;
  const sr = service.rows[0];
  const script = renderScript(point?.script || plan?.script || '', {
    客户姓名: c.name,
    客户称呼: salutation(c.name, c.gender),
    服务日期: sr ? localDate(new Date(sr.occurred_at), tz) : '',
    服务类型: sr?.type_name ?? '',
    坐席姓名: viewer.displayName,
    计划名称: plan?.name ?? '',
    网点名称: row.unit_name,
    礼品: plan?.giftName ?? '',
  });
  return {
    ...toTaskDto(row, deps.clock.now()),
    script,
    surveyId,
    questionnaire,
    methods: point ? [...new Set([point.method, ...(plan?.methods ?? [])])] : (plan?.methods ?? []),
    customer: {
      id: c.id,
      name: c.name,
      gender: c.gender,
      tier: c.tier,
      phones: c.phones.map(maskPhone),
      tags: c.tags,
      ownerName: c.owner_name,
      consentMarketing: c.consent_marketing,
      doNotContactUntil: c.do_not_contact_until ? new Date(c.do_not_contact_until).toISOString() : null,
    },
    attemptsList: attempts.rows.map((a) => ({
      id: String(a.id),
      at: new Date(a.at as string).toISOString(),
      channel: String(a.channel),
      byUserId: (a.by_user_id as string | null) ?? null,
      byUserName: (a.by_name as string | null) ?? null,
      reachedWhom: (a.reached_whom as TTaskDetail['attemptsList'][number]['reachedWhom']) ?? null,
      contactName: (a.contact_name as string | null) ?? null,
      outcome: a.outcome as TTaskDetail['attemptsList'][number]['outcome'],
      notes: (a.notes as string | null) ?? null,
      satisfaction: a.satisfaction === null ? null : Number(a.satisfaction),
      answers: a.answers ?? null,
      isAbnormal: Boolean(a.is_abnormal),
      abnormalNote: (a.abnormal_note as string | null) ?? null,
      nextAction: (a.next_action as TTaskDetail['attemptsList'][number]['nextAction']) ?? null,
      nextFollowupDate: (a.next_followup_date as string | null) ?? null,
    })),
    events: events.rows.map((e) => ({
      id: e.id,
      kind: e.kind,
      at: new Date(e.at).toISOString(),
      actorName: e.actor_name,
      fromState: e.from_state,
      toState: e.to_state,
      data: e.data ?? null,
    })),
    history: history.rows.map((h) => ({
      id: h.id,
      planName: h.plan_name,
      state: h.state,
      dueFrom: new Date(h.due_from).toISOString(),
      lastOutcome: h.last_outcome,
      satisfaction: h.satisfaction === null ? null : Number(h.satisfaction),
    })),
  };
}

async function findVisiblePlanUnscoped(db: DbOrTx, tenantId: string, planId: string): Promise<TPlanRow | null> {
  const row = await findVisiblePlan(
    db,
    { tenantId, userId: '', unitId: '', unitPath: '', dataScope: 'tenant' },
    planId,
  );
  return row?.p ?? null;
}

/**
 * Claim 领取 a task before working it: one conditional UPDATE, so of two agents claiming at once exactly one wins;
 * the other gets 409. Team tasks (no assignee) become the claimer's.
 */
export async function claimTask(deps: TDeps, me: TScope, id: string) {
  const now = deps.clock.now();
  return deps.db.transaction(async (tx) => {
    const res = await tx.execute<{ id: string; from_state: string }>(sql`
      update followup_tasks t set claimed_by = ${me.userId}, claimed_at = ${now}, assignee_id = coalesce(t.assignee_id, ${me.userId}::uuid),
             state = 'in_progress', updated_at = ${now}
      from (select id, state as from_state from followup_tasks where tenant_id = ${me.tenantId} and id = ${id}) old
      where old.id = t.id and ${taskVisible(me)} and t.id = ${id} and t.state in ('pending', 'follow_up') and t.claimed_by is null
        and (t.assignee_id = ${me.userId} or t.assignee_id is null)
      returning t.id, old.from_state`);
    const won = res.rows[0];
    if (!won) {
      const row = await findTaskRow(tx, me, id);
      if (!row) {
        // A team task another member just won is no longer "mine" but was a moment ago: say so, not 404.
        const [team] = (
          await tx.execute(
            sql`select 1 from followup_tasks where tenant_id = ${me.tenantId} and id = ${id} and team_unit_id = ${me.unitId} and claimed_by is not null`,
          )
        ).rows;
        if (team) throw new AppError('CONFLICT', 'task already claimed by someone else');
        throw notFound('task');
      }
      if (row.claimed_by && row.claimed_by !== me.userId)
        throw new AppError('CONFLICT', `task already claimed by ${row.claimed_by_name ?? 'someone else'}`);
      if (row.claimed_by === me.userId) throw new AppError('CONFLICT', 'you already hold this task');
      if (row.assignee_id && row.assignee_id !== me.userId)
        throw new AppError('CONFLICT', 'task is assigned to someone else');
      throw new AppError('CONFLICT', `a ${row.state} task cannot be claimed`);
    }
    await insertTaskEvent(tx, {
      tenantId: me.tenantId,
      taskId: id,
      kind: 'claimed',
      at: now,
      actorId: me.userId,
      fromState: won.from_state,
      toState: 'in_progress',
    });
    return { ok: true as const };
  });
}

/** Give a claimed task back without an attempt. */
export async function releaseTask(deps: TDeps, me: TScope, id: string) {
  const now = deps.clock.now();
  return deps.db.transaction(async (tx) => {
    const res = await tx.execute<{ state: string }>(sql`
      update followup_tasks t set claimed_by = null, claimed_at = null, state = case when t.reached_attempts > 0 then 'follow_up' else 'pending' end, updated_at = ${now}
      where ${taskVisible(me)} and t.id = ${id} and t.state = 'in_progress' and t.claimed_by = ${me.userId} returning t.state`);
    if (!res.rows[0]) {
      if (!(await findTaskRow(tx, me, id))) throw notFound('task');
      throw new AppError('CONFLICT', 'you do not hold this task');
    }
    await insertTaskEvent(tx, {
      tenantId: me.tenantId,
      taskId: id,
      kind: 'released',
      at: now,
      actorId: me.userId,
      fromState: 'in_progress',
      toState: res.rows[0].state,
    });
    return { ok: true as const };
  });
}

/**
 * Record one contact attempt on a task the caller holds. Connected + close → done; connected + continue/escalate →
 * follow_up; not connected → retry later inside contact hours, or failed after the plan's max attempts.
 * Satisfaction / answers go to the evaluation store (channel followup); an abnormal finding notifies the
 * responsible people at once; a next follow-up date creates the next task once (key next:<task>).
 */
export async function recordAttempt(deps: TDeps, me: TWorker, ctx: TAuditCtx, id: string, input: TAttemptInput) {
  const gen = await genContext(deps, me.tenantId, me.userId);
  const now = gen.now;
  return deps.db.transaction(async (tx) => {
    const locked = await tx.execute<{
      id: string;
      state: string;
      claimed_by: string | null;
      attempts: number;
      reached_attempts: number;
      plan_id: string;
      customer_id: string;
      unit_id: string;
      service_record_id: string | null;
      due_until: Date;
      occurrence_key: string;
    }>(
      sql`select t.id, t.state, t.claimed_by, t.attempts, t.reached_attempts, t.plan_id, t.customer_id, t.unit_id, t.service_record_id, t.due_until, t.occurrence_key
          from followup_tasks t where ${taskVisible(me)} and t.id = ${id} for update`,
    );
    const task = locked.rows[0];
    if (!task) throw notFound('task');
    if (task.state !== 'in_progress' || task.claimed_by !== me.userId)
      throw new AppError('CONFLICT', 'claim the task before recording an attempt');
    const plan = (await findVisiblePlanUnscoped(tx, me.tenantId, task.plan_id))!;
    const point = (await findTaskPathPoint(tx, me.tenantId, { occurrenceKey: task.occurrence_key }))?.point ?? null;
    if (!plan.methods.includes(input.channel) && point?.method !== input.channel)
      throw invalidField('body.channel', `the plan does not use ${input.channel}`);
    const surveyId = point?.surveyId ?? plan.surveyId;
    if (input.answers && Object.values(input.answers).some((v) => v !== null) && !surveyId)
      throw invalidField('body.answers', 'this task has no questionnaire');
    const isConnected = (CONNECTED_OUTCOMES as readonly string[]).includes(input.outcome);
    const attempts = Number(task.attempts) + 1;
    const reached = Number(task.reached_attempts) + (isConnected ? 1 : 0);
    let state: 'done' | 'follow_up' | 'pending' | 'failed';
    let nextAttemptAt: Date | null = null;
    if (isConnected) state = input.nextAction === 'continue' || input.nextAction === 'escalate' ? 'follow_up' : 'done';
    else if (attempts >= plan.maxAttempts) state = 'failed';
    else {
      state = reached > 0 ? 'follow_up' : 'pending';
      nextAttemptAt = nextContactableAt(new Date(now.getTime() + plan.retryHours * 3_600_000), gen.timeZone, plan);
    }
    const closed = state === 'done' || state === 'failed';
    const [attempt] = (
      await tx.execute<{ id: string }>(sql`
        insert into followup_attempts (tenant_id, task_id, plan_id, customer_id, unit_id, by_user_id, at, channel, reached_whom, contact_name, outcome, notes,
                                       satisfaction, answers, is_abnormal, abnormal_note, next_action, next_followup_date)
        values (${me.tenantId}, ${id}, ${task.plan_id}, ${task.customer_id}, ${task.unit_id}, ${me.userId}, ${now}, ${input.channel}, ${isConnected ? (input.reachedWhom ?? null) : null},
                ${input.contactName ?? null}, ${input.outcome}, ${input.notes ?? null}, ${input.satisfaction ?? null}, ${input.answers ? JSON.stringify(input.answers) : null}::jsonb,
                ${input.isAbnormal}, ${input.abnormalNote ?? null}, ${input.nextAction}, ${input.nextFollowupDate ?? null}::date)
        returning id`)
    ).rows;
    const attemptId = attempt!.id;
    // The contact ledger the contact policy counts (every attempt is a contact, reached or not).
    await tx.execute(
      sql`insert into contact_events (tenant_id, customer_id, at, channel, ref_type, ref_id) values (${me.tenantId}, ${task.customer_id}, ${now}, ${input.channel}, 'followup_attempt', ${attemptId})`,
    );
    // The questionnaire's answers are a response of that survey (the surveys module stores and scores them, so they
    // count in its results); the call's evaluation carries the same dimension scores, and its overall score is the
    // agent's satisfaction or else the response's.
    const given = Object.fromEntries(
      Object.entries(input.answers ?? {}).filter((x): x is [string, TAnswerValue] => x[1] !== null),
    );
    const response =
      surveyId && Object.keys(given).length
        ? await storeFollowupResponse(tx, {
            tenantId: me.tenantId,
            surveyId,
            answers: given,
            unitId: task.unit_id,
            customerId: task.customer_id,
            agentId: me.userId,
            attemptId,
            now,
          })
        : null;
    let evaluationId: string | null = null;
    if (input.satisfaction != null || response) {
      const score = input.satisfaction ?? response?.score ?? null;
      const ev = await recordEvaluation(tx, {
        tenantId: me.tenantId,
        channel: 'followup',
        occurredAt: now,
        unitId: task.unit_id,
        staffId: me.userId,
        customerId: task.customer_id,
        serviceRecordId: task.service_record_id,
        refType: 'followup_task',
        refId: id,
        sourceType: 'user',
        sourceId: me.userId,
        score,
        dimensions: response?.dimensions ?? {},
        answers: response
          ? {
              surveyId: response.surveyId,
              version: response.version,
              responseId: response.responseId,
              attemptId,
              answers: given,
            }
          : null,
        text: [input.notes, response?.text].filter(Boolean).join('\n') || null,
        // A ticket's close-the-loop call (rules.ts createTicketCallbackTask): its result answers the ticket's callback.
        flags: [
          ...(input.isAbnormal ? ['abnormal'] : []),
          ...(task.occurrence_key.startsWith(TICKET_CALLBACK_KEY_PREFIX) ? ['ticket_callback'] : []),
        ],
        idempotencyKey: `followup_attempt:${attemptId}`,
      });
      evaluationId = ev.id;
      await tx.execute(
        sql`update followup_attempts set evaluation_id = ${evaluationId} where tenant_id = ${me.tenantId} and id = ${attemptId}`,
      );
      // A negative call is alerted by the evaluation event (notifications/evaluation-alerts.ts).
    }
    await tx.execute(sql`
      update followup_tasks set state = ${state}, attempts = ${attempts}, reached_attempts = ${reached}, last_outcome = ${input.outcome},
        satisfaction = coalesce(${input.satisfaction ?? null}::smallint, satisfaction), executed_by = ${me.userId}, claimed_by = null, claimed_at = null,
        next_attempt_at = ${nextAttemptAt}, completed_at = ${closed ? now : null}, updated_at = ${now}
      where tenant_id = ${me.tenantId} and id = ${id}`);
    await insertTaskEvent(tx, {
      tenantId: me.tenantId,
      taskId: id,
      kind: 'attempted',
      at: now,
      actorId: me.userId,
      fromState: 'in_progress',
      toState: state,
      data: { attemptId, outcome: input.outcome },
    });
    if (state === 'done')
      await insertTaskEvent(tx, {
        tenantId: me.tenantId,
        taskId: id,
        kind: 'completed',
        at: now,
        actorId: me.userId,
        fromState: 'in_progress',
        toState: 'done',
      });
    if (state === 'failed')
      await insertTaskEvent(tx, {
        tenantId: me.tenantId,
        taskId: id,
        kind: 'failed',
        at: now,
        actorId: me.userId,
        fromState: 'in_progress',
        toState: 'failed',
        data: { reason: 'max_attempts' },
      });
    const [cust] = (
      await tx.execute<{ name: string; owner_id: string | null }>(
        sql`select name, owner_id from customers where id = ${task.customer_id}`,
      )
    ).rows;
    const who = maskName(cust?.name ?? '');
    if (input.isAbnormal || input.nextAction === 'escalate') {
      const people = await responsiblePeople(tx, me.tenantId, task.unit_id, cust?.owner_id ?? null, me.userId);
      if (input.nextAction === 'escalate')
        await insertTaskEvent(tx, {
          tenantId: me.tenantId,
          taskId: id,
          kind: 'escalated',
          at: now,
          actorId: me.userId,
          data: { to: people },
        });
      await notifyStaff(tx, {
        tenantId: me.tenantId,
        userIds: people,
        kind: input.isAbnormal ? 'followup.abnormal' : 'followup.escalated',
        title: input.isAbnormal ? `回访发现异常: 客户 ${who}` : `回访升级: 客户 ${who}`,
        body: input.abnormalNote ?? input.notes ?? null,
        link: `/followup/tasks?taskId=${id}`,
        at: now,
      });
    }
    // 下次回访: an explicit date, or the plan's interval after completion; created once (key next:<task>).
    const nextDate =
      input.nextFollowupDate ??
      (state === 'done' && plan.nextFollowupDays ? addDays(gen.today, plan.nextFollowupDays) : null);
    let nextTaskCreated = 0;
    if (nextDate && plan.status === 'active') {
      nextTaskCreated = await generateTasks(tx, plan, gen, {
        customerId: task.customer_id,
        occurrenceKey: `next:${id}`,
        dueDate: nextDate,
        dueUntilDate: addDays(nextDate, plan.dueDays),
        sourceTaskId: id,
        ignoreGap: true,
      });
    }
    await insertAuditEvent(
      tx,
      ctx,
      {
        action: 'followup_task.attempt_recorded',
        entityType: 'followup_task',
        entityId: id,
        unitId: task.unit_id,
        summary: `回访客户 ${who}: ${input.outcome}`,
        after: { outcome: input.outcome, state },
      },
      now,
    );
    return { state, attemptId, evaluationId, nextTaskCreated: nextTaskCreated > 0 };
  });
}

/** The full phone number of the task's customer, for the agent who holds or is assigned the task (audited). */
export async function revealTaskPhone(deps: TDeps, me: TScope, ctx: TAuditCtx, id: string, index: number) {
  const row = await findTaskRow(deps.db, me, id);
  if (!row || (row.assignee_id !== me.userId && row.claimed_by !== me.userId)) throw notFound('task');
  const value = row.phones[index] ?? null;
  await insertAuditEvent(
    deps.db,
    ctx,
    {
      action: 'customer.pii_revealed',
      entityType: 'customer',
      entityId: row.customer_id,
      unitId: row.unit_id,
      summary: `回访查看客户 ${maskName(row.customer_name)} 的完整电话`,
      after: { field: 'phone', index, taskId: id },
    },
    deps.clock.now(),
  );
  return { field: 'phone' as const, value };
}

/** Bulk reassign open tasks of the caller's units; others are reported, not touched. */
export async function reassignTasks(
  deps: TDeps,
  scope: TScope,
  ctx: TAuditCtx,
  input: { taskIds: string[]; assigneeId: string },
) {
  const assignee = await findVisibleUser(deps.db, scope, input.assigneeId);
  if (!assignee) throw unknownRef('body.assigneeId', 'user');
  if (!assignee.user.isActive) throw invalidField('body.assigneeId', 'the user is disabled');
  const asked = [...new Set(input.taskIds)];
  const now = deps.clock.now();
  return deps.db.transaction(async (tx) => {
    const visible = await tx.execute<{ id: string; state: string }>(
      sql`select t.id, t.state from followup_tasks t where t.tenant_id = ${scope.tenantId} and ${unitVisible(scope, sql`t.unit_id`)} and t.id = any(${pgArray(asked, 'uuid')}) for update`,
    );
    const open = visible.rows.filter((r) => ['pending', 'in_progress', 'follow_up'].includes(r.state));
    if (open.length) {
      const ids = open.map((r) => r.id);
      await tx.execute(sql`
        with u as (
          update followup_tasks t set assignee_id = ${input.assigneeId}, claimed_by = null, claimed_at = null,
            state = case when t.state = 'in_progress' then (case when t.reached_attempts > 0 then 'follow_up' else 'pending' end) else t.state end, updated_at = ${now}
          from (select id, assignee_id as old_assignee, state as old_state from followup_tasks where tenant_id = ${scope.tenantId} and id = any(${pgArray(ids, 'uuid')})) o
          where t.tenant_id = ${scope.tenantId} and t.id = o.id returning t.id, t.state, o.old_state, o.old_assignee)
        insert into followup_task_events (tenant_id, task_id, kind, at, actor_id, from_state, to_state, data)
        select ${scope.tenantId}::uuid, u.id, 'reassigned', ${now}::timestamptz, ${scope.userId}::uuid, u.old_state, u.state, jsonb_build_object('from', u.old_assignee, 'to', ${input.assigneeId}::uuid) from u`);
      await insertAuditEvent(
        tx,
        ctx,
        {
          action: 'followup_task.reassigned',
          entityType: 'followup_task',
          entityId: null,
          unitId: scope.unitId,
          summary: `转派 ${ids.length} 个回访任务给 ${assignee.user.displayName}`,
          after: { taskIds: ids, assigneeId: input.assigneeId },
        },
        now,
      );
    }
    return {
      reassigned: open.length,
      notFound: asked.length - visible.rows.length,
      skipped: visible.rows.length - open.length,
    };
  });
}

/** Cancel an open task, or reopen a closed one (supervisor). */
export async function changeTaskState(
  deps: TDeps,
  scope: TScope,
  ctx: TAuditCtx,
  id: string,
  action: 'cancel' | 'reopen',
  reason: string | null,
) {
  const now = deps.clock.now();
  return deps.db.transaction(async (tx) => {
    const [row] = (
      await tx.execute<{ state: string; unit_id: string }>(
        sql`select t.state, t.unit_id from followup_tasks t where t.tenant_id = ${scope.tenantId} and ${unitVisible(scope, sql`t.unit_id`)} and t.id = ${id} for update`,
      )
    ).rows;
    if (!row) throw notFound('task');
    const isOpen = ['pending', 'in_progress', 'follow_up'].includes(row.state);
    if (action === 'cancel' && !isOpen) throw new AppError('CONFLICT', `a ${row.state} task cannot be cancelled`);
    if (action === 'reopen' && isOpen) throw new AppError('CONFLICT', 'the task is still open');
    const to = action === 'cancel' ? 'cancelled' : 'pending';
    await tx.execute(sql`update followup_tasks set state = ${to}, claimed_by = null, claimed_at = null, completed_at = null, updated_at = ${now},
      attempts = case when ${action} = 'reopen' then 0 else attempts end where tenant_id = ${scope.tenantId} and id = ${id}`);
    await insertTaskEvent(tx, {
      tenantId: scope.tenantId,
      taskId: id,
      kind: action === 'cancel' ? 'cancelled' : 'reopened',
      at: now,
      actorId: scope.userId,
      fromState: row.state,
      toState: to,
      data: reason ? { reason } : undefined,
    });
    await insertAuditEvent(
      tx,
      ctx,
      {
        action: action === 'cancel' ? 'followup_task.cancelled' : 'followup_task.reopened',
        entityType: 'followup_task',
        entityId: id,
        unitId: row.unit_id,
        summary: `${action === 'cancel' ? '取消' : '重新打开'}回访任务`,
        after: { reason },
      },
      now,
    );
    return { ok: true as const };
  });
}

const OPEN = ['pending', 'in_progress', 'follow_up'];

/**
 * Cancel or reopen many tasks at once (supervisor), all or nothing, in one transaction:
 * - any id not a task of the caller's units → 404 for the whole request (which ones is not said: ids outside the
 *   scope are not confirmed to exist), nothing changed;
 * - any task whose state does not allow the action (cancel: only open tasks; reopen: only closed ones) → 409 listing
 *   them (details: body.taskIds.<index> with the id and its state), nothing changed;
 * - else every task changes with its own log entry (cancelled / reopened, from → to, reason) and the request writes ONE
 *   audit row naming all of them.
 */
export async function bulkChangeTaskState(
  deps: TDeps,
  scope: TScope,
  ctx: TAuditCtx,
  action: 'cancel' | 'reopen',
  input: TBulkTaskActionInput,
) {
  const ids = [...new Set(input.taskIds)];
  const reason = input.reason ?? null;
  const now = deps.clock.now();
  return deps.db.transaction(async (tx) => {
    const rows = (
      await tx.execute<{ id: string; state: string }>(
        sql`select t.id, t.state from followup_tasks t where t.tenant_id = ${scope.tenantId} and ${unitVisible(scope, sql`t.unit_id`)} and t.id = any(${pgArray(ids, 'uuid')}) order by t.id for update`,
      )
    ).rows;
    if (rows.length < ids.length) throw unknownRef('body.taskIds', 'task');
    const wrong = rows.filter((r) => (action === 'cancel' ? !OPEN.includes(r.state) : OPEN.includes(r.state)));
    if (wrong.length) {
      throw new AppError(
        'CONFLICT',
        `${wrong.length} of ${ids.length} tasks cannot be ${action === 'cancel' ? 'cancelled' : 'reopened'}; nothing was changed`,
        {
          details: wrong.map((r) => ({
            path: `body.taskIds.${input.taskIds.indexOf(r.id)}`,
            message: `${r.id}: ${r.state}`,
          })),
        },
      );
    }
    const to = action === 'cancel' ? 'cancelled' : 'pending';
    await tx.execute(sql`
      with u as (
        update followup_tasks t set state = ${to}, claimed_by = null, claimed_at = null, completed_at = null, updated_at = ${now},
          attempts = case when ${action} = 'reopen' then 0 else t.attempts end
        from (select id, state as old_state from followup_tasks where tenant_id = ${scope.tenantId} and id = any(${pgArray(ids, 'uuid')})) o
        where t.tenant_id = ${scope.tenantId} and t.id = o.id returning t.id, o.old_state)
      insert into followup_task_events (tenant_id, task_id, kind, at, actor_id, from_state, to_state, data)
      select ${scope.tenantId}::uuid, u.id, ${action === 'cancel' ? 'cancelled' : 'reopened'}, ${now}::timestamptz, ${scope.userId}::uuid, u.old_state, ${to},
             ${reason === null ? null : JSON.stringify({ reason, bulk: true })}::jsonb from u`);
    await insertAuditEvent(
      tx,
      ctx,
      {
        action: action === 'cancel' ? 'followup_task.bulk_cancelled' : 'followup_task.bulk_reopened',
        entityType: 'followup_task',
        entityId: null,
        unitId: scope.unitId,
        summary: `批量${action === 'cancel' ? '取消' : '重新打开'} ${ids.length} 个回访任务`,
        after: { taskIds: ids, reason },
      },
      now,
    );
    return { changed: ids.length };
  });
}
