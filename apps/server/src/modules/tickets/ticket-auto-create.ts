import { and, eq, sql } from 'drizzle-orm';
import type { TEvaluationChannel, TTicketCategory, TTicketPriority } from '@huifang/shared';
import type { DbOrTx } from '../../db/client.ts';
import { ticketEvents, tickets } from '../../db/schema/index.ts';
import type { TEvaluationConsumer } from '../evaluations/evaluation-events.ts';
import type { TClassifiedFeedback } from '../feedback/feedback-consumer.ts';
import { CHANNEL_NAMES, isNegativeEvaluation, names } from '../notifications/evaluation-alerts.ts';
import { levelAssignee } from './escalation.ts';
import { appendTicketEvent, openTicket, type TTicketRow } from './ticket-actions.ts';
import { getTicketPolicy } from './ticket-policy.service.ts';

/**
 * Tickets opened by the system (DESIGN §6): from a negative evaluation (the `ticketsFromEvaluations` consumer of the
 * evaluation events) and from a complaint-class feedback text (`openTicketFromFeedback`, called by the feedback
 * classifier). Both go through openTicket, which opens at most one ticket per source evaluation / feedback item, and
 * the consumer's marker makes a replayed event a no-op — so a negative kiosk press is exactly one ticket.
 */

/** The flag the close-the-loop survey puts on its answers: they reopen their ticket instead of opening another. */
export const TICKET_CALLBACK_FLAG = 'ticket_callback';

/** Classifier topics → ticket categories. */
export const TOPIC_CATEGORIES: Record<string, TTicketCategory> = {
  服务态度: 'service_attitude',
  等待时间: 'waiting_time',
  业务差错: 'business_error',
  价格: 'price',
  质量: 'quality',
  物流: 'logistics',
  环境: 'environment',
};

/** A rough category from the words of a complaint (the classifier's topics take precedence where there are any). */
const TEXT_CATEGORIES: [RegExp, TTicketCategory][] = [
  [/态度|不耐烦|冷漠|脸色|不礼貌|服务差|爱理不理/, 'service_attitude'],
  [/排队|等了|等待|太慢|效率|半天|很久/, 'waiting_time'],
  [/办错|差错|出错|错误|算错|漏办/, 'business_error'],
  [/价格|太贵|收费|手续费|费用/, 'price'],
  [/质量|坏了|破损|瑕疵/, 'quality'],
  [/物流|快递|发货|配送|送货/, 'logistics'],
  [/环境|太吵|脏|拥挤|空调|卫生/, 'environment'],
];

export function categoryFromText(text: string | null | undefined, fallback: TTicketCategory): TTicketCategory {
  const s = text?.trim();
  if (!s) return fallback;
  for (const [re, category] of TEXT_CATEGORIES) if (re.test(s)) return category;
  return fallback;
}

export function categoryFromTopics(
  topics: readonly string[],
  text: string,
  fallback: TTicketCategory,
): TTicketCategory {
  for (const topic of topics) {
    const c = TOPIC_CATEGORIES[topic];
    if (c) return c;
  }
  return categoryFromText(text, fallback);
}

/**
 * Opens the ticket of one negative evaluation (exactly once: openTicket returns the existing one on a repeat). The
 * caller decides that it is negative; the title names the channel and the person or counter complained about.
 */
async function openFromEvaluation(
  tx: DbOrTx,
  e: {
    tenantId: string;
    evaluationId: string;
    channel: TEvaluationChannel;
    unitId: string;
    counterId: string | null;
    staffId: string | null;
    customerId: string | null;
    score: number | null;
    ratingLabel: string | null;
    text: string | null;
    at: Date;
  },
  priority: TTicketPriority,
) {
  const n = await names(tx, e);
  const about = n.who ?? n.counter ?? n.unit;
  const text = e.text?.trim() ?? '';
  const rating = e.ratingLabel ?? (e.score !== null ? `${e.score}/5` : '不满意');
  return openTicket(tx, {
    tenantId: e.tenantId,
    source: 'evaluation',
    sourceEvaluationId: e.evaluationId,
    category: categoryFromText(text, e.channel === 'kiosk' ? 'service_attitude' : 'other'),
    priority,
    title: `不满意评价：${CHANNEL_NAMES[e.channel]} ${about}`.slice(0, 200),
    description: [`${n.unit}${n.counter ? ` ${n.counter}` : ''} 收到「${rating}」评价`, text]
      .filter(Boolean)
      .join('\n'),
    customerId: e.customerId,
    staffId: e.staffId,
    unitId: e.unitId,
    assigneeId: await levelAssignee(tx, e.tenantId, e.unitId, 0),
    createdBy: null,
    at: e.at,
    payload: { evaluationId: e.evaluationId, channel: e.channel, score: e.score, ratingLabel: e.ratingLabel },
  });
}

/**
 * The consumer: a `recorded` evaluation that is negative by the tenant's ticket policy (score ≤ auto_max_score, the
 * 不满意 label, or a kiosk's lowest key — the same decision as the 不满意 alerts, isNegativeEvaluation) opens one
 * ticket, assigned to the nearest 客服 of its unit. Loaded history and close-the-loop answers open nothing.
 */
