import { CSAT_LABELS, LIKERT_LABELS, type TSurveyDefinition } from '@huifang/shared';
import type { DbOrTx } from '../../db/client.ts';
import { findVersion } from './surveys.repository.ts';

/** A stored answer value in words: the label of a choice or a scale point (很满意 … 很不满意, 4★), else the value. */
export const choiceLabel = (def: Pick<TSurveyDefinition, 'questions'>, key: string, value: string) => {
  const q = def.questions.find((x) => x.key === key);
  if (!q) return value;
  if (q.type === 'likert') return LIKERT_LABELS[Number(value)] ?? value;
  if (q.type === 'csat') return CSAT_LABELS[Number(value)] ?? value;
  if (q.type === 'rating') return `${value}★`;
  return q.options?.find((o) => o.value === value)?.label ?? value;
};

export interface TAnswerLine {
  question: string;
  answer: string;
}

/** One response's answers as "question → answer" lines, in the order of the questionnaire. */
export function answerLines(
  def: Pick<TSurveyDefinition, 'questions'>,
  answers: Record<string, unknown>,
): TAnswerLine[] {
  return def.questions.flatMap((q) => {
    const v = answers[q.key];
    if (v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0)) return [];
    const answer = Array.isArray(v)
      ? v.map((x) => choiceLabel(def, q.key, String(x))).join('、')
      : q.type === 'nps'
        ? `${String(v)}/10`
        : choiceLabel(def, q.key, String(v));
    return [{ question: q.title, answer }];
  });
}

/** A response as other modules hold it (an evaluation's `answers`: survey, version and the answers by question key). */
export interface TResponseRef {
  surveyId: string;
  version: number;
  answers: Record<string, unknown>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Read an evaluation's `answers` as a survey response reference, or null (a kiosk press, an older follow-up). */
export function asResponseRef(x: unknown): TResponseRef | null {
  if (!x || typeof x !== 'object') return null;
  const r = x as Record<string, unknown>;
  if (
    typeof r.surveyId !== 'string' ||
    !UUID.test(r.surveyId) ||
    typeof r.version !== 'number' ||
    !r.answers ||
    typeof r.answers !== 'object'
  )
    return null;
  return { surveyId: r.surveyId, version: r.version, answers: r.answers as Record<string, unknown> };
}

/** The answer lines of several responses (e.g. a customer's timeline), each survey version read once. */
export async function describeResponses(
  db: DbOrTx,
  tenantId: string,
  refs: readonly TResponseRef[],
): Promise<TAnswerLine[][]> {
  const defs = new Map<string, Pick<TSurveyDefinition, 'questions'> | null>();
  for (const r of refs) {
    const k = `${r.surveyId}:${r.version}`;
    if (!defs.has(k)) defs.set(k, (await findVersion(db, tenantId, r.surveyId, r.version))?.definition ?? null);
  }
  return refs.map((r) => {
    const def = defs.get(`${r.surveyId}:${r.version}`);
    return def ? answerLines(def, r.answers) : [];
  });
}
