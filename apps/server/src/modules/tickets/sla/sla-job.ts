import { and, asc, eq, sql } from 'drizzle-orm';
import {
  DEFAULT_TICKET_SLA,
  TICKET_PRIORITIES,
  type TTicketPriority,
  type TTicketSlaPolicyValues,
} from '@huifang/shared';
import type { Db, DbOrTx } from '../../../db/client.ts';
import { ticketEvents, tickets, ticketSlaPolicies } from '../../../db/schema/index.ts';
import type { TClock } from '../../../lib/clock.ts';
import { tenantTimeZone } from '../../../lib/time.ts';
import { findUnitManagers, notify } from '../../notifications/notifications.service.ts';
import { loadWorkCalendar } from '../../policy/business-calendar.service.ts';
import { escalateTicket } from '../escalation.ts';
import { appendTicketEvent, type TTicketRow } from '../ticket-actions.ts';
import { deriveSla, type TSlaCalendar, type TSlaDerivation, type TSlaMark } from './derive.ts';

/**
 * The SLA job `ticket-sla` (jobs/queue.ts: every minute, and a few seconds after any ticket event through the
 * in-process ticker). For each ticket whose events changed since its cache was derived (`sla_stale`, set by a trigger on every event), or whose next
 * warning point / deadline has come (`sla_next_check_at`), in one transaction that locks the ticket row:
 * freezes the used time of closed clock intervals (`sla_checkpoint`), appends `sla_warning` / `sla_breached` once per
 * target and cycle, escalates once when the resolution target or the current level's OLA reaches its warning point,
 * tells the assignee and the unit's managers in-app, and writes the cache columns. Idempotent: a second run finds the
 * marks already written and the cache current, and does nothing.
 */

type TDeps = { db: Db; clock: TClock };
const BATCH = 200;
const OPEN = sql`('resolved', 'closed')`;

export interface TSlaRunResult {
  recomputed: number;
  warnings: number;
  breaches: number;
  escalations: number;
}

/** The tenant's SLA policy per priority: its saved rows, else the built-in defaults. */
export async function loadSlaPolicies(
  db: DbOrTx,
  tenantId: string,
): Promise<Record<TTicketPriority, TTicketSlaPolicyValues & { updatedAt: Date | null }>> {
  const rows = await db.select().from(ticketSlaPolicies).where(eq(ticketSlaPolicies.tenantId, tenantId));
  const out = {} as Record<TTicketPriority, TTicketSlaPolicyValues & { updatedAt: Date | null }>;
  for (const p of TICKET_PRIORITIES) {
    const r = rows.find((x) => x.priority === p);
    out[p] = r
      ? {
          firstResponseMinutes: r.firstResponseMinutes,
          resolutionMinutes: r.resolutionMinutes,
          warnRatio: Number(r.warnRatio),
          levelMinutes: r.levelMinutes,
          updatedAt: r.updatedAt,
        }
      : { ...DEFAULT_TICKET_SLA[p], updatedAt: null };
  }
  return out;
}

/**
 * Ask the SLA job to derive every open ticket of the tenant again (after the business calendar or the SLA policy
 * changed): their deadlines move; the time they already used does not (see derive.ts).
 */
export async function invalidateOpenTicketSla(tx: DbOrTx, tenantId: string, now: Date): Promise<number> {
  const res = await tx
    .update(tickets)
    .set({ slaNextCheckAt: now })
    .where(and(eq(tickets.tenantId, tenantId), sql`${tickets.status} not in ${OPEN}`))
    .returning({ id: tickets.id });
  return res.length;
}

/**
 * One run over the stale tickets (all tenants, or one). A ticket that fails (e.g. a calendar without any working day
 * for a year) is reported through `onError` and skipped, so it cannot hold up the others; it is tried again next run.
 */
export async function runTicketSla(
  deps: TDeps,
  opts: { tenantId?: string; onError?: (err: unknown, ticketId: string) => void } = {},
): Promise<TSlaRunResult> {
  const total: TSlaRunResult = { recomputed: 0, warnings: 0, breaches: 0, escalations: 0 };
  const now = deps.clock.now();
  const done = new Set<string>();
  for (;;) {
    // Stale: an event after the one the cache was derived from (resolved/closed tickets too: their final state), or
    // the next time-based change has come for an open ticket.
    const res = await deps.db.execute<{ tenant_id: string; id: string }>(sql`
      select t.tenant_id, t.id from tickets t
      where (${opts.tenantId ?? null}::uuid is null or t.tenant_id = ${opts.tenantId ?? null}::uuid)
        and (
          (t.status not in ${OPEN} and t.sla_next_check_at <= ${now})
          or t.sla_stale
        )
      order by t.tenant_id, t.id
      limit ${BATCH}`);
    const rows = res.rows.filter((r) => !done.has(r.id));
    if (rows.length === 0) break;
    let context: { tenantId: string; cal: TSlaCalendar; policies: Awaited<ReturnType<typeof loadSlaPolicies>> } | null =
      null;
    for (const r of rows) {
      done.add(r.id);
      if (context?.tenantId !== r.tenant_id) context = await loadTenantContext(deps.db, r.tenant_id);
      const c = context;
      let out: Awaited<ReturnType<typeof recomputeTicket>>;
      try {
        out = await deps.db.transaction((tx) => recomputeTicket(tx, r.tenant_id, r.id, c, now));
      } catch (err) {
        if (!opts.onError) throw err;
        opts.onError(err, r.id);
        continue;
      }
      total.recomputed += 1;
      total.warnings += out.warnings;
      total.breaches += out.breaches;
      total.escalations += out.escalations;
    }
    if (res.rows.length < BATCH) break;
  }
  return total;
}

