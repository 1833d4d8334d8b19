/**
 * Calendar helpers in the tenant's time zone (pure; the clock is passed in). "Today", due windows, birthdays and
 * natural months are all local dates of the tenant, never the server's zone.
 */

export interface TLocalParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The wall-clock parts of an instant in a zone. */
export function localParts(at: Date, timeZone: string): TLocalParts & { second: number } {
  const parts = Object.fromEntries(
    formatter(timeZone)
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  );
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour) % 24,
    minute: Number(parts.minute),
    second: Number(parts.second),
  };
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** The local calendar date (YYYY-MM-DD) of an instant. */
export function localDate(at: Date, timeZone: string): string {
  const p = localParts(at, timeZone);
  return `${pad(p.year, 4)}-${pad(p.month)}-${pad(p.day)}`;
}

/** The instant of a local wall-clock time (date YYYY-MM-DD + hour) in a zone. */
export function zonedInstant(date: string, hour: number, timeZone: string): Date {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const wanted = Date.UTC(y, m - 1, d, hour);
  let guess = wanted;
  // Two rounds settle the offset, also across a DST change (zones that have them).
  for (let i = 0; i < 2; i++) {
    const p = localParts(new Date(guess), timeZone);
    const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
    guess += wanted - asUtc;
  }
  return new Date(guess);
}

/** Add days to a local date (calendar arithmetic, no zone involved). */
export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const t = new Date(Date.UTC(y, m - 1, d + days));
  return `${pad(t.getUTCFullYear(), 4)}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())}`;
}

export const isLeapYear = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

/**
 * The day a birthday is celebrated in a year. Decision: a 29 February birthday is greeted on 28 February in
 * non-leap years (still in February, and before the day rather than after it).
 */
export function birthdayIn(birthday: string, year: number): string {
  const [, m, d] = birthday.split('-').map(Number) as [number, number, number];
  const day = m === 2 && d === 29 && !isLeapYear(year) ? 28 : d;
  return `${pad(year, 4)}-${pad(m)}-${pad(day)}`;
}

/**
 * The natural-month period of `date` for "every N months": periods are aligned on January (N = 3 → Jan/Apr/Jul/Oct).
 * Returns the first day of the period and the first day of the next one.
 */
export function monthPeriod(date: string, everyMonths: number): { start: string; next: string } {
  const [y, m] = date.split('-').map(Number) as [number, number, number];
  const index = y * 12 + (m - 1);
  const startIndex = index - (index % everyMonths);
  const nextIndex = startIndex + everyMonths;
  const fmt = (i: number) => `${pad(Math.floor(i / 12), 4)}-${pad((i % 12) + 1)}-01`;
  return { start: fmt(startIndex), next: fmt(nextIndex) };
}

/**
 * A business calendar 工作日历: Monday–Friday are working days, except `holidays`; Saturdays/Sundays are not, except
 * `workdays` (调休上班). Loaded per tenant by policy/business-calendar.service.ts loadWorkCalendar.
 */
export interface TWorkCalendar {
  holidays: ReadonlySet<string>;
  workdays: ReadonlySet<string>;
}

/** Day of week of a local date, 0 = Sunday … 6 = Saturday. */
export function weekdayOf(date: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d)).getUTCDay();
}

/** Is this local date (YYYY-MM-DD) a working day? */
export function isWorkingDate(date: string, cal: TWorkCalendar): boolean {
  if (cal.holidays.has(date)) return false;
  if (cal.workdays.has(date)) return true;
  const wd = weekdayOf(date);
  return wd !== 0 && wd !== 6;
}

/** Is the instant on a working day of the tenant (its local date in `timeZone`)? */
export function isWorkingDay(at: Date, timeZone: string, cal: TWorkCalendar): boolean {
  return isWorkingDate(localDate(at, timeZone), cal);
}

/**
 * The n-th working day after a local date ("within 2 working days" of a Wednesday = Friday). n = 0: the date itself
 * when it is a working day, else the next one. A span without working days longer than a year is a broken calendar.
 */
export function addWorkingDays(date: string, n: number, cal: TWorkCalendar): string {
  let d = date;
  let left = n;
  if (left === 0) {
    for (let i = 0; !isWorkingDate(d, cal); i++) {
      if (i > 366) throw new Error('no working day within a year');
      d = addDays(d, 1);
    }
    return d;
  }
  for (let i = 0; left > 0; i++) {
    if (i > 366 + n) throw new Error('no working day within a year');
    d = addDays(d, 1);
    if (isWorkingDate(d, cal)) left -= 1;
  }
  return d;
}

/** addWorkingDays from the tenant-local date of an instant. */
export function addWorkingDaysAt(at: Date, n: number, timeZone: string, cal: TWorkCalendar): string {
  return addWorkingDays(localDate(at, timeZone), n, cal);
}
