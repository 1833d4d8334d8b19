import { sql } from 'drizzle-orm';
import type {
  TAnalyticsDashboard,
  TAnalyticsDashboardQuery,
  TAnalyticsTile,
  TAnalyticsTileKey,
  TPermission,
} from '@huifang/shared';
import type { Db, DbOrTx } from '../../db/client.ts';
import type { TClock } from '../../lib/clock.ts';
import { allConcurrent, REQUEST_READ_LANES } from '../../lib/concurrent.ts';
import { pgArray, type TScope } from '../../lib/scope.ts';
import { tenantTimeZone } from '../../lib/time.ts';
import { addDays, localDay, readEvaluationRollups, type TRollupFigures } from '../evaluations/rollups.ts';
import { readSessionRollups } from '../counter/session-rollups.ts';
import { readTicketRollups } from '../tickets/rollups/ticket-rollups.ts';
import { daysOf, periodOf, previousPeriod, sameLastYear, type TPeriod } from './periods.ts';
import {
  readAppeals,
  readCustomerValue,
  readFollowupRollups,
  readHourlyFlow,
  readOpenTickets,
  readOverdueTasks,
  readSurveyFigures,
} from './read-model.ts';

/**
 * The home 驾驶舱 (DESIGN §7): the figures a role acts on over a period, each periodic one with 环比 and 同比, a daily
 * trend, the 满意度排名 of the units below the caller's, the hour × weekday heat map of customer flow and the tier
 * distribution. EVERYTHING HERE IS READ FROM ROLLUPS, NEVER FROM A SCAN OF FACTS: `evaluation_rollups` (through
 * readEvaluationRollups: excluded ratings are not counted; late-arriving ones count on the day they occurred),
 * the session rollups (readSessionRollups), `ticket_rollups` (readTicketRollups), `survey_rollups` and the 驾驶舱 read model
 * (read-model.ts: follow-up tasks, hourly flow, open tickets, customer tiers, churn warnings, appeals). Keep it so:
 * a new figure gets a rollup first.
 *
 * Tiles per role: `own` scope (a teller, an agent) his ratings, the customers he served and his appeals pending /
 * decided (teller), his follow-up tasks due / overdue (agent) and the complaints about him; wider scopes the
 * subtree's satisfaction index, rate, CSAT, NPS, 不满意, flow, handling time, follow-up KPIs, tickets and
 * churn warnings. Each block needs the permission that reads its source (see ZAnalyticsDashboard).
 */

type TRange = Pick<TPeriod, 'fromDay' | 'toDay'>;
type TValues = Partial<Record<TAnalyticsTileKey, number | null>>;

const pct1 = (num: number, den: number) => (den === 0 ? null : Math.round((num * 1000) / den) / 10);
/** Relative change in percent; none against a base of 0 or below (an NPS of −20 has no meaningful "percent of"). */
const change = (value: number | null, base: number | null) =>
  value === null || base === null || base <= 0 ? null : Math.round(((value - base) * 1000) / base) / 10;

function evaluationValues(f: TRollupFigures | undefined): TValues {
  return {
    satisfactionRate: f ? pct1(f.satisfied, f.rated) : null,
    unsatisfied: f?.unsatisfied ?? 0,
    evaluations: f?.total ?? 0,
  };
}

/** 客流量 and mean handling time from the session rollups, scoped like 服务统计 (by counter; own: staff). */
async function sessionValues(db: DbOrTx, scope: TScope, r: TRange): Promise<TValues> {
  const [f] = await readSessionRollups(db, scope, { fromDay: r.fromDay, toDay: r.toDay });
  return { sessions: f?.sessions ?? 0, avgHandlingSeconds: f?.avgHandlingSeconds ?? null };
}

async function ticketValues(db: DbOrTx, scope: TScope, r: TRange): Promise<TValues> {
  const [f] = await readTicketRollups(db, scope, r);
  return { ticketsReceived: f?.received ?? 0, slaBreaches: f?.slaBreaches ?? 0 };
}

async function followupValues(db: DbOrTx, scope: TScope, r: TRange): Promise<TValues> {
  const f = await readFollowupRollups(db, scope, r);
  if (scope.dataScope === 'own') return { followupDue: f.tasks };
  return {
    followupDue: f.tasks,
    followupCoverage: pct1(f.attempted, f.tasks),
    followupReach: pct1(f.connected, f.peopleAttempts),
    followupCompletion: pct1(f.done, f.tasks),
  };
}

/** A teller's appeals: decided in the period (periodic) — pending now is a snapshot (snapshotValues). */
const canAppeal = (scope: TScope, p: ReadonlySet<string>) => scope.dataScope === 'own' && p.has('evaluation:appeal');

async function surveyValues(db: DbOrTx, scope: TScope, r: TRange): Promise<TValues> {
  const f = await readSurveyFigures(db, scope, r);
  return f ? { satisfactionIndex: f.satisfactionIndex, csat: f.csat, nps: f.nps } : {};
}