async function loadTenantContext(db: DbOrTx, tenantId: string) {
  return {
    tenantId,
    cal: { calendar: await loadWorkCalendar(db, tenantId), timeZone: await tenantTimeZone(db, tenantId) },
    policies: await loadSlaPolicies(db, tenantId),
  };
}

const TARGET_NAMES = { first_response: '首次响应', resolution: '解决', ola: '本级处理' } as const;

async function recomputeTicket(
  tx: DbOrTx,
  tenantId: string,
  ticketId: string,
  c: { cal: TSlaCalendar; policies: Record<TTicketPriority, TTicketSlaPolicyValues> },
  now: Date,
): Promise<{ warnings: number; breaches: number; escalations: number }> {
  const out = { warnings: 0, breaches: 0, escalations: 0 };
  const [locked] = await tx
    .select()
    .from(tickets)
    .where(and(eq(tickets.tenantId, tenantId), eq(tickets.id, ticketId)))
    .for('update');
  if (!locked) return out;
  let ticket: TTicketRow = locked;
  let derived: TSlaDerivation | null = null;
  let lastEventId = 0;
  // Each pass writes what the derivation asks for (checkpoints, marks, one escalation); an escalation is itself an
  // event that changes the derivation (new level, new OLA), so derive again until nothing is asked for.
  for (let pass = 0; pass < 4; pass++) {
    const events = await tx
      .select()
      .from(ticketEvents)
      .where(and(eq(ticketEvents.tenantId, tenantId), eq(ticketEvents.ticketId, ticketId)))
      .orderBy(asc(ticketEvents.id));
    lastEventId = events[events.length - 1]?.id ?? 0;
    const policy = c.policies[ticket.priority as TTicketPriority] ?? DEFAULT_TICKET_SLA.normal;
    derived = deriveSla(events, policy, c.cal, now);
    if (derived.checkpoints.length === 0 && derived.pendingMarks.length === 0) break;
    for (const cp of derived.checkpoints) {
      ticket = (
        await appendTicketEvent(tx, {
          tenantId,
          ticketId,
          type: 'sla_checkpoint',
          actorId: null,
          at: now,
          payload: { ...cp },
        })
      ).ticket;
    }
    let escalateFor: TSlaMark | null = null;
    for (const m of derived.pendingMarks) {
      const t = derived[m.target === 'first_response' ? 'firstResponse' : m.target] ?? derived.resolution;
      ticket = (
        await appendTicketEvent(tx, {
          tenantId,
          ticketId,
          type: m.type,
          actorId: null,
          at: now,
          payload: {
            target: m.target,
            cycle: m.cycle,
            ...(m.level !== undefined ? { level: m.level } : {}),
            usedMinutes: Math.floor(t.usedMinutes),
            limitMinutes: t.limitMinutes,
            dueAt: t.dueAt?.toISOString() ?? null,
          },
        })
      ).ticket;
      if (m.type === 'sla_warning') out.warnings += 1;
      else out.breaches += 1;
      if (m.type === 'sla_warning' && m.target !== 'first_response') escalateFor ??= m;
      // The customer's targets are told to the people who can act; the internal OLA warning is the escalation itself.
      if (m.target !== 'ola' && !['resolved', 'closed'].includes(ticket.status)) await tellPeople(tx, ticket, m, now);
    }
    if (escalateFor && !['resolved', 'closed'].includes(ticket.status)) {
      const why =
        escalateFor.target === 'ola' ? `本级处理时限即将到期（第 ${escalateFor.level ?? 0} 级）` : '解决时限即将到期';
      const esc = await escalateTicket(tx, { tenantId, ticketId, actorId: null, at: now, reason: why });
      if (esc) {
        ticket = esc.ticket;
        out.escalations += 1;
      }
    }
  }
  if (!derived) return out;
  await tx
    .update(tickets)
    .set({
      firstResponseDueAt: derived.firstResponse.dueAt,
      resolutionDueAt: derived.resolution.dueAt,
      slaState: derived.state,
      slaEventId: lastEventId,
      slaComputedAt: now,
      slaNextCheckAt: derived.nextCheckAt,
      // Still stale if the last pass appended events it did not derive from (the pass limit): looked at next run.
      // Ever breached (员工投诉指标's 超时): breached now, or an sla_breached event, which only this job writes.
      slaBreached: sql`${derived.state === 'breached'} or exists (select 1 from ticket_events e
        where e.tenant_id = ${tenantId} and e.ticket_id = ${ticketId} and e.type = 'sla_breached')`,
      slaStale: sql`exists (select 1 from ticket_events e
        where e.tenant_id = ${tenantId} and e.ticket_id = ${ticketId} and e.id > ${lastEventId})`,
    })
    .where(and(eq(tickets.tenantId, tenantId), eq(tickets.id, ticketId)));
  return out;
}

/** In-app notice to the assignee and the unit's ticket managers (nearest level that has any). */
async function tellPeople(tx: DbOrTx, ticket: TTicketRow, m: TSlaMark, now: Date): Promise<void> {
  const managers = await findUnitManagers(tx, ticket.tenantId, ticket.unitId, 'ticket:manage');
  const no = `GD${String(ticket.seq).padStart(6, '0')}`;
  const what = m.type === 'sla_breached' ? '已超时' : '即将超时';
  await notify(tx, {
    tenantId: ticket.tenantId,
    userIds: [...(ticket.assigneeId ? [ticket.assigneeId] : []), ...managers],
    kind: m.type === 'sla_breached' ? 'ticket.sla_breached' : 'ticket.sla_warning',
    title: `工单 ${no} ${what}（${TARGET_NAMES[m.target]}时限）`,
    body: ticket.title,
    link: `/tickets/${ticket.id}`,
    at: now,
  });
}
