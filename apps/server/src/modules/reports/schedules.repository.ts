import { and, desc, eq, sql } from 'drizzle-orm';
import type { TReportDelivery, TReportSchedule } from '@huifang/shared';
import type { DbOrTx } from '../../db/client.ts';
import { reportDeliveries, reportSchedules } from '../../db/schema/index.ts';
import { pgArray, unitVisible, type TScope } from '../../lib/scope.ts';

export type TScheduleRow = typeof reportSchedules.$inferSelect;
export type TDeliveryRow = typeof reportDeliveries.$inferSelect;

/** A schedule is visible to whoever sees its unit (report:manage users of a wider scope see those below them). */
const visible = (scope: TScope) =>
  and(eq(reportSchedules.tenantId, scope.tenantId), unitVisible(scope, reportSchedules.unitId));

export async function listSchedules(db: DbOrTx, scope: TScope): Promise<TScheduleRow[]> {
  return db.select().from(reportSchedules).where(visible(scope)).orderBy(reportSchedules.createdAt, reportSchedules.id);
}

export async function findSchedule(db: DbOrTx, scope: TScope, id: string): Promise<TScheduleRow | null> {
  const [row] = await db
    .select()
    .from(reportSchedules)
    .where(and(visible(scope), eq(reportSchedules.id, id)));
  return row ?? null;
}

/** Enabled schedules of every tenant (the job). */
export async function listEnabledSchedules(db: DbOrTx, tenantId?: string): Promise<TScheduleRow[]> {
  return db
    .select()
    .from(reportSchedules)
    .where(and(eq(reportSchedules.enabled, true), tenantId ? eq(reportSchedules.tenantId, tenantId) : undefined));
}

/** Names of users (recipient lists, delivery history). */
export async function userNames(db: DbOrTx, tenantId: string, ids: string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const res = await db.execute<{ id: string; display_name: string }>(
    sql`select id, display_name from users where tenant_id = ${tenantId} and id = any(${pgArray([...new Set(ids)], 'uuid')})`,
  );
  return new Map(res.rows.map((r) => [r.id, r.display_name]));
}

export async function unitName(db: DbOrTx, tenantId: string, id: string): Promise<string | null> {
  const res = await db.execute<{ name: string }>(
    sql`select name from org_units where tenant_id = ${tenantId} and id = ${id}`,
  );
  return res.rows[0]?.name ?? null;
}

/**
 * When the schedule's latest e-mail was sent: by the outbox (sent_at of its sent message), not when the delivery was
 * queued — an e-mail that is still queued or failed is not "sent".
 */
async function lastSentAt(db: DbOrTx, tenantId: string, scheduleId: string): Promise<string | null> {
  const res = await db.execute<{ at: Date | string | null }>(sql`
    select max(m.sent_at) as at from report_deliveries d
    join outbox_messages m on m.tenant_id = d.tenant_id and m.id = d.outbox_message_id
    where d.tenant_id = ${tenantId} and d.schedule_id = ${scheduleId} and m.status = 'sent'`);
  const at = res.rows[0]?.at;
  return at ? new Date(at).toISOString() : null;
}

export async function toScheduleDto(db: DbOrTx, row: TScheduleRow): Promise<TReportSchedule> {
  const names = await userNames(db, row.tenantId, row.recipientIds);
  return {
    id: row.id,
    name: row.name,
    kind: row.kind as TReportSchedule['kind'],
    frequency: row.frequency as TReportSchedule['frequency'],
    weekday: row.weekday,
    monthDay: row.monthDay,
    sendTime: row.sendTime,
    unitId: row.unitId,
    unitName: await unitName(db, row.tenantId, row.unitId),
    recipientIds: row.recipientIds,
    recipients: row.recipientIds.map((id) => ({ id, displayName: names.get(id) ?? id })),
    enabled: row.enabled,
    createdBy: row.createdBy,
    lastSentAt: await lastSentAt(db, row.tenantId, row.id),
    createdAt: row.createdAt.toISOString(),
  };
}

/** The deliveries of a schedule, newest first, with the outbox status of each queued e-mail. */
export async function listDeliveries(db: DbOrTx, tenantId: string, scheduleId: string): Promise<TReportDelivery[]> {
  const res = await db.execute<{
    id: string;
    period_from: string;
    period_to: string;
    recipient_id: string;
    recipient_name: string | null;
    status: TReportDelivery['status'];
    error: string | null;
    outbox_status: string | null;
    created_at: Date;
  }>(sql`
    select d.id, to_char(d.period_from, 'YYYY-MM-DD') as period_from, to_char(d.period_to, 'YYYY-MM-DD') as period_to,
           d.recipient_id, u.display_name as recipient_name, d.status, d.error, m.status as outbox_status, d.created_at
    from report_deliveries d
    left join users u on u.id = d.recipient_id
    left join outbox_messages m on m.tenant_id = d.tenant_id and m.id = d.outbox_message_id
    where d.tenant_id = ${tenantId} and d.schedule_id = ${scheduleId}
    order by d.created_at desc, d.id limit 200`);
  return res.rows.map((r) => ({
    id: r.id,
    periodFrom: r.period_from,
    periodTo: r.period_to,
    recipientId: r.recipient_id,
    recipientName: r.recipient_name,
    status: r.status,
    error: r.error,
    outboxStatus: r.outbox_status,
    createdAt: new Date(r.created_at).toISOString(),
  }));
}

export async function deliveredRecipients(
  db: DbOrTx,
  tenantId: string,
  scheduleId: string,
  periodFrom: string,
): Promise<Set<string>> {
  const rows = await db
    .select({ recipientId: reportDeliveries.recipientId })
    .from(reportDeliveries)
    .where(
      and(
        eq(reportDeliveries.tenantId, tenantId),
        eq(reportDeliveries.scheduleId, scheduleId),
        eq(reportDeliveries.periodFrom, periodFrom),
      ),
    )
    .orderBy(desc(reportDeliveries.createdAt));
  return new Set(rows.map((r) => r.recipientId));
}
