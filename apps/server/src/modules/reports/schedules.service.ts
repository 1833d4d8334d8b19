import { and, eq, sql } from 'drizzle-orm';
import type { TPermission, TReportDelivery, TReportKind, TReportSchedule, TReportScheduleInput } from '@huifang/shared';
import type { Db } from '../../db/client.ts';
import { reportDeliveries, reportSchedules } from '../../db/schema/index.ts';
import type { TJobSender } from '../../jobs/queue.ts';
import { AppError, notFound, unknownRef } from '../../lib/app-error.ts';
import type { TClock } from '../../lib/clock.ts';
import { EXPORT_CONTENT_TYPE } from '../../lib/export-file.ts';
import { pgArray, unitVisible, type TActor, type TAuditCtx, type TScope } from '../../lib/scope.ts';
import { tenantTimeZone } from '../../lib/time.ts';
import { insertAuditEvent } from '../audit/audit.repository.ts';
import { combineRoles } from '../auth/auth.service.ts';
import { findUserRoles } from '../auth/session.repository.ts';
import type { TPeriod } from '../dashboard/periods.ts';
import { addDays, localDay } from '../evaluations/rollups.ts';
import { enqueueMessages } from '../messaging/outbox.repository.ts';
import { reportScope } from './report-scope.ts';
import { buildReportFile } from './reports.service.ts';
import { latestOccurrence, reportPeriod } from './schedule-due.ts';
import {
  deliveredRecipients,
  findSchedule,
  listDeliveries,
  listEnabledSchedules,
  listSchedules,
  toScheduleDto,
  type TScheduleRow,
} from './schedules.repository.ts';

/**
 * Scheduled reports 定时报表 (DESIGN §7): CRUD (report:manage, scoped by the schedule's unit), 立即发送, and the job
 * that sends due schedules. Each recipient gets the report computed with HIS OWN scope intersected with the
 * schedule's unit: a recipient who cannot see the unit (or lacks the permission, an e-mail address, or is disabled)
 * gets nothing, and his delivery row says why. Exactly once per schedule × period × recipient: the delivery row's
 * unique index, inserted in the same transaction as the outbox e-mail (with the xlsx attached).
 */

type TDeps = { db: Db; clock: TClock };

const KIND_PERMISSION: Record<TReportKind, TPermission> = {
  dashboard_summary: 'dashboard:read',
  staff_performance: 'evaluation:read',
};
const KIND_TITLE: Record<TReportKind, string> = { dashboard_summary: '驾驶舱摘要', staff_performance: '员工绩效' };

export async function listReportSchedules(deps: TDeps, scope: TScope): Promise<TReportSchedule[]> {
  const rows = await listSchedules(deps.db, scope);
  return Promise.all(rows.map((r) => toScheduleDto(deps.db, r)));
}

async function getVisible(deps: TDeps, scope: TScope, id: string): Promise<TScheduleRow> {
  const row = await findSchedule(deps.db, scope, id);
  if (!row) throw notFound('report schedule');
  return row;
}

/** The unit and the recipients must be ones the editor sees (else 404 naming the field, like every unknown id). */
async function checkRefs(deps: TDeps, scope: TScope, input: TReportScheduleInput): Promise<void> {
  await reportScope(deps.db, scope, input.unitId, 'body.unitId');
  const res = await deps.db.execute<{ id: string }>(sql`
    select u.id from users u
    where u.tenant_id = ${scope.tenantId} and u.id = any(${pgArray(input.recipientIds, 'uuid')})
      and ${unitVisible(scope, sql`u.unit_id`)}`);
  const found = new Set(res.rows.map((r) => r.id));
  const i = input.recipientIds.findIndex((id) => !found.has(id));
  if (i >= 0) throw unknownRef(`body.recipientIds.${i}`, 'user');
}

const timing = (input: TReportScheduleInput) => ({
  weekday: input.frequency === 'weekly' ? (input.weekday ?? null) : null,
  monthDay: input.frequency === 'monthly' ? (input.monthDay ?? null) : null,
});

export async function createReportSchedule(
  deps: TDeps,
  actor: TActor,
  ctx: TAuditCtx,
  input: TReportScheduleInput,
): Promise<TReportSchedule> {
  await checkRefs(deps, actor, input);
  const now = deps.clock.now();
  const row = await deps.db.transaction(async (tx) => {
    const [r] = await tx
      .insert(reportSchedules)
      .values({
        tenantId: actor.tenantId,
        name: input.name,
        kind: input.kind,
        frequency: input.frequency,
        ...timing(input),
        sendTime: input.sendTime,
        unitId: input.unitId,
        recipientIds: input.recipientIds,
        enabled: input.enabled ?? true,
        createdBy: actor.userId,
        createdAt: now,
        updatedAt: now,
      })
      .returning();
    await insertAuditEvent(
      tx,
      ctx,
      {
        action: 'report_schedule.created',
        entityType: 'report_schedule',
        entityId: r!.id,
        unitId: input.unitId,
        summary: `新建定时报表 ${input.name}`,
        after: input,
      },
      now,
    );
    return r!;
  });
  return toScheduleDto(deps.db, row);
}

