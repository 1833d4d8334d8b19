import { sql, type SQL } from 'drizzle-orm';
import { maskPhone, type TTask, type TTaskListQuery, type TTaskSummary } from '@huifang/shared';
import type { DbOrTx } from '../../../db/client.ts';
import { invalidField } from '../../../lib/app-error.ts';
import { unitVisible, type TScope } from '../../../lib/scope.ts';

/**
 * Which tasks a caller sees: always those assigned to, claimed or executed by them, and unassigned tasks of their
 * own unit's team; with a unit/subtree/tenant scope also every task of a visible unit (the supervisor view).
 */
export function taskVisible(scope: TScope, alias = 't'): SQL {
  const t = sql.raw(alias);
  const mine = sql`(${t}.assignee_id = ${scope.userId} or ${t}.claimed_by = ${scope.userId} or ${t}.executed_by = ${scope.userId}
    or (${t}.assignee_id is null and ${t}.team_unit_id = ${scope.unitId}))`;
  if (scope.dataScope === 'own') return sql`${t}.tenant_id = ${scope.tenantId} and ${mine}`;
  return sql`${t}.tenant_id = ${scope.tenantId} and (${mine} or ${unitVisible(scope, sql`${t}.unit_id`)})`;
}

/** How long after a task is closed its agent may still open the customer's card (to look back at the call). */
export const HELD_TASK_READ_DAYS = 30;

/**
 * "The customer of a follow-up task the user holds": a task assigned to, claimed by or worked by the user (a team
 * task once claimed: nobody else in the unit gains anything), that is open or was closed (done / failed) within
 * HELD_TASK_READ_DAYS. A cancelled task grants nothing. Read access only: the customers module uses it for the card and the timeline, so an
 * agent whose own scope holds no customers can open the customer of their task — masked, as always.
 */
export function heldTaskCustomer(scope: TScope, customerId: SQL | string, now: Date): SQL {
  const since = new Date(now.getTime() - HELD_TASK_READ_DAYS * 86_400_000);
  return sql`exists (select 1 from followup_tasks ht where ht.tenant_id = ${scope.tenantId} and ht.customer_id = ${customerId}
    and (ht.assignee_id = ${scope.userId} or ht.claimed_by = ${scope.userId} or ht.executed_by = ${scope.userId})
    and (ht.state in ('pending', 'in_progress', 'follow_up') or (ht.state in ('done', 'failed') and ht.completed_at >= ${since})))`;
}

export type TTaskRow = {
  id: string;
  plan_id: string;
  plan_name: string;
  topic: string;
  customer_id: string;
  customer_name: string;
  phones: string[];
  unit_id: string;
  unit_name: string;
  assignee_id: string | null;
  assignee_name: string | null;
  team_unit_id: string | null;
  claimed_by: string | null;
  claimed_by_name: string | null;
  executed_by: string | null;
  state: TTask['state'];
  due_from: Date | string;
  due_until: Date | string;
  next_attempt_at: Date | string | null;
  attempts: number;
  max_attempts: number;
  last_outcome: string | null;
  satisfaction: number | null;
  occurrence_key: string;
  completed_at: Date | string | null;
  created_at: Date | string;
  service_record_id: string | null;
  escalated_at: Date | string | null;
  priority: number | null;
};

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

export function toTaskDto(r: TTaskRow, now: Date): TTask {
  const open = r.state === 'pending' || r.state === 'in_progress' || r.state === 'follow_up';
  return {
    id: r.id,
    planId: r.plan_id,
    planName: r.plan_name,
    topic: r.topic as TTask['topic'],
    customerId: r.customer_id,
    customerName: r.customer_name,
    customerPhone: r.phones[0] ? maskPhone(r.phones[0]) : null,
    unitId: r.unit_id,
    unitName: r.unit_name,
    assigneeId: r.assignee_id,
    assigneeName: r.assignee_name,
    teamUnitId: r.team_unit_id,
    claimedBy: r.claimed_by,
    claimedByName: r.claimed_by_name,
    executedBy: r.executed_by,
    state: r.state,
    dueFrom: iso(r.due_from)!,
    dueUntil: iso(r.due_until)!,
    nextAttemptAt: iso(r.next_attempt_at),
    attempts: Number(r.attempts),
    maxAttempts: Number(r.max_attempts),
    lastOutcome: r.last_outcome,
    satisfaction: r.satisfaction === null ? null : Number(r.satisfaction),
    isOverdue: open && new Date(r.due_until).getTime() < now.getTime(),
    escalatedAt: iso(r.escalated_at),
    occurrenceKey: r.occurrence_key,
    priority: r.priority === null ? null : Number(r.priority),
    completedAt: iso(r.completed_at),
    createdAt: iso(r.created_at)!,
  };
}

