import { sql, type SQL } from 'drizzle-orm';
import {
  UNCLASSIFIED_VALUE,
  type TAnalysis,
  type TAnalysisDrill,
  type TAnalysisFilter,
  type TAnalysisQuery,
  type TAnalysisRow,
  type TPermission,
  type TValueCutKey,
} from '@huifang/shared';
import type { Db, DbOrTx } from '../../db/client.ts';
import { AppError, invalidField, unknownRef } from '../../lib/app-error.ts';
import type { TClock } from '../../lib/clock.ts';
import { pgArray, unitVisible, type TScope } from '../../lib/scope.ts';
import { tenantTimeZone } from '../../lib/time.ts';
import { CHANNEL_LABELS } from '../evaluations/evaluations.export.ts';
import {
  addDays,
  localDay,
  readEvaluationRollups,
  type TRollupDim,
  type TRollupFigures,
} from '../evaluations/rollups.ts';
import { readEvaluationValueRollups, type TValueDim } from '../evaluations/value-rollups.ts';
import { foldSurveyRollups } from '../evaluations/survey-rollups.ts';
import { findSurvey, findVersion } from '../surveys/surveys.repository.ts';
import { scoringDimensions } from '../surveys/survey-maths.ts';
import { readSessionRollups, sessionOutletsExact, type TSessionDim } from '../counter/session-rollups.ts';
import { readTicketRollups, type TTicketRollupDim } from '../tickets/rollups/ticket-rollups.ts';
import { readHourCut } from './analysis-hours.ts';
import {
  assertValueCutQuery,
  assertValueKeys,
  hasValueFilter,
  isValueGroup,
  UNCLASSIFIED_LABEL,
  valueLabel,
  valueModel,
  type TValueModel,
} from './analysis-value.ts';
import { analysisRange, bucketsOf, type TDayRange } from './analysis-range.ts';
import { periodOf } from './periods.ts';

/**
 * 统计分析 (DESIGN §7): the figures of a unit's subtree over a range, cut by one dimension, and the 满意度排名. Reads
 * only the read models — evaluation_rollups (readEvaluationRollups: excluded ratings apart), the session rollups (readSessionRollups),
 * ticket_rollups (readTicketRollups) and survey_rollups — never the facts. The caller's scope applies to every read
 * (`own`: a teller's own rows); a unit or counter outside it is a 404.
 */

type TDeps = { db: Db; clock: TClock };
interface TUnit {
  id: string;
  name: string;
  type: string;
  path: string;
  parentId: string | null;
}

/** Raw sums of one row (merged exactly into the total). */
interface TAcc {
  total: number;
  unrated: number;
  scoreSum: number;
  satisfied: number;
  unsatisfied: number;
  excluded: number;
  sessions: number;
  handled: number;
  handlingSum: number;
  received: number;
  slaBreaches: number;
  responses: number;
  meanN: number;
  meanSum: number;
}
const emptyAcc = (): TAcc => ({
  total: 0,
  unrated: 0,
  scoreSum: 0,
  satisfied: 0,
  unsatisfied: 0,
  excluded: 0,
  sessions: 0,
  handled: 0,
  handlingSum: 0,
  received: 0,
  slaBreaches: 0,
  responses: 0,
  meanN: 0,
  meanSum: 0,
});
export const pct1 = (num: number, den: number) => (den === 0 ? null : Math.round((num * 1000) / den) / 10);
export const round2 = (num: number, den: number) => (den === 0 ? null : Math.round((num * 100) / den) / 100);

/** Which figure families a cut holds (null columns otherwise). */
interface TApplies {
  evaluations: boolean;
  sessions: boolean;
  tickets: boolean;
  survey: boolean;
}

