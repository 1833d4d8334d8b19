import { sql } from 'drizzle-orm';
import type { TCounterQueue, TQueueTicket, TQueueTicketStatus, TTransferInput } from '@huifang/shared';
import type { Db, DbOrTx } from '../../db/client.ts';
import { AppError, notFound, unknownRef } from '../../lib/app-error.ts';
import type { TClock } from '../../lib/clock.ts';
import type { TScope } from '../../lib/scope.ts';
import { tenantTimeZone, tenantTimeZoneSql } from '../../lib/time.ts';
import { closeSessionTx, openSessionTx, servableCounters } from '../counter/counter.service.ts';
import { publish, type TKioskSignal } from '../kiosk/kiosk-hub.ts';
import { checkQueueAlerts } from './queue-alerts.ts';
import { localDayTime, preferVip } from './queue-rules.ts';

type TDeps = { db: Db; clock: TClock };
type TCounter = Awaited<ReturnType<typeof servableCounters>>[number];

/** A counter the teller may serve at (the counter page's rule), else 404 on the given path. */
async function requireCounter(db: DbOrTx, scope: TScope, counterId: string, path: string): Promise<TCounter> {
  // One counter by id (servableCounters' rule): the hot path never lists the tenant's counters.
  const counter = (await servableCounters(db, scope, counterId))[0];
  if (!counter) throw unknownRef(path, 'counter');
  return counter;
}

type TTicketRow = {
  id: string;
  number: string;
  type_id: string;
  type_name: string;
  status: TQueueTicketStatus;
  is_vip: boolean;
  customer_id: string | null;
  taken_at: Date | string;
  first_called_at: Date | string | null;
  called_at: Date | string | null;
  counter_id: string | null;
  session_id: string | null;
  skip_count: number;
  call_count: number;
  outlet_id: string;
};
const TICKET = sql`
  select q.id, q.number, q.type_id, t.name as type_name, q.status, q.is_vip, q.customer_id, q.taken_at, q.first_called_at,
         q.called_at, q.counter_id, q.session_id, q.skip_count, q.call_count, q.outlet_id
  from queue_tickets q join queue_business_types t on t.id = q.type_id`;
const toTicket = (r: TTicketRow): TQueueTicket => ({
  id: r.id,
  number: r.number,
  typeId: r.type_id,
  typeName: r.type_name,
  status: r.status,
  isVip: r.is_vip,
  customerId: r.customer_id,
  takenAt: new Date(r.taken_at).toISOString(),
  calledAt: r.called_at ? new Date(r.called_at).toISOString() : null,
  counterId: r.counter_id,
  sessionId: r.session_id,
  skipCount: r.skip_count,
  callCount: r.call_count,
  waitSeconds: r.first_called_at
    ? Math.round((new Date(r.first_called_at).getTime() - new Date(r.taken_at).getTime()) / 1000)
    : null,
});

async function findTicket(db: DbOrTx, tenantId: string, id: string): Promise<TQueueTicket | null> {
  const res = await db.execute<TTicketRow>(sql`${TICKET} where q.tenant_id = ${tenantId} and q.id = ${id}`);
  return res.rows[0] ? toTicket(res.rows[0]) : null;
}

async function counterTypeIds(db: DbOrTx, counterId: string): Promise<string[]> {
  const res = await db.execute<{ type_id: string }>(sql`
    select ct.type_id from queue_counter_types ct join queue_business_types t on t.id = ct.type_id
    where ct.counter_id = ${counterId} and t.is_active`);
  return res.rows.map((r) => r.type_id);
}

