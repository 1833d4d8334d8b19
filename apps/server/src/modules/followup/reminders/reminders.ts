import { sql } from 'drizzle-orm';
import { maskName } from '@huifang/shared';
import type { Db, DbOrTx } from '../../../db/client.ts';
import { notifications } from '../../../db/schema/index.ts';
import type { TClock } from '../../../lib/clock.ts';
import { tenantTimeZones } from '../../../lib/time.ts';
import { enqueueMessages, type TNewMessage } from '../../messaging/outbox.repository.ts';
import { localDate, localParts } from '../../policy/calendar.ts';

type TDeps = { db: Db; clock: TClock };

/** Task states that still expect work: only these are reminded or escalated (done / failed / cancelled never). */
const OPEN_STATES = sql`('pending', 'in_progress', 'follow_up')`;

export type TReminderKind = 'due' | 'overdue' | 'escalation';

export interface TReminderResult {
  tenants: number;
  due: number;
  overdue: number;
  escalated: number;
  notifications: number;
  emails: number;
}

/** One task the statement just logged a reminder / escalation for, with what the message needs. */
interface TRemindedRow extends Record<string, unknown> {
  task_id: string;
  unit_id: string;
  user_id: string | null;
  email: string | null;
  remind_by_email: boolean;
  customer_name: string;
  plan_name: string;
  due_until: string | Date;
}

const CHUNK = 1000;

/**
 * The `followup-reminders` job (every 15 minutes; idempotent). Per tenant, in one transaction:
 * - `due`: a task whose window has opened (due_from ≤ now < due_until) reminds its person (assignee, else whoever
 *   claimed it) once;
 * - `overdue`: a task past due_until reminds its person once;
 * - team tasks nobody has claimed (no assignee, team_unit_id set) are reminded due / overdue once per task and kind
 *   to the team's members with followup:work (no such member: the team's supervisors);
 * - `escalation`: a task overdue by more than its plan's `escalate_after_days` escalates once to the supervisors —
 *   the users holding followup:manage at the nearest level at or above the task's unit (not the admin role, not the
 *   assignee).
 * Each is ONE `INSERT … SELECT … ON CONFLICT DO NOTHING RETURNING` into followup_task_events: the partial unique index
 * followup_task_events_reminder_uq (tenant, task, data->>'reminder') is what makes every reminder once-only, also
 * with two workers at once. (Deliberately no NOT EXISTS beside it: a correlated anti-join planned on stale statistics
 * became a nested loop over the growing event table — 82 s for 100k tasks; the arbiter index probe stays linear.) Notifications (and, where the plan enables `remind_by_email` and the user has an
 * address, e-mail through the outbox) are then written in bulk for the returned rows, in the same transaction.
 * due_from / due_until are instants computed in the tenant's time zone at generation, so "due today in Shanghai"
 * holds while UTC is still on the previous day; the messages show local dates of the tenant.
 */
export async function runFollowupReminders(deps: TDeps, opts: { tenantId?: string } = {}): Promise<TReminderResult> {
  const now = deps.clock.now();
  const ids = await deps.db.execute<{ id: string }>(
    opts.tenantId ? sql`select id from tenants where id = ${opts.tenantId}` : sql`select id from tenants`,
  );
  const zones = await tenantTimeZones(
    deps.db,
    ids.rows.map((r) => r.id),
  );
  const tenants = [...zones].map(([id, time_zone]) => ({ id, time_zone }));
  const total: TReminderResult = {
    tenants: tenants.length,
    due: 0,
    overdue: 0,
    escalated: 0,
    notifications: 0,
    emails: 0,
  };
  for (const tenant of tenants) {
    await deps.db.transaction(async (tx) => {
      for (const kind of ['due', 'overdue'] as const) {
        const rows = await logReminders(tx, tenant.id, kind, now);
        total[kind] += rows.length;
        const r = await deliver(tx, tenant, kind, now, rows);
        total.notifications += r.notifications;
        total.emails += r.emails;
        // Team tasks nobody has claimed: the same once-only log entry per task and kind, to the team's members.
        const team = await logTeamReminders(tx, tenant.id, kind, now);
        total[kind] += team.length;
        const rt = await deliver(tx, tenant, kind, now, await fanOutToTeam(tx, tenant.id, team));
        total.notifications += rt.notifications;
        total.emails += rt.emails;
      }
      const esc = await logEscalations(tx, tenant.id, now);
      total.escalated += esc.length;
      total.notifications += await deliverEscalations(tx, tenant, now, esc);
    });
  }
  return total;
}