/**
 * What each block of tiles needs. In `own` scope the customers served are a teller's (counter:serve), the tasks an
 * agent's (followup:work); wider scopes read the sessions with evaluation:read too.
 */
const canFollowup = (p: ReadonlySet<string>) => p.has('followup:read') || p.has('followup:work');
const canSessions = (scope: TScope, p: ReadonlySet<string>) =>
  p.has('counter:serve') || (scope.dataScope !== 'own' && p.has('evaluation:read'));

/** The reads of a period's figures, one thunk each (run in the request's read lanes; merged by Object.assign). */
function valueTasks(db: DbOrTx, scope: TScope, r: TRange, perms: ReadonlySet<string>): (() => Promise<TValues>)[] {
  const own = scope.dataScope === 'own';
  const tasks: (false | (() => Promise<TValues>))[] = [
    perms.has('evaluation:read') &&
      (() => readEvaluationRollups(db, scope, r).then((rows) => evaluationValues(rows[0]))),
    perms.has('survey:read') && !own && (() => surveyValues(db, scope, r)),
    canSessions(scope, perms) && (() => sessionValues(db, scope, r)),
    canFollowup(perms) && (() => followupValues(db, scope, r)),
    perms.has('ticket:read') && (() => ticketValues(db, scope, r)),
    canAppeal(scope, perms) && (() => readAppeals(db, scope, r).then((a) => ({ appealsDecided: a.decided }))),
  ];
  return tasks.filter((t): t is () => Promise<TValues> => t !== false);
}

/** Snapshot figures (now): overdue follow-up tasks, open tickets, open churn warnings. */
async function snapshotValues(
  db: DbOrTx,
  scope: TScope,
  today: string,
  perms: ReadonlySet<string>,
): Promise<{ values: TValues; customerValue: TAnalyticsDashboard['customerValue'] }> {
  const own = scope.dataScope === 'own';
  // Small reads, one after another: this runs in one of the request's read lanes (getAnalyticsDashboard).
  const overdue = canFollowup(perms) ? await readOverdueTasks(db, scope, today) : null;
  const open = perms.has('ticket:read') ? await readOpenTickets(db, scope) : null;
  const value = perms.has('customer:read') && !own ? await readCustomerValue(db, scope) : null;
  const appeals = canAppeal(scope, perms) ? await readAppeals(db, scope, { fromDay: today, toDay: today }) : null;
  const values: TValues = {};
  if (appeals) values.appealsPending = appeals.pending;
  if (overdue !== null) values.followupOverdue = overdue;
  if (open !== null) values.openTickets = open;
  if (value) values.churnWarnings = value.churnWarnings;
  return {
    values,
    customerValue: value?.asOf != null ? { asOf: value.asOf, tiers: value.tiers, lifecycles: value.lifecycles } : null,
  };
}

/** The order tiles are shown in (the order of ANALYTICS_TILE_KEYS is the order they were added). */
const TILE_ORDER: readonly TAnalyticsTileKey[] = [
  'satisfactionIndex',
  'satisfactionRate',
  'csat',
  'nps',
  'unsatisfied',
  'evaluations',
  'sessions',
  'avgHandlingSeconds',
  'followupDue',
  'followupOverdue',
  'followupCoverage',
  'followupReach',
  'followupCompletion',
  'openTickets',
  'ticketsReceived',
  'slaBreaches',
  'churnWarnings',
  'appealsPending',
  'appealsDecided',
];

/** Ratings per unit directly below the caller's unit (its subtree summed), worst satisfaction first. */
async function ranking(db: DbOrTx, scope: TScope, r: TRange): Promise<TAnalyticsDashboard['ranking']> {
  if (scope.dataScope === 'own' || scope.dataScope === 'unit') return [];
  const children = await db.execute<{ id: string; name: string; path: string }>(sql`
    select id, name, path from org_units
    where tenant_id = ${scope.tenantId} and parent_id = ${scope.unitId} order by path`);
  if (children.rows.length === 0) return [];
  const byUnit = await readEvaluationRollups(db, scope, r, ['unit']);
  const unitIds = byUnit.map((f) => f.keys.unit).filter((u): u is string => !!u);
  const paths = new Map<string, string>();
  if (unitIds.length) {
    const res = await db.execute<{ id: string; path: string }>(sql`
      select id, path from org_units where tenant_id = ${scope.tenantId} and id = any(${pgArray(unitIds, 'uuid')})`);
    for (const u of res.rows) paths.set(u.id, u.path);
  }
  const rows = children.rows.map((c) => {
    let rated = 0;
    let satisfied = 0;
    let unsatisfied = 0;
    for (const f of byUnit) {
      const p = f.keys.unit ? paths.get(f.keys.unit) : undefined;
      if (p === undefined || !p.startsWith(c.path)) continue;
      rated += f.rated;
      satisfied += f.satisfied;
      unsatisfied += f.unsatisfied;
    }
    return { unitId: c.id, name: c.name, rated, satisfactionRate: pct1(satisfied, rated), unsatisfied };
  });
  return rows.sort((a, b) => {
    if (a.satisfactionRate === null || b.satisfactionRate === null)
      return (a.satisfactionRate === null ? 1 : 0) - (b.satisfactionRate === null ? 1 : 0);
    return a.satisfactionRate - b.satisfactionRate || b.unsatisfied - a.unsatisfied;
  });
}

