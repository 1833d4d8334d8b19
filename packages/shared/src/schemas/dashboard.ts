import { z } from 'zod';

export const ZDashboardSummary = z.object({
  units: z.number().int(),
  activeUsers: z.number().int(),
  loginsToday: z.number().int(),
  auditEventsToday: z.number().int(),
  unitsByType: z.array(z.object({ type: z.string(), count: z.number().int() })),
  /** Evaluations of the caller's scope (present with evaluation:read); excluded ratings are left out. */
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
  recentEvents: z.array(
    z.object({ id: z.string(), at: z.string(), actorName: z.string().nullable(), action: z.string(), summary: z.string().nullable() }),
  ),
});
export type TDashboardSummary = z.infer<typeof ZDashboardSummary>;