/** Log the due / overdue reminders not yet logged; returns the newly logged ones with their recipient. */
async function logReminders(tx: DbOrTx, tenantId: string, kind: 'due' | 'overdue', now: Date): Promise<TRemindedRow[]> {
  const window = kind === 'due' ? sql`t.due_from <= ${now} and t.due_until > ${now}` : sql`t.due_until <= ${now}`;
  const res = await tx.execute<TRemindedRow>(sql`
    with ins as (
      insert into followup_task_events (tenant_id, task_id, kind, at, actor_id, data)
      select t.tenant_id, t.id, 'reminded', ${now}, null,
             jsonb_build_object('reminder', ${kind}::text, 'userId', coalesce(t.assignee_id, t.claimed_by))
      from followup_tasks t
      join users u on u.id = coalesce(t.assignee_id, t.claimed_by) and u.is_active
      where t.tenant_id = ${tenantId} and t.state in ${OPEN_STATES} and ${window}
      on conflict do nothing
      returning task_id, data
    )
    select ins.task_id, t.unit_id, (ins.data ->> 'userId')::uuid as user_id, u.email, p.remind_by_email,
           c.name as customer_name, p.name as plan_name, t.due_until
    from ins
    join followup_tasks t on t.tenant_id = ${tenantId} and t.id = ins.task_id
    join followup_plans p on p.tenant_id = t.tenant_id and p.id = t.plan_id
    join users u on u.id = (ins.data ->> 'userId')::uuid
    left join customers c on c.id = t.customer_id`);
  return res.rows;
}

/**
 * Log the due / overdue reminders of TEAM tasks not yet logged: no assignee, nobody claimed them, a team unit set
 * (round-robin found nobody, the owner left…). One log entry per task and kind (the same unique index as personal
 * reminders — so a team task later claimed is not reminded "due" a second time); the recipients are resolved after.
 */
async function logTeamReminders(
  tx: DbOrTx,
  tenantId: string,
  kind: 'due' | 'overdue',
  now: Date,
): Promise<TRemindedRow[]> {
  const window = kind === 'due' ? sql`t.due_from <= ${now} and t.due_until > ${now}` : sql`t.due_until <= ${now}`;
  const res = await tx.execute<TRemindedRow>(sql`
    with ins as (
      insert into followup_task_events (tenant_id, task_id, kind, at, actor_id, data)
      select t.tenant_id, t.id, 'reminded', ${now}, null, jsonb_build_object('reminder', ${kind}::text, 'teamUnitId', t.team_unit_id)
      from followup_tasks t
      where t.tenant_id = ${tenantId} and t.state in ${OPEN_STATES} and ${window}
        and t.assignee_id is null and t.claimed_by is null and t.team_unit_id is not null
      on conflict do nothing
      returning task_id, data
    )
    select ins.task_id, (ins.data ->> 'teamUnitId')::uuid as unit_id, null::uuid as user_id, null::text as email, p.remind_by_email,
           c.name as customer_name, p.name as plan_name, t.due_until
    from ins
    join followup_tasks t on t.tenant_id = ${tenantId} and t.id = ins.task_id
    join followup_plans p on p.tenant_id = t.tenant_id and p.id = t.plan_id
    left join customers c on c.id = t.customer_id`);
  return res.rows;
}

