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

export const DASHBOARD_PERIODS = ['day', 'week', 'month', 'quarter', 'year'] as const;
export type TDashboardPeriod = (typeof DASHBOARD_PERIODS)[number];

/** `GET /api/analytics/dashboard`: a period kind and a local day inside it (default: this month, tenant zone). */
export const ZAnalyticsDashboardQuery = z.object({
  period: z.enum(DASHBOARD_PERIODS).default('month'),
  date: z.iso.date().optional(),
});
export type TAnalyticsDashboardQuery = z.infer<typeof ZAnalyticsDashboardQuery>;

export const ANALYTICS_TILE_KEYS = [
  'satisfactionRate',
  'unsatisfied',
  'evaluations',
  'sessions',
  'avgHandlingSeconds',
  'ticketsReceived',
  'slaBreaches',
  // Survey figures 问卷 (survey rollups; not for a teller).
  'satisfactionIndex',
  'csat',
  'nps',
  // Follow-up 回访 (followup_task_rollups): tasks whose due window opens in the period, and the KPIs over them.
  'followupDue',
  'followupCoverage',
  'followupReach',
  'followupCompletion',
  // Appeals 申诉 of the teller's ratings decided in the period (evaluation_appeal_rollups).
  'appealsDecided',
  // Snapshots (now, not of the period): overdue follow-up tasks, open tickets, open churn warnings, pending appeals.
  'followupOverdue',
  'openTickets',
  'churnWarnings',
  'appealsPending',
] as const;
export type TAnalyticsTileKey = (typeof ANALYTICS_TILE_KEYS)[number];

const ZRange = z.object({ fromDay: z.string(), toDay: z.string() });

/** Tiles that are a snapshot of now, not a figure of the period: they have no 环比 / 同比. */
export const SNAPSHOT_TILE_KEYS: readonly TAnalyticsTileKey[] = [
  'followupOverdue',
  'openTickets',
  'churnWarnings',
  'appealsPending',
];

/**
 * One 驾驶舱 figure of the period, with the previous period of the same kind (环比) and the same period a year earlier
 * (同比); the changes are relative, in percent with one decimal, null when the base is null, zero or negative (NPS). Rates
 * (satisfactionRate, csat, followupCoverage/Reach/Completion) are percent with one decimal; satisfactionIndex 0–100;
 * nps −100…100. A snapshot tile (`snapshot`: true) is the figure now, whatever the period: previous, lastYear and
 * both changes are null.
 */
export const ZAnalyticsTile = z.object({
  key: z.enum(ANALYTICS_TILE_KEYS),
  snapshot: z.boolean(),
  value: z.number().nullable(),
  previous: z.number().nullable(),
  lastYear: z.number().nullable(),
  changePct: z.number().nullable(),
  yoyPct: z.number().nullable(),
});
export type TAnalyticsTile = z.infer<typeof ZAnalyticsTile>;

/**
 * The home 驾驶舱 of the caller's scope (a teller: his own figures), read from the rollups only. Evaluation tiles
 * need evaluation:read, session tiles evaluation:read or counter:serve, ticket tiles ticket:read; a tile the caller
 * may not see is absent.
 */
export const ZAnalyticsDashboard = z.object({
  period: z.enum(DASHBOARD_PERIODS),
  /**
   * Local days [fromDay, toDay). A period still running ends today, and its 环比 / 同比 ranges cover as many days
   * from their start (like for like); the trend always lists every day of the period.
   */
  current: ZRange,
  previous: ZRange,
  lastYear: ZRange,
  tiles: z.array(ZAnalyticsTile),
  /** One point per local day of the period (evaluation tiles only). */
  trend: z.array(
    z.object({
      day: z.string(),
      evaluations: z.number().int(),
      rated: z.number().int(),
      satisfactionRate: z.number().nullable(),
      unsatisfied: z.number().int(),
    }),
  ),
  /** 客流量 per ISO weekday (1 = Monday … 7 = Sunday) × local hour of the period (the heat map); empty for a teller. */
  flow: z.array(z.object({ weekday: z.number().int(), hour: z.number().int(), sessions: z.number().int() })),
  /**
   * Snapshot of the customers of the caller's units in the latest finished value run (tier 分级 and lifecycle tier);
   * null without customer:read or before any run.
   */
  customerValue: z
    .object({
      asOf: z.string(),
      tiers: z.array(z.object({ tier: z.string().nullable(), customers: z.number().int() })),
      lifecycles: z.array(z.object({ lifecycle: z.string(), customers: z.number().int() })),
    })
    .nullable(),
  /** 满意度排名 of the units directly below the caller's unit, worst first (units without ratings last). */
  ranking: z.array(
    z.object({
      unitId: z.string(),
      name: z.string(),
      rated: z.number().int(),
      satisfactionRate: z.number().nullable(),
      unsatisfied: z.number().int(),
    }),
  ),
});
export type TAnalyticsDashboard = z.infer<typeof ZAnalyticsDashboard>;
