import { sql } from 'drizzle-orm';
import type pg from 'pg';
import {
  formatPhone,
  normalizeCardNumber,
  normalizePhone,
  type TQueueBoard,
  type TQueuePublicTicket,
  type TQueueTicketStatus,
  type TTakeTicketInput,
} from '@huifang/shared';
import type { Db, DbOrTx } from '../../db/client.ts';
import { AppError, invalidField, notFound, unknownRef } from '../../lib/app-error.ts';
import type { TClock } from '../../lib/clock.ts';
import { DEFAULT_TIME_ZONE } from '../../lib/time.ts';
import {
  findCustomerTierByCard,
  findCustomerTierByIdNumber,
  findCustomerTierByPhone,
} from '../customers/customers.repository.ts';
import { publish } from '../kiosk/kiosk-hub.ts';
import { checkQueueAlerts } from './queue-alerts.ts';
import { DEFAULT_HANDLING_SECONDS, estimateWaitMinutes, isOpenAt, localDayTime } from './queue-rules.ts';

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
  /** 排队预警 thresholds (null: off); a take checks the alerts only when the length one can be crossed. */
  alertQueueLength: number | null;
  alertWaitMinutes: number | null;
}

const pool = (db: DbOrTx) => (db as unknown as { $client: pg.Pool }).$client;

/**
 * The link with its tenant's time zone (tenants.time_zone, as tenantTimeZone reads it) in one round trip: a named
 * prepared statement, as the take is the public hot path (bench/queue-peak.ts).
 */
const FIND_LINK_SQL = `
  select qs.tenant_id, qs.outlet_id, o.name as outlet_name, qs.opens_at, qs.closes_at, qs.vip_tiers,
         qs.alert_queue_length, qs.alert_wait_minutes, coalesce(tn.time_zone, $2) as time_zone
  from queue_settings qs join org_units o on o.id = qs.outlet_id join tenants tn on tn.id = qs.tenant_id
  where qs.link_token = $1 and o.is_active`;

export async function findLink(db: DbOrTx, token: string): Promise<TQueueLink> {
  const res = await pool(db).query<{
    tenant_id: string;
    outlet_id: string;
    outlet_name: string;
    opens_at: string;
    closes_at: string;
    vip_tiers: string[];
    alert_queue_length: number | null;
    alert_wait_minutes: number | null;
    time_zone: string;
  }>({ name: 'queue-find-link', text: FIND_LINK_SQL, values: [token, DEFAULT_TIME_ZONE] });
  const r = res.rows[0];
  if (!r) throw notFound('queue link');
  return {
    tenantId: r.tenant_id,
    outletId: r.outlet_id,
    outletName: r.outlet_name,
    opensAt: r.opens_at,
    closesAt: r.closes_at,
    vipTiers: r.vip_tiers,
    timeZone: r.time_zone,
    alertQueueLength: r.alert_queue_length,
    alertWaitMinutes: r.alert_wait_minutes,
  };
}

/**
 * Waiting people, serving counters and the mean handling time today per active type of an outlet (handling from the
 * service sessions its calls opened; the default before the first one ends). The mean starts from the outlet's
 * tickets of the day (their index) and looks each session up by key: joining from service_sessions read every
 * session ever ended, on every take and board read (bench/queue-peak.ts).
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
           (select avg((select s.handling_seconds from service_sessions s where s.tenant_id = q.tenant_id and s.id = q.session_id))::float
            from queue_tickets q
            where q.tenant_id = t.tenant_id and q.outlet_id = t.outlet_id and q.day = ${day}::date and q.type_id = t.id
              and q.session_id is not null) as avg_handling
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
 * 取号 in ONE statement (its own transaction): the replay check, the type check, the next number of the type for
 * today, the ticket, its `taken` event, and what the customer is shown (people ahead, the type's counters and mean
 * handling time today), so nothing is read back. The number comes from the per type-and-day counter row
 * (`INSERT … ON CONFLICT DO UPDATE`): concurrent takers queue on its row lock, and a failed take rolls its number back,
 * so numbers are never given twice nor skipped. Numbers are formatted as ticketNumber() does: the prefix and at least
 * three digits. $1 tenant, $2 outlet, $3 type, $4 day, $5 now, $6 open now, $7 is VIP, $8 customer, $9 channel,
 * $10 Idempotency-Key, $11 count the outlet's waiting (alerts on).
 *
 * People ahead (here and in the ticket view): those the priority rule calls first — for a priority (VIP) ticket the
 * priority tickets queued before it; for another, every ticket queued before it and every waiting priority ticket.
 * The rule's cap (never more than K priority calls in a row) can only make the real wait shorter than that.
 */
