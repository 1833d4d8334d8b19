import type { TAnswerValue, TQuestion, TSurveyDefinition } from './schemas/surveys.ts';

/**
 * The survey logic the H5 answer page runs in the browser (skip logic, answer checks, scale labels), kept apart from
 * the zod schemas (schemas/surveys.ts) so that the public page does not download zod. The server uses the same
 * functions; both are exported from the package root.
 */

/** 5-point Likert labels, value 5 (很满意) … 1 (很不满意). */
export const LIKERT_LABELS: Record<number, string> = { 5: '很满意', 4: '满意', 3: '一般', 2: '不满意', 1: '很不满意' };
/** CSAT labels (value 5 … 1). */
export const CSAT_LABELS: Record<number, string> = {
  5: '非常满意',
  4: '满意',
  3: '一般',
  2: '不满意',
  1: '非常不满意',
};

export const END_OF_SURVEY = 'end';

/**
 * The questions a respondent walks through, in order, given the answers so far: skip rules of an answered question
 * jump forward (or end). Used by the H5 page to show questions and by the server to reject answers to skipped ones.
 */
export function surveyPath(def: Pick<TSurveyDefinition, 'questions'>, answers: Record<string, unknown>): TQuestion[] {
  const out: TQuestion[] = [];
  let i = 0;
  while (i < def.questions.length) {
    const q = def.questions[i]!;
    out.push(q);
    const a = answers[q.key];
    let next = i + 1;
    // only a question with skip rules looks at its answer (the server runs this for every submission: hot path)
    if (q.skip?.length && a !== undefined && a !== null && a !== '') {
      const given = Array.isArray(a) ? a.map(String) : [String(a)];
      const rule = q.skip.find((r) => {
        const vals = r.values.map(String);
        return r.op === 'eq' ? given.length === 1 && given[0] === vals[0] : given.some((g) => vals.includes(g));
      });
      if (rule)
        next = rule.goto === END_OF_SURVEY ? def.questions.length : def.questions.findIndex((x) => x.key === rule.goto);
      if (next <= i) next = i + 1; // defensive: definitions are checked to jump forward only
    }
    i = next;
  }
  return out;
}

const isEmpty = (v: unknown) => v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0);

/** Module-level, not a closure per call: answerProblem runs for every answer of every submission (hot path). */
const intProblem = (v: TAnswerValue, min: number, max: number) =>
  typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max ? null : `an integer ${min}–${max}`;

/** Check one answer against its question; returns a message or null. */
export function answerProblem(q: TQuestion, v: TAnswerValue): string | null {
  switch (q.type) {
    case 'single':
      return typeof v === 'string' && q.options?.some((o) => o.value === v) ? null : 'one of the options';
    case 'multiple':
      return Array.isArray(v) && v.every((x) => q.options?.some((o) => o.value === x)) && new Set(v).size === v.length
        ? null
        : 'options of the question';
    case 'likert':
    case 'rating':
    case 'csat':
      return intProblem(v, 1, 5);
    case 'nps':
      return intProblem(v, 0, 10);
    case 'number':
      return typeof v === 'number' && Number.isFinite(v) ? null : 'a number';
    case 'date':
      return typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(v))
        ? null
        : 'a date YYYY-MM-DD';
    case 'text':
      return typeof v === 'string' ? null : 'a text';
  }
}

/**
 * Validate a submission against a definition: answers only to questions on the respondent's path (an answer to a
 * skipped or unknown question is refused, not silently dropped), required ones present, each of the right form.
 * Paths are relative to the body (`answers.<key>`).
 */
export function checkAnswers(
  def: Pick<TSurveyDefinition, 'questions'>,
  answers: Record<string, TAnswerValue>,
): { path: string; message: string }[] {
  const problems: { path: string; message: string }[] = [];
  const known = new Set(def.questions.map((q) => q.key));
  const path = surveyPath(def, answers);
  const onPath = new Set(path.map((q) => q.key));
  for (const key of Object.keys(answers)) {
    if (!known.has(key)) problems.push({ path: `answers.${key}`, message: 'no such question' });
    else if (!onPath.has(key) && !isEmpty(answers[key]))
      problems.push({ path: `answers.${key}`, message: 'this question was skipped by the skip logic' });
  }
  for (const q of path) {
    const v = answers[q.key];
    if (isEmpty(v)) {
      if (q.required) problems.push({ path: `answers.${q.key}`, message: 'required' });
      continue;
    }
    const p = answerProblem(q, v!);
    if (p) problems.push({ path: `answers.${q.key}`, message: `expected ${p}` });
  }
  return problems;
}
