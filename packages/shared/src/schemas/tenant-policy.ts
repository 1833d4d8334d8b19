import { z } from 'zod';
import { ZId } from './common.ts';

/** A tenant's contact policy (DESIGN §5): quiet hours 免打扰时段 (local hours, may wrap midnight) and the contact gap. */
export const ZContactPolicyInput = z
  .object({
    quietFromHour: z.number().int().min(0).max(23),
    quietToHour: z.number().int().min(0).max(23),
    minGapDays: z.number().int().min(0).max(365),
  })
  .refine((p) => p.quietFromHour !== p.quietToHour, {
    path: ['quietToHour'],
    message: '免打扰结束时间须不同于开始时间',
  });
export type TContactPolicyInput = z.infer<typeof ZContactPolicyInput>;

export const ZContactPolicy = z.object({
  quietFromHour: z.number(),
  quietToHour: z.number(),
  minGapDays: z.number(),
  /** null: never saved, the defaults apply (21:00–09:00, 7 days). */
  updatedAt: z.string().nullable(),
});
export type TContactPolicySettings = z.infer<typeof ZContactPolicy>;

/**
 * A tenant's evaluation policy: 不满意提醒阈值 — an overall score (1–5) at most `negativeScoreMax` alerts the unit's
 * managers (2: scores 1–2 alert). A 不满意 label and a kiosk's lowest key always alert.
 */
export const NEGATIVE_SCORE_MAX_DEFAULT = 2;
export const ZEvaluationPolicyInput = z.object({
  negativeScoreMax: z.number().int().min(1).max(4),
});
export type TEvaluationPolicyInput = z.infer<typeof ZEvaluationPolicyInput>;

export const ZEvaluationPolicy = z.object({
  negativeScoreMax: z.number(),
  /** null: never saved, the default applies (2). */
  updatedAt: z.string().nullable(),
});
export type TEvaluationPolicySettings = z.infer<typeof ZEvaluationPolicy>;

/** Business calendar 工作日历: exceptions to Monday–Friday — holidays 节假日 and make-up working days 调休上班. */
export const CALENDAR_DAY_KINDS = ['holiday', 'workday'] as const;
export type TCalendarDayKind = (typeof CALENDAR_DAY_KINDS)[number];

export const ZCalendarDayInput = z.object({
  kind: z.enum(CALENDAR_DAY_KINDS),
  name: z.string().trim().max(50).default(''),
});
export type TCalendarDayInput = z.infer<typeof ZCalendarDayInput>;

export const ZCalendarDayParams = z.object({ date: z.iso.date() });

export const ZCalendarDay = z.object({ date: z.string(), kind: z.enum(CALENDAR_DAY_KINDS), name: z.string() });
export type TCalendarDay = z.infer<typeof ZCalendarDay>;

export const ZCalendarQuery = z.object({ year: z.coerce.number().int().min(2000).max(2100) });

export const ZBusinessCalendarYear = z.object({
  year: z.number(),
  /** Whether the official holidays of this year were loaded (built in: 2026). */
  seeded: z.boolean(),
  days: z.array(ZCalendarDay),
});
export type TBusinessCalendarYear = z.infer<typeof ZBusinessCalendarYear>;

/** Bulk cancel / reopen of follow-up tasks: all or nothing. */
export const BULK_TASK_LIMIT = 500;
export const ZBulkTaskActionInput = z.object({
  taskIds: z.array(ZId).min(1).max(BULK_TASK_LIMIT),
  reason: z.string().trim().max(500).nullish(),
});
export type TBulkTaskActionInput = z.infer<typeof ZBulkTaskActionInput>;
export const ZBulkTaskActionResult = z.object({ changed: z.number() });
