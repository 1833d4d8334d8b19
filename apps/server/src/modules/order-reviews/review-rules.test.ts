import { describe, expect, it } from 'vitest';
import {
  addMonths,
  canFollowup,
  canRate,
  canReply,
  countedness,
  localDate,
  monthKey,
  overallScore,
  scoreWindow,
  shopScore,
  startOfLocalDay,
  windowClosesAt,
} from './review-rules.ts';

const SH = 'Asia/Shanghai';
const at = (s: string) => new Date(s);

describe('time zone helpers', () => {
  it('local dates and midnights in Shanghai (UTC+8) and a DST zone', () => {
    expect(localDate(at('2026-03-31T16:00:00Z'), SH)).toBe('2026-04-01');
    expect(localDate(at('2026-03-31T15:59:59Z'), SH)).toBe('2026-03-31');
    expect(startOfLocalDay('2026-04-01', SH).toISOString()).toBe('2026-03-31T16:00:00.000Z');
    // New York switches to DST on 2026-03-08: midnight is still -05:00, the next midnight -04:00.
    expect(startOfLocalDay('2026-03-08', 'America/New_York').toISOString()).toBe('2026-03-08T05:00:00.000Z');
    expect(startOfLocalDay('2026-03-09', 'America/New_York').toISOString()).toBe('2026-03-09T04:00:00.000Z');
    expect(addMonths('2026-08-31', -6)).toBe('2026-02-28');
    expect(addMonths('2028-08-31', -6)).toBe('2028-02-29');
    expect(addMonths('2026-01-15', -6)).toBe('2025-07-15');
  });
});

describe('rating window: 15 calendar days in the tenant zone (day of completion = day 0)', () => {
  it('completion at 23:59 Shanghai: open through the end of day 15, closed at 00:00 of day 16', () => {
    const done = at('2026-03-01T23:59:00+08:00');
    expect(windowClosesAt(done, 15, SH).toISOString()).toBe('2026-03-16T16:00:00.000Z'); // 3-17 00:00 Shanghai
    expect(canRate(done, at('2026-03-16T23:59:59.999+08:00'), SH)).toBe(true);
    expect(canRate(done, at('2026-03-17T00:00:00+08:00'), SH)).toBe(false);
    // 15×24h would have closed at 3-16 23:59 — our rule keeps the evening of day 15 open.
    expect(canRate(done, at('2026-03-16T23:59:30+08:00'), SH)).toBe(true);
  });

  it('completion at 00:00 Shanghai (still the previous day in UTC) counts from the Shanghai date', () => {
    const done = at('2026-03-01T00:00:00+08:00'); // 2026-02-28T16:00Z
    expect(canRate(done, at('2026-03-16T23:59:59+08:00'), SH)).toBe(true);
    expect(canRate(done, at('2026-03-17T00:00:00+08:00'), SH)).toBe(false);
  });

  it('not before completion; immediately after completion yes', () => {
    const done = at('2026-03-01T10:00:00+08:00');
    expect(canRate(done, at('2026-03-01T09:59:59+08:00'), SH)).toBe(false);
    expect(canRate(done, done, SH)).toBe(true);
  });

  it('the same instants give a different answer in another tenant zone', () => {
    const done = at('2026-03-01T23:59:00+08:00'); // 2026-03-01 15:59 UTC
    expect(canRate(done, at('2026-03-17T00:30:00+08:00'), SH)).toBe(false);
    expect(canRate(done, at('2026-03-17T00:30:00+08:00'), 'UTC')).toBe(true); // 3-16 16:30 UTC is day 15 in UTC
  });
});

describe('follow-up window: 180 days inclusive', () => {
  it('day 180 allowed to its last millisecond, day 181 not', () => {
    const done = at('2026-01-10T20:00:00+08:00');
    // 2026-01-10 + 180 days = 2026-07-09
    expect(canFollowup(done, at('2026-07-09T23:59:59.999+08:00'), SH)).toBe(true);
    expect(canFollowup(done, at('2026-07-10T00:00:00+08:00'), SH)).toBe(false);
  });
});