function toRow(key: string | null, label: string, a: TAcc, on: TApplies, drill: TAnalysisDrill | null): TAnalysisRow {
  const rated = a.total - a.unrated;
  const ev = <T>(v: T) => (on.evaluations ? v : null);
  return {
    key,
    label,
    evaluations: ev(a.total),
    rated: ev(rated),
    satisfied: ev(a.satisfied),
    satisfactionRate: ev(pct1(a.satisfied, rated)),
    avgScore: ev(round2(a.scoreSum, rated)),
    unsatisfied: ev(a.unsatisfied),
    unrated: ev(a.unrated),
    excluded: ev(a.excluded),
    sessions: on.sessions ? a.sessions : null,
    avgHandlingSeconds: on.sessions && a.handled ? Math.round(a.handlingSum / a.handled) : null,
    ticketsReceived: on.tickets ? a.received : null,
    slaBreaches: on.tickets ? a.slaBreaches : null,
    surveyResponses: on.survey ? a.responses : null,
    surveyMean: on.survey ? round2(a.meanSum, a.meanN) : null,
    drill,
  };
}

/** A unit of the tenant inside the caller's scope, else 404 naming the field. */
async function visibleUnit(db: DbOrTx, scope: TScope, id: string, field: string): Promise<TUnit> {
  const res = await db.execute<{ id: string; name: string; type: string; path: string; parent_id: string | null }>(sql`
    select id, name, type, path, parent_id from org_units
    where tenant_id = ${scope.tenantId} and id = ${id} and ${unitVisible(scope, sql`id`)}`);
  const u = res.rows[0];
  if (!u) throw unknownRef(field, 'org unit');
  return { id: u.id, name: u.name, type: u.type, path: u.path, parentId: u.parent_id };
}

async function subtreeUnits(db: DbOrTx, scope: TScope, root: TUnit): Promise<TUnit[]> {
  const res = await db.execute<{ id: string; name: string; type: string; path: string; parent_id: string | null }>(sql`
    select id, name, type, path, parent_id from org_units
    where tenant_id = ${scope.tenantId} and path like ${root.path + '%'} order by depth, sort_order, path`);
  return res.rows.map((u) => ({ id: u.id, name: u.name, type: u.type, path: u.path, parentId: u.parent_id }));
}

/** The id of the unit directly below `root` that holds `path` (null: `root` itself). */
function childOf(root: TUnit, path: string | undefined): string | null | undefined {
  if (path === undefined || !path.startsWith(root.path)) return undefined;
  const rest = path.slice(root.path.length).split('/').filter(Boolean);
  return rest[0] ?? null;
}

export async function userNames(db: DbOrTx, scope: TScope, ids: string[]): Promise<Map<string, string>> {
  if (!ids.length) return new Map();
  const res = await db.execute<{ id: string; name: string }>(sql`
    select id, display_name as name from users where tenant_id = ${scope.tenantId} and id = any(${pgArray(ids, 'uuid')})`);
  return new Map(res.rows.map((r) => [r.id, r.name]));
}

/** Counter names with their outlet (every outlet has a 1号窗口). */
export async function counterNames(db: DbOrTx, scope: TScope, ids: string[]): Promise<Map<string, string>> {
  if (!ids.length) return new Map();
  const res = await db.execute<{ id: string; name: string }>(sql`
    select c.id, coalesce(p.name || ' · ', '') || c.name as name from org_units c left join org_units p on p.id = c.parent_id
    where c.tenant_id = ${scope.tenantId} and c.id = any(${pgArray(ids, 'uuid')})`);
  return new Map(res.rows.map((r) => [r.id, r.name]));
}

interface TCtx<Q extends TAnalysisFilter = TAnalysisFilter> {
  scope: TScope;
  unit: TUnit;
  units: TUnit[];
  range: TDayRange;
  q: Q;
  /**
   * `own` scope (a teller): his rows wherever they were recorded — his unit is his counter while evaluations are
   * recorded at the outlet — so no unit subtree applies and the unit cut has the one row of his own figures.
   */
  own: boolean;
}

