import {
  ANALYSIS_MAX_DAY_BUCKETS,
  ANALYSIS_MAX_DAYS,
  ANALYSIS_MAX_HOUR_DAYS,
  type TAnalysisFilter,
  type TAnalysisGranularity,
} from '@huifang/shared';
import { invalidField } from '../../lib/app-error.ts';
import { addDays } from '../evaluations/rollups.ts';
import { periodOf, previousPeriod } from './periods.ts';

/** Local days [fromDay, toDay) like the rollup readers take them. */
export interface TDayRange {
  fromDay: string;
  toDay: string;
}

const daysBetween = (a: string, b: string) =>
  Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000);

/**
 * The range of an analysis (pure): a custom `from`..`to` (local days, both inclusive; both or neither, from ≤ to, at
 * most ANALYSIS_MAX_DAYS, a day-by-day cut at most a year) or a preset relative to `today`. A preset of the running
 * period ends today (no empty future days in a trend).
 */
export function analysisRange(q: Pick<TAnalysisFilter, 'from' | 'to' | 'preset' | 'granularity'>, today: string) {
  let r: TDayRange;
  if (q.from !== undefined || q.to !== undefined) {
    if (q.from === undefined) throw invalidField('querystring.from', 'from and to go together');
    if (q.to === undefined) throw invalidField('querystring.to', 'from and to go together');
    if (q.from > q.to) throw invalidField('querystring.to', 'to must not be before from');
    r = { fromDay: q.from, toDay: addDays(q.to, 1) };
    if (daysBetween(r.fromDay, r.toDay) > ANALYSIS_MAX_DAYS)
      throw invalidField('querystring.to', `a range spans at most ${ANALYSIS_MAX_DAYS} days`, {
        code: 'too_big',
        params: { maximum: ANALYSIS_MAX_DAYS, origin: 'days' },
      });
  } else {
    const tomorrow = addDays(today, 1);
    const running = (p: TDayRange): TDayRange => ({
      fromDay: p.fromDay,
      toDay: p.toDay < tomorrow ? p.toDay : tomorrow,
    });
    const kind = { Week: 'week', Month: 'month', Quarter: 'quarter', Year: 'year' } as const;
    const m = /^(this|last)(Week|Month|Quarter|Year)$/.exec(q.preset);
    if (m) {
      const current = periodOf(kind[m[2] as keyof typeof kind], today);
      r = m[1] === 'this' ? running(current) : previousPeriod(current);
    } else if (q.preset === 'today') {
      r = { fromDay: today, toDay: tomorrow };
    } else if (q.preset === 'yesterday') {
      r = { fromDay: addDays(today, -1), toDay: today };
    } else if (q.preset === 'last7Days') {
      r = { fromDay: addDays(today, -6), toDay: tomorrow };
    } else if (q.preset === 'last30Days') {
      r = { fromDay: addDays(today, -29), toDay: tomorrow };
    } else {
      // last12Months: this month (to today) and the 11 whole months before it.
      let p = periodOf('month', today);
      for (let i = 0; i < 11; i++) p = previousPeriod(p);
      r = { fromDay: p.fromDay, toDay: tomorrow };
    }
  }
  if (q.granularity === 'day' && daysBetween(r.fromDay, r.toDay) > ANALYSIS_MAX_DAY_BUCKETS)
    throw invalidField('querystring.granularity', `a day-by-day cut spans at most ${ANALYSIS_MAX_DAY_BUCKETS} days`, {
      code: 'too_big',
      params: { maximum: ANALYSIS_MAX_DAY_BUCKETS, origin: 'days' },
    });
  if (q.granularity === 'hour' && daysBetween(r.fromDay, r.toDay) > ANALYSIS_MAX_HOUR_DAYS)
    throw invalidField('querystring.granularity', `an hour-by-hour cut spans at most ${ANALYSIS_MAX_HOUR_DAYS} days`, {
      code: 'too_big',
      params: { maximum: ANALYSIS_MAX_HOUR_DAYS, origin: 'days' },
    });
  return r;
}

/** `YYYY-MM-DD HH`: the key of an hour bucket (local day and hour, tenant zone). */
export const hourKey = (day: string, hour: number) => `${day} ${String(hour).padStart(2, '0')}`;

/**
 * The buckets of a range at a granularity, each clipped to the range, in order. An hour bucket's range is its day
 * (the facts behind it are listed by day).
 */
export function bucketsOf(r: TDayRange, g: TAnalysisGranularity): (TDayRange & { key: string; label: string })[] {
  const out: (TDayRange & { key: string; label: string })[] = [];
  if (g === 'hour') {
    for (let d = r.fromDay; d < r.toDay; d = addDays(d, 1))
      for (let h = 0; h < 24; h++)
        out.push({ key: hourKey(d, h), label: `${hourKey(d, h)}:00`, fromDay: d, toDay: addDays(d, 1) });
    return out;
  }
  for (let d = r.fromDay; d < r.toDay;) {
    const p = periodOf(g, d);
    const fromDay = p.fromDay < r.fromDay ? r.fromDay : p.fromDay;
    const toDay = p.toDay > r.toDay ? r.toDay : p.toDay;
    out.push({ key: p.fromDay, label: bucketLabel(g, p.fromDay, p.toDay), fromDay, toDay });
    d = p.toDay;
  }
  return out;
}

/** 2031-03-05 · 2031-03-03~03-09 (week) · 2031-03 · 2031Q1 · 2031. */
export function bucketLabel(g: Exclude<TAnalysisGranularity, 'hour'>, fromDay: string, toDay: string): string {
  switch (g) {
    case 'day':
      return fromDay;
    case 'week':
      return `${fromDay}~${addDays(toDay, -1).slice(5)}`;
    case 'month':
      return fromDay.slice(0, 7);
    case 'quarter':
      return `${fromDay.slice(0, 4)}Q${Math.floor((Number(fromDay.slice(5, 7)) - 1) / 3) + 1}`;
    case 'year':
      return fromDay.slice(0, 4);
  }
}
