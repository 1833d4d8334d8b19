import type { TEvaluationChannel, TFeedbackLabels } from '@huifang/shared';
import type { DbOrTx } from '../../db/client.ts';
import type { TEvaluationConsumer } from '../evaluations/evaluation-events.ts';
import { classifyText } from './classifier/classify.ts';
import { ticketsFromComplaints } from '../tickets/ticket-auto-create.ts';
import { insertFeedbackItem } from './feedback.repository.ts';

/** What a listener hears about a newly classified feedback item. */
export interface TClassifiedFeedback {
  id: string;
  tenantId: string;
  evaluationId: string;
  channel: TEvaluationChannel;
  unitId: string;
  staffId: string | null;
  customerId: string | null;
  text: string;
  labels: TFeedbackLabels;
  occurredAt: Date;
  /** The evaluation's flags (e.g. ticket_callback: the answer to a complaint ticket's callback). */
  flags: string[];
}

export type TFeedbackListener = (tx: DbOrTx, item: TClassifiedFeedback) => Promise<void>;

/**
 * Listeners told of every complaint-class item when it is stored, in the same transaction (e.g. the tickets module
 * opens a ticket). A listener that throws rolls the item back with it: the event is retried on the next run, so a
 * listener must be idempotent per item id like the consumer itself.
 */
export const FEEDBACK_LISTENERS: TFeedbackListener[] = [(tx, item) => ticketsFromComplaints(tx, item)];

/** Register a listener (see FEEDBACK_LISTENERS); returns a function that removes it. */
export function onFeedbackClassified(listener: TFeedbackListener): () => void {
  FEEDBACK_LISTENERS.push(listener);
  return () => {
    const at = FEEDBACK_LISTENERS.indexOf(listener);
    if (at >= 0) FEEDBACK_LISTENERS.splice(at, 1);
  };
}

/**
 * The evaluation-event consumer that labels every free text entering Huifang: a `recorded` evaluation with a non-empty
 * text (survey text answers, order reviews, follow-up call notes, staff-entered surveys) becomes one feedback item.
 * Loaded history (`isBackfill`: demo data) is left to classifyLoadedHistory (feedback-backfill.ts), run after the
 * load. Idempotent: one item per evaluation (unique), and a replay inserts nothing and tells no listener twice.
 */
export const feedbackClassification: TEvaluationConsumer = {
  name: 'feedback-classification',
  kinds: ['recorded'],
  skipsBackfill: true,
  handle: async (tx, ev) => {
    const text = ev.evaluation.text?.trim();
    if (!text) return;
    const labels = classifyText(text);
    const item = {
      tenantId: ev.tenantId,
      evaluationId: ev.evaluationId,
      channel: ev.evaluation.channel,
      unitId: ev.evaluation.unitId,
      staffId: ev.evaluation.staffId,
      customerId: ev.evaluation.customerId,
      text,
      labels,
      occurredAt: ev.evaluation.occurredAt,
    };
    const stored = await insertFeedbackItem(tx, item);
    if (!stored || labels.category !== 'complaint') return;
    for (const listener of FEEDBACK_LISTENERS)
      await listener(tx, { ...item, id: stored.id, flags: ev.evaluation.flags });
  },
};
