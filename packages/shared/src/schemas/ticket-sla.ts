import { z } from 'zod';
import { ESCALATION_LEVELS, TICKET_PRIORITIES, type TTicketPriority, ZTicketPriority } from './tickets.ts';

/**
 * SLA targets of complaint tickets (DESIGN §6), per priority, in working minutes of the tenant's business calendar
 * (09:00–18:00 on working days): first response 首次响应, resolution 解决, the share of a target after which a warning is
 * raised 预警比例, and each escalation level's internal target OLA (`levelMinutes[i]` for level i; 0 = none).
 */
export interface TTicketSlaPolicyValues {
  firstResponseMinutes: number;
  resolutionMinutes: number;
  warnRatio: number;
  levelMinutes: number[];
}

/**
 * The defaults while a tenant has saved none (working time, 9 working hours a day): urgent 1 h / 4 h, high 2 h / 8 h
 * (one working day), normal 4 h / 16 h (two days), low 8 h / 40 h (a working week); warnings at 80 %. The OLA of each
 * level is half the resolution target for the agent 客服 and a quarter for each level above, so an agent who lets a
 * ticket sit hands it to the supervisor before the customer's target is at risk.
 */
export const DEFAULT_TICKET_SLA: Record<TTicketPriority, TTicketSlaPolicyValues> = {
  urgent: { firstResponseMinutes: 60, resolutionMinutes: 240, warnRatio: 0.8, levelMinutes: [120, 60, 60, 60] },
  high: { firstResponseMinutes: 120, resolutionMinutes: 480, warnRatio: 0.8, levelMinutes: [240, 120, 120, 120] },
  normal: { firstResponseMinutes: 240, resolutionMinutes: 960, warnRatio: 0.8, levelMinutes: [480, 240, 240, 240] },
  low: { firstResponseMinutes: 480, resolutionMinutes: 2400, warnRatio: 0.8, levelMinutes: [1200, 600, 600, 600] },
};

/** At most a year of working time (250 days × 9 h): anything longer is a typo. */
const MAX_MINUTES = 250 * 9 * 60;
const ZMinutes = z.number().int().min(1).max(MAX_MINUTES);

export const ZTicketSlaPolicyInput = z
  .object({
    priority: ZTicketPriority,
    firstResponseMinutes: ZMinutes,
    resolutionMinutes: ZMinutes,
    /** Strictly between 0 and 1, kept with two decimals (so 0.01…0.99: 0.999 would be stored as 1). */
    warnRatio: z.number().min(0.01).max(0.99),
    /** OLA per escalation level 0…3 in working minutes; 0 = no internal target at that level. */
    levelMinutes: z.array(z.number().int().min(0).max(MAX_MINUTES)).length(ESCALATION_LEVELS.length),
  })
  .superRefine((p, ctx) => {
    if (p.resolutionMinutes < p.firstResponseMinutes)
      ctx.addIssue({
        code: 'custom',
        path: ['resolutionMinutes'],
        message: 'the resolution target must be at least the first-response target',
      });
  });
export type TTicketSlaPolicyInput = z.infer<typeof ZTicketSlaPolicyInput>;

export const ZTicketSlaSettingsInput = z.object({
  policies: z
    .array(ZTicketSlaPolicyInput)
    .length(TICKET_PRIORITIES.length)
    .superRefine((ps, ctx) => {
      const seen = new Set<string>();
      ps.forEach((p, i) => {
        if (seen.has(p.priority))
          ctx.addIssue({ code: 'custom', path: [i, 'priority'], message: 'each priority once' });
        seen.add(p.priority);
      });
    }),
});
export type TTicketSlaSettingsInput = z.infer<typeof ZTicketSlaSettingsInput>;

export const ZTicketSlaSettings = z.object({
  policies: z.array(
    z.object({
      priority: ZTicketPriority,
      firstResponseMinutes: z.number(),
      resolutionMinutes: z.number(),
      warnRatio: z.number(),
      levelMinutes: z.array(z.number()),
      /** No saved row: the built-in default applies. */
      isDefault: z.boolean(),
      updatedAt: z.string().nullable(),
    }),
  ),
  /** The working hours targets are counted in (minutes after local midnight). */
  workingHours: z.object({ start: z.number(), end: z.number() }),
});
export type TTicketSlaSettings = z.infer<typeof ZTicketSlaSettings>;

/** How far the tenant's business calendar 工作日历 reaches, and whether it runs out soon (within 60 days). */
export const CALENDAR_RUNOUT_WARN_DAYS = 60;
export const ZCalendarCoverage = z.object({
  /** Last day of the last year the calendar holds (loaded official holidays or edited days); null = none. */
  coveredUntil: z.string().nullable(),
  daysLeft: z.number().nullable(),
  isRunningOut: z.boolean(),
});
export type TCalendarCoverage = z.infer<typeof ZCalendarCoverage>;