/**
 * A field of a path task's time point (`t` = followup_tasks), read from the version its record was instantiated with;
 * null for other tasks. CASE, not OR, so that the uuid cast only ever sees path keys (`path:<record>:<point no>`).
 */
const pointField = (field: 'method' | 'priority') => `(case when t.occurrence_key like 'path:%' then (
    select v.points -> (split_part(t.occurrence_key, ':', 3)::int - 1) ->> '${field}'
    from followup_path_instances pi join followup_path_versions v on v.tenant_id = pi.tenant_id and v.id = pi.version_id
    where pi.tenant_id = t.tenant_id and pi.service_record_id = split_part(t.occurrence_key, ':', 2)::uuid) end)`;
export const pathPointFieldSql = (field: 'method' | 'priority') => sql.raw(pointField(field));
/** A path task's time-point priority (1 = most urgent … 5); null for other tasks. */
const PRIORITY = `(${pointField('priority')})::int`;

const SELECT = sql`select t.id, t.plan_id, p.name as plan_name, p.topic, t.customer_id, c.name as customer_name, c.phones, t.unit_id, ou.name as unit_name,
    t.assignee_id, ua.display_name as assignee_name, t.team_unit_id, t.claimed_by, uc.display_name as claimed_by_name, t.executed_by, t.state,
    t.due_from, t.due_until, t.next_attempt_at, t.attempts, p.max_attempts, t.last_outcome, t.satisfaction, t.occurrence_key, t.completed_at,
    t.created_at, t.service_record_id,
    (select max(e.at) from followup_task_events e where e.tenant_id = t.tenant_id and e.task_id = t.id and e.kind = 'escalated') as escalated_at,
    ${sql.raw(PRIORITY)} as priority
  from followup_tasks t
  join followup_plans p on p.tenant_id = t.tenant_id and p.id = t.plan_id
  join customers c on c.id = t.customer_id
  join org_units ou on ou.id = t.unit_id
  left join users ua on ua.id = t.assignee_id
  left join users uc on uc.id = t.claimed_by`;

/** The plan of a task (the method filter reads its methods). */
const PLAN_JOIN = sql`join followup_plans p on p.tenant_id = t.tenant_id and p.id = t.plan_id`;

/** Sort columns; `priority` puts path tasks by their point's priority among the others (which count as the default 3). */
const SORTS: Record<string, string> = {
  dueFrom: 't.due_from',
  dueUntil: 't.due_until',
  createdAt: 't.created_at',
  state: 't.state',
  priority: `coalesce(${PRIORITY}, 3)`,
};

/** Instants of the list's bounds: now, the end of today, and the `from`/`to` days (local midnight → midnight). */
export interface TTaskBounds {
  now: Date;
  endOfToday: Date;
  dueFrom?: Date;
  dueBefore?: Date;
}

function taskConditions(scope: TScope, q: TTaskListQuery, bounds: TTaskBounds): SQL {
  const conds: SQL[] = [taskVisible(scope)];
  if (q.unitId)
    conds.push(
      sql`t.unit_id in (select ou.id from org_units ou where ou.tenant_id = ${scope.tenantId} and ou.path like (select p.path from org_units p where p.tenant_id = ${scope.tenantId} and p.id = ${q.unitId}) || '%')`,
    );
  if (bounds.dueFrom) conds.push(sql`t.due_from >= ${bounds.dueFrom}`);
  if (bounds.dueBefore) conds.push(sql`t.due_from < ${bounds.dueBefore}`);
  if (q.view === 'mine')
    conds.push(
      sql`(t.assignee_id = ${scope.userId} or t.claimed_by = ${scope.userId} or (t.assignee_id is null and t.team_unit_id = ${scope.unitId}))`,
    );
  const open = sql`t.state in ('pending', 'in_progress', 'follow_up')`;
  if (q.bucket === 'today')
    conds.push(sql`${open} and t.due_from < ${bounds.endOfToday} and t.due_until >= ${bounds.now}`);
  if (q.bucket === 'overdue') conds.push(sql`${open} and t.due_until < ${bounds.now}`);
  if (q.bucket === 'upcoming') conds.push(sql`${open} and t.due_from >= ${bounds.endOfToday}`);
  if (q.bucket === 'open') conds.push(open);
  if (q.state) conds.push(sql`t.state = ${q.state}`);
  if (q.planId) conds.push(sql`t.plan_id = ${q.planId}`);
  if (q.assigneeId) conds.push(sql`t.assignee_id = ${q.assigneeId}`);
  if (q.customerId) conds.push(sql`t.customer_id = ${q.customerId}`);
  if (q.q) {
    // A phone fragment (digits and phone punctuation only, 3+ digits) searches the stored digits (trigram index),
    // anything else the name: an agent types either from a call or a note.
    const digits = q.q.replace(/\D/g, '');
    if (digits.length >= 3 && /^[\d\s()+-]+$/.test(q.q)) conds.push(sql`c.phone_digits like ${'%' + digits + '%'}`);
    else conds.push(sql`c.name ilike ${'%' + q.q.replace(/[\\%_]/g, (ch) => `\\${ch}`) + '%'}`);
  }
  if (q.method)
    conds.push(
      sql`(case when t.occurrence_key like 'path:%' then ${pathPointFieldSql('method')} = ${q.method} else ${q.method} = any(p.methods) end)`,
    );
  return sql.join(conds, sql` and `);
}