/** Sessions (客流量, handling) grouped by at most one key, in the caller's scope (by counter; own: staff). */
async function readSessions(db: DbOrTx, c: TCtx, group: TSessionDim | null) {
  const rows = await readSessionRollups(
    db,
    c.scope,
    {
      fromDay: c.range.fromDay,
      toDay: c.range.toDay,
      ...(c.own ? {} : { counterIn: c.unit.id }),
      ...(c.q.staffId ? { staffId: c.q.staffId } : {}),
      ...(c.q.counterId ? { counterId: c.q.counterId } : {}),
      ...(c.q.businessType ? { businessType: c.q.businessType } : {}),
    },
    group ? [group] : [],
  );
  return rows.map((r) => ({ ...r, k: group ? (r.keys[group] ?? null) : null }));
}

/**
 * The session key of the unit cut: a counter falls in the child of the chosen unit above it. By its outlet (the
 * coarse tables) where that is the same child — the chosen unit has no counter of its own and no counter moved since
 * its sessions (sessionOutletsExact) — else by the counter.
 */
async function sessionUnitKey(db: DbOrTx, c: TCtx): Promise<TSessionDim> {
  if (c.unit.type === 'counter' || c.units.some((u) => u.parentId === c.unit.id && u.type === 'counter'))
    return 'counter';
  return (await sessionOutletsExact(db, c.scope.tenantId)) ? 'outlet' : 'counter';
}

/** Survey responses and mean (index, or one dimension's mean) grouped by one column, from the day rows. */
async function readSurvey(db: DbOrTx, c: TCtx, surveyId: string, group: SQL | null, kindDimension: boolean) {
  await foldSurveyRollups(db, c.scope.tenantId);
  const conds: SQL[] = [
    sql`s.tenant_id = ${c.scope.tenantId}`,
    sql`s.survey_id = ${surveyId}`,
    sql`s.grain = 'day'`,
    sql`s.day >= ${c.range.fromDay}::date`,
    sql`s.day < ${c.range.toDay}::date`,
    unitVisible(c.scope, sql`s.unit_id`),
    sql`s.unit_id in (select ou.id from org_units ou where ou.tenant_id = ${c.scope.tenantId} and ou.path like ${c.unit.path + '%'})`,
  ];
  const dim = kindDimension || c.q.dimension;
  conds.push(dim ? sql`s.kind = 'dimension'` : sql`s.kind = 'response'`);
  if (c.q.dimension && !kindDimension) conds.push(sql`s.key = ${c.q.dimension}`);
  const res = await db.execute<{ k: string | null; n: number; mean_n: number; mean_sum: number }>(sql`
    select ${group ?? sql`null::text`} as k, sum(s.n)::int as n,
           ${dim ? sql`sum(s.n)::int` : sql`sum(s.index_n)::int`} as mean_n,
           ${dim ? sql`sum(s.sum)::float8` : sql`sum(s.index_sum)::float8`} as mean_sum
    from survey_rollups s where ${sql.join(conds, sql` and `)} group by 1`);
  return res.rows;
}

export function rollupFilter(c: TCtx) {
  return {
    fromDay: c.range.fromDay,
    toDay: c.range.toDay,
    ...(c.own ? {} : { unitIn: c.unit.id }),
    ...(c.q.channel ? { channel: c.q.channel } : {}),
    ...(c.q.businessType ? { businessType: c.q.businessType } : {}),
    ...(c.q.staffId ? { staffId: c.q.staffId } : {}),
    ...(c.q.counterId ? { counterIn: c.q.counterId } : {}),
  };
}

export async function context<Q extends TAnalysisFilter>(deps: TDeps, scope: TScope, q: Q): Promise<TCtx<Q>> {
  const timeZone = await tenantTimeZone(deps.db, scope.tenantId);
  const range = analysisRange(q, localDay(deps.clock.now(), timeZone));
  const unit = await visibleUnit(deps.db, scope, q.unitId ?? scope.unitId, 'querystring.unitId');
  if (q.counterId) await visibleUnit(deps.db, scope, q.counterId, 'querystring.counterId');
  const units = await subtreeUnits(deps.db, scope, unit);
  return { scope, unit, units, range, q, own: scope.dataScope === 'own' };
}

export const lastDay = (r: TDayRange) => addDays(r.toDay, -1);