/**
 * The people a team task's reminder goes to: the active members of the team unit who hold followup:work (they are
 * the ones who can claim it — a reminder to the supervisor alone would leave the work where it is); a team with no
 * such member falls back to its supervisors (followup:manage at the nearest level, as escalation), so that a team
 * task is never reminded to nobody. `unit_id` of the rows is the team unit.
 */
async function fanOutToTeam(tx: DbOrTx, tenantId: string, rows: TRemindedRow[]): Promise<TRemindedRow[]> {
  if (rows.length === 0) return [];
  const units = [...new Set(rows.map((r) => r.unit_id))];
  const members = await tx.execute<{ unit_id: string; user_id: string; email: string | null }>(sql`
    select distinct u.unit_id, u.id as user_id, u.email from users u
    join user_roles ur on ur.user_id = u.id join roles r on r.id = ur.role_id
    where u.tenant_id = ${tenantId} and u.is_active and u.unit_id in (${sql.join(
      units.map((id) => sql`${id}::uuid`),
      sql`, `,
    )})
      and 'followup:work' = any(r.permissions)`);
  const byUnit = new Map<string, { user_id: string; email: string | null }[]>();
  for (const m of members.rows) byUnit.set(m.unit_id, [...(byUnit.get(m.unit_id) ?? []), m]);
  const orphan = units.filter((u) => !byUnit.has(u));
  if (orphan.length) {
    const sups = await supervisorsOf(tx, tenantId, orphan);
    const emails = new Map(
      (
        await tx.execute<{ id: string; email: string | null }>(
          sql`select id, email from users where tenant_id = ${tenantId} and id in (${sql.join(
            [...new Set([...sups.values()].flat()), '00000000-0000-0000-0000-000000000000'].map(
              (id) => sql`${id}::uuid`,
            ),
            sql`, `,
          )})`,
        )
      ).rows.map((u) => [u.id, u.email]),
    );
    for (const [unit, ids] of sups)
      byUnit.set(
        unit,
        ids.map((id) => ({ user_id: id, email: emails.get(id) ?? null })),
      );
  }
  return rows.flatMap((r) => (byUnit.get(r.unit_id) ?? []).map((m) => ({ ...r, user_id: m.user_id, email: m.email })));
}

/** Log the escalations not yet logged (overdue by more than the plan's threshold). */
async function logEscalations(tx: DbOrTx, tenantId: string, now: Date): Promise<TRemindedRow[]> {
  const res = await tx.execute<TRemindedRow>(sql`
    with ins as (
      insert into followup_task_events (tenant_id, task_id, kind, at, actor_id, data)
      select t.tenant_id, t.id, 'escalated', ${now}, null,
             jsonb_build_object('reminder', 'escalation', 'afterDays', p.escalate_after_days)
      from followup_tasks t
      join followup_plans p on p.tenant_id = t.tenant_id and p.id = t.plan_id
      where t.tenant_id = ${tenantId} and t.state in ${OPEN_STATES}
        and t.due_until + make_interval(days => p.escalate_after_days) < ${now}
      on conflict do nothing
      returning task_id
    )
    select ins.task_id, t.unit_id, coalesce(t.assignee_id, t.claimed_by) as user_id, null::text as email, false as remind_by_email,
           c.name as customer_name, p.name as plan_name, t.due_until
    from ins
    join followup_tasks t on t.tenant_id = ${tenantId} and t.id = ins.task_id
    join followup_plans p on p.tenant_id = t.tenant_id and p.id = t.plan_id
    left join customers c on c.id = t.customer_id`);
  return res.rows;
}

/**
 * The supervisors of each unit: active users holding followup:manage (through a non-admin role) whose unit is the
 * unit or its nearest ancestor that has any — the pattern of notifications' findUnitManagers, for many units at once.
 */
