import { describe, expect, it } from 'vitest';
import { daysOf, isoWeekOf, periodOf, previousPeriod, sameLastYear } from './periods.ts';

const range = (p: { fromDay: string; toDay: string }) => [p.fromDay, p.toDay];

describe('dashboard periods', () => {
  it('month: 31 March → March; 环比 February (short month), 同比 March of last year', () => {
    const p = periodOf('month', '2026-03-31');
    expect(range(p)).toEqual(['2026-03-01', '2026-04-01']);
    expect(range(previousPeriod(p))).toEqual(['2026-02-01', '2026-03-01']);
    expect(range(sameLastYear(p))).toEqual(['2025-03-01', '2025-04-01']);
  });
  it('month at the year boundary: January 环比 is December of the year before; February 同比 the February before', () => {
    expect(range(previousPeriod(periodOf('month', '2026-01-15')))).toEqual(['2025-12-01', '2026-01-01']);
    expect(range(periodOf('month', '2025-12-31'))).toEqual(['2025-12-01', '2026-01-01']);
    expect(range(sameLastYear(periodOf('month', '2026-02-10')))).toEqual(['2025-02-01', '2025-03-01']);
    expect(range(sameLastYear(periodOf('month', '2024-02-29')))).toEqual(['2023-02-01', '2023-03-01']);
  });
  it('day: 1 March 环比 is 28 February (29 in a leap year); 29 February 同比 is 28 February', () => {
    expect(range(previousPeriod(periodOf('day', '2026-03-01')))).toEqual(['2026-02-28', '2026-03-01']);
    expect(range(previousPeriod(periodOf('day', '2024-03-01')))).toEqual(['2024-02-29', '2024-03-01']);
    expect(range(sameLastYear(periodOf('day', '2024-02-29')))).toEqual(['2023-02-28', '2023-03-01']);
    expect(range(previousPeriod(periodOf('day', '2026-01-01')))).toEqual(['2025-12-31', '2026-01-01']);
  });
  it('week: the ISO week (Monday first), across a year boundary; 同比 the same ISO week number a year before', () => {
    // 2026-01-01 is a Thursday: ISO week 1 of 2026 runs Monday 2025-12-29 … Sunday 2026-01-04.
    expect(isoWeekOf('2026-01-01')).toEqual({ year: 2026, week: 1 });
    expect(isoWeekOf('2025-12-29')).toEqual({ year: 2026, week: 1 });
    const w = periodOf('week', '2026-01-01');
    expect(range(w)).toEqual(['2025-12-29', '2026-01-05']);
    expect(range(previousPeriod(w))).toEqual(['2025-12-22', '2025-12-29']);
    // ISO week 1 of 2025: Monday 2024-12-30.
    expect(range(sameLastYear(w))).toEqual(['2024-12-30', '2025-01-06']);
    // 2020 has 53 ISO weeks, 2019 only 52: week 53 → week 52 of 2019 (Monday 2019-12-23).
    const w53 = periodOf('week', '2020-12-31');
    expect(isoWeekOf('2020-12-31')).toEqual({ year: 2020, week: 53 });
    expect(range(sameLastYear(w53))).toEqual(['2019-12-23', '2019-12-30']);
    // A Sunday belongs to the week of the Monday before it.
    expect(range(periodOf('week', '2026-03-08'))).toEqual(['2026-03-02', '2026-03-09']);
  });
  it('quarter and year, 环比 across the year boundary', () => {
    const q = periodOf('quarter', '2026-02-14');
    expect(range(q)).toEqual(['2026-01-01', '2026-04-01']);
    expect(range(previousPeriod(q))).toEqual(['2025-10-01', '2026-01-01']);
    expect(range(sameLastYear(q))).toEqual(['2025-01-01', '2025-04-01']);
    expect(range(periodOf('quarter', '2026-12-31'))).toEqual(['2026-10-01', '2027-01-01']);
    const y = periodOf('year', '2026-06-30');
    expect(range(y)).toEqual(['2026-01-01', '2027-01-01']);
    expect(range(previousPeriod(y))).toEqual(['2025-01-01', '2026-01-01']);
    expect(range(sameLastYear(y))).toEqual(['2025-01-01', '2026-01-01']);
  });
  it('daysOf lists the days of a period', () => {
    expect(daysOf(periodOf('month', '2026-02-03'))).toHaveLength(28);
    expect(daysOf(periodOf('week', '2026-02-03'))[0]).toBe('2026-02-02');
  });
});
