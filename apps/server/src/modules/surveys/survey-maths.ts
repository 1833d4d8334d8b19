import { isScored, type TAnswerValue, type TSurveyDefinition } from '@huifang/shared';

/**
 * The survey figures (DESIGN §4.2) as pure functions.
 *
 * - Satisfaction index 满意度指数 = Σ weight_d × mean_d × 100 / 5, weights in percent summing to 100, means on the
 *   1–5 scale (Likert 很满意 = 5 … 很不满意 = 1, stars 1–5, CSAT 1–5). A dimension with no answers (skipped by every
 *   respondent, or outside the filter) is left out and the remaining weights are rescaled to 100%, so a gap does not
 *   read as dissatisfaction. A survey without dimensions counts all its scored answers as one dimension of 100%.
 *   NPS questions (0–10) never enter the index: they measure willingness to recommend, on another scale.
 * - CSAT = share of top-two boxes (4 or 5 of 5) among the CSAT questions' answers; when a survey has no CSAT question,
 *   among all its 1–5 answers.
 * - NPS = % promoters (9–10) − % detractors (0–6).
 * Rounding: one decimal, half away from zero; empty input → null (never 0, which would be a real figure).
 */
export const round1 = (x: number) => (Math.sign(x) * Math.round(Math.abs(x) * 10 + 1e-9)) / 10;

export function satisfactionIndex(dims: { weight: number; mean: number | null }[]): number | null {
  const present = dims.filter((d): d is { weight: number; mean: number } => d.mean !== null && d.weight > 0);
  const weightSum = present.reduce((s, d) => s + d.weight, 0);
  if (weightSum === 0) return null;
  return round1(((present.reduce((s, d) => s + d.weight * d.mean, 0) / weightSum) * 100) / 5);
}

/** `counts[v]` = number of answers with value v on 1–5. */
export function csatShare(counts: Record<number, number>): number | null {
  let total = 0;
  let top = 0;
  for (const [v, n] of Object.entries(counts)) {
    total += n;
    if (Number(v) >= 4) top += n;
  }
  return total === 0 ? null : round1((top / total) * 100);
}

/** `counts[v]` = number of answers with value v on 0–10. */
export function npsScore(counts: Record<number, number>): number | null {
  let total = 0;
  let promoters = 0;
  let detractors = 0;
  for (const [v, n] of Object.entries(counts)) {
    total += n;
    if (Number(v) >= 9) promoters += n;
    else if (Number(v) <= 6) detractors += n;
  }
  return total === 0 ? null : round1(((promoters - detractors) / total) * 100);
}

export const mean = (xs: number[]): number | null => (xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : null);

/** Key of the implicit dimension of a survey without dimensions. */
export const OVERALL_DIMENSION = 'overall';

/** The dimensions a definition scores on (the implicit overall one when it names none). */
export const scoringDimensions = (def: Pick<TSurveyDefinition, 'dimensions'>) =>
  def.dimensions.length
    ? def.dimensions.map((d) => ({ key: d.key, name: d.name, weight: d.weight }))
    : [{ key: OVERALL_DIMENSION, name: '总体', weight: 100 }];

/**
 * Score one response: per-dimension means (1–5, 2 decimals), its own index, the overall 1–5 score for the evaluation
 * store (index / 20, rounded; null without scored answers) and its free texts joined.
 */
export function scoreResponse(
  def: Pick<TSurveyDefinition, 'dimensions' | 'questions'>,
  answers: Record<string, TAnswerValue>,
) {
  const byDim = new Map<string, number[]>();
  const texts: string[] = [];
  for (const q of def.questions) {
    const v = answers[q.key];
    if (v === undefined) continue;
    if (isScored(q.type) && typeof v === 'number') {
      const key = def.dimensions.length ? (q.dimensionKey ?? '') : OVERALL_DIMENSION;
      if (!key) continue;
      const xs = byDim.get(key);
      if (xs) xs.push(v);
      else byDim.set(key, [v]);
    } else if (q.type === 'text' && typeof v === 'string' && v.trim()) texts.push(v.trim());
  }
  const dimensions: Record<string, number> = {};
  for (const [k, xs] of byDim) dimensions[k] = Math.round(mean(xs)! * 100) / 100;
  const index = satisfactionIndex(
    scoringDimensions(def).map((d) => ({ weight: d.weight, mean: dimensions[d.key] ?? null })),
  );
  const score = index === null ? null : Math.min(5, Math.max(1, Math.round(index / 20)));
  return { dimensions, index, score, text: texts.length ? texts.join('\n') : null };
}
