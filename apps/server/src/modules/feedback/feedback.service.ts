import type {
  TFeedbackItemDetail,
  TFeedbackLabelInput,
  TFeedbackLabels,
  TFeedbackListQuery,
  TFeedbackSummaryQuery,
} from '@huifang/shared';
import type { Db } from '../../db/client.ts';
import { notFound } from '../../lib/app-error.ts';
import type { TClock } from '../../lib/clock.ts';
import type { TAuditCtx, TScope } from '../../lib/scope.ts';
import { insertAuditEvent } from '../audit/audit.repository.ts';
import { classifyTexts } from './classifier/classify.ts';
import {
  findFeedbackItem,
  listFeedbackItems,
  listLabelCorrections,
  summarizeFeedback,
  writeLabelCorrection,
} from './feedback.repository.ts';

type TDeps = { db: Db; clock: TClock };

/** Texts classified between two yields to the event loop. */
const CLASSIFY_CHUNK = 50;

/**
 * Classify texts in order (no storage): the contract of POST /feedback/classify. 1,000 long texts take seconds of CPU,
 * so the work is cut in chunks with a yield to the event loop between them: other requests keep being served.
 */
export async function classifyFeedback(texts: readonly string[]): Promise<TFeedbackLabels[]> {
  const out: TFeedbackLabels[] = [];
  for (let i = 0; i < texts.length; i += CLASSIFY_CHUNK) {
    if (i > 0) await new Promise<void>((resolve) => setImmediate(resolve));
    out.push(...classifyTexts(texts.slice(i, i + CLASSIFY_CHUNK)));
  }
  return out;
}

export const listFeedback = (deps: Pick<TDeps, 'db'>, scope: TScope, q: TFeedbackListQuery, canReveal: boolean) =>
  listFeedbackItems(deps.db, scope, q, canReveal);

export const feedbackSummary = (deps: Pick<TDeps, 'db'>, scope: TScope, q: TFeedbackSummaryQuery) =>
  summarizeFeedback(deps.db, scope, q);

export async function getFeedbackItem(
  db: Db,
  scope: TScope,
  id: string,
  canReveal: boolean,
): Promise<TFeedbackItemDetail> {
  const item = await findFeedbackItem(db, scope, id, canReveal);
  if (!item) throw notFound('feedback item');
  return { ...item, corrections: await listLabelCorrections(db, scope.tenantId, id) };
}

/**
 * Correct the labels of an item 修正标签: the fields given replace the labels in force, the classifier's stay stored
 * beside them, and one history row (old → new) is appended; audited. Out of scope → 404.
 */
export async function correctFeedbackLabels(
  deps: TDeps,
  scope: TScope,
  ctx: TAuditCtx,
  id: string,
  input: TFeedbackLabelInput,
  canReveal: boolean,
): Promise<TFeedbackItemDetail> {
  await deps.db.transaction(async (tx) => {
    const item = await findFeedbackItem(tx, scope, id, false, true);
    if (!item) throw notFound('feedback item');
    const old = { category: item.category, sentiment: item.sentiment, topics: item.topics };
    const next = {
      category: input.category ?? old.category,
      sentiment: input.sentiment ?? old.sentiment,
      topics: input.topics ?? old.topics,
    };
    const at = deps.clock.now();
    await writeLabelCorrection(tx, {
      tenantId: scope.tenantId,
      itemId: id,
      actorId: scope.userId,
      at,
      old,
      new: next,
      reason: input.reason || null,
    });
    await insertAuditEvent(
      tx,
      ctx,
      {
        action: 'feedback.labels_corrected',
        entityType: 'feedback_item',
        entityId: id,
        unitId: item.unitId,
        summary: '修正反馈标签',
        before: old,
        after: next,
      },
      at,
    );
  });
  return getFeedbackItem(deps.db, scope, id, canReveal);
}
