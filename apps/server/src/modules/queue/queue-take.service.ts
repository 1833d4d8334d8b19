import { sql } from 'drizzle-orm';
import {
  formatPhone,
  normalizePhone,
  type TQueueBoard,
  type TQueuePublicTicket,
  type TQueueTicketStatus,
  type TTakeTicketInput,
} from '@huifang/shared';
import type { Db, DbOrTx } from '../../db/client.ts';
import { AppError, invalidField, notFound, unknownRef } from '../../lib/app-error.ts';
import type { TClock } from '../../lib/clock.ts';
import { tenantTimeZone } from '../../lib/time.ts';
import { findCustomerTierByPhone } from '../customers/customers.repository.ts';
import { announce } from '../kiosk/kiosk-hub.ts';
import { checkQueueAlerts } from './queue-alerts.ts';
import { DEFAULT_HANDLING_SECONDS, estimateWaitMinutes, isOpenAt, localDayTime, ticketNumber } from './queue-rules.ts';

type TDeps = { db: Db; clock: TClock };

/** An outlet's queue as its public link sees it. */
export interface TQueueLink {
  tenantId: string;
  outletId: string;
  outletName: string;
  opensAt: string;
  closesAt: string;
  vipTiers: string[];
  timeZone: string;
}

export async function findLink(db: DbOrTx, token: string): Promise<TQueueLink> {
  const res = await db.execute<{
    tenant_id: string;
    outlet_id: string;
    outlet_name: string;
    opens_at: string;
    closes_at: string;
    vip_tiers: string[];
  }>(sql`
    select qs.tenant_id, qs.outlet_id, o.name as outlet_name, qs.opens_at, qs.closes_at, qs.vip_tiers
    from queue_settings qs join org_units o on o.id = qs.outlet_id
    where qs.link_token = ${token} and o.is_active`);
  const r = res.rows[0];
  if (!r) throw notFound('queue link');
  return {
    tenantId: r.tenant_id,
    outletId: r.outlet_id,
    outletName: r.outlet_name,
    opensAt: r.opens_at,
    closesAt: r.closes_at,
    vipTiers: r.vip_tiers,
    timeZone: await tenantTimeZone(db, r.tenant_id),
  };
}

/**
 * Waiting people, serving counters and the mean handling time today per active type of an outlet (handling from the
 * service sessions its calls opened; the default before the first one ends).
 */
async function typeFigures(db: DbOrTx, tenantId: string, outletId: string, day: string) {
  const res = await db.execute<{
    id: string;
    name: string;
    prefix: string;
    waiting: number;
    counters: number;
    avg_handling: number | null;
  }>(sql`
    select t.id, t.name, t.prefix,
           (select count(*)::int from queue_tickets q where q.type_id = t.id and q.day = ${day}::date and q.status = 'waiting') as waiting,
           (select count(*)::int from queue_counter_types ct where ct.type_id = t.id) as counters,
           (select avg(s.handling_seconds)::float from queue_tickets q
              join service_sessions s on s.tenant_id = q.tenant_id and s.id = q.session_id
            where q.type_id = t.id and q.day = ${day}::date and s.handling_seconds is not null) as avg_handling
    from queue_business_types t
    where t.tenant_id = ${tenantId} and t.outlet_id = ${outletId} and t.is_active
    order by t.sort_order, t.prefix`);
  return res.rows;
}

export async function readBoard(deps: TDeps, token: string): Promise<TQueueBoard> {
  const link = await findLink(deps.db, token);
  const { day, hhmm } = localDayTime(deps.clock.now(), link.timeZone);
  const types = await typeFigures(deps.db, link.tenantId, link.outletId, day);
  return {
    outletName: link.outletName,
    isOpen: isOpenAt(hhmm, link.opensAt, link.closesAt),
    opensAt: link.opensAt,
    closesAt: link.closesAt,
    types: types.map((t) => ({
      id: t.id,
      name: t.name,
      prefix: t.prefix,
      waiting: t.waiting,
      estimatedWaitMinutes: estimateWaitMinutes(t.waiting, t.counters, t.avg_handling ?? DEFAULT_HANDLING_SECONDS),
    })),
  };
}

/**
 * 取号: the next number of the type for today. The Idempotency-Key makes a retried take return the same ticket (one
 * advisory lock per key serialises two retries in flight); the number comes from the per type-and-day counter row,
 * incremented in this transaction, so concurrent takers never share or skip a number.
 */