describe('reply window: 30 days after the review it answers', () => {
  it('day 30 allowed, day 31 not', () => {
    const review = at('2026-05-31T23:30:00+08:00');
    expect(canReply(review, at('2026-06-30T23:59:59+08:00'), SH)).toBe(true);
    expect(canReply(review, at('2026-07-01T00:00:00+08:00'), SH)).toBe(false);
  });
});

describe('monthly count: the first three ratings of a buyer for a shop in a natural month count', () => {
  it('3rd counts, 4th and later do not', () => {
    expect(countedness(0)).toEqual({ monthSeq: 1, isCounted: true });
    expect(countedness(2)).toEqual({ monthSeq: 3, isCounted: true });
    expect(countedness(3)).toEqual({ monthSeq: 4, isCounted: false });
    expect(countedness(7)).toEqual({ monthSeq: 8, isCounted: false });
  });

  it('month edge in Shanghai while UTC is still in the previous day', () => {
    // 23:59:59 on 3-31 Shanghai is 15:59:59Z; 00:00 on 4-01 Shanghai is 16:00Z on 3-31 in UTC.
    expect(monthKey(at('2026-03-31T23:59:59+08:00'), SH)).toBe('2026-03');
    expect(monthKey(at('2026-04-01T00:00:00+08:00'), SH)).toBe('2026-04');
    expect(at('2026-04-01T00:00:00+08:00').toISOString().slice(0, 10)).toBe('2026-03-31');
    expect(monthKey(at('2026-04-01T00:00:00+08:00'), 'UTC')).toBe('2026-03');
  });
});

describe('shop score: mean of counted ratings of the last six months as of a day', () => {
  it('window as of 2026-09-15 is [2026-03-16 00:00, 2026-09-16 00:00) Shanghai', () => {
    const w = scoreWindow('2026-09-15', SH);
    expect(w.fromDate).toBe('2026-03-16');
    expect(w.from.toISOString()).toBe('2026-03-15T16:00:00.000Z');
    expect(w.to.toISOString()).toBe('2026-09-15T16:00:00.000Z');
  });

  it('includes a rating on the first day of the window and on the day asked; excludes the day before and the day after', () => {
    const mk = (iso: string, v: number, isCounted = true) => ({
      ratedAt: at(iso),
      isCounted,
      dimensions: { description: v, service: v, logistics: v },
    });
    const ratings = [
      mk('2026-03-15T23:59:59+08:00', 1), // one second before the window
      mk('2026-03-16T00:00:00+08:00', 5), // first instant of the window
      mk('2026-09-15T23:59:59+08:00', 4), // the day asked
      mk('2026-09-16T00:00:00+08:00', 1), // tomorrow
      mk('2026-06-01T12:00:00+08:00', 1, false), // not counted: never in the score
    ];
    expect(shopScore(ratings, ['description'], '2026-09-15', SH)).toEqual([
      { key: 'description', score: 4.5, count: 2 },
    ]);
    // A day later the first one has left the window and the "tomorrow" one has arrived.
    expect(shopScore(ratings, ['description'], '2026-09-16', SH)).toEqual([
      { key: 'description', score: 2.5, count: 2 },
    ]);
    expect(shopScore([], ['service'], '2026-09-16', SH)).toEqual([{ key: 'service', score: null, count: 0 }]);
  });

  it('overall score of a rating is the rounded mean of its dimensions', () => {
    expect(overallScore({ a: 5, b: 4, c: 4 })).toBe(4); // 4.33
    expect(overallScore({ a: 5, b: 5, c: 4 })).toBe(5); // 4.67
    expect(overallScore({ a: 1, b: 2, c: 2 })).toBe(2); // 1.67
  });
});