export const ticketsFromEvaluations: TEvaluationConsumer = {
  name: 'tickets-from-evaluations',
  kinds: ['recorded'],
  skipsBackfill: true,
  handle: async (tx, ev, run) => {
    if (ev.evaluation.flags.includes(TICKET_CALLBACK_FLAG)) return;
    const policy = await run.memo(`ticketPolicy:${ev.tenantId}`, () => getTicketPolicy(tx, ev.tenantId));
    const negative = isNegativeEvaluation(
      {
        score: ev.evaluation.score,
        ratingLabel: ev.evaluation.ratingLabel,
        isLowestOption: ev.payload.isLowestOption === true,
      },
      policy.autoMaxScore,
    );
    if (!negative) return;
    await openFromEvaluation(
      tx,
      {
        tenantId: ev.tenantId,
        evaluationId: ev.evaluationId,
        channel: ev.evaluation.channel,
        unitId: ev.evaluation.unitId,
        counterId: ev.evaluation.counterId,
        staffId: ev.evaluation.staffId,
        customerId: ev.evaluation.customerId,
        score: ev.evaluation.score,
        ratingLabel: ev.evaluation.ratingLabel,
        text: ev.evaluation.text,
        at: ev.at,
      },
      policy.autoPriority,
    );
  },
};

export interface TFeedbackComplaint {
  tenantId: string;
  feedbackId: string;
  evaluationId: string | null;
  unitId: string;
  staffId: string | null;
  customerId: string | null;
  channel: TEvaluationChannel;
  text: string;
  category: string;
  topics: string[];
  keywords: string[];
  occurredAt: Date;
}

/**
 * A complaint-class feedback text (the classifier calls this in its transaction). When its evaluation already has a
 * ticket, the complaint is added to it as a note (once per feedback item); otherwise a ticket is opened from source
 * 'feedback' — linked to the evaluation too, so that the evaluation consumer later finds it and opens no second one.
 */
export async function openTicketFromFeedback(
  tx: DbOrTx,
  item: TFeedbackComplaint,
): Promise<{ ticket: TTicketRow; created: boolean; noted: boolean }> {
  if (item.evaluationId) {
    const [existing] = await tx
      .select()
      .from(tickets)
      .where(and(eq(tickets.tenantId, item.tenantId), eq(tickets.sourceEvaluationId, item.evaluationId)));
    if (existing) {
      const [already] = await tx
        .select({ id: ticketEvents.id })
        .from(ticketEvents)
        .where(
          and(
            eq(ticketEvents.tenantId, item.tenantId),
            eq(ticketEvents.ticketId, existing.id),
            sql`${ticketEvents.payload} ->> 'feedbackId' = ${item.feedbackId}`,
          ),
        )
        .limit(1);
      if (already) return { ticket: existing, created: false, noted: false };
      const { ticket } = await appendTicketEvent(tx, {
        tenantId: item.tenantId,
        ticketId: existing.id,
        type: 'note',
        actorId: null,
        at: item.occurredAt,
        payload: {
          text: item.text,
          internal: true,
          feedbackId: item.feedbackId,
          keywords: item.keywords,
          topics: item.topics,
        },
      });
      return { ticket, created: false, noted: true };
    }
  }
  const policy = await getTicketPolicy(tx, item.tenantId);
  const n = await names(tx, { tenantId: item.tenantId, unitId: item.unitId, staffId: item.staffId });
  const category = categoryFromTopics(item.topics, item.text, 'other');
  const { ticket, created } = await openTicket(tx, {
    tenantId: item.tenantId,
    source: 'feedback',
    sourceFeedbackId: item.feedbackId,
    sourceEvaluationId: item.evaluationId,
    category,
    priority: policy.autoPriority,
    title: `客户投诉：${CHANNEL_NAMES[item.channel]} ${n.who ?? n.unit}`.slice(0, 200),
    description: item.text,
    customerId: item.customerId,
    staffId: item.staffId,
    unitId: item.unitId,
    assigneeId: await levelAssignee(tx, item.tenantId, item.unitId, 0),
    createdBy: null,
    at: item.occurredAt,
    payload: { feedbackId: item.feedbackId, keywords: item.keywords, topics: item.topics, category: item.category },
  });
  return { ticket, created, noted: false };
}

/**
 * The feedback classifier's listener (FEEDBACK_LISTENERS in feedback/feedback-consumer.ts): a complaint-class text
 * opens a ticket, or becomes a note on the ticket its negative evaluation already opened. The answers to a ticket's
 * own callback survey / call (flag ticket_callback) are left to the close-the-loop consumer, which reopens that ticket
 * instead of opening a second one.
 */
export async function ticketsFromComplaints(tx: DbOrTx, item: TClassifiedFeedback): Promise<void> {
  if (item.flags.includes(TICKET_CALLBACK_FLAG)) return;
  await openTicketFromFeedback(tx, {
    tenantId: item.tenantId,
    feedbackId: item.id,
    evaluationId: item.evaluationId,
    unitId: item.unitId,
    staffId: item.staffId,
    customerId: item.customerId,
    channel: item.channel,
    text: item.text,
    category: item.labels.category,
    topics: item.labels.topics,
    keywords: item.labels.keywords,
    occurredAt: item.occurredAt,
  });
}