/** The facts behind a row: the filters of the analysis plus the row's own key. */
export function drillOf(c: TCtx, extra: Partial<TAnalysisDrill> & { range?: TDayRange }): TAnalysisDrill {
  const r = extra.range ?? c.range;
  const d: TAnalysisDrill = { from: r.fromDay, to: lastDay(r) };
  if (!c.own) d.unitId = c.unit.id;
  if (c.q.staffId) d.staffId = c.q.staffId;
  if (c.q.counterId) d.counterId = c.q.counterId;
  if (c.q.channel) d.channel = c.q.channel;
  if (c.q.tier) d.tier = c.q.tier;
  if (c.q.lifecycle) d.lifecycle = c.q.lifecycle;
  if (c.q.ruleClass) d.ruleClass = c.q.ruleClass;
  const { range: _ignored, ...rest } = extra;
  return { ...d, ...rest };
}

const EVAL_DIM: Record<Exclude<TAnalysisQuery['groupBy'], 'dimension' | 'hour' | TValueCutKey>, TRollupDim> = {
  unit: 'unit',
  staff: 'staff',
  counter: 'counter',
  channel: 'channel',
  businessType: 'businessType',
  period: 'day',
};

export async function getAnalysis(
  deps: TDeps,
  scope: TScope,
  perms: ReadonlySet<TPermission>,
  q: TAnalysisQuery,
): Promise<TAnalysis> {
  if (q.groupBy === 'dimension' && !q.surveyId)
    throw invalidField('querystring.surveyId', 'a survey is needed to cut by dimension');
  // The customer-value cut (客户分级 / 生命周期 / 规则分类, as a cut or a filter): analysis-value.ts.
  const valueCut = isValueGroup(q.groupBy) || hasValueFilter(q);
  if (valueCut) assertValueCutQuery(q, scope);
  const c = await context(deps, scope, q);
  if (valueCut) return getValueAnalysis(deps, c);
  let dimensionLabels: { key: string; name: string }[] = [];
  if (q.surveyId) {
    if (!perms.has('survey:read')) throw new AppError('FORBIDDEN', 'survey:read is needed for survey figures');
    const survey = await findSurvey(deps.db, scope, q.surveyId);
    if (!survey) throw unknownRef('querystring.surveyId', 'survey');
    const version = await findVersion(
      deps.db,
      scope.tenantId,
      survey.id,
      survey.publishedVersion ?? survey.latestVersion,
    );
    dimensionLabels = version ? scoringDimensions(version.definition) : [];
  }
  const g = q.groupBy;
  const accs = new Map<string | null, TAcc>();
  const acc = (k: string | null) => {
    let a = accs.get(k);
    if (!a) accs.set(k, (a = emptyAcc()));
    return a;
  };
  const pathOf = new Map(c.units.map((u) => [u.id, u.path]));
  // The hour cuts (时段, or the period cut by the hour) read the hour read models (analysis-hours.ts) instead.
  const hourly = g === 'hour' || (g === 'period' && q.granularity === 'hour');
  const bucket = (day: string) => (q.granularity === 'hour' ? day : periodOf(q.granularity, day).fromDay);
  /** A read model's key → the row it falls in (unit: the child below the chosen unit; period: its bucket). */
  const keyOf = (k: string | null): string | null | undefined =>
    g === 'unit'
      ? c.own
        ? null
        : childOf(c.unit, k ? pathOf.get(k) : undefined)
      : g === 'period' && k
        ? bucket(k)
        : k;

  const applies: TApplies = {
    evaluations: g !== 'dimension',
    sessions:
      g !== 'channel' &&
      g !== 'dimension' &&
      (!q.channel || q.channel === 'kiosk') &&
      (!hourly || (!c.own && !q.staffId && !q.counterId && !q.businessType)),
    tickets:
      !hourly &&
      perms.has('ticket:read') &&
      (g === 'unit' || g === 'staff' || g === 'period') &&
      !q.channel &&
      !q.counterId &&
      !q.businessType,
    survey:
      !hourly &&
      !!q.surveyId &&
      (g === 'unit' || g === 'period' || g === 'dimension') &&
      !q.staffId &&
      !q.counterId &&
      !q.businessType &&
      (!q.channel || q.channel === 'survey'),
  };

  if (hourly) {
    const cut = await readHourCut(deps.db, scope, rollupFilter(c), {
      byHourOfDay: g === 'hour',
      sessionsOfUnitPath: applies.sessions ? c.unit.path : null,
    });
    for (const r of cut.values()) {
      const a = acc(r.key);
      a.sessions += r.sessions;
      if (!r.evaluations) continue;
      a.total += r.evaluations.total;
      a.unrated += r.evaluations.unrated;
      a.scoreSum += r.evaluations.scoreSum;
      a.satisfied += r.evaluations.satisfied;
      a.unsatisfied += r.evaluations.unsatisfied;
      a.excluded += r.evaluations.excluded;
    }
  }
  const dayDim = g === 'dimension' || g === 'hour' || isValueGroup(g) || hourly ? null : EVAL_DIM[g];
  const evalRows = dayDim ? await readEvaluationRollups(deps.db, scope, rollupFilter(c), [dayDim]) : [];
  for (const f of evalRows) {
    const k = keyOf(f.keys[dayDim!] ?? null);
    if (k === undefined) continue;
    const a = acc(k);
    a.total += f.total;
    a.unrated += f.unrated;
    a.scoreSum += f.scoreSum;
    a.satisfied += f.satisfied;
    a.unsatisfied += f.unsatisfied;
    a.excluded += f.excluded;
  }
  if (applies.sessions && !hourly) {
    const col: Partial<Record<typeof g, TSessionDim>> = {
      unit: c.own ? 'counter' : await sessionUnitKey(deps.db, c),
      staff: 'staff',
      counter: 'counter',
      businessType: 'businessType',
      period: 'day',
    };
    for (const r of await readSessions(deps.db, c, col[g] ?? null)) {
      const k = keyOf(r.k);
      if (k === undefined) continue;
      const a = acc(k);
      a.sessions += r.sessions;
      a.handled += r.handled;
      a.handlingSum += r.handlingSum;
    }
  }
  if (applies.tickets) {
    const dim: Record<string, TTicketRollupDim> = { unit: 'unit', staff: 'staff', period: 'day' };
    const d = dim[g]!;
    const rows = await readTicketRollups(deps.db, scope, {
      fromDay: c.range.fromDay,
      toDay: c.range.toDay,
      ...(c.own ? {} : { unitIn: c.unit.id }),
      ...(q.staffId ? { staffId: q.staffId } : {}),
      groupBy: [d],
    });
    for (const f of rows) {
      const k = keyOf(f.keys[d] ?? null);
      if (k === undefined) continue;
      const a = acc(k);
      a.received += f.received;
      a.slaBreaches += f.slaBreaches;
    }
  }
  if (applies.survey && q.surveyId) {
    const col = { unit: sql`s.unit_id::text`, period: sql`to_char(s.day, 'YYYY-MM-DD')`, dimension: sql`s.key` };
    for (const r of await readSurvey(deps.db, c, q.surveyId, col[g as keyof typeof col], g === 'dimension')) {
      const k = g === 'dimension' ? r.k : keyOf(r.k);
      if (k === undefined) continue;
      const a = acc(k);
      a.responses += r.n;
      a.meanN += r.mean_n;
      a.meanSum += r.mean_sum;
    }
  }

  const rows = await labelRows(deps.db, c, accs, applies, dimensionLabels);
  const total = emptyAcc();
  for (const a of accs.values()) for (const k of Object.keys(total) as (keyof TAcc)[]) total[k] += a[k];
  return {
    unit: { id: c.unit.id, name: c.unit.name, type: c.unit.type },
    groupBy: g,
    granularity: q.granularity,
    from: c.range.fromDay,
    to: lastDay(c.range),
    rows,
    total: toRow(null, '合计', total, applies, g === 'dimension' ? null : drillOf(c, {})),
    valueCut: null,
  };
}

