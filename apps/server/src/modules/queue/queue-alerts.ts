import { sql } from 'drizzle-orm';
import type { Db, DbOrTx } from '../../db/client.ts';
import { pgArray } from '../../lib/scope.ts';
import { tenantTimeZone } from '../../lib/time.ts';
import { enqueueMessages } from '../messaging/outbox.repository.ts';
import { findUnitManagers, notify } from '../notifications/notifications.service.ts';
import { localDayTime } from './queue-rules.ts';

type TKind = 'length' | 'wait';

/**
 * 排队预警: more than N people waiting, or someone waiting longer than M minutes, tells the outlet head at once —
 * in-app, and by SMS (through the outbox) to those with a phone on file. Once per breach: a breach is one open row in
 * queue_alerts (partial unique index), opened when the condition starts and cleared when it ends, so the next breach
 * alerts again. Called after a take that can start a length breach, after a call while a breach is open (see
 * takeTicket and callNext), and every minute by the `queue-alerts` job (a wait grows while nothing happens).
 * `localDay`: the outlet's local day of `now` when the caller knows it.
 */
export async function checkQueueAlerts(
  tx: DbOrTx,
  tenantId: string,
  outletId: string,
  now: Date,
  localDay?: string,
): Promise<number> {
  const day = localDay ?? localDayTime(now, await tenantTimeZone(tx, tenantId)).day;
  const res = await tx.execute<{
    alert_queue_length: number | null;
    alert_wait_minutes: number | null;
    waiting: number;
    oldest: Date | string | null;
    outlet_name: string;
  }>(sql`
    select qs.alert_queue_length, qs.alert_wait_minutes, o.name as outlet_name,
           (select count(*)::int from queue_tickets q where q.tenant_id = qs.tenant_id and q.outlet_id = qs.outlet_id and q.day = ${day}::date and q.status = 'waiting') as waiting,
           (select min(q.queued_at) from queue_tickets q where q.tenant_id = qs.tenant_id and q.outlet_id = qs.outlet_id and q.day = ${day}::date and q.status = 'waiting') as oldest
    from queue_settings qs join org_units o on o.id = qs.outlet_id
    where qs.tenant_id = ${tenantId} and qs.outlet_id = ${outletId}`);
  const s = res.rows[0];
  if (!s || (s.alert_queue_length === null && s.alert_wait_minutes === null)) return 0;
  const waitMinutes = s.oldest ? Math.floor((now.getTime() - new Date(s.oldest).getTime()) / 60_000) : 0;
  let sent = 0;
  const judge = async (kind: TKind, limit: number | null, value: number, text: string) => {
    if (limit !== null && value > limit) {
      const opened = await tx.execute(sql`
        insert into queue_alerts (tenant_id, outlet_id, kind, value, started_at) values (${tenantId}, ${outletId}, ${kind}, ${value}, ${now})
        on conflict (outlet_id, kind) where cleared_at is null do nothing returning id`);
      if (opened.rows.length) sent += await tell(tx, tenantId, outletId, `排队预警：${s.outlet_name}`, text, now);
    } else {
      await tx.execute(sql`
        update queue_alerts set cleared_at = ${now} where outlet_id = ${outletId} and kind = ${kind} and cleared_at is null`);
    }
  };
  await judge(
    'length',
    s.alert_queue_length,
    s.waiting,
    `当前等候 ${s.waiting} 人，超过 ${s.alert_queue_length} 人，请考虑增开窗口`,
  );
  await judge(
    'wait',
    s.alert_wait_minutes,
    waitMinutes,
    `有客户已等候 ${waitMinutes} 分钟，超过 ${s.alert_wait_minutes} 分钟`,
  );
  return sent;
}

async function tell(tx: DbOrTx, tenantId: string, outletId: string, title: string, body: string, at: Date) {
  const heads = await findUnitManagers(tx, tenantId, outletId, 'queue:manage');
  if (heads.length === 0) return 0;
  await notify(tx, { tenantId, userIds: heads, kind: 'queue.alert', title, body, link: '/queue-settings', at });
  const phones = await tx.execute<{ id: string; phone: string }>(sql`
    select id, phone from users where tenant_id = ${tenantId} and id = any(${pgArray(heads, 'uuid')}) and phone is not null and phone <> ''`);
  await enqueueMessages(
    tx,
    at,
    phones.rows.map((u) => ({
      tenantId,
      unitId: outletId,
      channel: 'sms' as const,
      to: u.phone,
      body: `【${title}】${body}`,
      refType: 'queue_alert',
      refId: outletId,
    })),
  );
  return heads.length;
}

/** The every-minute sweep: outlets with alerts configured and people waiting today. */
export async function sweepQueueAlerts(db: Db, now: Date): Promise<number> {
  const outlets = await db.execute<{ tenant_id: string; outlet_id: string }>(sql`
    select qs.tenant_id, qs.outlet_id from queue_settings qs
    where (qs.alert_queue_length is not null or qs.alert_wait_minutes is not null)
      and (exists (select 1 from queue_tickets q where q.outlet_id = qs.outlet_id and q.status = 'waiting' and q.taken_at > ${now}::timestamptz - interval '1 day')
           or exists (select 1 from queue_alerts a where a.outlet_id = qs.outlet_id and a.cleared_at is null))`);
  let sent = 0;
  for (const o of outlets.rows)
    sent += await db.transaction((tx) => checkQueueAlerts(tx, o.tenant_id, o.outlet_id, now));
  return sent;
}
