import { sql } from 'drizzle-orm';
import type { TCounterQueue, TQueueTicket, TQueueTicketStatus, TTransferInput } from '@huifang/shared';
import type { Db, DbOrTx } from '../../db/client.ts';
import { AppError, notFound, unknownRef } from '../../lib/app-error.ts';
import type { TClock } from '../../lib/clock.ts';
import type { TScope } from '../../lib/scope.ts';
import { tenantTimeZone } from '../../lib/time.ts';
import { closeSessionTx, openSessionTx, servableCounters } from '../counter/counter.service.ts';
import { announce } from '../kiosk/kiosk-hub.ts';
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

/**
 * 叫号 next: the first waiting ticket of today among those sent to this counter (transfers) and those of the types it
 * serves, by the outlet's priority rule, then by place in the queue. `FOR UPDATE SKIP LOCKED`: two counters calling
 * at the same instant take two different tickets. The call opens the service session (modules/counter) for the
 * ticket, in the same transaction: no session, no call.
 */
export async function callNext(deps: TDeps, scope: TScope, counterId: string): Promise<TQueueTicket> {
  const counter = await requireCounter(deps.db, scope, counterId, 'params.id');
  const now = deps.clock.now();
  const { day } = localDayTime(now, await tenantTimeZone(deps.db, scope.tenantId));
  const id = await deps.db.transaction(async (tx) => {
    // One connection in a transaction: the reads go one after another.
    const types = await counterTypeIds(tx, counter.id);
    const settings = await tx.execute<{ vip_tiers: string[]; max_vip_in_row: number }>(sql`
        select vip_tiers, max_vip_in_row from queue_settings where tenant_id = ${scope.tenantId} and outlet_id = ${counter.outlet_id}`);
    // The outlet's latest calls today, newest first (event ids order them even within one millisecond).
    const recent = await tx.execute<{ is_vip: boolean }>(sql`
        select q.is_vip from queue_ticket_events e join queue_tickets q on q.id = e.ticket_id
        where q.tenant_id = ${scope.tenantId} and q.outlet_id = ${counter.outlet_id} and q.day = ${day}::date
          and e.kind = 'called'
        order by e.id desc limit 20`);
    const rule = settings.rows[0];
    const vipFirst = preferVip(
      (rule?.vip_tiers.length ?? 0) > 0,
      rule?.max_vip_in_row ?? 1,
      recent.rows.map((r) => r.is_vip),
    );
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
    if (!t)
      throw new AppError('QUEUE_EMPTY', types.length ? 'nobody is waiting' : 'this counter serves no business type');
    const sessionId = await openSessionTx(tx, scope, counter, t.type_name, t.customer_id, now);
    await tx.execute(sql`
      update queue_tickets set status = 'called', called_at = ${now}, first_called_at = coalesce(first_called_at, ${now}),
        counter_id = ${counter.id}, staff_id = ${scope.userId}, session_id = ${sessionId}, call_count = call_count + 1,
        target_counter_id = null
      where id = ${t.id}`);
    await appendEvent(tx, scope, t.id, 'called', now, counter.id, { sessionId });
    await checkQueueAlerts(tx, scope.tenantId, counter.outlet_id, now);
    await announce(tx, { k: 'queue', t: scope.tenantId, o: counter.outlet_id });
    return t.id;
  });
  const ticket = await findTicket(deps.db, scope.tenantId, id);
  if (!ticket) throw notFound('ticket');
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
  await deps.db.transaction(async (tx) => {
    const q = await lockServedTicket(tx, scope, ticketId);
    await tx.execute(sql`update queue_tickets set called_at = ${now}, call_count = call_count + 1 where id = ${q.id}`);
    await appendEvent(tx, scope, q.id, 'recalled', now, q.counter_id);
    await announce(tx, { k: 'queue', t: scope.tenantId, o: q.outlet_id });
  });
  return changed(deps, scope, ticketId);
}

/**
 * 过号: the customer did not come. The session the call opened closes without a rating prompt; the first time the
 * ticket goes back to the end of its queue (re-queued once), the second time it is final (no_show).
 */
export async function skipTicket(deps: TDeps, scope: TScope, ticketId: string): Promise<TQueueTicket> {
  const now = deps.clock.now();
  await deps.db.transaction(async (tx) => {
    const q = await lockServedTicket(tx, scope, ticketId);
    await closeSessionTx(tx, scope, q.session_id, now, { withoutRating: true });
    const requeue = q.skip_count === 0;
    await tx.execute(sql`
      update queue_tickets set status = ${requeue ? 'waiting' : 'no_show'}, skip_count = skip_count + 1, session_id = null,
        queued_at = ${requeue ? now : sql`queued_at`}
      where id = ${q.id}`);
    await appendEvent(tx, scope, q.id, 'skipped', now, q.counter_id, { sessionId: q.session_id });
    await appendEvent(tx, scope, q.id, requeue ? 'requeued' : 'no_show', now, q.counter_id);
    await announce(tx, { k: 'queue', t: scope.tenantId, o: q.outlet_id });
  });
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
    await closeSessionTx(tx, scope, q.session_id, now);
    await tx.execute(sql`
      update queue_tickets set status = 'waiting', session_id = null,
        type_id = ${input.typeId ?? sql`type_id`}, target_counter_id = ${input.counterId ?? null}
      where id = ${q.id}`);
    await appendEvent(tx, scope, q.id, 'transferred', now, q.counter_id, {
      sessionId: q.session_id,
      toTypeId: input.typeId ?? null,
      toCounterId: input.counterId ?? null,
    });
    await announce(tx, { k: 'queue', t: scope.tenantId, o: q.outlet_id });
  });
  return changed(deps, scope, ticketId);
}