const addFigures = (a: TAcc, f: Omit<TRollupFigures, 'keys'>, sign = 1) => {
  a.total += sign * f.total;
  a.unrated += sign * f.unrated;
  a.scoreSum += sign * f.scoreSum;
  a.satisfied += sign * f.satisfied;
  a.unsatisfied += sign * f.unsatisfied;
  a.excluded += sign * f.excluded;
};

/**
 * The analysis under a customer-value cut: evaluation figures only (sessions, tickets and survey figures cannot be cut
 * by the customer's value: null), from evaluation_value_rollups of the cut run. Cut by tier / lifecycle / rule class
 * without a value filter, the 未分级 row holds the rest of the ratings — without a customer, or whose customer is not in
 * the run (or has no value on that model) — so that the rows add up to every rating of the range.
 */
async function getValueAnalysis(deps: TDeps, c: TCtx<TAnalysisQuery>): Promise<TAnalysis> {
  const { q, scope } = c;
  const g = q.groupBy;
  const on: TApplies = { evaluations: true, sessions: false, tickets: false, survey: false };
  const head = {
    unit: { id: c.unit.id, name: c.unit.name, type: c.unit.type },
    groupBy: g,
    granularity: q.granularity,
  };
  const range = { from: c.range.fromDay, to: lastDay(c.range) };
  const model = await valueModel(deps.db, scope.tenantId);
  // No finished value run yet: nothing to cut by (the page explains 尚未完成客户价值计算).
  if (!model) return { ...head, ...range, rows: [], total: toRow(null, '合计', emptyAcc(), on, null), valueCut: null };
  assertValueKeys(q, model);
  const accs = new Map<string | null, TAcc>();
  const acc = (k: string | null) => {
    let a = accs.get(k);
    if (!a) accs.set(k, (a = emptyAcc()));
    return a;
  };
  const pathOf = new Map(c.units.map((u) => [u.id, u.path]));
  const dim: TValueDim = isValueGroup(g) ? g : g === 'period' ? 'day' : g === 'channel' ? 'channel' : 'unit';
  const rows = await readEvaluationValueRollups(
    deps.db,
    scope,
    model.run.runId,
    {
      fromDay: c.range.fromDay,
      toDay: c.range.toDay,
      unitIn: c.unit.id,
      ...(q.channel ? { channel: q.channel } : {}),
      ...(q.tier ? { tier: q.tier } : {}),
      ...(q.lifecycle ? { lifecycle: q.lifecycle } : {}),
      ...(q.ruleClass ? { ruleClass: q.ruleClass } : {}),
    },
    [dim],
  );
  for (const f of rows) {
    const raw = f.keys[dim] ?? null;
    const k =
      g === 'unit'
        ? childOf(c.unit, raw ? pathOf.get(raw) : undefined)
        : g === 'period' && raw
          ? q.granularity === 'hour'
            ? raw
            : periodOf(q.granularity, raw).fromDay
          : raw;
    if (k === undefined) continue;
    addFigures(acc(k), f);
  }
  if (isValueGroup(g) && !hasValueFilter(q)) {
    // 未分级 = the rows of customers without a value in the run (already in acc(null)) + the ratings without a
    // customer: every rating of the range (evaluation_rollups) − every rating with one (the value rollup's rows).
    const [all] = await readEvaluationRollups(deps.db, scope, rollupFilter(c), []);
    const rest = acc(null);
    if (all) addFigures(rest, all);
    for (const f of rows) addFigures(rest, f, -1);
    if (rest.total === 0 && rest.excluded === 0) accs.delete(null);
  }
  const total = emptyAcc();
  for (const a of accs.values()) for (const k of Object.keys(total) as (keyof TAcc)[]) total[k] += a[k];
  const out = isValueGroup(g) ? valueRows(c, model, accs, on) : await labelRows(deps.db, c, accs, on, []);
  return {
    ...head,
    ...range,
    rows: out,
    total: toRow(null, '合计', total, on, drillOf(c, {})),
    valueCut: { runId: model.run.runId, finishedAt: model.run.finishedAt },
  };
}

