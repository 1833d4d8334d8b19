import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ZSubmitSurveyInput } from '@huifang/shared';
import { acceptSubmitSurveyInput } from './submit-input.ts';

/** Bodies near the schema's edges: key and string lengths either side of the limits, every JSON type as an answer. */
const arbKey = fc.oneof(
  fc.string({ minLength: 0, maxLength: 34 }),
  fc.constantFrom('q1', 'nps', 'x'.repeat(32), 'x'.repeat(33)),
);
const arbAnswer = fc.oneof(
  fc.string({ maxLength: 3 }),
  fc.constantFrom('a'.repeat(2000), 'a'.repeat(2001), '很'.repeat(2000)),
  fc.double(),
  fc.integer(),
  fc.array(fc.string({ maxLength: 41 }), { maxLength: 31 }),
  fc.array(fc.constantFrom('b', 'b'.repeat(40), 'b'.repeat(41)), { minLength: 1, maxLength: 31 }),
  fc.constantFrom(Array(30).fill('c'), Array(31).fill('c')),
  fc.array(fc.oneof(fc.string({ maxLength: 3 }), fc.integer(), fc.constant(null)), { maxLength: 3 }),
  fc.constantFrom(null, true, false, {}, { a: 1 }),
);
const arbBody = fc.oneof(
  fc.record({ answers: fc.dictionary(arbKey, arbAnswer, { maxKeys: 6 }) }),
  fc.record({ answers: fc.dictionary(arbKey, arbAnswer, { maxKeys: 3 }), extra: fc.jsonValue() }),
  fc.record({ answers: fc.jsonValue() }),
  fc.jsonValue(),
);

describe('acceptSubmitSurveyInput', () => {
  it('accepts exactly what ZSubmitSurveyInput accepts, with the same value, or leaves the body to zod', () => {
    fc.assert(
      fc.property(arbBody, (raw) => {
        // as the route sees it: parsed from JSON text (no undefined, NaN or -0)
        const body: unknown = JSON.parse(JSON.stringify(raw) ?? 'null');
        const fast = acceptSubmitSurveyInput(body);
        const zod = ZSubmitSurveyInput.safeParse(body);
        if (fast !== undefined) expect(zod).toEqual({ success: true, data: fast });
        // every valid body takes the fast path (zod runs only for the refused ones)
        if (zod.success) expect(fast).toEqual(zod.data);
      }),
      { numRuns: 3000 },
    );
  });

  it('leaves bodies zod refuses to zod, which names the field at fault', () => {
    for (const answers of [
      { q1: { a: 1 } },
      { ['k'.repeat(33)]: 1 },
      { m: [1, 2] },
      { t: 'x'.repeat(2001) },
      { n: null },
    ]) {
      expect(acceptSubmitSurveyInput({ answers })).toBeUndefined();
      expect(ZSubmitSurveyInput.safeParse({ answers }).success).toBe(false);
    }
    expect(acceptSubmitSurveyInput({ answers: [] })).toBeUndefined();
    expect(acceptSubmitSurveyInput(null)).toBeUndefined();
    expect(acceptSubmitSurveyInput({ answers: { q1: 5, m: ['a'] }, other: 1 })).toEqual({
      answers: { q1: 5, m: ['a'] },
    });
  });
});
