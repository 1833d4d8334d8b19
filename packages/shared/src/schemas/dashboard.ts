import { z } from 'zod';

/**
 * The dashboard 工作台 of the caller. Each block is present only for the permission that lets him act on it, and is
 * null otherwise (the server does not compute it): units / unitsByType with org:read, activeUsers with user:read,
 * logins, audit events and recent events with audit:read, evaluations with evaluation:read, counter with
 * counter:serve, myTasks with followup:work, teamTasks with followup:manage. Figures are of the caller's scope.
 */
export const ZDashboardSummary = z.object({
  units: z.number().int().nullable(),
  activeUsers: z.number().int().nullable(),
  loginsToday: z.number().int().nullable(),
  auditEventsToday: z.number().int().nullable(),
  unitsByType: z.array(z.object({ type: z.string(), count: z.number().int() })).nullable(),
  /** Evaluations of the caller's scope (a teller: his own); excluded ratings are left out. */
  evaluations: z
    .object({
      today: z.number().int(),
      last30Days: z.number().int(),
      rated30Days: z.number().int(),
      /** Share of rated evaluations scoring 4–5, in percent with one decimal; null without ratings. */
      satisfiedPercent30Days: z.number().nullable(),
      unsatisfied30Days: z.number().int(),
      openAppeals: z.number().int(),
    })
    .nullable(),
  /** The teller's own counter today. */
  counter: z.object({ servedToday: z.number().int(), avgHandlingSecondsToday: z.number().int().nullable() }).nullable(),
  /** The agent's own follow-up tasks; reach rate = connected ÷ his attempts of the last 30 days (percent, 1 decimal). */
  myTasks: z
    .object({
      dueToday: z.number().int(),
      overdue: z.number().int(),
      attempts30Days: z.number().int(),
      reachPercent30Days: z.number().nullable(),
    })
    .nullable(),
  /** Open and overdue follow-up tasks of the caller's scope (team view). */
  teamTasks: z.object({ open: z.number().int(), overdue: z.number().int() }).nullable(),
  recentEvents: z
    .array(
      z.object({
        id: z.string(),
        at: z.string(),
        actorName: z.string().nullable(),
        action: z.string(),
        summary: z.string().nullable(),
      }),
    )
    .nullable(),
});
export type TDashboardSummary = z.infer<typeof ZDashboardSummary>;
