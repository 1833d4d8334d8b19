import { addDays, isWorkingDate, localDate, localParts, type TWorkCalendar } from './calendar.ts';

/**
 * Working-time arithmetic 工作时间 (pure; DESIGN §6 SLA): minutes counted only inside the working hours of working days
 * of a business calendar (TWorkCalendar: weekends, public holidays, 调休 make-up Saturdays/Sundays), in the tenant's
 * time zone. SLA targets are working minutes: "4 working hours" from Friday 17:00 ends Monday 12:00.
 */

/** A day's working hours as minutes after local midnight: [start, end) minus the breaks. */
export interface TWorkingHours {
  start: number;
  end: number;
  /** e.g. a lunch break [[720, 780]] (12:00–13:00); each inside [start, end), not overlapping. */
  breaks?: readonly (readonly [number, number])[];
}

/**
 * The working hours SLA timers count (09:00–18:00, no lunch break: outlets serve through lunch, and a complaint hot
 * line is staffed all day). A constant for now, not a tenant setting; the arithmetic takes it as a parameter, so making
 * it a per-tenant setting later changes no caller's contract.
 */
export const DEFAULT_WORKING_HOURS: TWorkingHours = { start: 9 * 60, end: 18 * 60 };

const MINUTE = 60_000;
/** Longest run of non-working days tolerated (a calendar with none for a year is broken, not a long holiday). */
const MAX_SCAN_DAYS = 400;

/** The working windows [startMinute, endMinute) of one day, in order. */
export function dayWindows(hours: TWorkingHours): [number, number][] {
  const out: [number, number][] = [];
  let from = hours.start;
  for (const [bs, be] of [...(hours.breaks ?? [])].sort((a, b) => a[0] - b[0])) {
    if (bs > from) out.push([from, Math.min(bs, hours.end)]);
    from = Math.max(from, be);
  }
  if (hours.end > from) out.push([from, hours.end]);
  return out;
}

/** The instant of a local wall-clock minute of a date in a zone (offset taken at that day's local midnight + minute). */
function localMinuteInstant(date: string, minuteOfDay: number, timeZone: string): Date {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const wanted = Date.UTC(y, m - 1, d) + minuteOfDay * MINUTE;
  let guess = wanted;
  // Two rounds settle the zone offset (also across a DST change in zones that have one).
  for (let i = 0; i < 2; i++) {
    const p = localParts(new Date(guess), timeZone);
    const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
    guess += wanted - asUtc;
  }
  return new Date(guess);
}

/** The working intervals (as instants) of a local date; none on a non-working day. */
function workingIntervals(date: string, cal: TWorkCalendar, tz: string, hours: TWorkingHours): [number, number][] {
  if (!isWorkingDate(date, cal)) return [];
  return dayWindows(hours).map(([s, e]) => [
    localMinuteInstant(date, s, tz).getTime(),
    localMinuteInstant(date, e, tz).getTime(),
  ]);
}

/**
 * The instant `minutes` working minutes after `start`. A start outside working hours counts from the next working
 * moment; a target that ends exactly at the close of a day ends then (18:00), not at the next opening. `minutes = 0`
 * gives the first working moment at or after `start`.
 */
export function addWorkingMinutes(
  start: Date,
  minutes: number,
  cal: TWorkCalendar,
  tz: string,
  hours: TWorkingHours = DEFAULT_WORKING_HOURS,
): Date {
  if (!(minutes >= 0)) throw new RangeError(`working minutes must be ≥ 0, got ${minutes}`);
  let left = minutes * MINUTE;
  const from = start.getTime();
  let date = localDate(start, tz);
  for (let i = 0; i < MAX_SCAN_DAYS + minutes / 60; i++, date = addDays(date, 1)) {
    for (const [ws, we] of workingIntervals(date, cal, tz, hours)) {
      const s = Math.max(from, ws);
      if (s >= we) continue;
      if (left <= we - s) return new Date(s + left);
      left -= we - s;
    }
  }
  throw new Error('no working time within a year: the business calendar is broken');
}

/** Working minutes between two instants (0 when b ≤ a); fractional when the instants are not whole minutes. */
export function workingMinutesBetween(
  a: Date,
  b: Date,
  cal: TWorkCalendar,
  tz: string,
  hours: TWorkingHours = DEFAULT_WORKING_HOURS,
): number {
  const from = a.getTime();
  const to = b.getTime();
  if (to <= from) return 0;
  const last = localDate(b, tz);
  let total = 0;
  for (let date = localDate(a, tz); date <= last; date = addDays(date, 1)) {
    for (const [ws, we] of workingIntervals(date, cal, tz, hours)) {
      const s = Math.max(from, ws);
      const e = Math.min(to, we);
      if (e > s) total += e - s;
    }
  }
  return total / MINUTE;
}
