import { and, eq, sql } from 'drizzle-orm';
import { ticketVisible } from '../tickets.repository.ts';
import type {
  TStaffComplaintFigures,
  TTicketAppealInput,
  TTicketAppealState,
  TTicketFaultDecision,
  TTicketFaultDecisionInput,
} from '@huifang/shared';
import type { Db, DbOrTx } from '../../../db/client.ts';
import { tickets } from '../../../db/schema/index.ts';
import { AppError, notFound } from '../../../lib/app-error.ts';
import type { TClock } from '../../../lib/clock.ts';
import { unitVisible, unitVisibleByIndex, type TActor, type TAuditCtx, type TScope } from '../../../lib/scope.ts';
import { tenantTimeZone } from '../../../lib/time.ts';
import { insertAuditEvent } from '../../audit/audit.repository.ts';
import { notify } from '../../notifications/notifications.service.ts';
import { zonedInstant, addDays } from '../../policy/calendar.ts';
import { appendTicketEvent } from '../ticket-actions.ts';

/**
 * 处理结果异议申诉 (DESIGN §6). The staff member a complaint is about (tickets.staff_id) may appeal once per ticket —
 * not after an appeal was filed already, nor when the supervision team has found them not at fault — which notifies
 * the supervision team 服务监督团队 (ticket:supervise) of the ticket's unit chain. The team records the fault decision
 * (at_fault / no_fault) on the appeal, or on its own without one; the decision is an `appeal_decided` event that sets
 * tickets.fault_decision. Only `at_fault` counts against the staff member (complaintFiguresForStaff).
 *
 * Who sees what: the staff member sees their own tickets' appeal even outside their data scope (a teller's counter
 * is below the outlet the ticket belongs to); anyone else needs the ticket's unit in scope. Not visible → 404; visible
 * but not the staff member → 403 on filing.
 */

type TDeps = { db: Db; clock: TClock };
type TTicket = typeof tickets.$inferSelect;

async function findTicketForViewer(
  db: DbOrTx,
  viewer: TScope,
  id: string,
  opts: { lock?: boolean; scopeOnly?: boolean } = {},
): Promise<TTicket | null> {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) return null;
  const visible = opts.scopeOnly ? unitVisible(viewer, tickets.unitId) : ticketVisible(viewer, 'tickets'); // the one rule of tickets.repository.ts: units in scope, or mine
  const q = db
    .select()
    .from(tickets)
    .where(and(eq(tickets.tenantId, viewer.tenantId), eq(tickets.id, id), visible));
  const [row] = opts.lock ? await q.for('update') : await q;
  return row ?? null;
}

/** The ticket if the viewer may see it (as in the ticket list: scope, or assigned to / about / opened by them), else 404. */
export async function requireVisibleTicket(db: DbOrTx, viewer: TScope, id: string): Promise<TTicket> {
  const t = await findTicketForViewer(db, viewer, id);
  if (!t) throw notFound('ticket');
  return t;
}

interface TAppealEvents {
  filed: { id: number; at: Date; reason: string; actorId: string | null; actorName: string | null } | null;
  decided: {
    id: number;
    at: Date;
    decision: TTicketFaultDecision;
    note: string;
    actorName: string | null;
  } | null;
}

async function appealEvents(db: DbOrTx, tenantId: string, ticketId: string): Promise<TAppealEvents> {
  const res = await db.execute<{
    id: string;
    type: string;
    at: Date | string;
    payload: Record<string, unknown>;
    actor_id: string | null;
    actor_name: string | null;
  }>(sql`select e.id::text, e.type, e.at, e.payload, e.actor_id, u.display_name as actor_name
         from ticket_events e left join users u on u.id = e.actor_id
         where e.tenant_id = ${tenantId} and e.ticket_id = ${ticketId} and e.type in ('appeal_filed', 'appeal_decided')
         order by e.id`);
  const out: TAppealEvents = { filed: null, decided: null };
  for (const r of res.rows) {
    if (r.type === 'appeal_filed')
      out.filed = {
        id: Number(r.id),
        at: new Date(r.at),
        reason: String(r.payload.reason ?? ''),
        actorId: r.actor_id,
        actorName: r.actor_name,
      };
    else
      out.decided = {
        id: Number(r.id),
        at: new Date(r.at),
        decision: r.payload.decision as TTicketFaultDecision,
        note: String(r.payload.note ?? ''),
        actorName: r.actor_name,
      };
  }
  return out;
}