/** The counter page's queue panel: the types this counter serves, the waiting people, the ticket being served. */
export async function readCounterQueue(deps: TDeps, scope: TScope, counterId: string): Promise<TCounterQueue> {
  const counter = await requireCounter(deps.db, scope, counterId, 'params.id');
  const { day } = localDayTime(deps.clock.now(), await tenantTimeZone(deps.db, scope.tenantId));
  const [types, others, counters, current] = await Promise.all([
    deps.db.execute<{ id: string; name: string; prefix: string; waiting: number }>(sql`
      select t.id, t.name, t.prefix,
             (select count(*)::int from queue_tickets q where q.type_id = t.id and q.day = ${day}::date and q.status = 'waiting'
                and (q.target_counter_id is null or q.target_counter_id = ${counter.id})) as waiting
      from queue_counter_types ct join queue_business_types t on t.id = ct.type_id
      where ct.counter_id = ${counter.id} and t.is_active order by t.sort_order, t.prefix`),
    deps.db.execute<{ id: string; name: string }>(sql`
      select id, name from queue_business_types where tenant_id = ${scope.tenantId} and outlet_id = ${counter.outlet_id} and is_active
      order by sort_order, prefix`),
    deps.db.execute<{ id: string; name: string }>(sql`
      select c.id, c.name from org_units c join org_units o on o.id = ${counter.outlet_id}
      where c.tenant_id = ${scope.tenantId} and c.type = 'counter' and c.is_active and c.path like o.path || '%' and c.id <> ${counter.id}
      order by c.sort_order, c.path`),
    // The ticket called here whose service session is still open (the session's end is the ticket's).
    deps.db.execute<TTicketRow>(sql`${TICKET}
      where q.tenant_id = ${scope.tenantId} and q.counter_id = ${counter.id} and q.status = 'called'
        and exists (select 1 from service_sessions s where s.tenant_id = q.tenant_id and s.id = q.session_id and s.ended_at is null)
      order by q.called_at desc limit 1`),
  ]);
  return {
    counterId: counter.id,
    types: types.rows,
    transferTypes: others.rows,
    transferCounters: counters.rows,
    current: current.rows[0] ? toTicket(current.rows[0]) : null,
  };
}

async function appendEvent(
  tx: DbOrTx,
  scope: TScope,
  ticketId: string,
  kind: string,
  now: Date,
  counterId: string | null,
  data: Record<string, unknown> | null = null,
) {
  await tx.execute(sql`
    insert into queue_ticket_events (tenant_id, ticket_id, kind, at, counter_id, staff_id, data)
    values (${scope.tenantId}, ${ticketId}, ${kind}, ${now}, ${counterId}, ${scope.userId}, ${data ? JSON.stringify(data) : null}::jsonb)`);
}

/** What a call needs of its outlet besides the counter, in one round trip. */
async function callContext(db: DbOrTx, tenantId: string, outletId: string) {
  const res = await db.execute<{
    vip_tiers: string[] | null;
    max_vip_in_row: number | null;
    time_zone: string;
    has_open_alert: boolean;
  }>(sql`
    select qs.vip_tiers, qs.max_vip_in_row, ${tenantTimeZoneSql(sql`${tenantId}::uuid`)} as time_zone,
           exists (select 1 from queue_alerts a where a.outlet_id = ${outletId} and a.cleared_at is null) as has_open_alert
    from (select 1) one left join queue_settings qs on qs.tenant_id = ${tenantId} and qs.outlet_id = ${outletId}`);
  const r = res.rows[0]!;
  return {
    vipTiers: r.vip_tiers ?? [],
    maxVipInRow: r.max_vip_in_row ?? 1,
    timeZone: r.time_zone,
    hasOpenAlert: r.has_open_alert,
  };
}

/**
 * 叫号 next: the first waiting ticket of today among those sent to this counter (transfers) and those of the types it
 * serves, by the outlet's priority rule, then by place in the queue. `FOR UPDATE SKIP LOCKED`: two counters calling
 * at the same instant take two different tickets. The call opens the service session (modules/counter) for the
 * ticket, in the same transaction: no session, no call. The answer is built from what the statements returned (no
 * read-back); the live pages are signalled after the commit; 排队预警 is judged only when a breach is open (a call
 * shortens the queue and its oldest wait, so it can end a breach but never start one).
 */