/** The period, its 环比 and its 同比 ranges, cut to the elapsed days when the period holds `today`. */
export function toDate(whole: TPeriod, today: string): { current: TRange; prev: TRange; lastYear: TRange } {
  const prev = previousPeriod(whole);
  const lastYear = sameLastYear(whole);
  if (!(today >= whole.fromDay && today < whole.toDay)) return { current: whole, prev, lastYear };
  const elapsed = daysOf({ ...whole, toDay: addDays(today, 1) }).length;
  const cut = (p: TRange): TRange => {
    const end = addDays(p.fromDay, elapsed);
    return { fromDay: p.fromDay, toDay: end < p.toDay ? end : p.toDay };
  };
  return { current: { fromDay: whole.fromDay, toDay: addDays(today, 1) }, prev: cut(prev), lastYear: cut(lastYear) };
}

export async function getAnalyticsDashboard(
  deps: { db: Db; clock: TClock },
  scope: TScope,
  perms: ReadonlySet<TPermission>,
  q: TAnalyticsDashboardQuery,
): Promise<TAnalyticsDashboard> {
  const timeZone = await tenantTimeZone(deps.db, scope.tenantId);
  const today = localDay(deps.clock.now(), timeZone);
  const whole = periodOf(q.period, q.date ?? today);
  // A period still running is compared like for like: its days up to today against as many days from the start of
  // the previous period and of last year's (1–5 December against 1–5 November and 1–5 December last year).
  const { current, prev, lastYear } = toDate(whole, today);
  const canEval = perms.has('evaluation:read');
  const own = scope.dataScope === 'own';
  // Every read of the page in the request's read lanes (lib/concurrent.ts): the period's own figures and the charts
  // first, then the comparisons and the snapshot.
  const [nowT, beforeT, yearAgoT] = [current, prev, lastYear].map((r) => valueTasks(deps.db, scope, r, perms)) as [
    (() => Promise<TValues>)[],
    (() => Promise<TValues>)[],
    (() => Promise<TValues>)[],
  ];
  let byDay: TRollupFigures[] = [];
  let ranked: TAnalyticsDashboard['ranking'] = [];
  let flow: TAnalyticsDashboard['flow'] = [];
  let snap: Awaited<ReturnType<typeof snapshotValues>> | undefined;
  const values = await allConcurrent(REQUEST_READ_LANES, [
    ...nowT,
    async () => {
      if (canEval) byDay = await readEvaluationRollups(deps.db, scope, whole, ['day']);
      return {};
    },
    async () => {
      if (canEval) ranked = await ranking(deps.db, scope, current);
      return {};
    },
    async () => {
      if (canSessions(scope, perms) && !own) flow = await readHourlyFlow(deps.db, scope, current);
      return {};
    },
    ...beforeT,
    ...yearAgoT,
    async () => {
      snap = await snapshotValues(deps.db, scope, today, perms);
      return {};
    },
  ]);
  const merge = (from: number, n: number): TValues => Object.assign({}, ...values.slice(from, from + n)) as TValues;
  const now = merge(0, nowT.length);
  const before = merge(nowT.length + 3, beforeT.length);
  const yearAgo = merge(nowT.length + 3 + beforeT.length, yearAgoT.length);
  if (!snap) throw new Error('dashboard snapshot not read');
  const tiles: TAnalyticsTile[] = [];
  for (const key of TILE_ORDER) {
    if (key in snap.values) {
      const value = snap.values[key] ?? null;
      tiles.push({ key, snapshot: true, value, previous: null, lastYear: null, changePct: null, yoyPct: null });
    } else if (key in now) {
      const value = now[key] ?? null;
      const previous = before[key] ?? null;
      const ly = yearAgo[key] ?? null;
      const changes = { changePct: change(value, previous), yoyPct: change(value, ly) };
      tiles.push({ key, snapshot: false, value, previous, lastYear: ly, ...changes });
    }
  }
  const days = new Map(byDay.map((f) => [f.keys.day, f]));
  const trend = canEval
    ? daysOf(whole).map((day) => {
        const f = days.get(day);
        return {
          day,
          evaluations: f?.total ?? 0,
          rated: f?.rated ?? 0,
          satisfactionRate: f ? pct1(f.satisfied, f.rated) : null,
          unsatisfied: f?.unsatisfied ?? 0,
        };
      })
    : [];
  const range = (p: TRange) => ({ fromDay: p.fromDay, toDay: p.toDay });
  return {
    period: q.period,
    current: range(current),
    previous: range(prev),
    lastYear: range(lastYear),
    tiles,
    trend,
    flow,
    customerValue: snap.customerValue,
    ranking: ranked,
  };
}
