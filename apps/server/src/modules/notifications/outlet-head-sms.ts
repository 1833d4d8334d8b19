import { sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.ts';
import { tenantTimeZone } from '../../lib/time.ts';
import { enqueueStaffSms } from '../messaging/templates.ts';
import { findUnitManagers } from './notifications.service.ts';

/**
 * SMS to the outlet head 网点负责人 (DESIGN §4.1, §6): for every 不满意 and every potential customer 潜力客户 a teller
 * flags. The outlet head is the nearest manager of the outlet — the users `findUnitManagers` finds for the outlet
 * (holding evaluation:manage at the outlet or, when it has none, the nearest unit above), the same people the in-app
 * 不满意 notice reaches — who have a mobile phone on their user record. Messages go through the outbox in the caller's
 * transaction with a once-only key per fact and person, so a replay never sends twice. A tenant without an SMS
 * provider still queues them: the sender's log provider records them, as for every SMS (messaging/sms/provider.ts).
 */

/** Template variables: {网点} {窗口} {员工} {时间} {评价} / {客户}. Rendered into the body, passed as provider params. */
export const UNSATISFIED_SMS_TEMPLATE =
  '【不满意提醒】{网点}{窗口}{员工}的服务于{时间}收到“{评价}”评价，请及时跟进处理。';
export const POTENTIAL_CUSTOMER_SMS_TEMPLATE =
  '【潜力客户】{网点}{窗口}{员工}于{时间}标记潜力客户{客户}，已生成回访任务。';

const CN_MOBILE = /^1[3-9]\d{9}$/;

/** The outlet of a unit: the unit itself or its nearest ancestor of type outlet; the unit when it has none. */
async function outletOf(tx: DbOrTx, tenantId: string, unitId: string): Promise<{ id: string; name: string }> {
  const res = await tx.execute<{ id: string; name: string }>(sql`
    select o.id, o.name from org_units u join org_units o on o.tenant_id = u.tenant_id and u.path like o.path || '%'
    where u.tenant_id = ${tenantId} and u.id = ${unitId}
    order by (o.type = 'outlet') desc, (o.id = u.id) desc, o.depth desc limit 1`);
  return res.rows[0] ?? { id: unitId, name: '' };
}

/** The outlet heads of a unit's outlet who can receive an SMS (a CN mobile number on their user record). */
export async function findOutletHeadPhones(
  tx: DbOrTx,
  tenantId: string,
  unitId: string,
): Promise<{ outlet: { id: string; name: string }; heads: { userId: string; phone: string }[] }> {
  const outlet = await outletOf(tx, tenantId, unitId);
  const managers = await findUnitManagers(tx, tenantId, outlet.id);
  if (managers.length === 0) return { outlet, heads: [] };
  const res = await tx.execute<{ id: string; phone: string | null }>(sql`
    select id, phone from users where tenant_id = ${tenantId} and id in (${sql.join(
      managers.map((m) => sql`${m}::uuid`),
      sql`, `,
    )}) order by id`);
  const heads = res.rows
    .map((r) => ({ userId: r.id, phone: (r.phone ?? '').replace(/[\s-]/g, '') }))
    .filter((h) => CN_MOBILE.test(h.phone));
  return { outlet, heads };
}

async function localTime(tx: DbOrTx, tenantId: string, at: Date): Promise<string> {
  const timeZone = await tenantTimeZone(tx, tenantId);
  const parts = new Intl.DateTimeFormat('zh-CN', {
    timeZone,
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(at);
  const p = (type: string) => parts.find((x) => x.type === type)?.value ?? '';
  return `${p('month')}-${p('day')} ${p('hour')}:${p('minute')}`;
}

export interface TOutletHeadSms {
  tenantId: string;
  /** The unit the fact belongs to (the outlet, or a counter / unit below it). */
  unitId: string;
  template: string;
  /** Values besides {网点} (the outlet's name) and {时间} (`occurredAt` in the tenant's time zone). */
  values: Record<string, string>;
  /** Now: when the message is queued. */
  at: Date;
  /** When the fact happened (a kiosk press delivered late from offline); `at` when not given. */
  occurredAt?: Date;
  refType: string;
  refId: string;
  /** The fact's once-only key; each head's message is keyed `<key>:<user id>`. */
  dedupeKey: string;
}

/** Queue the SMS to the outlet heads; returns how many were queued now (0 on a replay or when no head has a mobile). */
export async function smsOutletHeads(tx: DbOrTx, m: TOutletHeadSms): Promise<number> {
  const { outlet, heads } = await findOutletHeadPhones(tx, m.tenantId, m.unitId);
  if (heads.length === 0) return 0;
  const values = { 网点: outlet.name, 时间: await localTime(tx, m.tenantId, m.occurredAt ?? m.at), ...m.values };
  const ids = await enqueueStaffSms(
    tx,
    m.at,
    heads.map((h) => ({
      tenantId: m.tenantId,
      unitId: outlet.id,
      to: h.phone,
      template: m.template,
      values,
      refType: m.refType,
      refId: m.refId,
      dedupeKey: `${m.dedupeKey}:${h.userId}`,
    })),
  );
  return ids.length;
}
