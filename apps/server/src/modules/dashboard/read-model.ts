import { sql } from 'drizzle-orm';
import { isScored, type TQuestionType, type TSurveyDefinition } from '@huifang/shared';
import type { DbOrTx } from '../../db/client.ts';
import {
  rollupTableParts,
  rollupVisible,
  seesWholeTenant,
  type TRollupNeeds,
  type TRollupTable,
} from '../../lib/rollup-tables.ts';
import { ownedVisible, unitVisible, type TScope } from '../../lib/scope.ts';
import { addDays } from '../evaluations/rollups.ts';
import { foldSurveyRollups, wholeMonths } from '../evaluations/survey-rollups.ts';
import { csatShare, npsScore, satisfactionIndex, scoringDimensions } from '../surveys/survey-maths.ts';

/**
 * Readers of the 驾驶舱 read model (db/schema/dashboard-rollups.ts, kept by the triggers of migration
 * `dashboard_rollups`) and of the survey rollups, each scoped by the caller's tenant and org subtree. No reader here
 * touches a fact table: follow-up tasks, sessions, tickets, customer values and churn warnings are read from their
 * rollups, appeals from theirs; survey definitions (a handful of rows) only give the weights and question types of the versions counted.
 */

type TRange = { fromDay: string; toDay: string };

/** Follow-up tasks by the month / the day their due window opens; both keep unit and assignee. */
const FOLLOWUP_TABLES: readonly TRollupTable[] = [
  { name: 'followup_task_month_rollups', grain: 'month', hasUnit: true, hasStaff: true },
  { name: 'followup_task_rollups', grain: 'day', hasUnit: true, hasStaff: true },
];
const ALL_KEYS: TRollupNeeds = { unit: true, staff: true, day: false };
/** 客流量 by weekday × hour: per tenant or outlet, by day or month. */
const HOUR_TABLES: readonly TRollupTable[] = [
  { name: 'session_hour_tenant_rollups', grain: 'day', hasUnit: false, hasStaff: false },
  { name: 'session_hour_tenant_month_rollups', grain: 'month', hasUnit: false, hasStaff: false },
  { name: 'session_hour_month_rollups', grain: 'month', hasUnit: true, hasStaff: false },
  { name: 'session_hour_rollups', grain: 'day', hasUnit: true, hasStaff: false },
];

export interface TFollowupFigures {
  tasks: number;
  attempted: number;
  reached: number;
  peopleAttempts: number;
  connected: number;
  done: number;
}

/**
 * Follow-up tasks whose due window opens in [fromDay, toDay) (not cancelled): a teller (`own`) his own as assignee,
 * others those of the units they see — the KPIs' basis (coverage 覆盖率, reach 接通率, completion 完成率).
 */
export async function readFollowupRollups(db: DbOrTx, scope: TScope, r: TRange): Promise<TFollowupFigures> {
  // Whole months from the month table, the edge days from the day table (about one row per task at scale).
  const selects = rollupTableParts(FOLLOWUP_TABLES, ALL_KEYS, r.fromDay, r.toDay).map(
    ({ table, from, to }) => sql`
      select f.tasks, f.attempted, f.reached, f.people_attempts, f.connected, f.done
      from ${sql.raw(table.name)} f
      where f.tenant_id = ${scope.tenantId} and ${rollupVisible(scope, sql`f.assignee_id`, sql`f.unit_id`)}
        and ${sql.raw(`f.${table.grain}`)} >= ${from}::date and ${sql.raw(`f.${table.grain}`)} < ${to}::date`,
  );
  const res = await db.execute<Record<string, number>>(sql`
    select coalesce(sum(f.tasks), 0)::int as tasks, coalesce(sum(f.attempted), 0)::int as attempted,
           coalesce(sum(f.reached), 0)::int as reached, coalesce(sum(f.people_attempts), 0)::int as people_attempts,
           coalesce(sum(f.connected), 0)::int as connected, coalesce(sum(f.done), 0)::int as done
    from (${sql.join(selects, sql` union all `)}) f`);
  const x = res.rows[0] ?? {};
  return {
    tasks: Number(x.tasks ?? 0),
    attempted: Number(x.attempted ?? 0),
    reached: Number(x.reached ?? 0),
    peopleAttempts: Number(x.people_attempts ?? 0),
    connected: Number(x.connected ?? 0),
    done: Number(x.done ?? 0),
  };
}

