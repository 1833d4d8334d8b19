import { and, eq, isNull, lte, sql } from 'drizzle-orm';
import type { TCloseLoopConfig, TTicketCallback, TTicketCallbackOutcome } from '@huifang/shared';
import type { TConfig } from '../../../config/env.ts';
import type { Db, DbOrTx } from '../../../db/client.ts';
import { ticketCallbacks } from '../../../db/schema/index.ts';
import type { TClock } from '../../../lib/clock.ts';
import { tenantTimeZone } from '../../../lib/time.ts';
import { createTicketCallbackTask } from '../../followup/rules/rules.ts';
import { enqueueMessages } from '../../messaging/outbox.repository.ts';
import { loadWorkCalendar } from '../../policy/business-calendar.service.ts';
import { addWorkingDaysAt, localDate, zonedInstant } from '../../policy/calendar.ts';
import { createPublishedSystemSurvey, issueSystemPersonalLink } from '../../surveys/surveys.service.ts';
import { levelAssignee } from '../escalation.ts';
import { applyTicketAction, appendTicketEvent, type TTicketRow } from '../ticket-actions.ts';
import type { TTicketListener } from '../ticket-listeners.ts';
import { callbackSurveyDefinition } from './callback-survey.ts';
import {
  ensurePolicyRow,
  getCloseLoopConfig,
  parseCloseLoop,
  readCloseLoopRaw,
  rememberCallbackSurvey,
} from './close-loop.settings.ts';
import { isTicketSampled } from './sampling.ts';

/**
 * Closing the loop 回访闭环 (DESIGN §6). On `resolve` (listener, same transaction): every resolution gets one callback
 * row. A sampled ticket with a customer: due `delayMinutes` later. Not sampled: closed by the next job run (未抽样回访).
 * No customer (or, at send time, no phone / may not be called): nothing is sent and the ticket closes after the
 * auto-close period (无客户信息 / 无法联系客户，未回访), so the agent can still reopen it. The resolving transaction never
 * closes the ticket itself. The `ticket-close-loop` job sends due callbacks (a personal survey link by SMS through
 * the outbox, or a follow-up call task) and closes tickets whose callback went unanswered for N working days of the
 * business calendar after sending, or whose link expired (回访超时自动关闭).
 * The answer arrives as an evaluation flagged `ticket_callback` (close-loop.consumer.ts). A ticket closed or reopened
 * by hand cancels its open callback. Every step is idempotent: rows are claimed with a lock and checked again.
 */

export const CLOSE_REASON_NOT_SAMPLED = '未抽样回访';
export const CLOSE_REASON_NO_CUSTOMER = '无客户信息，未回访';
export const CLOSE_REASON_NO_CONTACT = '无法联系客户，未回访';
export const CLOSE_REASON_TIMEOUT = '回访超时自动关闭';
export const CALLBACK_FLAG = 'ticket_callback';

type TCallbackRow = typeof ticketCallbacks.$inferSelect;

async function closeIfResolved(tx: DbOrTx, ticket: Pick<TTicketRow, 'tenantId' | 'id'>, at: Date, reason: string) {
  const [row] = (
    await tx.execute<{ status: string }>(
      sql`select status from tickets where tenant_id = ${ticket.tenantId} and id = ${ticket.id} for update`,
    )
  ).rows;
  if (row?.status !== 'resolved') return false;
  await applyTicketAction(tx, {
    tenantId: ticket.tenantId,
    ticketId: ticket.id,
    action: 'close',
    actorId: null,
    at,
    reason,
  });
  return true;
}

async function finishCallback(
  tx: DbOrTx,
  cb: Pick<TCallbackRow, 'tenantId' | 'id'>,
  outcome: TTicketCallbackOutcome,
  at: Date,
) {
  await tx
    .update(ticketCallbacks)
    .set({ outcome, finishedAt: at })
    .where(and(eq(ticketCallbacks.tenantId, cb.tenantId), eq(ticketCallbacks.id, cb.id)));
}

/**
 * The TICKET_LISTENERS entry: creates the callback on resolution; a close/reopen by hand cancels an open one. A
 * function declaration (hoisted), because ticket-listeners.ts and this module import each other through ticket-actions.
 */