const TAKE_SQL = `
  with prior as (
    select id, taken_type_id, outlet_id from queue_tickets where tenant_id = $1 and idempotency_key = $10
  ),
  typ as (
    select id, prefix from queue_business_types
    where tenant_id = $1 and outlet_id = $2 and id = $3 and is_active and $6::boolean and not exists (select 1 from prior)
  ),
  seq as (
    insert into queue_day_numbers as n (tenant_id, type_id, day, last_no) select $1, typ.id, $4::date, 1 from typ
    on conflict (type_id, day) do update set last_no = n.last_no + 1
    returning last_no
  ),
  ticket as (
    insert into queue_tickets (tenant_id, outlet_id, taken_type_id, type_id, day, seq, number, status, is_vip,
                               customer_id, channel, idempotency_key, taken_at, queued_at)
    select $1, $2, typ.id, typ.id, $4::date, seq.last_no,
           typ.prefix || case when seq.last_no < 1000 then lpad(seq.last_no::text, 3, '0') else seq.last_no::text end,
           'waiting', $7, $8, $9, $10, $5, $5
    from typ, seq
    returning id, seq, number, taken_at
  ),
  ev as (
    insert into queue_ticket_events (tenant_id, ticket_id, kind, at, data)
    select $1, ticket.id, 'taken', $5, jsonb_build_object('channel', $9::text, 'isVip', $7::boolean) from ticket
  )
  select p.id as prior_id, p.taken_type_id as prior_type_id, p.outlet_id as prior_outlet_id,
         t.id, t.number, t.taken_at,
         (select name from queue_business_types where id = $3) as type_name,
         (select name from org_units where id = $2) as outlet_name,
         (select count(*)::int from queue_tickets w
           where w.type_id = $3 and w.day = $4::date and w.status = 'waiting' and w.target_counter_id is null
             and case when $7::boolean then w.is_vip and (w.queued_at, w.seq) < ($5::timestamptz, t.seq)
                      else w.is_vip or (w.queued_at, w.seq) < ($5::timestamptz, t.seq) end) as ahead,
         (select count(*)::int from queue_counter_types ct where ct.type_id = $3) as counters,
         (select avg((select s.handling_seconds from service_sessions s where s.tenant_id = q.tenant_id and s.id = q.session_id))::float
          from queue_tickets q
          where q.tenant_id = $1 and q.outlet_id = $2 and q.day = $4::date and q.type_id = $3 and q.session_id is not null) as avg_handling,
         case when $11::boolean and t.id is not null then
           (select count(*)::int from queue_tickets w
             where w.tenant_id = $1 and w.outlet_id = $2 and w.day = $4::date and w.status = 'waiting') + 1 end as outlet_waiting,
         case when $11::boolean and t.id is not null then
           exists (select 1 from queue_alerts a where a.outlet_id = $2 and a.kind = 'length' and a.cleared_at is null) end
           as has_open_length_alert
  from (select 1) one left join prior p on true left join ticket t on true`;

type TTakeRow = {
  prior_id: string | null;
  prior_type_id: string | null;
  prior_outlet_id: string | null;
  id: string | null;
  number: string | null;
  taken_at: Date | null;
  type_name: string;
  outlet_name: string;
  ahead: number;
  counters: number;
  avg_handling: number | null;
  outlet_waiting: number | null;
  has_open_length_alert: boolean | null;
};

const isIdempotencyRace = (e: unknown) =>
  (e as { code?: string; constraint?: string }).code === '23505' &&
  (e as { constraint?: string }).constraint === 'queue_tickets_idem_uq';

type TCustomerKey = { by: 'phone' | 'card' | 'idNumber'; value: string };

/**
 * What the taker gave to be recognised by (at most one of phone, card number 卡号, ID number 身份证号), in its stored
 * form; a malformed one is a 400 naming its field, before anything is written.
 */
