import { sql } from 'drizzle-orm';
import type { DbOrTx } from '../../../db/client.ts';

/**
 * A plan's questionnaire is a survey (DESIGN §4.2): the workbench shows the definition of its published version (the
 * latest one while none is published). The answers an agent records are stored by the surveys module
 * (`storeFollowupResponse`), which checks them as the H5 page does.
 */
export type TQuestionnaireDef = {
  title?: string;
  questions?: {
    key?: string;
    id?: string;
    type?: string;
    title?: string;
    required?: boolean;
    options?: { value: string; label: string }[];
  }[];
};

/** The definition of the survey's published version (the latest one if none is published), or null. */
export async function questionnaireDefinition(
  db: DbOrTx,
  tenantId: string,
  surveyId: string,
): Promise<TQuestionnaireDef | null> {
  const res = await db.execute<{ definition: TQuestionnaireDef | null }>(sql`
    select v.definition from surveys s join survey_versions v on v.tenant_id = s.tenant_id and v.survey_id = s.id
    where s.tenant_id = ${tenantId} and s.id = ${surveyId} and v.version = coalesce(s.published_version, s.latest_version)`);
  return res.rows[0]?.definition ?? null;
}
