import { z } from 'zod';
import { ZPageQuery } from '../pagination.ts';
import { ZId } from './common.ts';
import { EVALUATION_CHANNELS } from './evaluations.ts';

/**
 * Feedback classification 反馈分析 (DESIGN §6): every free text that enters Huifang is labelled praise 表扬 /
 * suggestion 建议 / complaint 投诉, sentiment, topics 话题 and the keywords that drove the labels; staff may correct a
 * label (the model's labels stay stored beside the correction, and every correction is kept in a history).
 */
export const FEEDBACK_CATEGORIES = ['praise', 'suggestion', 'complaint'] as const;
export type TFeedbackCategory = (typeof FEEDBACK_CATEGORIES)[number];

export const FEEDBACK_SENTIMENTS = ['positive', 'neutral', 'negative'] as const;
export type TFeedbackSentiment = (typeof FEEDBACK_SENTIMENTS)[number];

/** Topics 话题, in display order; stored as these Chinese names (the en-US UI translates them). */
export const FEEDBACK_TOPICS = [
  '服务态度',
  '等待时间',
  '业务差错',
  '价格',
  '质量',
  '物流',
  '环境',
  '卫生',
  '效率',
] as const;
export type TFeedbackTopic = (typeof FEEDBACK_TOPICS)[number];

/** Longest text classified in one piece. */
export const FEEDBACK_TEXT_MAX = 2000;
export const FEEDBACK_CLASSIFY_MAX = 1000;

export const ZFeedbackClassifyInput = z.object({
  texts: z.array(z.string().max(FEEDBACK_TEXT_MAX)).min(1).max(FEEDBACK_CLASSIFY_MAX),
});
export type TFeedbackClassifyInput = z.infer<typeof ZFeedbackClassifyInput>;

export const ZFeedbackLabels = z.object({
  category: z.enum(FEEDBACK_CATEGORIES),
  sentiment: z.enum(FEEDBACK_SENTIMENTS),
  /** -1 (most negative) … 1 (most positive). */
  score: z.number().min(-1).max(1),
  topics: z.array(z.string()),
  /** The words of the text that drove the labels. */
  keywords: z.array(z.string()),
});
export type TFeedbackLabels = z.infer<typeof ZFeedbackLabels>;
export const ZFeedbackClassifyResult = z.array(ZFeedbackLabels);

export const ZFeedbackItem = z.object({
  id: z.string(),
  evaluationId: z.string(),
  channel: z.enum(EVALUATION_CHANNELS),
  unitId: z.string(),
  unitName: z.string().nullable(),
  staffId: z.string().nullable(),
  staffName: z.string().nullable(),
  customerId: z.string().nullable(),
  text: z.string(),
  occurredAt: z.string(),
  classifiedAt: z.string(),
  /** The labels in force: the correction where there is one, else the classifier's. */
  category: z.enum(FEEDBACK_CATEGORIES),
  sentiment: z.enum(FEEDBACK_SENTIMENTS),
  topics: z.array(z.string()),
  /** What the classifier said, kept beside any correction. */
  model: ZFeedbackLabels,
  isCorrected: z.boolean(),
  correctedById: z.string().nullable(),
  correctedByName: z.string().nullable(),
  correctedAt: z.string().nullable(),
});
export type TFeedbackItem = z.infer<typeof ZFeedbackItem>;

export const ZFeedbackCorrection = z.object({
  id: z.string(),
  at: z.string(),
  actorId: z.string().nullable(),
  actorName: z.string().nullable(),
  old: z.object({
    category: z.enum(FEEDBACK_CATEGORIES),
    sentiment: z.enum(FEEDBACK_SENTIMENTS),
    topics: z.array(z.string()),
  }),
  new: z.object({
    category: z.enum(FEEDBACK_CATEGORIES),
    sentiment: z.enum(FEEDBACK_SENTIMENTS),
    topics: z.array(z.string()),
  }),
  reason: z.string().nullable(),
});
export type TFeedbackCorrection = z.infer<typeof ZFeedbackCorrection>;

export const ZFeedbackItemDetail = ZFeedbackItem.extend({ corrections: z.array(ZFeedbackCorrection) });
export type TFeedbackItemDetail = z.infer<typeof ZFeedbackItemDetail>;

const ZBool = z.enum(['true', 'false']);
const ZPeriod = {
  /** occurred_at ≥ from */
  from: z.iso.datetime({ offset: true }).optional(),
  /** occurred_at < to */
  to: z.iso.datetime({ offset: true }).optional(),
};

/** The feedback list: one page (CONVENTIONS §7); filters act on the labels in force. */
export const ZFeedbackListQuery = ZPageQuery.extend({
  category: z.enum(FEEDBACK_CATEGORIES).optional(),
  sentiment: z.enum(FEEDBACK_SENTIMENTS).optional(),
  topic: z.enum(FEEDBACK_TOPICS).optional(),
  /** This unit and all below it (within the caller's scope). */
  unitId: ZId.optional(),
  corrected: ZBool.optional(),
  ...ZPeriod,
});
export type TFeedbackListQuery = z.infer<typeof ZFeedbackListQuery>;

export const ZFeedbackSummaryQuery = z.object({ unitId: ZId.optional(), ...ZPeriod });
export type TFeedbackSummaryQuery = z.infer<typeof ZFeedbackSummaryQuery>;

export const ZFeedbackSummary = z.object({
  total: z.number().int(),
  byCategory: z.record(z.enum(FEEDBACK_CATEGORIES), z.number().int()),
  bySentiment: z.record(z.enum(FEEDBACK_SENTIMENTS), z.number().int()),
  byTopic: z.array(z.object({ topic: z.string(), count: z.number().int() })),
  /** Items whose labels a person corrected, and their share of all items (0 when there are none). */
  corrected: z.number().int(),
  correctionRate: z.number(),
  /** Corrections made (an item corrected twice counts twice). */
  corrections: z.number().int(),
});
export type TFeedbackSummary = z.infer<typeof ZFeedbackSummary>;

export const ZFeedbackLabelInput = z
  .object({
    category: z.enum(FEEDBACK_CATEGORIES).optional(),
    sentiment: z.enum(FEEDBACK_SENTIMENTS).optional(),
    topics: z
      .array(z.enum(FEEDBACK_TOPICS))
      .max(FEEDBACK_TOPICS.length)
      .refine((t) => new Set(t).size === t.length, '话题重复')
      .optional(),
    reason: z.string().trim().max(500).optional(),
  })
  .refine((v) => v.category !== undefined || v.sentiment !== undefined || v.topics !== undefined, {
    message: '至少修改一项标签',
    path: ['category'],
  });
export type TFeedbackLabelInput = z.infer<typeof ZFeedbackLabelInput>;
