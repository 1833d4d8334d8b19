import { describe, expect, it } from 'vitest';
import { addDays, type TWorkCalendar } from './calendar.ts';
import { OFFICIAL_CALENDARS } from './cn-holidays.ts';
import { addWorkingMinutes, dayWindows, workingMinutesBetween, type TWorkingHours } from './working-hours.ts';

/** The real 2026 State Council calendar (国庆 with 调休 Sunday 9-20 and Saturday 10-10, 春节 with Saturdays 2-14, 2-28). */
function officialCalendar(year: number): TWorkCalendar {
  const official = OFFICIAL_CALENDARS[year]!;
  const holidays = new Set<string>();
  for (const [from, to] of official.holidays) for (let d = from; d <= to; d = addDays(d, 1)) holidays.add(d);
  return { holidays, workdays: new Set(official.workdays.map(([d]) => d)) };
}
const cal = officialCalendar(2026);
const TZ = 'Asia/Shanghai';
/** A Shanghai wall-clock time (UTC+8, no DST). */
const sh = (s: string) => new Date(`${s}:00+08:00`);
const add = (s: string, minutes: number, hours?: TWorkingHours) =>
  addWorkingMinutes(sh(s), minutes, cal, TZ, hours).toISOString();
const between = (a: string, b: string, hours?: TWorkingHours) => workingMinutesBetween(sh(a), sh(b), cal, TZ, hours);
const iso = (s: string) => sh(s).toISOString();

describe('addWorkingMinutes', () => {
  it('ends at the close of a day rather than the next opening, and carries the rest overnight', () => {
    expect(add('2026-12-08T17:00', 60)).toBe(iso('2026-12-08T18:00')); // Tuesday
    expect(add('2026-12-08T17:30', 60)).toBe(iso('2026-12-09T09:30'));
    expect(add('2026-12-08T09:00', 540)).toBe(iso('2026-12-08T18:00'));
    expect(add('2026-12-08T09:00', 541)).toBe(iso('2026-12-09T09:01'));
  });

  it('skips the weekend: Friday 17:00 + 2 working hours = Monday 10:00', () => {
    expect(add('2026-12-04T17:00', 120)).toBe(iso('2026-12-07T10:00'));
    expect(add('2026-12-04T17:00', 60 + 540)).toBe(iso('2026-12-07T18:00'));
    expect(add('2026-12-04T17:00', 60 + 541)).toBe(iso('2026-12-08T09:01'));
  });

  it('starts outside working hours at the next working moment', () => {
    expect(add('2026-12-07T07:15', 30)).toBe(iso('2026-12-07T09:30')); // Monday early
    expect(add('2026-12-07T20:00', 30)).toBe(iso('2026-12-08T09:30')); // Monday evening
    expect(add('2026-12-05T10:00', 30)).toBe(iso('2026-12-07T09:30')); // Saturday
    expect(add('2026-12-05T10:00', 0)).toBe(iso('2026-12-07T09:00'));
    expect(add('2026-12-07T10:00', 0)).toBe(iso('2026-12-07T10:00'));
  });

  it('skips 国庆 (10-01…10-07) and works its 调休 Saturday 10-10 and Sunday 09-20', () => {
    expect(add('2026-09-30T17:00', 120)).toBe(iso('2026-10-08T10:00'));
    expect(add('2026-10-09T17:00', 120)).toBe(iso('2026-10-10T10:00')); // Friday → 调休 Saturday
    expect(add('2026-09-18T17:00', 120)).toBe(iso('2026-09-20T10:00')); // Friday → 调休 Sunday
    expect(add('2026-10-01T10:00', 30)).toBe(iso('2026-10-08T09:30')); // start inside the holiday
  });

  it('skips 春节 (02-15…02-23) and works the 调休 Saturdays 02-14 and 02-28', () => {
    expect(add('2026-02-13T17:00', 120)).toBe(iso('2026-02-14T10:00'));
    expect(add('2026-02-14T17:00', 120)).toBe(iso('2026-02-24T10:00'));
    expect(add('2026-02-27T17:00', 120)).toBe(iso('2026-02-28T10:00'));
  });

  it('honours a lunch break', () => {
    const lunch: TWorkingHours = { start: 540, end: 1080, breaks: [[720, 780]] };
    expect(dayWindows(lunch)).toEqual([
      [540, 720],
      [780, 1080],
    ]);
    expect(add('2026-12-07T11:30', 60, lunch)).toBe(iso('2026-12-07T13:30'));
    expect(add('2026-12-07T12:15', 10, lunch)).toBe(iso('2026-12-07T13:10'));
    expect(add('2026-12-07T11:30', 30, lunch)).toBe(iso('2026-12-07T12:00'));
  });

  it('takes the tenant zone as a parameter', () => {
    // 17:00 in UTC on a Friday is 01:00 Saturday in Shanghai: the zone decides the day and the hours.
    const start = new Date('2026-12-04T17:00:00Z');
    expect(addWorkingMinutes(start, 60, cal, 'UTC').toISOString()).toBe('2026-12-04T18:00:00.000Z');
    expect(addWorkingMinutes(start, 60, cal, TZ).toISOString()).toBe(iso('2026-12-07T10:00'));
  });

  it('refuses negative minutes and a calendar without working days', () => {
    expect(() => add('2026-12-07T10:00', -1)).toThrow(RangeError);
    const never: TWorkCalendar = { holidays: { has: () => true } as unknown as Set<string>, workdays: new Set() };
    expect(() => addWorkingMinutes(sh('2026-12-07T10:00'), 10, never, TZ)).toThrow(/broken/);
  });
});

describe('workingMinutesBetween', () => {
  it('counts only working hours of working days', () => {
    expect(between('2026-12-04T17:00', '2026-12-07T10:00')).toBe(120); // over a weekend
    expect(between('2026-12-08T17:30', '2026-12-09T09:30')).toBe(60); // overnight
    expect(between('2026-12-05T08:00', '2026-12-06T20:00')).toBe(0); // a weekend
    expect(between('2026-12-07T10:00', '2026-12-07T09:00')).toBe(0); // reversed
    expect(between('2026-12-07T06:00', '2026-12-07T23:00')).toBe(540);
  });

  it('excludes a holiday block and includes its 调休 days', () => {
    expect(between('2026-09-30T09:00', '2026-10-08T18:00')).toBe(2 * 540);
    expect(between('2026-09-19T00:00', '2026-09-21T00:00')).toBe(540); // Sat off, 调休 Sunday worked
    expect(between('2026-02-13T00:00', '2026-03-01T00:00')).toBe(7 * 540); // 2-13, 调休 2-14, 2-24…2-27, 调休 2-28
  });

  it('with a lunch break', () => {
    expect(between('2026-12-07T11:00', '2026-12-07T14:00', { start: 540, end: 1080, breaks: [[720, 780]] })).toBe(120);
  });

  it('is the inverse of addWorkingMinutes from inside working time', () => {
    const starts = ['2026-12-04T17:00', '2026-09-30T10:15', '2026-02-13T16:59', '2026-10-09T09:00'];
    for (const s of starts)
      for (const m of [1, 59, 540, 541, 1000, 3000]) {
        const end = addWorkingMinutes(sh(s), m, cal, TZ);
        expect(workingMinutesBetween(sh(s), end, cal, TZ), `${s} + ${m}`).toBe(m);
      }
  });
});