export async function closeLoopListener(...[tx, ticket, event]: Parameters<TTicketListener>): Promise<void> {
  if (event.type === 'close' || event.type === 'reopen') {
    await tx
      .update(ticketCallbacks)
      .set({ outcome: 'cancelled', finishedAt: event.at })
      .where(
        and(
          eq(ticketCallbacks.tenantId, ticket.tenantId),
          eq(ticketCallbacks.ticketId, ticket.id),
          isNull(ticketCallbacks.outcome),
        ),
      );
    return;
  }
  if (event.type !== 'resolve') return;
  const cfg = await getCloseLoopConfig(tx, ticket.tenantId);
  const row = {
    tenantId: ticket.tenantId,
    ticketId: ticket.id,
    resolveEventId: event.id,
    customerId: ticket.customerId,
    mode: cfg.mode,
    sendAfter: new Date(event.at.getTime() + cfg.delayMinutes * 60_000),
    createdAt: event.at,
  };
  // Nothing to send: not sampled → closed by the next job run; no customer → closed after the auto-close period
  // (the agent may still reopen it meanwhile). Never closed inside the resolving transaction itself.
  const skip = !ticket.customerId
    ? {
        skipReason: 'no_customer',
        autoCloseAt: await workingDaysAfter(tx, ticket.tenantId, event.at, cfg.autoCloseWorkingDays),
      }
    : !isTicketSampled(ticket.id, cfg.samplePercent)
      ? { skipReason: 'not_sampled', autoCloseAt: event.at }
      : {};
  await tx
    .insert(ticketCallbacks)
    .values({ ...row, ...skip })
    .onConflictDoNothing();
}

/** The system survey for the current threshold (made once per threshold; the policy row lock serialises makers). */
async function callbackSurveyId(tx: DbOrTx, tenantId: string, threshold: number, now: Date): Promise<string> {
  await ensurePolicyRow(tx, tenantId, now);
  const { raw } = await readCloseLoopRaw(tx, tenantId, true);
  if (raw.survey && raw.survey.threshold === threshold) return raw.survey.id;
  const [root] = (
    await tx.execute<{ id: string }>(
      sql`select id from org_units where tenant_id = ${tenantId} order by depth, created_at limit 1`,
    )
  ).rows;
  const id = await createPublishedSystemSurvey(tx, {
    tenantId,
    unitId: root!.id,
    definition: callbackSurveyDefinition(threshold),
    now,
  });
  await rememberCallbackSurvey(tx, tenantId, { id, threshold });
  return id;
}

/** N working days after `at`, at the same local time of day (tenant calendar and zone). */
async function workingDaysAfter(db: DbOrTx, tenantId: string, at: Date, days: number): Promise<Date> {
  const tz = await tenantTimeZone(db, tenantId);
  const cal = await loadWorkCalendar(db, tenantId);
  const sinceMidnight = at.getTime() - zonedInstant(localDate(at, tz), 0, tz).getTime();
  return new Date(zonedInstant(addWorkingDaysAt(at, days, tz, cal), 0, tz).getTime() + sinceMidnight);
}

type TJobDeps = { db: Db; clock: TClock; config: Pick<TConfig, 'publicBaseUrl'> };

const seqLabel = (seq: number) => `GD${String(seq).padStart(6, '0')}`;

