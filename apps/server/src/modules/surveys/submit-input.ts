import type { TSubmitSurveyInput } from '@huifang/shared';

/**
 * The open-link submit body `{ answers }` exactly as ZSubmitSurveyInput parses it, checked by hand for the hot path
 * (hotPathBodyValidator): question keys of ≤ 32 characters, each answer a string of ≤ 2,000, a finite number or ≤ 30
 * strings of ≤ 40; other fields of the body dropped as zod drops them. Anything else returns undefined and zod
 * judges the body (and names the field at fault). submit-input.test.ts holds the two to the same result.
 */
export function acceptSubmitSurveyInput(body: unknown): TSubmitSurveyInput | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const answers = (body as { answers?: unknown }).answers;
  if (typeof answers !== 'object' || answers === null || Array.isArray(answers)) return undefined;
  if (Object.getPrototypeOf(answers) !== Object.prototype) return undefined;
  const out: TSubmitSurveyInput['answers'] = {};
  for (const key of Object.keys(answers)) {
    if (key.length > 32 || key === '__proto__') return undefined;
    const v = (answers as Record<string, unknown>)[key];
    if (typeof v === 'string') {
      if (v.length > 2000) return undefined;
    } else if (typeof v === 'number') {
      if (!Number.isFinite(v)) return undefined;
    } else if (Array.isArray(v)) {
      if (v.length > 30) return undefined;
      for (const x of v) if (typeof x !== 'string' || x.length > 40) return undefined;
    } else return undefined;
    out[key] = v as string | number | string[];
  }
  return { answers: out };
}