/** Snapshot: open tasks now (pending / in progress / follow-up needed), as the task rollups scope them. */
export async function readOpenTasks(db: DbOrTx, scope: TScope): Promise<number> {
  const res = await db.execute<{ n: number }>(sql`
    select coalesce(sum(f.open), 0)::int as n from followup_task_rollups f
    where f.tenant_id = ${scope.tenantId} and f.open <> 0 and ${rollupVisible(scope, sql`f.assignee_id`, sql`f.unit_id`)}`);
  return Number(res.rows[0]?.n ?? 0);
}

/** Snapshot: open tasks whose due window closed before local day `today` (overdue at the end of yesterday). */
export async function readOverdueTasks(db: DbOrTx, scope: TScope, today: string): Promise<number> {
  const res = await db.execute<{ n: number }>(sql`
    select coalesce(sum(f.open), 0)::int as n from followup_task_rollups f
    where f.tenant_id = ${scope.tenantId} and f.open <> 0 and ${rollupVisible(scope, sql`f.assignee_id`, sql`f.unit_id`)}
      and f.due_day < ${today}::date`);
  return Number(res.rows[0]?.n ?? 0);
}

/**
 * Appeals 申诉 of ratings (a teller: of his own ratings): decided in [fromDay, toDay), and pending now (filed − decided
 * over all days).
 */
export async function readAppeals(db: DbOrTx, scope: TScope, r: TRange): Promise<{ pending: number; decided: number }> {
  const res = await db.execute<{ pending: number; decided: number }>(sql`
    select coalesce(sum(a.filed) - sum(a.decided), 0)::int as pending,
           coalesce(sum(a.decided) filter (where a.day >= ${r.fromDay}::date and a.day < ${r.toDay}::date), 0)::int as decided
    from evaluation_appeal_rollups a
    where a.tenant_id = ${scope.tenantId} and ${ownedVisible(scope, sql`a.staff_id`, sql`a.unit_id`)}`);
  return { pending: Number(res.rows[0]?.pending ?? 0), decided: Number(res.rows[0]?.decided ?? 0) };
}

/**
 * 客流量 per ISO weekday (1 = Monday … 7 = Sunday) × local hour over [fromDay, toDay), outlets the caller sees. Whole
 * months from the month tables (per tenant when the caller sees the whole tenant, else per outlet), the edge days from
 * session_hour_rollups.
 */
export async function readHourlyFlow(
  db: DbOrTx,
  scope: TScope,
  r: TRange,
): Promise<{ weekday: number; hour: number; sessions: number }[]> {
  const wholeTenant = seesWholeTenant(scope);
  const parts = rollupTableParts(HOUR_TABLES, { unit: !wholeTenant, staff: false, day: false }, r.fromDay, r.toDay);
  const selects = parts.map(({ table, from, to }) => {
    const time = sql.raw(`h.${table.grain}`);
    return sql`
      select ${table.grain === 'day' ? sql`extract(isodow from h.day)::int` : sql`h.isodow::int`} as weekday, h.hour, h.sessions
      from ${sql.raw(table.name)} h
      where h.tenant_id = ${scope.tenantId} and ${table.hasUnit ? rollupVisible(scope, sql`h.outlet_id`, sql`h.outlet_id`) : sql`true`}
        and ${time} >= ${from}::date and ${time} < ${to}::date`;
  });
  const res = await db.execute<{ weekday: number; hour: number; sessions: number }>(sql`
    select h.weekday, h.hour::int as hour, sum(h.sessions)::int as sessions
    from (${sql.join(selects, sql` union all `)}) h
    group by 1, 2 having sum(h.sessions) <> 0 order by 1, 2`);
  return res.rows.map((x) => ({ weekday: Number(x.weekday), hour: Number(x.hour), sessions: Number(x.sessions) }));
}