export async function updateReportSchedule(
  deps: TDeps,
  actor: TActor,
  ctx: TAuditCtx,
  id: string,
  input: TReportScheduleInput,
): Promise<TReportSchedule> {
  const before = await getVisible(deps, actor, id);
  await checkRefs(deps, actor, input);
  const now = deps.clock.now();
  const row = await deps.db.transaction(async (tx) => {
    const [r] = await tx
      .update(reportSchedules)
      .set({
        name: input.name,
        kind: input.kind,
        frequency: input.frequency,
        ...timing(input),
        sendTime: input.sendTime,
        unitId: input.unitId,
        recipientIds: input.recipientIds,
        enabled: input.enabled ?? true,
        updatedAt: now,
      })
      .where(and(eq(reportSchedules.tenantId, actor.tenantId), eq(reportSchedules.id, id)))
      .returning();
    await insertAuditEvent(
      tx,
      ctx,
      {
        action: 'report_schedule.updated',
        entityType: 'report_schedule',
        entityId: id,
        unitId: input.unitId,
        summary: `修改定时报表 ${input.name}`,
        before: { ...before, createdAt: undefined, updatedAt: undefined, lastSentAt: undefined },
        after: input,
      },
      now,
    );
    return r!;
  });
  return toScheduleDto(deps.db, row);
}

export async function deleteReportSchedule(deps: TDeps, actor: TActor, ctx: TAuditCtx, id: string): Promise<void> {
  const row = await getVisible(deps, actor, id);
  const now = deps.clock.now();
  await deps.db.transaction(async (tx) => {
    await tx
      .delete(reportSchedules)
      .where(and(eq(reportSchedules.tenantId, actor.tenantId), eq(reportSchedules.id, id)));
    await insertAuditEvent(
      tx,
      ctx,
      {
        action: 'report_schedule.deleted',
        entityType: 'report_schedule',
        entityId: id,
        unitId: row.unitId,
        summary: `删除定时报表 ${row.name}`,
      },
      now,
    );
  });
}

export async function getScheduleDeliveries(deps: TDeps, scope: TScope, id: string): Promise<TReportDelivery[]> {
  await getVisible(deps, scope, id);
  return listDeliveries(deps.db, scope.tenantId, id);
}

type TRecipient = {
  id: string;
  display_name: string;
  email: string | null;
  is_active: boolean;
  unit_id: string;
  unit_path: string;
};

/** A recipient's own scope and permissions, as his session would have them. */
async function recipientActor(deps: TDeps, tenantId: string, r: TRecipient) {
  const { permissions, dataScope } = combineRoles(await findUserRoles(deps.db, tenantId, r.id));
  const scope: TScope = { tenantId, userId: r.id, unitId: r.unit_id, unitPath: r.unit_path, dataScope };
  return { scope, permissions };
}

/** What one recipient gets: the file, or the reason he gets nothing. */
async function prepare(
  deps: TDeps,
  s: TScheduleRow,
  period: TPeriod,
  r: TRecipient | undefined,
): Promise<{ error: string } | { file: { content: Buffer; fileName: string }; to: string; name: string }> {
  if (!r || !r.is_active) return { error: 'recipient_inactive' };
  if (!r.email) return { error: 'no_email' };
  const kind = s.kind as TReportKind;
  const { scope, permissions } = await recipientActor(deps, s.tenantId, r);
  if (!permissions.has(KIND_PERMISSION[kind])) return { error: 'no_permission' };
  try {
    const file = await buildReportFile(deps, scope, permissions, kind, s.unitId, period, {
      scheduleName: s.name,
      recipientName: r.display_name,
    });
    return { file, to: r.email, name: r.display_name };
  } catch (err) {
    if (err instanceof AppError && err.code === 'NOT_FOUND') return { error: 'unit_out_of_scope' };
    throw err;
  }
}

/**
 * Deliver a schedule's report of one period to each recipient who has no delivery of it yet. Each delivery row and
 * its outbox e-mail are written in one transaction; a concurrent run that inserted the row first wins (ON CONFLICT
 * DO NOTHING), and this one writes no e-mail. Returns the number of e-mails queued.
 */