export async function callNext(deps: TDeps, scope: TScope, counterId: string): Promise<TQueueTicket> {
  const counter = await requireCounter(deps.db, scope, counterId, 'params.id');
  const now = deps.clock.now();
  const ctx = await callContext(deps.db, scope.tenantId, counter.outlet_id);
  const { day } = localDayTime(now, ctx.timeZone);
  const signals: TKioskSignal[] = [];
  const ticket = await deps.db.transaction(async (tx) => {
    let vipFirst = false;
    if (ctx.vipTiers.length > 0) {
      // The outlet's latest calls today, newest first (event ids order them even within one millisecond).
      const recent = await tx.execute<{ is_vip: boolean }>(sql`
        select q.is_vip from queue_ticket_events e join queue_tickets q on q.id = e.ticket_id
        where q.tenant_id = ${scope.tenantId} and q.outlet_id = ${counter.outlet_id} and q.day = ${day}::date
          and e.kind = 'called'
        order by e.id desc limit 20`);
      vipFirst = preferVip(
        true,
        ctx.maxVipInRow,
        recent.rows.map((r) => r.is_vip),
      );
    }
    const picked = await tx.execute<{ id: string; customer_id: string | null; type_name: string }>(sql`
      select q.id, q.customer_id, (select t.name from queue_business_types t where t.id = q.type_id) as type_name
      from queue_tickets q
      where q.tenant_id = ${scope.tenantId} and q.outlet_id = ${counter.outlet_id} and q.day = ${day}::date and q.status = 'waiting'
        and (q.target_counter_id = ${counter.id}
             or (q.target_counter_id is null and q.type_id in (select ct.type_id from queue_counter_types ct where ct.counter_id = ${counter.id})))
      order by (q.target_counter_id is not null) desc, ${vipFirst ? sql`q.is_vip desc,` : sql``} q.queued_at, q.seq
      limit 1
      for update of q skip locked`);
    const t = picked.rows[0];
    if (!t) {
      const types = await counterTypeIds(tx, counter.id);
      throw new AppError('QUEUE_EMPTY', types.length ? 'nobody is waiting' : 'this counter serves no business type');
    }
    const sessionId = await openSessionTx(tx, scope, counter, t.type_name, t.customer_id, now, signals);
    // The call and its event in one statement.
    const called = await tx.execute<Omit<TTicketRow, 'type_name'>>(sql`
      with u as (
        update queue_tickets set status = 'called', called_at = ${now}, first_called_at = coalesce(first_called_at, ${now}),
          counter_id = ${counter.id}, staff_id = ${scope.userId}, session_id = ${sessionId}, call_count = call_count + 1,
          target_counter_id = null
        where id = ${t.id}
        returning id, number, type_id, status, is_vip, customer_id, taken_at, first_called_at, called_at, counter_id,
                  session_id, skip_count, call_count, outlet_id),
      e as (
        insert into queue_ticket_events (tenant_id, ticket_id, kind, at, counter_id, staff_id, data)
        select ${scope.tenantId}, u.id, 'called', ${now}, ${counter.id}, ${scope.userId}, ${JSON.stringify({ sessionId })}::jsonb
        from u)
      select * from u`);
    return toTicket({ ...called.rows[0]!, type_name: t.type_name });
  });
  signals.push({ k: 'queue', t: scope.tenantId, o: counter.outlet_id });
  await publish(deps.db, signals);
  if (ctx.hasOpenAlert)
    await deps.db.transaction((tx) => checkQueueAlerts(tx, scope.tenantId, counter.outlet_id, now, day));
  return ticket;
}

/**
 * The ticket being served at one of the caller's counters, locked for the change: called, and its session still open.
 */
async function lockServedTicket(tx: DbOrTx, scope: TScope, ticketId: string) {
  const res = await tx.execute<{
    id: string;
    counter_id: string | null;
    outlet_id: string;
    session_id: string | null;
    skip_count: number;
    status: string;
    is_open: boolean;
  }>(sql`
    select q.id, q.counter_id, q.outlet_id, q.session_id, q.skip_count, q.status,
           exists (select 1 from service_sessions s where s.tenant_id = q.tenant_id and s.id = q.session_id and s.ended_at is null) as is_open
    from queue_tickets q where q.tenant_id = ${scope.tenantId} and q.id = ${ticketId} for update of q`);
  const r = res.rows[0];
  if (!r || !r.counter_id || !(await servableCounters(tx, scope, r.counter_id))[0]) throw notFound('ticket');
  if (r.status !== 'called' || !r.is_open || !r.session_id)
    throw new AppError('TICKET_NOT_CALLED', 'this number is not being served at a counter');
  return { ...r, counter_id: r.counter_id, session_id: r.session_id };
}

