import { addDays } from '../evaluations/rollups.ts';

/**
 * Period arithmetic of the 驾驶舱 (DESIGN §7), on local calendar days `YYYY-MM-DD` (pure, no time zone): the period
 * of a kind holding a day, the one before it (环比) and the same period one year earlier (同比). Ranges are
 * [fromDay, toDay) like the rollup readers take them. A week is the ISO week (Monday first); its 同比 is the ISO week
 * of the same number in the previous ISO year (week 53 → 52 when that year has none).
 */
export const PERIOD_KINDS = ['day', 'week', 'month', 'quarter', 'year'] as const;
export type TPeriodKind = (typeof PERIOD_KINDS)[number];
export interface TPeriod {
  kind: TPeriodKind;
  fromDay: string;
  toDay: string;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');
const ymd = (y: number, m: number, d: number) => `${pad(y, 4)}-${pad(m)}-${pad(d)}`;
const parts = (day: string) => day.split('-').map(Number) as [number, number, number];
/** 1 = Monday … 7 = Sunday. */
const isoWeekday = (day: string) => {
  const w = new Date(`${day}T00:00:00Z`).getUTCDay();
  return w === 0 ? 7 : w;
};
const daysInMonth = (y: number, m: number) => new Date(Date.UTC(y, m, 0)).getUTCDate();

/** Monday of ISO week 1 of an ISO year (the week holding 4 January). */
const isoWeek1Monday = (isoYear: number) => {
  const jan4 = ymd(isoYear, 1, 4);
  return addDays(jan4, 1 - isoWeekday(jan4));
};

/** ISO year and week number of a day. */
export function isoWeekOf(day: string): { year: number; week: number } {
  const thursday = addDays(day, 4 - isoWeekday(day));
  const year = parts(thursday)[0];
  const diff = (Date.parse(`${thursday}T00:00:00Z`) - Date.parse(`${isoWeek1Monday(year)}T00:00:00Z`)) / 86_400_000;
  return { year, week: Math.floor(diff / 7) + 1 };
}

const weeksInIsoYear = (isoYear: number) => isoWeekOf(ymd(isoYear, 12, 28)).week;

/** The period of `kind` that holds `day`. */
export function periodOf(kind: TPeriodKind, day: string): TPeriod {
  const [y, m] = parts(day);
  switch (kind) {
    case 'day':
      return { kind, fromDay: day, toDay: addDays(day, 1) };
    case 'week': {
      const monday = addDays(day, 1 - isoWeekday(day));
      return { kind, fromDay: monday, toDay: addDays(monday, 7) };
    }
    case 'month':
      return { kind, fromDay: ymd(y, m, 1), toDay: m === 12 ? ymd(y + 1, 1, 1) : ymd(y, m + 1, 1) };
    case 'quarter': {
      const q0 = Math.floor((m - 1) / 3) * 3 + 1;
      return { kind, fromDay: ymd(y, q0, 1), toDay: q0 === 10 ? ymd(y + 1, 1, 1) : ymd(y, q0 + 3, 1) };
    }
    case 'year':
      return { kind, fromDay: ymd(y, 1, 1), toDay: ymd(y + 1, 1, 1) };
  }
}

/** 环比: the period of the same kind just before. */
export function previousPeriod(p: TPeriod): TPeriod {
  return periodOf(p.kind, addDays(p.fromDay, -1));
}

/** 同比: the same period one year earlier (29 February → 28 February; ISO week n → week n of the previous ISO year). */
export function sameLastYear(p: TPeriod): TPeriod {
  const [y, m, d] = parts(p.fromDay);
  if (p.kind === 'week') {
    const { year, week } = isoWeekOf(p.fromDay);
    const w = Math.min(week, weeksInIsoYear(year - 1));
    return periodOf('week', addDays(isoWeek1Monday(year - 1), (w - 1) * 7));
  }
  return periodOf(p.kind, ymd(y - 1, m, Math.min(d, daysInMonth(y - 1, m))));
}

/** The local days [fromDay, toDay) of a period, in order (for a daily trend). */
export function daysOf(p: TPeriod): string[] {
  const out: string[] = [];
  for (let d = p.fromDay; d < p.toDay; d = addDays(d, 1)) out.push(d);
  return out;
}