export async function supervisorsOf(
  tx: DbOrTx,
  tenantId: string,
  unitIds: readonly string[],
): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  if (unitIds.length === 0) return out;
  const res = await tx.execute<{ unit_id: string; user_id: string }>(sql`
    with target as (select id, path from org_units where tenant_id = ${tenantId} and id in (${sql.join(
      unitIds.map((u) => sql`${u}::uuid`),
      sql`, `,
    )})),
    cand as (
      select distinct tg.id as unit_id, u.id as user_id, ou.depth
      from target tg
      join org_units ou on ou.tenant_id = ${tenantId} and tg.path like ou.path || '%'
      join users u on u.unit_id = ou.id and u.tenant_id = ${tenantId} and u.is_active
      join user_roles ur on ur.user_id = u.id
      join roles r on r.id = ur.role_id
      where 'followup:manage' = any(r.permissions) and r.key is distinct from 'admin'
    )
    select unit_id, user_id from cand c where depth = (select max(depth) from cand c2 where c2.unit_id = c.unit_id) order by unit_id, user_id`);
  for (const r of res.rows) out.set(r.unit_id, [...(out.get(r.unit_id) ?? []), r.user_id]);
  return out;
}

const TITLES: Record<TReminderKind, string> = {
  due: '回访任务已到期',
  overdue: '回访任务已逾期',
  escalation: '回访任务逾期升级',
};

function describe(row: TRemindedRow, timeZone: string): string {
  const until = new Date(row.due_until);
  const p = localParts(until, timeZone);
  return `客户 ${maskName(row.customer_name ?? '')} · ${row.plan_name} · 截止 ${localDate(until, timeZone)} ${String(p.hour).padStart(2, '0')}:${String(p.minute).padStart(2, '0')}`;
}

async function insertNotifications(tx: DbOrTx, rows: (typeof notifications.$inferInsert)[]): Promise<number> {
  for (let i = 0; i < rows.length; i += CHUNK) await tx.insert(notifications).values(rows.slice(i, i + CHUNK));
  return rows.length;
}

async function deliver(
  tx: DbOrTx,
  tenant: { id: string; time_zone: string },
  kind: 'due' | 'overdue',
  now: Date,
  rows: TRemindedRow[],
) {
  const notes: (typeof notifications.$inferInsert)[] = [];
  const mails: TNewMessage[] = [];
  for (const r of rows) {
    if (!r.user_id) continue;
    const body = describe(r, tenant.time_zone);
    const link = `/followup/tasks?taskId=${r.task_id}`;
    notes.push({
      tenantId: tenant.id,
      userId: r.user_id,
      kind: `followup.${kind}`,
      title: TITLES[kind],
      body,
      link,
      createdAt: now,
    });
    if (r.remind_by_email && r.email) {
      mails.push({
        tenantId: tenant.id,
        unitId: r.unit_id,
        channel: 'email',
        to: r.email,
        subject: `[慧访] ${TITLES[kind]}`,
        body: `${TITLES[kind]}：${body}\n请登录慧访处理：${link}`,
        refType: 'followup_task',
        refId: r.task_id,
      });
    }
  }
  const n = await insertNotifications(tx, notes);
  await enqueueMessages(tx, now, mails);
  return { notifications: n, emails: mails.length };
}

async function deliverEscalations(
  tx: DbOrTx,
  tenant: { id: string; time_zone: string },
  now: Date,
  rows: TRemindedRow[],
): Promise<number> {
  const sups = await supervisorsOf(tx, tenant.id, [...new Set(rows.map((r) => r.unit_id))]);
  const notes: (typeof notifications.$inferInsert)[] = [];
  for (const r of rows) {
    const body = describe(r, tenant.time_zone);
    for (const userId of sups.get(r.unit_id) ?? []) {
      if (userId === r.user_id) continue;
      notes.push({
        tenantId: tenant.id,
        userId,
        kind: 'followup.escalated',
        title: TITLES.escalation,
        body,
        link: `/followup/tasks?taskId=${r.task_id}`,
        createdAt: now,
      });
    }
  }
  return insertNotifications(tx, notes);
}
