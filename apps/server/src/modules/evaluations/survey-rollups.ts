import { sql, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.ts';
import { unitVisible, type TScope } from '../../lib/scope.ts';

/**
 * The survey side of the evaluation read model: table survey_rollups (db/schema/survey-rollups.ts), so that only
 * counted responses (evaluation stored, not excluded) are in it, per local day and per local month. The triggers of
 * migrations 0028/0035 queue each counted (or uncounted) response in `survey_rollup_pending` in the transaction that
 * stores the evaluation or the correction; `foldSurveyRollups` adds the queue into the rollups in bulk — every reader
 * folds first, and the `survey-rollups-fold` job folds every few seconds. Readers get raw counts and sums; the weights
 * and the maths (index, CSAT, NPS) stay with the survey that shows them (surveys/survey-maths.ts).
 */

export interface TSurveyRollupFilter {
  /** Local days (the tenant's time zone), inclusive. */
  from?: string | undefined;
  to?: string | undefined;
  version?: number | undefined;
}

export interface TSurveyRollupFigures {
  /** Per dimension key: responses scoring it and the mean of their dimension means (as avg() over the facts). */
  dimensions: { key: string; mean: number; n: number }[];
  /** Per question key: responses answering it. */
  answered: { key: string; n: number }[];
  /** Per question key and answer value (each chosen option of a multiple choice): how often it was given. */
  values: { key: string; value: string; n: number }[];
  /** Per local month (YYYY-MM), ascending: responses and the mean of their own indexes (null without any). */
  months: { month: string; n: number; index: number | null }[];
}

const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const dayMs = (day: string) => Date.parse(`${day}T00:00:00Z`);

/**
 * Split a period of local days into whole months and the days at either end: `[monthsFrom, monthsTo)` are the first
 * days of the whole months inside `[from, to]` (open ends stay open). Days outside it are read day by day.
 */
export function wholeMonths(from?: string, to?: string): { monthsFrom?: string; monthsTo?: string } {
  const out: { monthsFrom?: string; monthsTo?: string } = {};
  if (from) {
    const d = new Date(dayMs(from));
    out.monthsFrom = d.getUTCDate() === 1 ? from : isoDay(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1));
  }
  if (to) {
    const next = new Date(dayMs(to) + 86_400_000);
    out.monthsTo = isoDay(Date.UTC(next.getUTCFullYear(), next.getUTCMonth(), 1));
  }
  return out;
}

/**
 * Add the responses queued in `survey_rollup_pending` (one tenant's, or all) into survey_rollups; returns the queued
 * rows taken. Afterwards the tenant's rollups equal a GROUP BY over its facts as of this call (a fold running
 * concurrently is waited for). Safe to run anywhere, any number of times.
 */
export async function foldSurveyRollups(db: DbOrTx, tenantId?: string): Promise<number> {
  const res = await db.execute<{ n: number }>(sql`select survey_rollups_fold(${tenantId ?? null}::uuid) as n`);
  return res.rows[0]?.n ?? 0;
}

/**
 * The figures of one survey over the units the caller may count (`unitVisible`), read from the rollups after folding
 * the tenant's queued responses into them: whole
 * months from the month rows, the days at either end of the period from the day rows (two index range scans). The
 * caller checks that the survey itself is readable.
 */
export async function surveyRollupFigures(
  db: DbOrTx,
  scope: TScope,
  surveyId: string,
  q: TSurveyRollupFilter,
): Promise<TSurveyRollupFigures> {
  const base: SQL[] = [
    sql`s.tenant_id = ${scope.tenantId}`,
    sql`s.survey_id = ${surveyId}`,
    unitVisible(scope, sql`s.unit_id`),
  ];
  if (q.version) base.push(sql`s.version = ${q.version}`);
  const { monthsFrom, monthsTo } = wholeMonths(q.from, q.to);
  const months = [...base, sql`s.grain = 'month'`];
  if (monthsFrom) months.push(sql`s.day >= ${monthsFrom}::date`);
  if (monthsTo) months.push(sql`s.day < ${monthsTo}::date`);
  const ends: SQL[] = [];
  if (monthsFrom) ends.push(sql`s.day < ${monthsFrom}::date`);
  if (monthsTo) ends.push(sql`s.day >= ${monthsTo}::date`);
  const days = [...base, sql`s.grain = 'day'`, ends.length ? sql`(${sql.join(ends, sql` or `)})` : sql`false`];
  if (q.from) days.push(sql`s.day >= ${q.from}::date`);
  if (q.to) days.push(sql`s.day <= ${q.to}::date`);
  const and = (conds: SQL[]) => sql.join(conds, sql` and `);
  await foldSurveyRollups(db, scope.tenantId);
  const res = await db.execute<{
    kind: 'response' | 'dimension' | 'answered' | 'value';
    key: string;
    value: string;
    n: number;
    mean: number | null;
  }>(sql`
    select s.kind, s.key, case when s.kind = 'response' then to_char(s.day, 'YYYY-MM') else s.value end as value,
           sum(s.n)::int as n,
           case when s.kind = 'dimension' then (sum(s.sum) / sum(s.n)::numeric)::float8
                when s.kind = 'response' then sum(s.index_sum) / nullif(sum(s.index_n), 0)::float8 end as mean
    from (select s.kind, s.key, s.value, s.day, s.n, s.sum, s.index_n, s.index_sum from survey_rollups s where ${and(months)}
          union all
          select s.kind, s.key, s.value, s.day, s.n, s.sum, s.index_n, s.index_sum from survey_rollups s where ${and(days)}) s
    group by s.kind, s.key, 3
    order by s.kind, s.key, 3`);
  const out: TSurveyRollupFigures = { dimensions: [], answered: [], values: [], months: [] };
  for (const r of res.rows) {
    if (r.kind === 'dimension') out.dimensions.push({ key: r.key, mean: r.mean!, n: r.n });
    else if (r.kind === 'answered') out.answered.push({ key: r.key, n: r.n });
    else if (r.kind === 'value') out.values.push({ key: r.key, value: r.value, n: r.n });
    else out.months.push({ month: r.value, n: r.n, index: r.mean });
  }
  return out;
}

/**
 * Recompute the survey rollups of one tenant (all tenants without one) from the facts; returns the responses
 * counted. Writers wait for it (it locks the rollup table), so it may run while the app serves.
 * `npm run rollups:rebuild -w @huifang/server`.
 */
export async function rebuildSurveyRollups(db: DbOrTx, tenantId?: string): Promise<number> {
  const res = await db.execute<{ n: number }>(sql`select survey_rollups_rebuild(${tenantId ?? null}::uuid) as n`);
  return res.rows[0]?.n ?? 0;
}
