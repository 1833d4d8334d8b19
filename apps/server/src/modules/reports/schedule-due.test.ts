import { describe, expect, it } from 'vitest';
import { latestOccurrence, reportPeriod, type TScheduleTiming } from './schedule-due.ts';

const TZ = 'Asia/Shanghai';
const at = (iso: string) => new Date(iso);
const daily: TScheduleTiming = { frequency: 'daily', weekday: null, monthDay: null, sendTime: '08:00' };
const weekly: TScheduleTiming = { frequency: 'weekly', weekday: 1, monthDay: null, sendTime: '08:30' };
const monthly: TScheduleTiming = { frequency: 'monthly', weekday: null, monthDay: 31, sendTime: '07:00' };

describe('scheduled report timing (Asia/Shanghai)', () => {
  it('daily at 08:00 local: 07:59 local is still yesterday’s send; 08:00 is today’s, reporting yesterday', () => {
    // 2031-03-01 07:59 Shanghai = 2031-02-28T23:59Z
    expect(latestOccurrence(daily, at('2031-02-28T23:59:00Z'), TZ)).toEqual({
      day: '2031-02-28',
      at: at('2031-02-28T00:00:00Z'),
    });
    const occ = latestOccurrence(daily, at('2031-03-01T00:00:00Z'), TZ);
    expect(occ).toEqual({ day: '2031-03-01', at: at('2031-03-01T00:00:00Z') });
    // A send on 1 March reports 28 February (the month boundary).
    expect(reportPeriod('daily', occ.day)).toEqual({ kind: 'day', fromDay: '2031-02-28', toDay: '2031-03-01' });
  });

  it('weekly on Monday 08:30: Sunday night is last Monday’s send; Monday 08:30 reports the ISO week before (across a year end)', () => {
    // Monday 2030-12-30 08:30 Shanghai = 00:30Z; ISO week 1 of 2031 starts that Monday.
    expect(latestOccurrence(weekly, at('2030-12-30T00:29:00Z'), TZ).day).toBe('2030-12-23');
    const occ = latestOccurrence(weekly, at('2030-12-30T00:30:00Z'), TZ);
    expect(occ.day).toBe('2030-12-30');
    expect(reportPeriod('weekly', occ.day)).toEqual({ kind: 'week', fromDay: '2030-12-23', toDay: '2030-12-30' });
    // Sunday 23:59 local (15:59Z) still belongs to the send of the Monday before.
    expect(latestOccurrence(weekly, at('2031-01-05T15:59:00Z'), TZ).day).toBe('2030-12-30');
  });

  it('monthly on the 31st: a 30-day month and February send on their last day; the report is the month before', () => {
    // 30 April 2031 07:00 Shanghai = 2031-04-29T23:00Z
    expect(latestOccurrence(monthly, at('2031-04-29T22:59:00Z'), TZ).day).toBe('2031-03-31');
    const april = latestOccurrence(monthly, at('2031-04-29T23:00:00Z'), TZ);
    expect(april.day).toBe('2031-04-30');
    expect(reportPeriod('monthly', april.day)).toEqual({ kind: 'month', fromDay: '2031-03-01', toDay: '2031-04-01' });
    // February 2032 (leap year) sends on the 29th; January 2031's send on the 31st reports December 2030.
    expect(latestOccurrence(monthly, at('2032-03-01T00:00:00Z'), TZ).day).toBe('2032-02-29');
    expect(reportPeriod('monthly', '2031-01-31')).toEqual({
      kind: 'month',
      fromDay: '2030-12-01',
      toDay: '2031-01-01',
    });
  });
});