/** Snapshot: tickets not yet resolved or closed (a teller: those about him), as ticket_rollups scopes them. */
export async function readOpenTickets(db: DbOrTx, scope: TScope): Promise<number> {
  const res = await db.execute<{ n: number }>(sql`
    select coalesce(sum(c.tickets), 0)::int as n from ticket_status_counts c
    where c.tenant_id = ${scope.tenantId} and ${ownedVisible(scope, sql`c.staff_id`, sql`c.unit_id`)}
      and c.status not in ('resolved', 'closed')`);
  return Number(res.rows[0]?.n ?? 0);
}

/**
 * Snapshot: the tier distribution of the latest finished value run over the customers of the caller's units (by
 * tier 分级, and by lifecycle tier), and the open churn warnings 流失预警 of those customers. No run yet → null.
 */
export async function readCustomerValue(
  db: DbOrTx,
  scope: TScope,
): Promise<{
  runId: string | null;
  asOf: string | null;
  tiers: { tier: string | null; customers: number }[];
  lifecycles: { lifecycle: string; customers: number }[];
  churnWarnings: number;
}> {
  const run = await db.execute<{ id: string; as_of: string }>(sql`
    select id, as_of::text as as_of from value_runs where tenant_id = ${scope.tenantId} and status = 'done'
    order by seq desc limit 1`);
  const churn = await db.execute<{ n: number }>(sql`
    select coalesce(sum(c.open), 0)::int as n from churn_warning_counts c
    where c.tenant_id = ${scope.tenantId} and ${unitVisible(scope, sql`c.unit_id`)}`);
  const churnWarnings = Number(churn.rows[0]?.n ?? 0);
  const latest = run.rows[0];
  if (!latest) return { runId: null, asOf: null, tiers: [], lifecycles: [], churnWarnings };
  const rows = await db.execute<{ tier: string | null; lifecycle: string; n: number }>(sql`
    select v.tier, v.lifecycle, sum(v.customers)::int as n from customer_value_rollups v
    where v.tenant_id = ${scope.tenantId} and v.run_id = ${latest.id} and ${unitVisible(scope, sql`v.unit_id`)}
    group by 1, 2 having sum(v.customers) <> 0`);
  const tiers = new Map<string | null, number>();
  const lifecycles = new Map<string, number>();
  for (const x of rows.rows) {
    tiers.set(x.tier, (tiers.get(x.tier) ?? 0) + Number(x.n));
    lifecycles.set(x.lifecycle, (lifecycles.get(x.lifecycle) ?? 0) + Number(x.n));
  }
  const byKey = <K extends string | null>(a: [K, number], b: [K, number]) => String(a[0]).localeCompare(String(b[0]));
  return {
    runId: latest.id,
    asOf: latest.as_of,
    tiers: [...tiers].sort(byKey).map(([tier, customers]) => ({ tier, customers })),
    lifecycles: [...lifecycles].sort(byKey).map(([lifecycle, customers]) => ({ lifecycle, customers })),
    churnWarnings,
  };
}

export interface TSurveyFigures {
  /** 满意度指数 0–100 (one decimal): per survey version Σ weight × dimension mean × 100 / 5, weighted by responses. */
  satisfactionIndex: number | null;
  /** CSAT: share of 4–5 among the CSAT answers (among all 1–5 answers of a version without a CSAT question). */
  csat: number | null;
  /** NPS: % promoters (9–10) − % detractors (0–6) over the NPS answers. */
  nps: number | null;
  responses: number;
}

const round1 = (x: number) => Math.round(x * 10) / 10;

/**
 * Survey figures of every survey over the caller's units, local days [fromDay, toDay), from survey_rollups (after
 * folding the tenant's queued responses): whole months from month rows, the days at either end from day rows. The
 * maths is the survey's own (surveys/survey-maths.ts) per version, pooled over versions:
 * - index: each version's satisfactionIndex(its weights, its dimension means), averaged weighted by its responses;
 * - CSAT and NPS: the answers of all versions pooled, then csatShare / npsScore.
 * A teller (`own`) has no survey figures (survey rollups carry no staff).
 */
