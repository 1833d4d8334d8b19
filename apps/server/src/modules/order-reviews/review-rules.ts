/**
 * The e-commerce review rules of DESIGN §4.3 as pure functions of instants, the tenant's time zone and "now".
 *
 * What "within N days" means here (one definition for every window):
 *   calendar days in the tenant's time zone. The local date of the start event is day 0; the window stays open through
 *   the whole of local day N and closes at 00:00 of day N+1. So an order completed on 3 月 1 日 23:59 (Shanghai) may be
 *   rated until 3 月 16 日 23:59:59.999 and not from 3 月 17 日 00:00 — the buyer never loses the evening of day 15
 *   because the order happened to complete late in the day (15×24h would close at 3 月 16 日 23:59).
 *   - rating 评价: 15 days after completion (交易成功后十五天内)
 *   - follow-up 追评: 180 days after completion, inclusive (day 180 is allowed, day 181 is not)
 *   - reply 解释: 30 days after the review (or follow-up) it answers
 * Natural month 自然月: the tenant-local 'YYYY-MM' of the rating time.
 * Score window: the last six months as of local day D = [00:00 of (D + 1 day − 6 months), 00:00 of D + 1 day), i.e.
 *   everything rated after the same local date six months earlier (month ends clamp: Aug 31 − 6 months → Feb 28).
 */

export const RATING_WINDOW_DAYS = 15;
export const FOLLOWUP_WINDOW_DAYS = 180;
export const REPLY_WINDOW_DAYS = 30;
export const COUNTED_PER_MONTH = 3;
export const SCORE_WINDOW_MONTHS = 6;

const fmtCache = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = fmtCache.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
    fmtCache.set(timeZone, f);
  }
  return f;
}

function localParts(at: Date, timeZone: string): { y: number; m: number; d: number; h: number; mi: number; s: number } {
  const p = Object.fromEntries(
    formatter(timeZone)
      .formatToParts(at)
      .map((x) => [x.type, x.value]),
  );
  return {
    y: Number(p.year),
    m: Number(p.month),
    d: Number(p.day),
    h: Number(p.hour),
    mi: Number(p.minute),
    s: Number(p.second),
  };
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');
const iso = (y: number, m: number, d: number) => `${pad(y, 4)}-${pad(m)}-${pad(d)}`;
function parseDate(date: string): { y: number; m: number; d: number } {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) throw new Error(`not a date: ${date}`);
  return { y: Number(m[1]), m: Number(m[2]), d: Number(m[3]) };
}

/** The tenant-local calendar date of an instant, 'YYYY-MM-DD'. */
export function localDate(at: Date, timeZone: string): string {
  const p = localParts(at, timeZone);
  return iso(p.y, p.m, p.d);
}

/** The tenant-local natural month of an instant, 'YYYY-MM'. */
export function monthKey(at: Date, timeZone: string): string {
  return localDate(at, timeZone).slice(0, 7);
}

export function addDays(date: string, days: number): string {
  const { y, m, d } = parseDate(date);
  const t = new Date(Date.UTC(y, m - 1, d + days));
  return iso(t.getUTCFullYear(), t.getUTCMonth() + 1, t.getUTCDate());
}

/** Calendar months, clamping the day to the target month's length (Aug 31 − 6 months = Feb 28/29). */
export function addMonths(date: string, months: number): string {
  const { y, m, d } = parseDate(date);
  const first = new Date(Date.UTC(y, m - 1 + months, 1));
  const last = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 0)).getUTCDate();
  return iso(first.getUTCFullYear(), first.getUTCMonth() + 1, Math.min(d, last));
}

/** 00:00 of a local date in the time zone, as an instant (DST-safe: the offset is re-checked at the result). */
export function startOfLocalDay(date: string, timeZone: string): Date {
  const { y, m, d } = parseDate(date);
  const guess = Date.UTC(y, m - 1, d);
  const offsetAt = (t: number) => {
    const p = localParts(new Date(t), timeZone);
    return Date.UTC(p.y, p.m - 1, p.d, p.h, p.mi, p.s) - Math.floor(t / 1000) * 1000;
  };
  let t = guess - offsetAt(guess);
  t = guess - offsetAt(t);
  return new Date(t);
}

/** First instant after a window of `days` calendar days that starts at `start` (see the file comment). */
export function windowClosesAt(start: Date, days: number, timeZone: string): Date {
  return startOfLocalDay(addDays(localDate(start, timeZone), days + 1), timeZone);
}

export const isWithinDays = (start: Date, now: Date, days: number, timeZone: string) =>
  now.getTime() >= start.getTime() && now.getTime() < windowClosesAt(start, days, timeZone).getTime();

/** May the buyer still rate an order completed at `completedAt`? */
export const canRate = (completedAt: Date, now: Date, timeZone: string) =>
  isWithinDays(completedAt, now, RATING_WINDOW_DAYS, timeZone);
/** May the buyer (who rated) still add the one follow-up? */
export const canFollowup = (completedAt: Date, now: Date, timeZone: string) =>
  isWithinDays(completedAt, now, FOLLOWUP_WINDOW_DAYS, timeZone);
/** May the shop still reply to a review or follow-up made at `madeAt`? */
export const canReply = (madeAt: Date, now: Date, timeZone: string) =>
  isWithinDays(madeAt, now, REPLY_WINDOW_DAYS, timeZone);

/**
 * Counted-ness of a new rating, given how many ratings the same buyer already made for the same shop in the same
 * natural month (whatever their own counted-ness). Decided once, at insert, under a lock (see the service).
 */
export function countedness(earlierInMonth: number): { monthSeq: number; isCounted: boolean } {
  const monthSeq = earlierInMonth + 1;
  return { monthSeq, isCounted: monthSeq <= COUNTED_PER_MONTH };
}

/** The six-month score window as of local day `asOf`: [from, to) as instants, and the local dates it covers. */
export function scoreWindow(
  asOf: string,
  timeZone: string,
): { from: Date; to: Date; fromDate: string; toDate: string } {
  const next = addDays(asOf, 1);
  const fromDate = addMonths(next, -SCORE_WINDOW_MONTHS);
  return { from: startOfLocalDay(fromDate, timeZone), to: startOfLocalDay(next, timeZone), fromDate, toDate: asOf };
}

/** The overall score of a rating: the rounded arithmetic mean of its dimension values (half up). */
export function overallScore(dimensions: Record<string, number>): number {
  const v = Object.values(dimensions);
  return Math.round(v.reduce((a, b) => a + b, 0) / v.length);
}

export interface TScoredRating {
  ratedAt: Date;
  isCounted: boolean;
  dimensions: Record<string, number>;
}

/**
 * The shop score per dimension as of `asOf`: the arithmetic mean (2 decimals) of the counted ratings in the window.
 * The reference the SQL of the score page is tested against.
 */
export function shopScore(
  ratings: TScoredRating[],
  keys: readonly string[],
  asOf: string,
  timeZone: string,
): { key: string; score: number | null; count: number }[] {
  const { from, to } = scoreWindow(asOf, timeZone);
  const inWindow = ratings.filter((r) => r.isCounted && r.ratedAt >= from && r.ratedAt < to);
  return keys.map((key) => {
    const values = inWindow.map((r) => r.dimensions[key]).filter((v): v is number => typeof v === 'number');
    const score =
      values.length === 0 ? null : Math.round((values.reduce((a, b) => a + b, 0) / values.length) * 100) / 100;
    return { key, score, count: values.length };
  });
}
