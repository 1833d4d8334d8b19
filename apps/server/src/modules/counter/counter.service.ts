import { sql, type SQL } from 'drizzle-orm';
import type { TCounterContext, TCounterStats, TServiceSession, TStartSessionInput } from '@huifang/shared';
import type { Db, DbOrTx } from '../../db/client.ts';
import { AppError, notFound, unknownRef } from '../../lib/app-error.ts';
import type { TClock } from '../../lib/clock.ts';
import { tenantTimeZone } from '../../lib/time.ts';
import { ownedVisible, unitVisible, type TScope } from '../../lib/scope.ts';
import { findVisibleIds } from '../customers/customers.repository.ts';
import { announce, publish, type TKioskSignal } from '../kiosk/kiosk-hub.ts';
import { localDays, readEvaluationRollups } from '../evaluations/rollups.ts';
import { findSession, mySessionFigures } from './sessions.repository.ts';

type TDeps = { db: Db; clock: TClock };

/** Offered when the teller has no 办理业务 list of their own. */
export const DEFAULT_BUSINESS_TYPES = ['个人存取款', '开户销户', '对公结算', '理财咨询', '信用卡', '其他'];

/**
 * Counters the caller may serve at: those of the outlet their own unit belongs to (a teller sits in a counter unit),
 * or — for staff above outlet level — any counter in their scope.
 */
export async function servableCounters(db: DbOrTx, scope: TScope, onlyId?: string) {
  // A unit's outlet is its nearest ancestor-or-self of type outlet. The ancestors are the ids in its materialised path
  // (`/<root>/…/<self>/`), looked up by primary key: matching `path like p.path || '%'` against every outlet of the
  // tenant cost ~35 ms a call at 500 outlets (bench/queue-peak.ts).
  const ancestors = (path: SQL) => sql`string_to_array(trim(both '/' from ${path}), '/')::uuid[]`;
  const res = await db.execute<{ id: string; name: string; outlet_id: string; outlet_name: string }>(sql`
    with me as (select u.path from org_units u where u.tenant_id = ${scope.tenantId} and u.id = ${scope.unitId}),
    my_outlet as (select o.path from org_units o, me where o.tenant_id = ${scope.tenantId} and o.type = 'outlet'
                    and o.id = any(${ancestors(sql`me.path`)})
                  order by o.depth desc limit 1)
    select c.id, c.name, o.id as outlet_id, o.name as outlet_name
    from org_units c
    join lateral (select p.id, p.name from org_units p where p.tenant_id = c.tenant_id and p.type = 'outlet'
                    and p.id = any(${ancestors(sql`c.path`)})
                  order by p.depth desc limit 1) o on true
    where c.tenant_id = ${scope.tenantId} and c.type = 'counter' and c.is_active ${onlyId ? sql`and c.id = ${onlyId}` : sql``}
      and (case when exists (select 1 from my_outlet) then c.path like (select path from my_outlet) || '%'
                else ${scope.dataScope === 'own' || scope.dataScope === 'unit' ? sql`c.id = ${scope.unitId}` : unitVisible(scope, sql`c.id`)} end)
    order by c.path limit 200`);
  return res.rows;
}

/**
 * 柜台服务 today figures of the teller himself (his own figures, whatever his data scope): sessions and handling time
 * from the session rollups, ratings from the evaluation rollups (kiosk; excluded ratings left out).
 */
export async function counterStats(db: DbOrTx, scope: TScope, now: Date, timeZone: string): Promise<TCounterStats> {
  const days = localDays(timeZone, now);
  const toDay = days.plus(1);
  const own: TScope = { ...scope, dataScope: 'own' };
  const [sessions, [figures]] = await Promise.all([
    mySessionFigures(db, own, days.today, toDay),
    readEvaluationRollups(db, own, { fromDay: days.today, toDay, channel: 'kiosk' }),
  ]);
  return {
    servedToday: sessions.served,
    avgHandlingSeconds: sessions.avgHandlingSeconds,
    ratedToday: figures?.rated ?? 0,
    avgScoreToday: figures?.avgScore ?? null,
    unsatisfiedToday: figures?.unsatisfied ?? 0,
  };
}

export async function getCounterContext(deps: TDeps, scope: TScope): Promise<TCounterContext> {
  const now = deps.clock.now();
  const [counters, me, tz] = await Promise.all([
    servableCounters(deps.db, scope),
    deps.db.execute<{ business_handled: string[] }>(sql`select business_handled from users where id = ${scope.userId}`),
    tenantTimeZone(deps.db, scope.tenantId),
  ]);
  const open = await deps.db.execute<{ id: string }>(
    sql`select id from service_sessions where tenant_id = ${scope.tenantId} and staff_id = ${scope.userId} and ended_at is null limit 1`,
  );
  const recentIds = await deps.db.execute<{ id: string }>(
    sql`select id from service_sessions where tenant_id = ${scope.tenantId} and staff_id = ${scope.userId} and ended_at is not null order by started_at desc limit 10`,
  );
  const sessions = await Promise.all([...open.rows, ...recentIds.rows].map((r) => findSession(deps.db, scope, r.id)));
  const handled = me.rows[0]?.business_handled ?? [];
  return {
    counters: counters.map((c) => ({ id: c.id, name: c.name, outletName: c.outlet_name })),
    defaultCounterId: counters.find((c) => c.id === scope.unitId)?.id ?? counters[0]?.id ?? null,
    businessTypes: handled.length ? handled : DEFAULT_BUSINESS_TYPES,
    openSession: open.rows[0] ? (sessions[0] ?? null) : null,
    recent: sessions.slice(open.rows.length).filter((s): s is TServiceSession => s !== null),
    stats: await counterStats(deps.db, scope, now, tz),
  };
}