/** Send one due callback (in its own transaction); false when another worker had it or it no longer applies. */
async function sendCallback(deps: TJobDeps, tenantId: string, id: string): Promise<boolean> {
  const now = deps.clock.now();
  return deps.db.transaction(async (tx) => {
    const [cb] = await tx
      .select()
      .from(ticketCallbacks)
      .where(
        and(
          eq(ticketCallbacks.tenantId, tenantId),
          eq(ticketCallbacks.id, id),
          isNull(ticketCallbacks.outcome),
          isNull(ticketCallbacks.sentAt),
        ),
      )
      .for('update', { skipLocked: true });
    if (!cb) return false;
    const [ticket] = (
      await tx.execute<{ status: string; seq: number }>(
        sql`select status, seq from tickets where tenant_id = ${tenantId} and id = ${cb.ticketId}`,
      )
    ).rows;
    if (ticket?.status !== 'resolved') {
      await finishCallback(tx, cb, 'cancelled', now);
      return false;
    }
    const cfg: TCloseLoopConfig = parseCloseLoop((await readCloseLoopRaw(tx, tenantId)).raw);
    const [customer] = cb.customerId
      ? (
          await tx.execute<{ phones: string[]; unit_id: string }>(
            sql`select phones, unit_id from customers where tenant_id = ${tenantId} and id = ${cb.customerId}`,
          )
        ).rows
      : [];
    const autoCloseAt = await workingDaysAfter(tx, tenantId, now, cfg.autoCloseWorkingDays);
    let sent: Partial<TCallbackRow> | null = null;
    if (cb.mode === 'survey' && cb.customerId && customer?.phones[0]) {
      const expiresAt = new Date(now.getTime() + cfg.expiryHours * 3_600_000);
      const surveyId = await callbackSurveyId(tx, tenantId, cfg.reopenAtOrBelow, now);
      const link = await issueSystemPersonalLink(tx, deps.config, {
        tenantId,
        surveyId,
        customerId: cb.customerId,
        expiresAt,
        flags: [CALLBACK_FLAG],
        now,
      });
      // customerId: the sender applies the contact policy (consent, do-not-contact, quiet hours) to the SMS.
      const [messageId] = await enqueueMessages(tx, now, [
        {
          tenantId,
          unitId: customer.unit_id,
          channel: 'sms',
          to: customer.phones[0],
          body: `尊敬的客户，您反映的问题（工单 ${seqLabel(ticket.seq)}）已处理完毕，请对处理结果评价：${link.url} （${cfg.expiryHours} 小时内有效）`,
          refType: 'ticket_callback',
          refId: cb.id,
          customerId: cb.customerId,
        },
      ]);
      sent = { surveyLinkId: link.linkId, messageId: messageId!, expiresAt };
    } else if (cb.mode === 'callback' && cb.customerId && customer) {
      // The call goes to an agent 客服 of the ticket's unit chain (the customer's owner is often a teller).
      const [unit] = (
        await tx.execute<{ unit_id: string }>(
          sql`select unit_id from tickets where tenant_id = ${tenantId} and id = ${cb.ticketId}`,
        )
      ).rows;
      const taskId = await createTicketCallbackTask(tx, {
        assigneeId: unit ? await levelAssignee(tx, tenantId, unit.unit_id, 0) : null,
        tenantId,
        customerId: cb.customerId,
        callbackId: cb.id,
        now,
        withinWorkingDays: cfg.autoCloseWorkingDays,
      });
      if (taskId) sent = { followupTaskId: taskId };
    }
    if (!sent) {
      // No phone, or the customer may not be called: nothing goes out; closed after the auto-close period.
      await tx
        .update(ticketCallbacks)
        .set({ skipReason: 'no_contact', autoCloseAt })
        .where(and(eq(ticketCallbacks.tenantId, tenantId), eq(ticketCallbacks.id, cb.id)));
      return false;
    }
    await tx
      .update(ticketCallbacks)
      .set({ ...sent, sentAt: now, autoCloseAt })
      .where(and(eq(ticketCallbacks.tenantId, tenantId), eq(ticketCallbacks.id, cb.id)));
    await appendTicketEvent(tx, {
      tenantId,
      ticketId: cb.ticketId,
      type: 'callback_sent',
      actorId: null,
      at: now,
      payload: {
        callbackId: cb.id,
        mode: cb.mode,
        autoCloseAt: autoCloseAt.toISOString(),
        ...(sent.expiresAt ? { expiresAt: sent.expiresAt.toISOString() } : {}),
        ...(sent.followupTaskId ? { followupTaskId: sent.followupTaskId } : {}),
      },
    });
    return true;
  });
}