const isPending = (ev: TAppealEvents) => ev.filed !== null && (ev.decided === null || ev.decided.id < ev.filed.id);
const mayAppeal = (t: TTicket, ev: TAppealEvents, userId: string) =>
  t.staffId === userId && ev.filed === null && t.faultDecision !== 'no_fault';

export async function getAppealState(deps: TDeps, viewer: TActor, id: string): Promise<TTicketAppealState> {
  const t = await requireVisibleTicket(deps.db, viewer, id);
  const ev = await appealEvents(deps.db, viewer.tenantId, t.id);
  return {
    ticketId: t.id,
    canAppeal: mayAppeal(t, ev, viewer.userId),
    canDecide:
      viewer.permissions.has('ticket:supervise') &&
      (await findTicketForViewer(deps.db, viewer, id, { scopeOnly: true })) !== null,
    appeal: ev.filed
      ? {
          reason: ev.filed.reason,
          filedAt: ev.filed.at.toISOString(),
          filedBy: ev.filed.actorId,
          filedByName: ev.filed.actorName,
        }
      : null,
    isPending: isPending(ev),
    faultDecision: (t.faultDecision as TTicketFaultDecision | null) ?? null,
    decision: ev.decided
      ? {
          decision: ev.decided.decision,
          note: ev.decided.note,
          decidedAt: ev.decided.at.toISOString(),
          decidedByName: ev.decided.actorName,
        }
      : null,
  };
}

/** The supervision team of a unit: active users holding ticket:supervise through the built-in 服务监督团队 role or a tenant role, in the unit's ancestor chain. */
async function supervisionTeam(db: DbOrTx, tenantId: string, unitId: string): Promise<string[]> {
  const res = await db.execute<{ id: string }>(sql`
    select distinct u.id from users u
    join org_units ou on ou.id = u.unit_id
    join user_roles ur on ur.user_id = u.id
    join roles r on r.id = ur.role_id
    where u.tenant_id = ${tenantId} and u.is_active
      and ((r.key = 'supervision' and r.is_builtin) or (not r.is_builtin and 'ticket:supervise' = any(r.permissions)))
      and (select path from org_units where tenant_id = ${tenantId} and id = ${unitId}) like ou.path || '%'`);
  return res.rows.map((r) => r.id);
}

const ticketNo = (t: Pick<TTicket, 'seq'>) => `GD${String(t.seq).padStart(6, '0')}`;

/** File the appeal (the staff member complained about only; once per ticket). */
export async function fileAppeal(deps: TDeps, me: TActor, ctx: TAuditCtx, id: string, input: TTicketAppealInput) {
  const now = deps.clock.now();
  await deps.db.transaction(async (tx) => {
    const t = await findTicketForViewer(tx, me, id, { lock: true });
    if (!t) throw notFound('ticket');
    if (t.staffId !== me.userId)
      throw new AppError('FORBIDDEN', 'only the staff member the complaint is about may appeal');
    const ev = await appealEvents(tx, me.tenantId, t.id);
    if (ev.filed)
      throw new AppError('CONFLICT', 'an appeal was already filed for this ticket', {
        details: [{ path: 'params.id', message: isPending(ev) ? 'appeal pending' : 'appeal already decided' }],
      });
    if (t.faultDecision === 'no_fault')
      throw new AppError('CONFLICT', 'the supervision team already found you not at fault', {
        details: [{ path: 'params.id', message: 'decided: no fault' }],
      });
    await appendTicketEvent(tx, {
      tenantId: me.tenantId,
      ticketId: t.id,
      type: 'appeal_filed',
      actorId: me.userId,
      at: now,
      payload: { reason: input.reason },
    });
    await notify(tx, {
      tenantId: me.tenantId,
      userIds: (await supervisionTeam(tx, me.tenantId, t.unitId)).filter((u) => u !== me.userId),
      kind: 'ticket.appeal_filed',
      title: `工单 ${ticketNo(t)} 收到处理结果异议申诉`,
      body: `${me.displayName}：${input.reason}`,
      link: `/tickets/${t.id}`,
      at: now,
    });
    await insertAuditEvent(
      tx,
      ctx,
      {
        action: 'ticket.appeal_filed',
        entityType: 'ticket',
        entityId: t.id,
        unitId: t.unitId,
        summary: `对工单 ${ticketNo(t)} 提出异议申诉`,
        after: { reason: input.reason },
      },
      now,
    );
  });
  return getAppealState(deps, me, id);
}

