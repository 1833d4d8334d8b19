import type { TReportFrequency } from '@huifang/shared';
import { periodOf, previousPeriod, type TPeriod } from '../dashboard/periods.ts';
import { addDays, localDay } from '../evaluations/rollups.ts';
import { zonedInstant } from '../policy/calendar.ts';

/**
 * When a scheduled report 定时报表 is due (pure; local days of the tenant's zone). A schedule sends at `sendTime` on
 * every day (daily), on its weekday (weekly, 1 = Monday), or on its day of the month (monthly; a month without that
 * day sends on its last day), and each send covers the period just past: yesterday, last ISO week, last month.
 */
export interface TScheduleTiming {
  frequency: TReportFrequency;
  weekday: number | null;
  monthDay: number | null;
  /** HH:mm */
  sendTime: string;
}

const isoWeekday = (day: string) => {
  const w = new Date(`${day}T00:00:00Z`).getUTCDay();
  return w === 0 ? 7 : w;
};
const daysInMonth = (day: string) => {
  const [y, m] = day.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
};

/** Does the schedule send on this local day? */
export function sendsOn(s: TScheduleTiming, day: string): boolean {
  switch (s.frequency) {
    case 'daily':
      return true;
    case 'weekly':
      return isoWeekday(day) === s.weekday;
    case 'monthly':
      return Number(day.slice(8, 10)) === Math.min(s.monthDay ?? 1, daysInMonth(day));
  }
}

/** The instant of `HH:mm` on a local day in `timeZone`. */
export function sendInstant(day: string, sendTime: string, timeZone: string): Date {
  const [h, m] = sendTime.split(':').map(Number) as [number, number];
  return new Date(zonedInstant(day, h, timeZone).getTime() + m * 60_000);
}

/** The latest send time at or before `now` (it exists within the last two months for any schedule). */
export function latestOccurrence(s: TScheduleTiming, now: Date, timeZone: string): { day: string; at: Date } {
  const today = localDay(now, timeZone);
  for (let i = 0; i < 64; i++) {
    const day = addDays(today, -i);
    if (!sendsOn(s, day)) continue;
    const at = sendInstant(day, s.sendTime, timeZone);
    if (at.getTime() <= now.getTime()) return { day, at };
  }
  throw new Error('no occurrence in 64 days');
}

/** The period a send on `day` reports: the day, ISO week or month before the one holding `day`. */
export function reportPeriod(frequency: TReportFrequency, day: string): TPeriod {
  if (frequency === 'daily') return periodOf('day', addDays(day, -1));
  return previousPeriod(periodOf(frequency === 'weekly' ? 'week' : 'month', day));
}
