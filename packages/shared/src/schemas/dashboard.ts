import { z } from 'zod';

export const ZDashboardSummary = z.object({
  units: z.number().int(),
  activeUsers: z.number().int(),
  loginsToday: z.number().int(),
  auditEventsToday: z.number().int(),
  unitsByType: z.array(z.object({ type: z.string(), count: z.number().int() })),
  recentEvents: z.array(
    z.object({ id: z.string(), at: z.string(), actorName: z.string().nullable(), action: z.string(), summary: z.string().nullable() }),
  ),
});
export type TDashboardSummary = z.infer<typeof ZDashboardSummary>;
