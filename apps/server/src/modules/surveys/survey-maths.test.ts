import { describe, expect, it } from 'vitest';
import type { TSurveyDefinition } from '@huifang/shared';
import { csatShare, npsScore, round1, satisfactionIndex, scoreResponse } from './survey-maths.ts';

describe('satisfaction index', () => {
  it('is Σ weight × mean × 100 / 5 (hand-computed)', () => {
    // 0.6 × 4.5 + 0.4 × 3 = 3.9 → 78
    expect(
      satisfactionIndex([
        { weight: 60, mean: 4.5 },
        { weight: 40, mean: 3 },
      ]),
    ).toBe(78);
    // the default consumer-goods weights, all means 4 → 80
    expect(satisfactionIndex([20, 20, 20, 10, 10, 15, 5].map((weight) => ({ weight, mean: 4 })))).toBe(80);
  });
  it('rounds to one decimal, half away from zero', () => {
    // 0.5 × 4.1 + 0.5 × 3.8425 = 3.97125 → 79.425 → 79.4
    expect(
      satisfactionIndex([
        { weight: 50, mean: 4.1 },
        { weight: 50, mean: 3.8425 },
      ]),
    ).toBe(79.4);
    // (0.5 × 4 + 0.5 × 4.0125) × 20 = 80.125 → 80.1 ; 4.00625 × 20 = 80.125… exact half cases
    expect(round1(72.45)).toBe(72.5);
    expect(round1(-12.25)).toBe(-12.3);
  });
  it('leaves out dimensions without answers and rescales the rest; empty → null', () => {
    expect(
      satisfactionIndex([
        { weight: 80, mean: 5 },
        { weight: 20, mean: null },
      ]),
    ).toBe(100);
    expect(satisfactionIndex([{ weight: 50, mean: null }])).toBeNull();
    expect(satisfactionIndex([])).toBeNull();
  });
});

describe('CSAT and NPS', () => {
  it('CSAT is the share of 4–5 answers', () => {
    expect(csatShare({ 5: 3, 4: 3, 3: 1, 2: 1, 1: 1 })).toBe(66.7);
    expect(csatShare({ 1: 2 })).toBe(0);
    expect(csatShare({})).toBeNull();
  });
  it('NPS is % 9–10 minus % 0–6', () => {
    // 10 answers: 4 promoters, 3 passives, 3 detractors → 10
    expect(npsScore({ 10: 2, 9: 2, 8: 2, 7: 1, 6: 1, 3: 1, 0: 1 })).toBe(10);
    expect(npsScore({ 0: 3 })).toBe(-100);
    // 1 promoter, 2 detractors of 3 → -33.3
    expect(npsScore({ 9: 1, 5: 2 })).toBe(-33.3);
    expect(npsScore({})).toBeNull();
  });
});

describe('scoreResponse', () => {
  const def: Pick<TSurveyDefinition, 'dimensions' | 'questions'> = {
    dimensions: [
      { key: 'quality', name: '质量', weight: 70 },
      { key: 'price', name: '价格', weight: 30 },
    ],
    questions: [
      { key: 'q1', type: 'likert', title: 'a', required: true, dimensionKey: 'quality' },
      { key: 'q2', type: 'rating', title: 'b', required: true, dimensionKey: 'quality' },
      { key: 'q3', type: 'likert', title: 'c', required: true, dimensionKey: 'price' },
      { key: 'q4', type: 'nps', title: 'd', required: true },
      { key: 'q5', type: 'text', title: 'e', required: false },
    ],
  };
  it('means per dimension, index, 1–5 score, texts; NPS stays out', () => {
    const r = scoreResponse(def, { q1: 5, q2: 4, q3: 2, q4: 0, q5: ' 太贵了 ' });
    expect(r.dimensions).toEqual({ quality: 4.5, price: 2 });
    // 0.7 × 4.5 + 0.3 × 2 = 3.75 → 75 → score 4 (75 / 20 = 3.75)
    expect(r.index).toBe(75);
    expect(r.score).toBe(4);
    expect(r.text).toBe('太贵了');
  });
  it('no scored answers → null index and score', () => {
    expect(scoreResponse(def, { q4: 9 })).toMatchObject({ index: null, score: null, dimensions: {}, text: null });
  });
});
