import { feedbackClassification } from '../feedback/feedback-consumer.ts';
import { negativeEvaluationAlerts } from '../notifications/evaluation-alerts.ts';
import { ticketsFromEvaluations } from '../tickets/ticket-auto-create.ts';
import type { TEvaluationConsumer } from './evaluation-events.ts';
import { ticketCallbackAnswers } from '../tickets/close-loop/close-loop.consumer.ts';

/**
 * The registry of evaluation-event consumers, run in this order by the `evaluation-events` job (jobs/queue.ts). To add
 * one: write a `TEvaluationConsumer` (a stable name, the event kinds it reads, an idempotent `handle(tx, event)` that
 * writes only through `tx`) beside its module, and add it to this list. A new consumer starts at the oldest event
 * still stored.
 */
export const EVALUATION_CONSUMERS: readonly TEvaluationConsumer[] = [
  negativeEvaluationAlerts,
  // before the classifier: a negative evaluation's ticket exists when its complaint text arrives (it becomes a note)
  ticketsFromEvaluations,
  feedbackClassification,
  ticketCallbackAnswers,
];
