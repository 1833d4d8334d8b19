import { and, eq, isNull, sql } from 'drizzle-orm';
import { ticketCallbacks } from '../../../db/schema/index.ts';
import type { TEvaluationConsumer } from '../../evaluations/evaluation-events.ts';
import { escalateTicket } from '../escalation.ts';
import { applyTicketAction, appendTicketEvent } from '../ticket-actions.ts';
import { CALLBACK_FLAG } from './close-loop.service.ts';
import { getCloseLoopConfig } from './close-loop.settings.ts';

export const CLOSE_REASON_SATISFIED = '客户满意';
export const ESCALATE_REASON_NOT_ACCEPTED = '客户不认可处理结果';

/**
 * The answer of a ticket callback: an evaluation flagged `ticket_callback` — the personal survey link's response
 * (channel survey, matched by the link) or the follow-up call's recorded result (channel followup, matched by the
 * task). Score above the tenant's N → the ticket is closed (客户满意); at or below → reopened with the customer's
 * comment as the reason and escalated one level (客户不认可处理结果). A callback is answered once; a later answer, or one
 * for a callback that was cancelled or timed out, changes nothing. The ticket auto-creation consumer leaves these
 * evaluations alone (they answer a ticket, they do not open one).
 */
export const ticketCallbackAnswers: TEvaluationConsumer = {
  name: 'ticket-callback-answers',
  kinds: ['recorded'],
  skipsBackfill: true,
  handle: async (tx, event, run) => {
    const e = event.evaluation;
    if (!e.flags.includes(CALLBACK_FLAG) || e.score === null) return;
    const match =
      e.channel === 'followup' && e.refType === 'followup_task' && e.refId
        ? eq(ticketCallbacks.followupTaskId, e.refId)
        : e.channel === 'survey' && e.sourceId
          ? eq(ticketCallbacks.surveyLinkId, e.sourceId)
          : null;
    if (!match) return;
    const [cb] = await tx
      .select()
      .from(ticketCallbacks)
      .where(and(eq(ticketCallbacks.tenantId, event.tenantId), match, isNull(ticketCallbacks.outcome)))
      .for('update');
    if (!cb) return;
    const cfg = await run.memo(`close-loop:${event.tenantId}`, () => getCloseLoopConfig(tx, event.tenantId));
    const at = e.occurredAt;
    const score = e.score;
    const comment = e.text?.trim() || null;
    const isLow = score <= cfg.reopenAtOrBelow;
    await tx
      .update(ticketCallbacks)
      .set({
        answeredAt: at,
        evaluationId: event.evaluationId,
        score,
        comment,
        outcome: isLow ? 'reopened' : 'satisfied',
        finishedAt: at,
      })
      .where(and(eq(ticketCallbacks.tenantId, cb.tenantId), eq(ticketCallbacks.id, cb.id)));
    await appendTicketEvent(tx, {
      tenantId: cb.tenantId,
      ticketId: cb.ticketId,
      type: 'callback_answered',
      actorId: null,
      at,
      payload: { callbackId: cb.id, score, comment, channel: e.channel, evaluationId: event.evaluationId },
    });
    const [ticket] = (
      await tx.execute<{ status: string }>(
        sql`select status from tickets where tenant_id = ${cb.tenantId} and id = ${cb.ticketId} for update`,
      )
    ).rows;
    if (!ticket) return;
    if (isLow) {
      if (ticket.status !== 'resolved' && ticket.status !== 'closed') return;
      await applyTicketAction(tx, {
        tenantId: cb.tenantId,
        ticketId: cb.ticketId,
        action: 'reopen',
        actorId: null,
        at,
        reason: comment ?? `客户回访评分 ${score} 分，不满意`,
        payload: { callbackId: cb.id, score },
      });
      await escalateTicket(tx, {
        tenantId: cb.tenantId,
        ticketId: cb.ticketId,
        actorId: null,
        at,
        reason: ESCALATE_REASON_NOT_ACCEPTED,
      });
    } else if (ticket.status === 'resolved') {
      await applyTicketAction(tx, {
        tenantId: cb.tenantId,
        ticketId: cb.ticketId,
        action: 'close',
        actorId: null,
        at,
        reason: CLOSE_REASON_SATISFIED,
        payload: { callbackId: cb.id, score },
      });
    }
  },
};