export function customerKeyOf(input: TTakeTicketInput): TCustomerKey | null {
  const given = (['phone', 'cardNumber', 'idNumber'] as const).filter((k) => input[k]);
  if (given.length > 1)
    throw invalidField(`body.${given[1]}`, 'give one of phone, cardNumber or idNumber', { code: 'custom' });
  if (input.phone) {
    const p = normalizePhone(input.phone);
    if (!p) throw invalidField('body.phone', 'not a valid phone number', { code: 'invalid_format' });
    return { by: 'phone', value: formatPhone(p) };
  }
  if (input.cardNumber) {
    const card = normalizeCardNumber(input.cardNumber);
    if (!card) throw invalidField('body.cardNumber', 'a card number has 8–19 digits', { code: 'invalid_format' });
    return { by: 'card', value: card };
  }
  if (input.idNumber) {
    const id = input.idNumber.normalize('NFKC').replace(/\s/g, '').toUpperCase();
    if (!/^\d{17}[\dX]$/.test(id))
      throw invalidField('body.idNumber', 'an ID number has 18 characters', { code: 'invalid_format' });
    return { by: 'idNumber', value: id };
  }
  return null;
}

/** The customer a take is recognised as (null: nobody, the same answer whether the key is unknown or not given). */
function findTaker(db: DbOrTx, tenantId: string, key: TCustomerKey) {
  if (key.by === 'phone') return findCustomerTierByPhone(db, tenantId, key.value);
  if (key.by === 'card') return findCustomerTierByCard(db, tenantId, key.value);
  return findCustomerTierByIdNumber(db, tenantId, key.value);
}

/**
 * 取号: the next number of the type for today. The Idempotency-Key makes a retried take return the same ticket: a
 * replay finds it; two retries in flight at once meet on the key's unique index, and the loser (its number rolled
 * back) finds the winner's ticket. 排队预警 is checked only when this take can cross the length threshold (more
 * waiting than it and no breach open); a wait only grows with time, which the minute sweep judges.
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
  const key = customerKeyOf(input);
  const isOpen = isOpenAt(hhmm, link.opensAt, link.closesAt);
  const customer = key && isOpen ? await findTaker(deps.db, link.tenantId, key) : null;
  const isVip = customer?.tier != null && link.vipTiers.includes(customer.tier);
  const values = [
    link.tenantId,
    link.outletId,
    input.typeId,
    day,
    now,
    isOpen,
    isVip,
    customer?.id ?? null,
    input.channel,
    idempotencyKey,
    link.alertQueueLength !== null,
  ];
  let r: TTakeRow;
  try {
    r = (await pool(deps.db).query<TTakeRow>({ name: 'queue-take', text: TAKE_SQL, values })).rows[0]!;
  } catch (e) {
    if (!isIdempotencyRace(e)) throw e;
    r = (await pool(deps.db).query<TTakeRow>({ name: 'queue-take', text: TAKE_SQL, values })).rows[0]!;
  }
  if (r.prior_id) {
    if (r.prior_type_id !== input.typeId || r.prior_outlet_id !== link.outletId)
      throw new AppError('IDEMPOTENCY_KEY_REUSED', 'this Idempotency-Key was already used for another number', {
        details: [{ path: 'headers.idempotency-key', message: 'already used for another number' }],
      });
    return { ...(await readPublicTicket(deps, r.prior_id)), replayed: true };
  }
  if (!isOpen) throw new AppError('QUEUE_CLOSED', `numbers are given from ${link.opensAt} to ${link.closesAt}`);
  if (!r.id || !r.number || !r.taken_at) throw unknownRef('body.typeId', 'business type');
  await publish(deps.db, [{ k: 'queue', t: link.tenantId, o: link.outletId }]);
  if (
    link.alertQueueLength !== null &&
    (r.outlet_waiting ?? 0) > link.alertQueueLength &&
    r.has_open_length_alert === false
  )
    await deps.db.transaction((tx) => checkQueueAlerts(tx, link.tenantId, link.outletId, now, day));
  return {
    id: r.id,
    number: r.number,
    typeName: r.type_name,
    outletName: r.outlet_name,
    status: 'waiting',
    ahead: r.ahead,
    estimatedWaitMinutes: estimateWaitMinutes(r.ahead, r.counters, r.avg_handling ?? DEFAULT_HANDLING_SECONDS),
    counterName: null,
    takenAt: new Date(r.taken_at).toISOString(),
    calledAt: null,
    replayed: false,
  };
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
               and w.id <> q.id
               and case when q.is_vip then w.is_vip and (w.queued_at, w.seq) < (q.queued_at, q.seq)
                        else w.is_vip or (w.queued_at, w.seq) < (q.queued_at, q.seq) end) else 0 end as ahead
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