async function changed(deps: TDeps, scope: TScope, id: string) {
  const ticket = await findTicket(deps.db, scope.tenantId, id);
  if (!ticket) throw notFound('ticket');
  return ticket;
}

/** 重呼: call the same number again (the hall display repeats it). */
export async function recallTicket(deps: TDeps, scope: TScope, ticketId: string): Promise<TQueueTicket> {
  const now = deps.clock.now();
  const signals: TKioskSignal[] = [];
  await deps.db.transaction(async (tx) => {
    const q = await lockServedTicket(tx, scope, ticketId);
    await tx.execute(sql`update queue_tickets set called_at = ${now}, call_count = call_count + 1 where id = ${q.id}`);
    await appendEvent(tx, scope, q.id, 'recalled', now, q.counter_id);
    signals.push({ k: 'queue', t: scope.tenantId, o: q.outlet_id });
  });
  await publish(deps.db, signals);
  return changed(deps, scope, ticketId);
}

/**
 * 过号: the customer did not come. The session the call opened closes without a rating prompt; the first time the
 * ticket goes back to the end of its queue (re-queued once), the second time it is final (no_show).
 */
export async function skipTicket(deps: TDeps, scope: TScope, ticketId: string): Promise<TQueueTicket> {
  const now = deps.clock.now();
  const signals: TKioskSignal[] = [];
  await deps.db.transaction(async (tx) => {
    const q = await lockServedTicket(tx, scope, ticketId);
    await closeSessionTx(tx, scope, q.session_id, now, { withoutRating: true, signals });
    const requeue = q.skip_count === 0;
    await tx.execute(sql`
      update queue_tickets set status = ${requeue ? 'waiting' : 'no_show'}, skip_count = skip_count + 1, session_id = null,
        queued_at = ${requeue ? now : sql`queued_at`}
      where id = ${q.id}`);
    await appendEvent(tx, scope, q.id, 'skipped', now, q.counter_id, { sessionId: q.session_id });
    await appendEvent(tx, scope, q.id, requeue ? 'requeued' : 'no_show', now, q.counter_id);
    signals.push({ k: 'queue', t: scope.tenantId, o: q.outlet_id });
  });
  await publish(deps.db, signals);
  return changed(deps, scope, ticketId);
}

/**
 * 转移: this counter's service ends (the kiosk asks for its rating as usual) and the ticket waits again, keeping its
 * place (it has waited already), in another type's queue or for one other counter of the outlet.
 */
export async function transferTicket(
  deps: TDeps,
  scope: TScope,
  ticketId: string,
  input: TTransferInput,
): Promise<TQueueTicket> {
  const now = deps.clock.now();
  const signals: TKioskSignal[] = [];
  await deps.db.transaction(async (tx) => {
    const q = await lockServedTicket(tx, scope, ticketId);
    if (input.typeId) {
      const ok = await tx.execute(sql`
        select 1 from queue_business_types where tenant_id = ${scope.tenantId} and outlet_id = ${q.outlet_id} and id = ${input.typeId} and is_active`);
      if (!ok.rows[0]) throw unknownRef('body.typeId', 'business type of this outlet');
    }
    if (input.counterId) {
      const ok = await tx.execute(sql`
        select 1 from org_units c join org_units o on o.id = ${q.outlet_id}
        where c.tenant_id = ${scope.tenantId} and c.id = ${input.counterId} and c.type = 'counter' and c.is_active
          and c.path like o.path || '%' and c.id <> ${q.counter_id}`);
      if (!ok.rows[0]) throw unknownRef('body.counterId', 'other counter of this outlet');
    }
    await closeSessionTx(tx, scope, q.session_id, now, { signals });
    await tx.execute(sql`
      update queue_tickets set status = 'waiting', session_id = null,
        type_id = ${input.typeId ?? sql`type_id`}, target_counter_id = ${input.counterId ?? null}
      where id = ${q.id}`);
    await appendEvent(tx, scope, q.id, 'transferred', now, q.counter_id, {
      sessionId: q.session_id,
      toTypeId: input.typeId ?? null,
      toCounterId: input.counterId ?? null,
    });
    signals.push({ k: 'queue', t: scope.tenantId, o: q.outlet_id });
  });
  await publish(deps.db, signals);
  return changed(deps, scope, ticketId);
}