type TServableCounter = Awaited<ReturnType<typeof servableCounters>>[number];

/**
 * Open a service session at a counter inside the caller's transaction (开始服务, and the queue's call 叫号 which starts
 * the service of the ticket it calls): one open session per counter and per staff member. With `signals`, the kiosk
 * signal is left there for the caller to `publish` after its commit; without, it is announced inside the transaction.
 */
export async function openSessionTx(
  tx: DbOrTx,
  scope: TScope,
  counter: Pick<TServableCounter, 'id' | 'outlet_id'>,
  businessType: string,
  customerId: string | null,
  now: Date,
  signals?: TKioskSignal[],
): Promise<string> {
  // Serialise starts per counter and per staff member (always in this order), so the check below cannot race.
  await tx.execute(sql`
    select pg_advisory_xact_lock(hashtextextended(${`counter:${counter.id}`}, 0)),
           pg_advisory_xact_lock(hashtextextended(${`staff:${scope.userId}`}, 0))`);
  const busyWhere = sql`tenant_id = ${scope.tenantId} and ended_at is null and (counter_id = ${counter.id} or staff_id = ${scope.userId})`;
  // The check and the insert in one statement; the reason is looked up only when it refused.
  const res = await tx.execute<{ id: string }>(sql`
    insert into service_sessions (tenant_id, counter_id, outlet_id, staff_id, business_type, customer_id, started_at)
    select ${scope.tenantId}, ${counter.id}, ${counter.outlet_id}, ${scope.userId}, ${businessType}, ${customerId}, ${now}
    where not exists (select 1 from service_sessions where ${busyWhere})
    returning id`);
  if (!res.rows[0]) {
    const busy = await tx.execute<{ counter_id: string }>(
      sql`select counter_id from service_sessions where ${busyWhere} limit 1`,
    );
    const msg =
      busy.rows[0]?.counter_id === counter.id
        ? 'this counter has a service in progress'
        : 'you have a service in progress at another counter';
    throw new AppError('SESSION_ALREADY_OPEN', msg, { details: [{ path: 'body.counterId', message: msg }] });
  }
  const signal: TKioskSignal = { k: 'counter', t: scope.tenantId, c: counter.id };
  if (signals) signals.push(signal);
  else await announce(tx, signal);
  return res.rows[0].id;
}

/**
 * End an open session inside the caller's transaction; false when it is not open (or not the caller's to end).
 * `withoutRating`: the customer never came (过号): the session closes with no rating prompt and no 未评价.
 * `signals`: as for openSessionTx.
 */
export async function closeSessionTx(
  tx: DbOrTx,
  scope: TScope,
  id: string,
  now: Date,
  opts: { withoutRating?: boolean; signals?: TKioskSignal[] } = {},
): Promise<boolean> {
  const res = await tx.execute<{ counter_id: string; outlet_id: string }>(sql`
    update service_sessions s set ended_at = greatest(${now}::timestamptz, s.started_at),
           handling_seconds = greatest(0, round(extract(epoch from (${now}::timestamptz - s.started_at))))::int,
           rating_closed = ${opts.withoutRating === true}
    where s.tenant_id = ${scope.tenantId} and s.id = ${id} and s.ended_at is null
      and (s.staff_id = ${scope.userId} or ${ownedVisible(scope, sql`s.staff_id`, sql`s.counter_id`)})
    returning s.counter_id, s.outlet_id`);
  const row = res.rows[0];
  if (!row) return false;
  const signals: TKioskSignal[] = [
    { k: 'counter', t: scope.tenantId, c: row.counter_id },
    // The outlet's hall displays show the number being served at each counter until its service ends (modules/queue).
    { k: 'queue', t: scope.tenantId, o: row.outlet_id },
  ];
  if (opts.signals) opts.signals.push(...signals);
  else for (const s of signals) await announce(tx, s);
  return true;
}

/** 开始服务: one open session per counter and per staff member; the kiosk of the counter shows the staff card. */
export async function startSession(deps: TDeps, scope: TScope, input: TStartSessionInput): Promise<TServiceSession> {
  const counters = await servableCounters(deps.db, scope);
  const counter = counters.find((c) => c.id === input.counterId);
  if (!counter) throw unknownRef('body.counterId', 'counter');
  // The customer being served: one the teller may see (the same rule as their customer search); an unknown id and
  // one of another branch get the same 404.
  if (input.customerId && (await findVisibleIds(deps.db, scope, [input.customerId])).length === 0)
    throw unknownRef('body.customerId', 'customer');
  const now = deps.clock.now();
  const signals: TKioskSignal[] = [];
  const id = await deps.db.transaction((tx) =>
    openSessionTx(tx, scope, counter, input.businessType, input.customerId ?? null, now, signals),
  );
  await publish(deps.db, signals);
  const s = await findSession(deps.db, scope, id);
  if (!s) throw notFound('service session');
  return s;
}

/** 结束服务: only an open session; the kiosk then prompts for the rating (the prompt is the end's, not the teller's). */
export async function endSession(deps: TDeps, scope: TScope, id: string): Promise<TServiceSession> {
  const now = deps.clock.now();
  const signals: TKioskSignal[] = [];
  await deps.db.transaction(async (tx) => {
    if (await closeSessionTx(tx, scope, id, now, { signals })) return;
    const existing = await findSession(tx, scope, id);
    if (!existing) throw notFound('service session');
    throw new AppError('SESSION_NOT_OPEN', 'the service has already ended');
  });
  await publish(deps.db, signals);
  const s = await findSession(deps.db, scope, id);
  if (!s) throw notFound('service session');
  return s;
}