export async function readSurveyFigures(db: DbOrTx, scope: TScope, r: TRange): Promise<TSurveyFigures | null> {
  if (scope.dataScope === 'own') return null;
  const to = addDays(r.toDay, -1);
  const { monthsFrom, monthsTo } = wholeMonths(r.fromDay, to);
  await foldSurveyRollups(db, scope.tenantId);
  const base = sql`s.tenant_id = ${scope.tenantId} and ${unitVisible(scope, sql`s.unit_id`)} and s.kind in ('response', 'dimension', 'value')`;
  // Whole months [monthsFrom, monthsTo) from the month rows (none when the range holds no whole month).
  const hasMonths = monthsFrom !== undefined && monthsTo !== undefined && monthsFrom < monthsTo;
  const res = await db.execute<{
    survey_id: string;
    version: number;
    kind: string;
    key: string;
    value: string;
    n: number;
    sum: string;
  }>(sql`
    select s.survey_id, s.version, s.kind, s.key, s.value, sum(s.n)::int as n, sum(s.sum)::text as sum
    from survey_rollups s
    where ${base} and (
      (s.grain = 'month' and ${hasMonths ? sql`s.day >= ${monthsFrom}::date and s.day < ${monthsTo}::date` : sql`false`})
      or (s.grain = 'day' and s.day >= ${r.fromDay}::date and s.day < ${r.toDay}::date
          ${hasMonths ? sql`and (s.day < ${monthsFrom}::date or s.day >= ${monthsTo}::date)` : sql``}))
    group by 1, 2, 3, 4, 5`);
  if (res.rows.length === 0) return { satisfactionIndex: null, csat: null, nps: null, responses: 0 };
  const versions = new Map<string, { surveyId: string; version: number; rows: typeof res.rows }>();
  for (const x of res.rows) {
    const k = `${x.survey_id}:${x.version}`;
    const v = versions.get(k) ?? { surveyId: x.survey_id, version: Number(x.version), rows: [] };
    v.rows.push(x);
    versions.set(k, v);
  }
  const defs = await db.execute<{ survey_id: string; version: number; definition: TSurveyDefinition }>(sql`
    select v.survey_id, v.version, v.definition from survey_versions v
    where v.tenant_id = ${scope.tenantId}
      and (v.survey_id::text || ':' || v.version::text) in (${sql.join(
        [...versions.keys()].map((k) => sql`${k}`),
        sql`, `,
      )})`);
  const defOf = new Map(defs.rows.map((d) => [`${d.survey_id}:${d.version}`, d.definition]));
  let indexWeighted = 0;
  let indexResponses = 0;
  let responses = 0;
  const csatCounts: Record<number, number> = {};
  const npsCounts: Record<number, number> = {};
  for (const [k, v] of versions) {
    const def = defOf.get(k);
    if (!def) continue;
    const typeOf = new Map<string, TQuestionType>(def.questions.map((q) => [q.key, q.type]));
    const hasCsat = def.questions.some((q) => q.type === 'csat');
    const n = v.rows.filter((x) => x.kind === 'response').reduce((s, x) => s + Number(x.n), 0);
    responses += n;
    const means = new Map(
      v.rows.filter((x) => x.kind === 'dimension').map((x) => [x.key, Number(x.sum) / Number(x.n)] as const),
    );
    const index = satisfactionIndex(
      scoringDimensions(def).map((d) => ({ weight: d.weight, mean: means.get(d.key) ?? null })),
    );
    if (index !== null && n > 0) {
      indexWeighted += index * n;
      indexResponses += n;
    }
    for (const x of v.rows.filter((y) => y.kind === 'value')) {
      const type = typeOf.get(x.key);
      if (!type) continue;
      const value = Number(x.value);
      if (type === 'nps') npsCounts[value] = (npsCounts[value] ?? 0) + Number(x.n);
      else if (hasCsat ? type === 'csat' : isScored(type)) csatCounts[value] = (csatCounts[value] ?? 0) + Number(x.n);
    }
  }
  return {
    satisfactionIndex: indexResponses ? round1(indexWeighted / indexResponses) : null,
    csat: csatShare(csatCounts),
    nps: npsScore(npsCounts),
    responses,
  };
}

/** Recompute the 驾驶舱 read model of one tenant (or all) from the facts; writers wait meanwhile. */
export async function rebuildDashboardRollups(db: DbOrTx, tenantId?: string): Promise<void> {
  await db.execute(sql`select dashboard_rollups_rebuild(${tenantId ?? null}::uuid)`);
  await db.execute(sql`select dashboard_month_rollups_rebuild(${tenantId ?? null}::uuid)`);
}