/** The model's keys in its order (tiers best first), every one even when empty, then keys it lacks, then 未分级. */
function valueRows(c: TCtx<TAnalysisQuery>, m: TValueModel, accs: Map<string | null, TAcc>, on: TApplies) {
  const g = c.q.groupBy as 'tier' | 'lifecycle' | 'ruleClass';
  const keys = m.options[g].map((o) => o.key);
  for (const k of accs.keys()) if (k !== null && !keys.includes(k)) keys.push(k);
  const rows = keys.map((k) => toRow(k, valueLabel(m, g, k), accs.get(k) ?? emptyAcc(), on, drillOf(c, { [g]: k })));
  // 未分级 opens the ratings without that value (and, without a value filter, those without a customer or tier).
  if (accs.has(null))
    rows.push(toRow(null, UNCLASSIFIED_LABEL, accs.get(null)!, on, drillOf(c, { [g]: UNCLASSIFIED_VALUE })));
  return rows;
}

/** Rows in display order with their labels and drill-down filters (every child unit / bucket, empty ones too). */
async function labelRows(
  db: DbOrTx,
  c: TCtx<TAnalysisQuery>,
  accs: Map<string | null, TAcc>,
  on: TApplies,
  dims: { key: string; name: string }[],
): Promise<TAnalysisRow[]> {
  const g = c.q.groupBy;
  const get = (k: string | null) => accs.get(k) ?? emptyAcc();
  const keys = [...accs.keys()];
  const ids = keys.filter((k): k is string => !!k);
  switch (g) {
    case 'unit': {
      const children = c.units.filter((u) => u.parentId === c.unit.id);
      const rows = children.map((u) => toRow(u.id, u.name, get(u.id), on, drillOf(c, { unitId: u.id })));
      // Rows of the chosen unit itself (an outlet's own evaluations when cutting it by its counters).
      if (accs.has(null)) rows.unshift(toRow(c.unit.id, `${c.unit.name}（本级）`, get(null), on, drillOf(c, {})));
      return rows;
    }
    case 'period':
      return bucketsOf(c.range, c.q.granularity).map((b) =>
        toRow(b.key, b.label, get(b.key), on, drillOf(c, { range: b })),
      );
    case 'hour':
      // 时段: every hour of the day; the facts behind one are those of the whole range (listed by day).
      return Array.from({ length: 24 }, (_, h) => {
        const hh = (n: number) => `${String(n).padStart(2, '0')}:00`;
        return toRow(String(h), `${hh(h)}–${hh(h + 1)}`, get(String(h)), on, drillOf(c, {}));
      });
    case 'staff': {
      const names = await userNames(db, c.scope, ids);
      return keys
        .map((k) =>
          toRow(k, k ? (names.get(k) ?? k) : '（无服务人员）', get(k), on, k ? drillOf(c, { staffId: k }) : null),
        )
        .sort(byLabel);
    }
    case 'counter': {
      const names = await counterNames(db, c.scope, ids);
      return keys
        .map((k) =>
          toRow(k, k ? (names.get(k) ?? k) : '（无窗口）', get(k), on, k ? drillOf(c, { counterId: k }) : null),
        )
        .sort(byLabel);
    }
    case 'channel':
      return keys
        .map((k) =>
          toRow(
            k,
            CHANNEL_LABELS[k as keyof typeof CHANNEL_LABELS] ?? String(k),
            get(k),
            on,
            drillOf(c, k ? { channel: k } : {}),
          ),
        )
        .sort(byLabel);
    case 'businessType':
      // The evaluations list has no business type filter: the drill-down opens the analysis' own filters.
      return keys.map((k) => toRow(k, k ?? '（无业务类型）', get(k), on, drillOf(c, {}))).sort(byLabel);
    case 'dimension':
      return dims.map((d) => toRow(d.key, d.name, get(d.key), on, null));
    case 'tier':
    case 'lifecycle':
    case 'ruleClass':
      return []; // getValueAnalysis labels these (valueRows)
  }
}

const byLabel = (a: TAnalysisRow, b: TAnalysisRow) =>
  (a.key === null ? 1 : 0) - (b.key === null ? 1 : 0) || a.label.localeCompare(b.label, 'zh-CN');
