import { z } from 'zod';
import { DASHBOARD_PERIODS, ZAnalyticsDashboard } from './dashboard.ts';

/** Reports 报表 (DESIGN §7): staff performance 员工绩效, the printable report 报表打印, scheduled reports 定时报表. */

const ZDay = z.iso.date();
const dayNumber = (d: string) => Date.parse(`${d}T00:00:00Z`) / 86_400_000;
/** The longest range a staff performance report covers (one leap year). */
export const MAX_REPORT_DAYS = 366;

/** `GET /api/reports/staff-performance`: a unit (default the caller's) and local days [from, to], both inclusive. */
export const ZStaffPerformanceQuery = z
  .object({ unitId: z.uuid().optional(), from: ZDay, to: ZDay })
  .superRefine((q, ctx) => {
    if (q.to < q.from) ctx.addIssue({ code: 'custom', path: ['to'], message: '结束日期不能早于开始日期' });
    else if (dayNumber(q.to) - dayNumber(q.from) + 1 > MAX_REPORT_DAYS)
      ctx.addIssue({ code: 'custom', path: ['to'], message: `时间范围不能超过 ${MAX_REPORT_DAYS} 天` });
  });
export type TStaffPerformanceQuery = z.infer<typeof ZStaffPerformanceQuery>;

/**
 * One staff member's figures over the range. Evaluations are counted ones (rated + 未评价); ratings excluded on
 * appeal are never in them (shown apart as `excluded`). Satisfaction rate: scores 4–5 among the rated, percent with
 * one decimal. Follow-ups done: tasks assigned to him completed in the range. Complaints at fault: tickets about him
 * opened in the range whose fault decision is 有责 (at_fault).
 */
export const ZStaffPerformanceRow = z.object({
  staffId: z.string(),
  staffName: z.string().nullable(),
  staffNo: z.string().nullable(),
  unitName: z.string().nullable(),
  evaluations: z.number().int(),
  rated: z.number().int(),
  satisfactionRate: z.number().nullable(),
  avgScore: z.number().nullable(),
  unsatisfied: z.number().int(),
  excluded: z.number().int(),
  sessions: z.number().int(),
  avgHandlingSeconds: z.number().int().nullable(),
  followupsDone: z.number().int(),
  complaintsAtFault: z.number().int(),
});
export type TStaffPerformanceRow = z.infer<typeof ZStaffPerformanceRow>;

export const ZStaffPerformance = z.object({
  unitId: z.string(),
  unitName: z.string(),
  from: z.string(),
  to: z.string(),
  rows: z.array(ZStaffPerformanceRow),
});
export type TStaffPerformance = z.infer<typeof ZStaffPerformance>;

/** `GET /api/reports/summary`: the printable report of a unit for a period (the 驾驶舱 of that unit + staff table). */
export const ZReportSummaryQuery = z.object({
  unitId: z.uuid().optional(),
  period: z.enum(DASHBOARD_PERIODS).default('month'),
  date: ZDay.optional(),
});
export type TReportSummaryQuery = z.infer<typeof ZReportSummaryQuery>;

export const ZReportSummary = z.object({
  unitId: z.string(),
  unitName: z.string(),
  dashboard: ZAnalyticsDashboard,
  staff: ZStaffPerformance,
});
export type TReportSummary = z.infer<typeof ZReportSummary>;

// ---------------------------------------------------------------------------------------------------------------------
// Scheduled reports 定时报表

/** dashboard_summary 驾驶舱摘要 | staff_performance 员工绩效 */
export const REPORT_KINDS = ['dashboard_summary', 'staff_performance'] as const;
export type TReportKind = (typeof REPORT_KINDS)[number];
/** daily: yesterday's report; weekly: last ISO week's; monthly: last month's. */
export const REPORT_FREQUENCIES = ['daily', 'weekly', 'monthly'] as const;
export type TReportFrequency = (typeof REPORT_FREQUENCIES)[number];
export const REPORT_DELIVERY_STATUSES = ['queued', 'skipped'] as const;

/** The fields of a schedule (forms validate each with these); the input adds the frequency's cross-field rules. */
export const ZReportScheduleFields = z.object({
  name: z.string().trim().min(1).max(100),
  kind: z.enum(REPORT_KINDS),
  frequency: z.enum(REPORT_FREQUENCIES),
  /** Weekly: 1 = Monday … 7 = Sunday. */
  weekday: z.number().int().min(1).max(7).nullable().optional(),
  /** Monthly: day of month 1–31 (a shorter month sends on its last day). */
  monthDay: z.number().int().min(1).max(31).nullable().optional(),
  /** Local time in the tenant's zone, HH:mm. */
  sendTime: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, '时间格式为 HH:mm'),
  unitId: z.uuid(),
  recipientIds: z
    .array(z.uuid())
    .min(1)
    .max(50)
    .refine((a) => new Set(a).size === a.length, '收件人重复'),
  enabled: z.boolean().default(true),
});
const frequencyFields = (
  s: { frequency?: TReportFrequency; weekday?: number | null; monthDay?: number | null },
  ctx: z.RefinementCtx,
) => {
  if (s.frequency === 'weekly' && !s.weekday)
    ctx.addIssue({ code: 'custom', path: ['weekday'], message: '每周发送需选择星期' });
  if (s.frequency === 'monthly' && !s.monthDay)
    ctx.addIssue({ code: 'custom', path: ['monthDay'], message: '每月发送需选择日期' });
};
export const ZReportScheduleInput = ZReportScheduleFields.superRefine(frequencyFields);
export type TReportScheduleInput = z.input<typeof ZReportScheduleInput>;

export const ZReportSchedule = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.enum(REPORT_KINDS),
  frequency: z.enum(REPORT_FREQUENCIES),
  weekday: z.number().int().nullable(),
  monthDay: z.number().int().nullable(),
  sendTime: z.string(),
  unitId: z.string(),
  unitName: z.string().nullable(),
  recipientIds: z.array(z.string()),
  recipients: z.array(z.object({ id: z.string(), displayName: z.string() })),
  enabled: z.boolean(),
  createdBy: z.string().nullable(),
  lastSentAt: z.string().nullable(),
  createdAt: z.string(),
});
export type TReportSchedule = z.infer<typeof ZReportSchedule>;

/**
 * One delivery: a schedule's report of one period to one recipient. queued = the e-mail is in the outbox (its
 * outbox status shows whether it went out); skipped = nothing was sent, `error` says why (no e-mail address, no
 * permission, the unit is outside the recipient's scope, the recipient is disabled).
 */
export const ZReportDelivery = z.object({
  id: z.string(),
  periodFrom: z.string(),
  periodTo: z.string(),
  recipientId: z.string(),
  recipientName: z.string().nullable(),
  status: z.enum(REPORT_DELIVERY_STATUSES),
  error: z.string().nullable(),
  outboxStatus: z.string().nullable(),
  createdAt: z.string(),
});
export type TReportDelivery = z.infer<typeof ZReportDelivery>;

/**
 * `POST /api/report-schedules/:id/send` 立即发送: the report of the period just past, now. Exactly once per period still
 * holds: a recipient who already has a delivery of that period is not sent it again (his existing delivery is listed).
 */
export const ZReportSendResult = z.object({ deliveries: z.array(ZReportDelivery) });
export type TReportSendResult = z.infer<typeof ZReportSendResult>;
