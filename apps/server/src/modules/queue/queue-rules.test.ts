import { describe, expect, it } from 'vitest';
import { estimateWaitMinutes, isOpenAt, localDayTime, preferVip, ticketNumber } from './queue-rules.ts';

describe('queue rules', () => {
  it('numbers carry the prefix and at least three digits', () => {
    expect(ticketNumber('A', 12)).toBe('A012');
    expect(ticketNumber('VB', 1)).toBe('VB001');
    expect(ticketNumber('A', 1234)).toBe('A1234');
  });

  it('local day and time are those of the time zone', () => {
    expect(localDayTime(new Date('2026-12-04T16:30:00Z'), 'Asia/Shanghai')).toEqual({
      day: '2026-12-05',
      hhmm: '00:30',
    });
    expect(isOpenAt('09:00', '09:00', '17:00')).toBe(true);
    expect(isOpenAt('17:00', '09:00', '17:00')).toBe(false);
    expect(isOpenAt('08:59', '09:00', '17:00')).toBe(false);
  });

  it('priority customers first, but never more than K in a row', () => {
    expect(preferVip(false, 2, [])).toBe(false);
    expect(preferVip(true, 2, [])).toBe(true);
    expect(preferVip(true, 2, [true])).toBe(true);
    expect(preferVip(true, 2, [true, true])).toBe(false);
    expect(preferVip(true, 2, [false, true, true])).toBe(true);
    expect(preferVip(true, 2, [true, false])).toBe(true);
  });

  it('estimated wait shares the people ahead among the counters', () => {
    expect(estimateWaitMinutes(0, 2, 300)).toBe(0);
    expect(estimateWaitMinutes(3, 1, 300)).toBe(15);
    expect(estimateWaitMinutes(3, 2, 300)).toBe(8);
  });
});