/** Close the ticket of one callback that went unanswered (its own transaction); false when it was answered meanwhile. */
async function expireCallback(deps: TJobDeps, tenantId: string, id: string): Promise<boolean> {
  const now = deps.clock.now();
  return deps.db.transaction(async (tx) => {
    const [cb] = await tx
      .select()
      .from(ticketCallbacks)
      .where(and(eq(ticketCallbacks.tenantId, tenantId), eq(ticketCallbacks.id, id), isNull(ticketCallbacks.outcome)))
      .for('update', { skipLocked: true });
    if (!cb || (!cb.sentAt && !cb.skipReason)) return false;
    const due = [cb.autoCloseAt, cb.expiresAt].filter((d): d is Date => d !== null);
    if (!due.some((d) => d <= now)) return false;
    const [outcome, reason]: [TTicketCallbackOutcome, string] =
      cb.skipReason === 'not_sampled'
        ? ['not_sampled', CLOSE_REASON_NOT_SAMPLED]
        : cb.skipReason === 'no_customer'
          ? ['no_contact', CLOSE_REASON_NO_CUSTOMER]
          : cb.skipReason === 'no_contact'
            ? ['no_contact', CLOSE_REASON_NO_CONTACT]
            : ['timeout', CLOSE_REASON_TIMEOUT];
    await finishCallback(tx, cb, outcome, now);
    await closeIfResolved(tx, { tenantId, id: cb.ticketId }, now, reason);
    return true;
  });
}

/** The `ticket-close-loop` job: send due callbacks, then auto-close the unanswered ones. Safe to run twice. */
export async function runCloseLoop(deps: TJobDeps, opts: { limit?: number } = {}) {
  const now = deps.clock.now();
  const limit = opts.limit ?? 500;
  const toSend = await deps.db
    .select({ tenantId: ticketCallbacks.tenantId, id: ticketCallbacks.id })
    .from(ticketCallbacks)
    .where(
      and(
        isNull(ticketCallbacks.outcome),
        isNull(ticketCallbacks.sentAt),
        isNull(ticketCallbacks.skipReason),
        lte(ticketCallbacks.sendAfter, now),
      ),
    )
    .orderBy(ticketCallbacks.sendAfter)
    .limit(limit);
  let sent = 0;
  for (const c of toSend) if (await sendCallback(deps, c.tenantId, c.id)) sent++;
  const toClose = await deps.db
    .select({ tenantId: ticketCallbacks.tenantId, id: ticketCallbacks.id })
    .from(ticketCallbacks)
    .where(
      and(
        isNull(ticketCallbacks.outcome),
        sql`(${ticketCallbacks.sentAt} is not null or ${ticketCallbacks.skipReason} is not null)`,
        sql`(${ticketCallbacks.autoCloseAt} <= ${now} or ${ticketCallbacks.expiresAt} <= ${now})`,
      ),
    )
    .limit(limit);
  let closed = 0;
  for (const c of toClose) if (await expireCallback(deps, c.tenantId, c.id)) closed++;
  return { sent, closed };
}

/** The callbacks of a ticket, newest first (the caller has checked that the ticket is visible). */
export async function listTicketCallbacks(db: DbOrTx, tenantId: string, ticketId: string): Promise<TTicketCallback[]> {
  const rows = await db
    .select()
    .from(ticketCallbacks)
    .where(and(eq(ticketCallbacks.tenantId, tenantId), eq(ticketCallbacks.ticketId, ticketId)))
    .orderBy(sql`${ticketCallbacks.createdAt} desc, ${ticketCallbacks.resolveEventId} desc`);
  const iso = (d: Date | null) => (d ? d.toISOString() : null);
  return rows.map((r) => ({
    id: r.id,
    mode: r.mode as TTicketCallback['mode'],
    sendAfter: r.sendAfter.toISOString(),
    sentAt: iso(r.sentAt),
    expiresAt: iso(r.expiresAt),
    autoCloseAt: iso(r.autoCloseAt),
    followupTaskId: r.followupTaskId,
    skipReason: r.skipReason as TTicketCallback['skipReason'],
    answeredAt: iso(r.answeredAt),
    score: r.score,
    comment: r.comment,
    outcome: r.outcome as TTicketCallback['outcome'],
    createdAt: r.createdAt.toISOString(),
  }));
}