export async function listTaskRows(db: DbOrTx, scope: TScope, q: TTaskListQuery, bounds: TTaskBounds) {
  const where = taskConditions(scope, q, bounds);
  let order = sql`t.due_from asc, t.id asc`;
  if (q.sort) {
    const desc = q.sort.startsWith('-');
    const col = SORTS[desc ? q.sort.slice(1) : q.sort];
    if (!col)
      throw invalidField('querystring.sort', `cannot sort by ${q.sort}; allowed: ${Object.keys(SORTS).join(', ')}`);
    order = sql`${sql.raw(col)} ${sql.raw(desc ? 'desc' : 'asc')}, t.due_from asc, t.id asc`;
  }
  const [rows, count] = await Promise.all([
    db.execute<TTaskRow>(
      sql`${SELECT} where ${where} order by ${order} limit ${q.pageSize} offset ${(q.page - 1) * q.pageSize}`,
    ),
    db.execute<{ n: number }>(
      sql`select count(*)::int as n from followup_tasks t join customers c on c.id = t.customer_id ${PLAN_JOIN} where ${where}`,
    ),
  ]);
  return { rows: rows.rows, total: Number(count.rows[0]?.n ?? 0) };
}

export async function findTaskRow(db: DbOrTx, scope: TScope, id: string): Promise<TTaskRow | null> {
  const res = await db.execute<TTaskRow>(sql`${SELECT} where ${taskVisible(scope)} and t.id = ${id}`);
  return res.rows[0] ?? null;
}

export async function insertTaskEvent(
  db: DbOrTx,
  e: {
    tenantId: string;
    taskId: string;
    kind: string;
    at: Date;
    actorId: string | null;
    fromState?: string | null;
    toState?: string | null;
    data?: unknown;
  },
) {
  await db.execute(sql`insert into followup_task_events (tenant_id, task_id, kind, at, actor_id, from_state, to_state, data)
    values (${e.tenantId}, ${e.taskId}, ${e.kind}, ${e.at}, ${e.actorId}, ${e.fromState ?? null}, ${e.toState ?? null}, ${e.data === undefined ? null : JSON.stringify(e.data)}::jsonb)`);
}

/**
 * Counts by state and by assignee over exactly the list's filters (state, bucket, plan, assignee, customer, search):
 * the figures above the supervisor's table describe the rows in it. One pass.
 */
export async function summarizeTaskRows(
  db: DbOrTx,
  scope: TScope,
  q: TTaskListQuery,
  bounds: TTaskBounds,
): Promise<TTaskSummary> {
  const where = taskConditions(scope, q, bounds);
  const open = sql`t.state in ('pending', 'in_progress', 'follow_up')`;
  const res = await db.execute<{
    gs: number;
    ga: number;
    state: string | null;
    assignee_id: string | null;
    assignee_name: string | null;
    n: number;
    open: number;
    overdue: number;
    done: number;
  }>(sql`
    select grouping(t.state) as gs, grouping(t.assignee_id) as ga, t.state, t.assignee_id, max(u.display_name) as assignee_name, count(*)::int as n,
      count(*) filter (where ${open})::int as open, count(*) filter (where ${open} and t.due_until < ${bounds.now})::int as overdue,
      count(*) filter (where t.state = 'done')::int as done
    from followup_tasks t join customers c on c.id = t.customer_id ${PLAN_JOIN} left join users u on u.id = t.assignee_id
    where ${where}
    group by grouping sets ((), (t.state), (t.assignee_id))`);
  const total = res.rows.find((r) => Number(r.gs) === 1 && Number(r.ga) === 1);
  const byState: Record<string, number> = {};
  for (const r of res.rows) if (Number(r.gs) === 0 && r.state) byState[r.state] = Number(r.n);
  return {
    total: Number(total?.n ?? 0),
    overdue: Number(total?.overdue ?? 0),
    byState,
    byAssignee: res.rows
      .filter((r) => Number(r.ga) === 0)
      .map((r) => ({
        assigneeId: r.assignee_id,
        assigneeName: r.assignee_name,
        total: Number(r.n),
        open: Number(r.open),
        overdue: Number(r.overdue),
        done: Number(r.done),
      }))
      .sort((a, b) => b.total - a.total),
  };
}
