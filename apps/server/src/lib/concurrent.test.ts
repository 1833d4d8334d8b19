import { describe, expect, it } from 'vitest';
import { allConcurrent, forEachConcurrent } from './concurrent.ts';

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('forEachConcurrent', () => {
  it('runs every item once with no more than the limit in flight, and uses the limit', async () => {
    let inFlight = 0;
    let peak = 0;
    const seen: number[] = [];
    await forEachConcurrent([...Array(20).keys()], 4, async (i) => {
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      await tick(i % 3);
      seen.push(i);
      inFlight -= 1;
    });
    expect(seen.sort((a, b) => a - b)).toEqual([...Array(20).keys()]);
    expect(peak).toBe(4);
  });

  it('rethrows the first failure only after the other calls have settled', async () => {
    const done: number[] = [];
    await expect(
      forEachConcurrent([1, 2, 3, 4], 2, async (i) => {
        if (i === 1) throw new Error('boom 1');
        await tick(5);
        done.push(i);
      }),
    ).rejects.toThrow('boom 1');
    expect(done.sort()).toEqual([2, 3, 4]);
  });

  it('handles an empty list', async () => {
    let calls = 0;
    await forEachConcurrent([], 8, async () => {
      calls += 1;
    });
    expect(calls).toBe(0);
  });
});

describe('allConcurrent', () => {
  it('returns the results in the order of the tasks with no more than the limit running', async () => {
    let inFlight = 0;
    let peak = 0;
    const task = (v: string, ms: number) => async () => {
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      await tick(ms);
      inFlight -= 1;
      return v;
    };
    const out = await allConcurrent(2, [task('a', 6), task('b', 1), task('c', 1), task('d', 0)] as const);
    expect(out).toEqual(['a', 'b', 'c', 'd']);
    expect(peak).toBe(2);
  });
});
