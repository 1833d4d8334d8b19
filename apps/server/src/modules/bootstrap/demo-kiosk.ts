import { sql } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import type { TClock } from '../../lib/clock.ts';
import { newDeviceToken, sha256 } from '../kiosk/kiosk-devices.ts';
import { boundSql, recordCorrectionsFromSource, recordFromSource } from '../evaluations/evaluations.write.ts';

/** Documented in the README's demo section: enter it on /kiosk to pair that browser to 陆家嘴支行 1号窗口. */
export const DEMO_PAIRING_CODE = 'DEMO-LJZ1';
/** A teller whose customers rate lower, and one whose share of top marks is suspiciously high (flagged). */
const WEAK_TELLER = 'teller04';
const INFLATED_TELLER = 'teller08';

/**
 * Demo counter service: 18 months of service sessions at every demo counter (weekday and hour peaks, closed on
 * Sundays) with their kiosk evaluations (~7% 未评价, a weaker teller, an inflated one), a few appeals and
 * exclusions, a paired demo kiosk at SH-LJZ-W1 and a pairing code for another. Set-based SQL: a few seconds.
 */
export async function loadDemoKiosk(deps: { db: Db; clock: TClock }, tenantId: string): Promise<number> {
  const done = await deps.db.execute<{ n: number }>(
    sql`select count(*)::int as n from service_sessions where tenant_id = ${tenantId}`,
  );
  if ((done.rows[0]?.n ?? 0) > 0) return 0;
  const now = deps.clock.now();
  return deps.db.transaction(async (tx) => {
    await tx.execute(sql`select setseed(0.2026)`);
    // Counters with their outlet and the teller who sits there.
    await tx.execute(sql`
      create temp table demo_counters on commit drop as
      select c.id as counter_id, o.id as outlet_id, u.id as staff_id, u.username, u.business_handled
      from org_units c
      join org_units o on o.id = c.parent_id and o.type = 'outlet'
      join users u on u.unit_id = c.id and u.tenant_id = c.tenant_id
      where c.tenant_id = ${tenantId} and c.type = 'counter' and c.code is not null
        and exists (select 1 from user_roles ur join roles r on r.id = ur.role_id where ur.user_id = u.id and r.key = 'teller')`);
    // Per counter, day and opening hour: a number of customers (peaks at 10–11 and 14–15, busier Mondays and
    // Fridays, half a day's traffic on Saturdays, closed on Sundays), served one after the other within the hour.
    const inserted = await tx.execute<{ n: number }>(sql`
      with days as (
        select d::date as day, extract(isodow from d)::int as dow
        from generate_series((${now}::timestamptz at time zone 'Asia/Shanghai')::date - interval '548 days',
                             (${now}::timestamptz at time zone 'Asia/Shanghai')::date - interval '1 day', interval '1 day') d
      ),
      hours as (select * from (values (9, 1.0), (10, 1.7), (11, 1.5), (12, 0.7), (13, 0.9), (14, 1.5), (15, 1.3), (16, 0.8)) h(hour, w)),
      slots as (
        select c.*, d.day, h.hour,
               greatest(0, round(1.9 * h.w * (case d.dow when 1 then 1.3 when 5 then 1.2 when 6 then 0.5 else 1.0 end) * (0.6 + random() * 0.8)))::int as n
        from demo_counters c cross join days d cross join hours h
        where d.dow <> 7 and not (d.dow = 6 and h.hour >= 13)
      ),
      ins as (
        insert into service_sessions (tenant_id, counter_id, outlet_id, staff_id, business_type, started_at, ended_at, handling_seconds, rating_closed)
        select ${tenantId}, s.counter_id, s.outlet_id, s.staff_id,
               coalesce(s.business_handled[1 + floor(random() * greatest(cardinality(s.business_handled), 1))::int], '个人存取款'),
               st, st + make_interval(secs => dur), dur, true
        from slots s
        cross join lateral generate_series(0, s.n - 1) k
        cross join lateral (select ((s.day + make_interval(hours => s.hour)) at time zone 'Asia/Shanghai')
                                   + make_interval(secs => (k * 3600.0 / s.n) + random() * 60) as st,
                                   least(3600 / s.n - 90, 150 + (random() * random() * 900)
                                         * (case when s.username = ${WEAK_TELLER} then 1.4 else 1 end))::int as dur) t
        where s.n > 0
        returning 1
      )
      select count(*)::int as n from ins`);
    // One kiosk evaluation per session: ~7% no press (未评价), the rest on the default keys.
    await tx.execute(
      boundSql(
        recordFromSource(
          `src as (
      select null::uuid as id, s.tenant_id, 'kiosk'::text as channel,
             s.ended_at + make_interval(secs => case when x.score is null then 30 else 3 + r.r2 * 10 end) as occurred_at,
             s.ended_at + make_interval(secs => 40) as received_at, s.outlet_id as unit_id, s.counter_id, s.staff_id,
             null::uuid as customer_id, null::uuid as service_record_id, 'service_session'::text as ref_type, s.id as ref_id,
             'device'::text as source_type, null::text as source_id, x.score,
             case x.score when 5 then '非常满意' when 4 then '满意' when 3 then '一般' when 1 then '不满意' end as rating_label,
             '{}'::jsonb as dimensions, '{"demo": true}'::jsonb as answers, null::text as text,
             case when x.score is null then array['unrated'] when r.r2 < (case when c.username = $2 then 0.2 else 0.015 end) then array['fast_press'] else '{}'::text[] end as flags,
             'kiosk:session:' || s.id::text as idempotency_key, '{"isBackfill": true}'::jsonb as event_payload, 1::bigint as ord
      from (select ss.*, random() as r1, random() as r2 from service_sessions ss where ss.tenant_id = $1::uuid) s
      join demo_counters c on c.counter_id = s.counter_id
      cross join lateral (select s.r1, s.r2) r
      cross join lateral (select case
        when r.r1 < 0.07 then null
        when c.username = $2 then case when r.r1 < 0.97 then 5 else 4 end
        when c.username = $3 then case when r.r1 < 0.38 then 5 when r.r1 < 0.66 then 4 when r.r1 < 0.84 then 3 else 1 end
        else case when r.r1 < 0.62 then 5 when r.r1 < 0.87 then 4 when r.r1 < 0.96 then 3 else 1 end end::smallint as score) x
    )`,
          'select count(*) from recorded',
        ),
        [tenantId, INFLATED_TELLER, WEAK_TELLER],
      ),
    );
    // A few appeals 申诉 of 不满意 ratings in the last two months: some excluded by the branch manager, some rejected.
    await tx.execute(
      boundSql(
        recordCorrectionsFromSource(`picked as (
        select e.id, e.staff_id, e.occurred_at, row_number() over (order by e.occurred_at desc) as rn,
               (select m.id from users m join org_units mu on mu.id = m.unit_id join org_units ou on ou.id = e.unit_id
                where m.tenant_id = e.tenant_id and m.username in ('zhang.manager', 'li.manager') and ou.path like mu.path || '%' limit 1) as manager_id
        from evaluations e join demo_counters c on c.staff_id = e.staff_id
        where e.tenant_id = $1::uuid and e.channel = 'kiosk' and e.score = 1 and e.occurred_at > $2::timestamptz - interval '60 days'
        order by e.occurred_at desc limit 8
      ),
      csrc as (
        select $1::uuid as tenant_id, id as evaluation_id, kind, reason, actor as actor_id, at, ord, '{"isBackfill": true}'::jsonb as event_payload from (
          select id, 'appeal' as kind, '客户因排队时间长迁怒，与服务无关' as reason, staff_id as actor, occurred_at + interval '2 hours' as at, 1 as ord, rn from picked
          union all
          select id, case when rn % 2 = 0 then 'exclude' else 'appeal_rejected' end,
                 case when rn % 2 = 0 then '经调阅录像，客户误按，予以剔除' else '录像显示服务态度欠佳，维持评价' end,
                 manager_id, occurred_at + interval '1 day', 2, rn from picked where rn <= 6
        ) c
      )`),
        [tenantId, now],
      ),
    );
    // The demo kiosk of 陆家嘴支行 1号窗口 (listed on 评价器管理) and a pairing code for a browser to become it.
    const w1 = await tx.execute<{ counter_id: string; outlet_id: string }>(sql`
      select c.id as counter_id, c.parent_id as outlet_id from org_units c where c.tenant_id = ${tenantId} and c.code = 'SH-LJZ-W1'`);
    const unit = w1.rows[0];
    if (unit) {
      await tx.execute(sql`
        insert into kiosk_devices (tenant_id, counter_id, outlet_id, name, token_hash, created_at, last_seen_at)
        values (${tenantId}, ${unit.counter_id}, ${unit.outlet_id}, '陆家嘴1号窗口评价器（演示）', ${sha256(newDeviceToken())}, ${now}, ${now})`);
      await tx.execute(sql`
        insert into kiosk_pairing_codes (tenant_id, counter_id, code_hash, device_name, expires_at, created_at)
        values (${tenantId}, ${unit.counter_id}, ${sha256(DEMO_PAIRING_CODE.replace(/[^A-Z0-9]/g, ''))}, '演示评价器', ${new Date(now.getTime() + 365 * 86400_000)}, ${now})
        on conflict do nothing`);
    }
    return inserted.rows[0]?.n ?? 0;
  });
}