export async function deliverSchedule(deps: TDeps, s: TScheduleRow, period: TPeriod): Promise<number> {
  const done = await deliveredRecipients(deps.db, s.tenantId, s.id, period.fromDay);
  const todo = s.recipientIds.filter((id) => !done.has(id));
  if (todo.length === 0) return 0;
  const res = await deps.db.execute<TRecipient>(sql`
    select u.id, u.display_name, u.email, u.is_active, u.unit_id, ou.path as unit_path
    from users u join org_units ou on ou.id = u.unit_id
    where u.tenant_id = ${s.tenantId} and u.id = any(${pgArray(todo, 'uuid')})`);
  const byId = new Map(res.rows.map((r) => [r.id, r]));
  const periodTo = addDays(period.toDay, -1);
  let queued = 0;
  for (const recipientId of todo) {
    const got = await prepare(deps, s, period, byId.get(recipientId));
    const now = deps.clock.now();
    await deps.db.transaction(async (tx) => {
      const id = crypto.randomUUID();
      const inserted = await tx
        .insert(reportDeliveries)
        .values({
          id,
          tenantId: s.tenantId,
          scheduleId: s.id,
          periodFrom: period.fromDay,
          periodTo,
          recipientId,
          status: 'error' in got ? 'skipped' : 'queued',
          error: 'error' in got ? got.error : null,
          createdAt: now,
        })
        .onConflictDoNothing()
        .returning({ id: reportDeliveries.id });
      if (inserted.length === 0 || 'error' in got) return;
      const [messageId] = await enqueueMessages(tx, now, [
        {
          tenantId: s.tenantId,
          unitId: s.unitId,
          channel: 'email',
          to: got.to,
          subject: `【定时报表】${s.name}（${period.fromDay}～${periodTo}）`,
          body: `${got.name}，您好：\n\n附件是定时报表「${s.name}」（${KIND_TITLE[s.kind as TReportKind]}），统计期间 ${period.fromDay} 至 ${periodTo}，数据范围为您有权查看的部分。\n\n——慧访`,
          refType: 'report_delivery',
          refId: id,
          dedupeKey: `report_delivery:${id}`,
          attachments: [{ ...got.file, contentType: EXPORT_CONTENT_TYPE.xlsx }],
        },
      ]);
      await tx
        .update(reportDeliveries)
        .set({ outboxMessageId: messageId ?? null })
        .where(and(eq(reportDeliveries.tenantId, s.tenantId), eq(reportDeliveries.id, id)));
      queued += 1;
    });
  }
  return queued;
}

/**
 * The job: every enabled schedule whose latest send time (tenant zone, deps.clock) has come and is not before the
 * schedule was created sends the period that send covers — to the recipients who do not have it yet.
 */
export async function runDueReports(deps: TDeps, opts: { tenantId?: string } = {}): Promise<{ queued: number }> {
  const now = deps.clock.now();
  let queued = 0;
  for (const s of await listEnabledSchedules(deps.db, opts.tenantId)) {
    const tz = await tenantTimeZone(deps.db, s.tenantId);
    const occ = latestOccurrence(
      {
        frequency: s.frequency as TReportSchedule['frequency'],
        weekday: s.weekday,
        monthDay: s.monthDay,
        sendTime: s.sendTime,
      },
      now,
      tz,
    );
    if (occ.at < s.createdAt) continue;
    queued += await deliverSchedule(deps, s, reportPeriod(s.frequency as TReportSchedule['frequency'], occ.day));
  }
  return { queued };
}

/** 立即发送: the period just past (as if the schedule sent today), to the recipients who do not have it yet. */
export async function sendScheduleNow(
  deps: TDeps & { jobs: TJobSender },
  actor: TActor,
  ctx: TAuditCtx,
  id: string,
): Promise<TReportDelivery[]> {
  const s = await getVisible(deps, actor, id);
  const tz = await tenantTimeZone(deps.db, actor.tenantId);
  const period = reportPeriod(s.frequency as TReportSchedule['frequency'], localDay(deps.clock.now(), tz));
  const queued = await deliverSchedule(deps, s, period);
  await insertAuditEvent(
    deps.db,
    ctx,
    {
      action: 'report_schedule.sent',
      entityType: 'report_schedule',
      entityId: id,
      unitId: s.unitId,
      summary: `立即发送定时报表 ${s.name}（${period.fromDay}，${queued} 封）`,
    },
    deps.clock.now(),
  );
  if (queued) await deps.jobs.send('outbox-send', {});
  return (await listDeliveries(deps.db, actor.tenantId, id)).filter((d) => d.periodFrom === period.fromDay);
}