/** Record the fault decision (supervision team): on the pending appeal, or on its own. */
export async function decideFault(
  deps: TDeps,
  me: TActor,
  ctx: TAuditCtx,
  id: string,
  input: TTicketFaultDecisionInput,
) {
  const now = deps.clock.now();
  await deps.db.transaction(async (tx) => {
    // Deciding needs the ticket in the supervisor's own scope (being the staff member does not count).
    const t = await findTicketForViewer(tx, me, id, { lock: true, scopeOnly: true });
    if (!t) throw notFound('ticket');
    const ev = await appealEvents(tx, me.tenantId, t.id);
    const onAppeal = isPending(ev);
    await appendTicketEvent(tx, {
      tenantId: me.tenantId,
      ticketId: t.id,
      type: 'appeal_decided',
      actorId: me.userId,
      at: now,
      payload: { decision: input.decision, note: input.note, onAppeal, previous: t.faultDecision },
      set: { faultDecision: input.decision },
    });
    if (t.staffId && t.staffId !== me.userId)
      await notify(tx, {
        tenantId: me.tenantId,
        userIds: [t.staffId],
        kind: 'ticket.fault_decided',
        title: `工单 ${ticketNo(t)} 责任认定：${input.decision === 'at_fault' ? '有责' : '无责'}`,
        body: input.note,
        link: `/tickets/${t.id}`,
        at: now,
      });
    await insertAuditEvent(
      tx,
      ctx,
      {
        action: 'ticket.fault_decided',
        entityType: 'ticket',
        entityId: t.id,
        unitId: t.unitId,
        summary: `工单 ${ticketNo(t)} 责任认定：${input.decision === 'at_fault' ? '有责' : '无责'}${onAppeal ? '（申诉）' : ''}`,
        before: { faultDecision: t.faultDecision },
        after: { faultDecision: input.decision, note: input.note },
      },
      now,
    );
  });
  return getAppealState(deps, me, id);
}

/**
 * Complaints per staff member among the tickets opened in [from, to] (local dates of the tenant) of the caller's
 * units: received, upheld (at fault — the supervision team's decision, never the raw complaint), found not at fault,
 * mean hours to resolution, SLA breaches. For the staff figures and the analytics rollups.
 */
export async function complaintFiguresForStaff(
  db: DbOrTx,
  scope: TScope,
  period: { from: string; to: string },
): Promise<TStaffComplaintFigures[]> {
  const tz = await tenantTimeZone(db, scope.tenantId);
  const start = zonedInstant(period.from, 0, tz);
  const end = zonedInstant(addDays(period.to, 1), 0, tz);
  const res = await db.execute<{
    staff_id: string;
    staff_name: string | null;
    received: number;
    upheld: number;
    no_fault: number;
    mean_hours: number | null;
    breaches: number;
  }>(sql`
    select t.staff_id, u.display_name as staff_name, count(*)::int as received,
           count(*) filter (where t.fault_decision = 'at_fault')::int as upheld,
           count(*) filter (where t.fault_decision = 'no_fault')::int as no_fault,
           round((avg(extract(epoch from (t.resolved_at - t.created_at))) filter (where t.resolved_at is not null) / 3600)::numeric, 2)::float8 as mean_hours,
           count(*) filter (where t.sla_breached)::int as breaches
    from tickets t left join users u on u.id = t.staff_id
    where t.tenant_id = ${scope.tenantId} and t.staff_id is not null and ${unitVisibleByIndex(scope, sql`t.unit_id`)}
      and t.created_at >= ${start} and t.created_at < ${end}
    group by t.staff_id, u.display_name
    order by count(*) filter (where t.fault_decision = 'at_fault') desc, count(*) desc, t.staff_id`);
  return res.rows.map((r) => ({
    staffId: r.staff_id,
    staffName: r.staff_name,
    received: r.received,
    upheld: r.upheld,
    noFault: r.no_fault,
    meanResolutionHours: r.mean_hours === null ? null : Number(r.mean_hours),
    slaBreaches: r.breaches,
  }));
}
