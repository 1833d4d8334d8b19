import { sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.ts';
import { AppError } from '../../lib/app-error.ts';

/**
 * Seam to the surveys module (DESIGN §4.2, built in parallel): a plan's questionnaire is a survey; the answers an
 * agent records must belong to its published version (the latest one if none is published). Until modules/surveys
 * exposes a validator for a version, this checks what every version has: each answered key is a question id of
 * that version's definition (`definition.questions[].key`; `id` in older drafts). Unknown keys → 400 with the field path.
 */
export async function checkSurveyAnswers(db: DbOrTx, tenantId: string, surveyId: string, answers: Record<string, unknown>): Promise<void> {
  const def = await questionnaireDefinition(db, tenantId, surveyId);
  if (!def) throw new AppError('VALIDATION_FAILED', 'the plan questionnaire is missing', { details: [{ path: 'body.answers', message: 'questionnaire not found' }] });
  const ids = new Set((def.questions ?? []).map((q) => q.key ?? q.id).filter((x): x is string => typeof x === 'string'));
  const bad = Object.keys(answers).filter((k) => !ids.has(k));
  if (bad.length) throw new AppError('VALIDATION_FAILED', 'answers name unknown questions', { details: bad.map((k) => ({ path: `body.answers.${k}`, message: 'unknown question' })) });
}

export type TQuestionnaireDef = { title?: string; questions?: { key?: string; id?: string; type?: string; title?: string; required?: boolean; options?: { value: string; label: string }[] }[] };

/** The definition of the survey's published version (the latest one if none is published), or null. */
export async function questionnaireDefinition(db: DbOrTx, tenantId: string, surveyId: string): Promise<TQuestionnaireDef | null> {
  const res = await db.execute<{ definition: TQuestionnaireDef | null }>(sql`
    select v.definition from surveys s join survey_versions v on v.tenant_id = s.tenant_id and v.survey_id = s.id
    where s.tenant_id = ${tenantId} and s.id = ${surveyId} and v.version = coalesce(s.published_version, s.latest_version)`);
  return res.rows[0]?.definition ?? null;
}