export async function takeTicket(
  deps: TDeps,
  token: string,
  input: TTakeTicketInput,
  idempotencyKey: string,
): Promise<TQueuePublicTicket> {
  const link = await findLink(deps.db, token);
  const now = deps.clock.now();
  const { day, hhmm } = localDayTime(now, link.timeZone);
  let phone: string | null = null;
  if (input.phone) {
    const p = normalizePhone(input.phone);
    if (!p) throw invalidField('body.phone', 'not a valid phone number', { code: 'invalid_format' });
    phone = formatPhone(p);
  }
  const { id, replayed } = await deps.db.transaction(async (tx) => {
    await tx.execute(
      sql`select pg_advisory_xact_lock(hashtextextended(${`queue-take:${link.tenantId}:${idempotencyKey}`}, 0))`,
    );
    const prior = await tx.execute<{ id: string; taken_type_id: string; outlet_id: string }>(sql`
      select id, taken_type_id, outlet_id from queue_tickets where tenant_id = ${link.tenantId} and idempotency_key = ${idempotencyKey}`);
    if (prior.rows[0]) {
      if (prior.rows[0].taken_type_id !== input.typeId || prior.rows[0].outlet_id !== link.outletId)
        throw new AppError('IDEMPOTENCY_KEY_REUSED', 'this Idempotency-Key was already used for another number', {
          details: [{ path: 'headers.idempotency-key', message: 'already used for another number' }],
        });
      return { id: prior.rows[0].id, replayed: true };
    }
    if (!isOpenAt(hhmm, link.opensAt, link.closesAt))
      throw new AppError('QUEUE_CLOSED', `numbers are given from ${link.opensAt} to ${link.closesAt}`);
    const type = await tx.execute<{ prefix: string }>(sql`
      select prefix from queue_business_types
      where tenant_id = ${link.tenantId} and outlet_id = ${link.outletId} and id = ${input.typeId} and is_active`);
    if (!type.rows[0]) throw unknownRef('body.typeId', 'business type');
    const customer = phone ? await findCustomerTierByPhone(tx, link.tenantId, phone) : null;
    const isVip = customer?.tier != null && link.vipTiers.includes(customer.tier);
    const seq = await tx.execute<{ last_no: number }>(sql`
      insert into queue_day_numbers as n (tenant_id, type_id, day, last_no) values (${link.tenantId}, ${input.typeId}, ${day}::date, 1)
      on conflict (type_id, day) do update set last_no = n.last_no + 1
      returning last_no`);
    const no = seq.rows[0]!.last_no;
    const res = await tx.execute<{ id: string }>(sql`
      insert into queue_tickets (tenant_id, outlet_id, taken_type_id, type_id, day, seq, number, status, is_vip, customer_id,
                                 channel, idempotency_key, taken_at, queued_at)
      values (${link.tenantId}, ${link.outletId}, ${input.typeId}, ${input.typeId}, ${day}::date, ${no},
              ${ticketNumber(type.rows[0].prefix, no)}, 'waiting', ${isVip}, ${customer?.id ?? null}, ${input.channel},
              ${idempotencyKey}, ${now}, ${now})
      returning id`);
    const ticketId = res.rows[0]!.id;
    await tx.execute(sql`
      insert into queue_ticket_events (tenant_id, ticket_id, kind, at, data)
      values (${link.tenantId}, ${ticketId}, 'taken', ${now}, ${JSON.stringify({ channel: input.channel, isVip })}::jsonb)`);
    await checkQueueAlerts(tx, link.tenantId, link.outletId, now);
    await announce(tx, { k: 'queue', t: link.tenantId, o: link.outletId });
    return { id: ticketId, replayed: false };
  });
  const ticket = await readPublicTicket(deps, id);
  return { ...ticket, replayed };
}

/** The tenant and outlet of a ticket (its live stream listens to that outlet's queue). */
export async function ticketOutlet(db: DbOrTx, id: string): Promise<{ tenantId: string; outletId: string }> {
  const res = await db.execute<{ tenant_id: string; outlet_id: string }>(
    sql`select tenant_id, outlet_id from queue_tickets where id = ${id}`,
  );
  const r = res.rows[0];
  if (!r) throw notFound('ticket');
  return { tenantId: r.tenant_id, outletId: r.outlet_id };
}

/** What the customer sees of a ticket (by its id, an unguessable UUID handed to the taker). */
export async function readPublicTicket(deps: TDeps, id: string): Promise<TQueuePublicTicket> {
  const res = await deps.db.execute<{
    id: string;
    tenant_id: string;
    outlet_id: string;
    number: string;
    type_id: string;
    type_name: string;
    outlet_name: string;
    status: TQueueTicketStatus;
    counter_name: string | null;
    taken_at: Date | string;
    called_at: Date | string | null;
    day: string;
    ahead: number;
  }>(sql`
    select q.id, q.tenant_id, q.outlet_id, q.number, q.type_id, t.name as type_name, o.name as outlet_name, q.status,
           c.name as counter_name, q.taken_at, q.called_at, to_char(q.day, 'YYYY-MM-DD') as day,
           case when q.status = 'waiting' then (
             select count(*)::int from queue_tickets w
             where w.type_id = q.type_id and w.day = q.day and w.status = 'waiting' and w.target_counter_id is null
               and (w.queued_at, w.seq) < (q.queued_at, q.seq)) else 0 end as ahead
    from queue_tickets q
    join queue_business_types t on t.id = q.type_id
    join org_units o on o.id = q.outlet_id
    left join org_units c on c.id = q.counter_id
    where q.id = ${id}`);
  const r = res.rows[0];
  if (!r) throw notFound('ticket');
  const figures = (await typeFigures(deps.db, r.tenant_id, r.outlet_id, r.day)).find((t) => t.id === r.type_id);
  return {
    id: r.id,
    number: r.number,
    typeName: r.type_name,
    outletName: r.outlet_name,
    status: r.status,
    ahead: r.ahead,
    estimatedWaitMinutes:
      r.status === 'waiting'
        ? estimateWaitMinutes(r.ahead, figures?.counters ?? 1, figures?.avg_handling ?? DEFAULT_HANDLING_SECONDS)
        : 0,
    counterName: r.status === 'called' ? r.counter_name : null,
    takenAt: new Date(r.taken_at).toISOString(),
    calledAt: r.called_at ? new Date(r.called_at).toISOString() : null,
  };
}
