import { z } from 'zod';
import { ZValueCutFilter } from './value.ts';
import { ZId } from './common.ts';

/**
 * One append-only store of evaluations 评价, whatever the channel (DESIGN §4). Corrections (appeal 申诉, exclusion,
 * restore) are separate rows; statistics leave out excluded evaluations but they stay stored and visible.
 */
export const EVALUATION_CHANNELS = ['kiosk', 'survey', 'order_review', 'followup', 'staff'] as const;
export type TEvaluationChannel = (typeof EVALUATION_CHANNELS)[number];

/** Where the evaluation came from: a paired device, a survey link, a signed-in user, a shop's API client. */
export const EVALUATION_SOURCES = ['device', 'link', 'user', 'api'] as const;
export type TEvaluationSource = (typeof EVALUATION_SOURCES)[number];

/** Flags set at ingestion or later by checks (anti-abuse, DESIGN §4.1). */
export const EVALUATION_FLAGS = ['fast_press', 'top_mark_outlier', 'unrated'] as const;
export type TEvaluationFlag = (typeof EVALUATION_FLAGS)[number];

export const CORRECTION_KINDS = ['appeal', 'appeal_rejected', 'exclude', 'restore'] as const;
export type TCorrectionKind = (typeof CORRECTION_KINDS)[number];

/** A dimension score on the common 1–5 scale (5 = best). */
export const ZScore = z.number().min(1).max(5);

export const ZEvaluation = z.object({
  id: z.string(),
  channel: z.enum(EVALUATION_CHANNELS),
  occurredAt: z.string(),
  receivedAt: z.string(),
  unitId: z.string(),
  unitName: z.string().nullable(),
  counterId: z.string().nullable(),
  counterName: z.string().nullable(),
  staffId: z.string().nullable(),
  staffName: z.string().nullable(),
  customerId: z.string().nullable(),
  /** Masked unless the reader may reveal personal data. */
  customerName: z.string().nullable(),
  serviceRecordId: z.string().nullable(),
  refType: z.string().nullable(),
  refId: z.string().nullable(),
  sourceType: z.enum(EVALUATION_SOURCES),
  /** Overall score 1–5, null when the customer did not rate (未评价). */
  score: z.number().nullable(),
  /** The label the customer chose (e.g. 非常满意), as shown to them. */
  ratingLabel: z.string().nullable(),
  dimensions: z.record(z.string(), z.number()),
  text: z.string().nullable(),
  flags: z.array(z.string()),
  isExcluded: z.boolean(),
  /** none | open (appealed, undecided) | decided */
  appealState: z.enum(['none', 'open', 'decided']),
});
export type TEvaluation = z.infer<typeof ZEvaluation>;

export const ZEvaluationCorrection = z.object({
  id: z.string(),
  kind: z.enum(CORRECTION_KINDS),
  reason: z.string(),
  actorId: z.string().nullable(),
  actorName: z.string().nullable(),
  at: z.string(),
});
export type TEvaluationCorrection = z.infer<typeof ZEvaluationCorrection>;

export const ZEvaluationDetail = ZEvaluation.extend({
  answers: z.unknown().nullable(),
  corrections: z.array(ZEvaluationCorrection),
});
export type TEvaluationDetail = z.infer<typeof ZEvaluationDetail>;

export const EVALUATION_SENTIMENTS = ['satisfied', 'neutral', 'unsatisfied'] as const;
export type TEvaluationSentiment = (typeof EVALUATION_SENTIMENTS)[number];

/** Evaluations are a big stream: keyset cursor instead of page numbers (CONVENTIONS §7). */
export const ZEvaluationListQuery = z.object({
  cursor: z.string().max(200).optional(),
  pageSize: z.coerce.number().int().min(1).max(100).default(20),
  channel: z.enum(EVALUATION_CHANNELS).optional(),
  /** The unit and every unit below it. */
  unitId: ZId.optional(),
  /** The counter 窗口 (and any unit below it). */
  counterId: ZId.optional(),
  staffId: ZId.optional(),
  customerId: ZId.optional(),
  /** Overall score exactly; `unrated` for 未评价. */
  score: z.union([z.coerce.number().int().min(1).max(5), z.literal('unrated')]).optional(),
  flag: z.enum(EVALUATION_FLAGS).optional(),
  excluded: z.enum(['true', 'false']).optional(),
  appeal: z.enum(['open']).optional(),
  /** 满意 = scores 4–5, 一般 = 3, 不满意 = 1–2 (as every figure counts them). */
  sentiment: z.enum(EVALUATION_SENTIMENTS).optional(),
  /** An instant, or a local day (tenant time zone): `from` from its start, `to` to its end. */
  from: z.union([z.iso.date(), z.iso.datetime({ offset: true })]).optional(),
  to: z.union([z.iso.date(), z.iso.datetime({ offset: true })]).optional(),
  /** 客户分级 / 生命周期 / 规则分类 of the rating's customer in the latest finished value run (统计分析's drill-down). */
  ...ZValueCutFilter.shape,
});
export type TEvaluationListQuery = z.infer<typeof ZEvaluationListQuery>;

export const ZEvaluationStream = z.object({
  items: z.array(ZEvaluation),
  /** Pass back as `cursor` for the next (older) page; null at the end. */
  nextCursor: z.string().nullable(),
});
export type TEvaluationStream = z.infer<typeof ZEvaluationStream>;

export const ZCorrectionInput = z.object({ reason: z.string().trim().min(2, '请填写理由').max(500) });
export type TCorrectionInput = z.infer<typeof ZCorrectionInput>;

/** Satisfaction labels of the default 4-key kiosk, best first, mapped onto the 1–5 scale. */
export const DEFAULT_KIOSK_KEYS = [
  { label: '非常满意', score: 5 },
  { label: '满意', score: 4 },
  { label: '一般', score: 3 },
  { label: '不满意', score: 1 },
] as const;
