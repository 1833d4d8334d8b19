import { and, eq, sql, type SQL } from 'drizzle-orm';
import type { TSurvey, TSurveyDefinition } from '@huifang/shared';
import type { DbOrTx } from '../../db/client.ts';
import { surveyLinks, surveys, surveyVersions } from '../../db/schema/index.ts';
import { likeEscape } from '../../lib/pagination.ts';
import { unitVisible, type TScope } from '../../lib/scope.ts';

/**
 * Who sees a survey: a survey owned by a unit applies to that unit and everything below it, so a caller sees the
 * surveys of their visible units and of the units above their own (an HQ questionnaire is used by every branch).
 * Writing (designing, publishing) needs the owning unit inside the caller's scope (`surveyWritable`).
 */
export const surveyReadable = (scope: TScope, unitColumn: SQL | typeof surveys.unitId = surveys.unitId): SQL =>
  scope.dataScope === 'tenant'
    ? sql`true`
    : sql`(${unitVisible(scope, unitColumn)} or ${unitColumn} in (select a.id from org_units a where a.tenant_id = ${scope.tenantId} and ${scope.unitPath} like a.path || '%'))`;
export const surveyWritable = (scope: TScope): SQL => unitVisible(scope, surveys.unitId);

const COLUMNS = sql`s.id, s.title, s.unit_id, u.name as unit_name, s.status, s.latest_version, s.published_version, s.created_at, s.updated_at,
  (select count(*)::int from survey_responses r where r.tenant_id = s.tenant_id and r.survey_id = s.id) as response_count,
  (select count(*)::int from survey_invitations i where i.tenant_id = s.tenant_id and i.survey_id = s.id) as invitation_count,
  (select l.open_token from survey_links l where l.tenant_id = s.tenant_id and l.survey_id = s.id and l.kind = 'open' order by l.created_at desc limit 1) as open_token`;

type TSurveyRow = {
  id: string;
  title: string;
  unit_id: string;
  unit_name: string | null;
  status: TSurvey['status'];
  latest_version: number;
  published_version: number | null;
  created_at: Date | string;
  updated_at: Date | string;
  response_count: number;
  invitation_count: number;
  open_token: string | null;
};

export const toSurvey = (r: TSurveyRow): TSurvey => ({
  id: r.id,
  title: r.title,
  unitId: r.unit_id,
  unitName: r.unit_name,
  status: r.status,
  latestVersion: r.latest_version,
  publishedVersion: r.published_version,
  hasUnpublishedChanges: r.published_version !== r.latest_version,
  responseCount: r.response_count,
  invitationCount: r.invitation_count,
  openToken: r.open_token,
  createdAt: new Date(r.created_at).toISOString(),
  updatedAt: new Date(r.updated_at).toISOString(),
});

export async function listSurveys(
  db: DbOrTx,
  scope: TScope,
  q: { page: number; pageSize: number; q?: string | undefined; status?: string | undefined },
) {
  const conds: SQL[] = [sql`s.tenant_id = ${scope.tenantId}`, surveyReadable(scope, sql`s.unit_id`)];
  if (q.q) conds.push(sql`s.title ilike ${`%${likeEscape(q.q)}%`}`);
  if (q.status) conds.push(sql`s.status = ${q.status}`);
  const where = sql.join(conds, sql` and `);
  const [rows, total] = await Promise.all([
    db.execute<TSurveyRow>(sql`select ${COLUMNS} from surveys s left join org_units u on u.id = s.unit_id where ${where}
      order by s.updated_at desc, s.id desc limit ${q.pageSize} offset ${(q.page - 1) * q.pageSize}`),
    db.execute<{ n: number }>(sql`select count(*)::int as n from surveys s where ${where}`),
  ]);
  return { items: rows.rows.map(toSurvey), total: total.rows[0]?.n ?? 0 };
}

export async function findSurvey(
  db: DbOrTx,
  scope: TScope,
  id: string,
  mode: 'read' | 'write' = 'read',
): Promise<TSurvey | null> {
  const access = mode === 'read' ? surveyReadable(scope, sql`s.unit_id`) : unitVisible(scope, sql`s.unit_id`);
  const res =
    await db.execute<TSurveyRow>(sql`select ${COLUMNS} from surveys s left join org_units u on u.id = s.unit_id
    where s.tenant_id = ${scope.tenantId} and s.id = ${id} and ${access}`);
  return res.rows[0] ? toSurvey(res.rows[0]) : null;
}

/** Lock the survey row for the rest of the transaction (edits and publishing are serialised per survey). */
export async function lockSurvey(tx: DbOrTx, tenantId: string, id: string) {
  const [row] = await tx
    .select()
    .from(surveys)
    .where(and(eq(surveys.tenantId, tenantId), eq(surveys.id, id)))
    .for('update');
  return row ?? null;
}

export async function findVersion(db: DbOrTx, tenantId: string, surveyId: string, version: number) {
  const [row] = await db
    .select()
    .from(surveyVersions)
    .where(
      and(
        eq(surveyVersions.tenantId, tenantId),
        eq(surveyVersions.surveyId, surveyId),
        eq(surveyVersions.version, version),
      ),
    );
  return row ? { ...row, definition: row.definition as TSurveyDefinition } : null;
}

export async function listVersions(db: DbOrTx, tenantId: string, surveyId: string) {
  const res = await db.execute<{
    version: number;
    published_at: Date | string | null;
    created_at: Date | string;
    response_count: number;
  }>(sql`
    select v.version, v.published_at, v.created_at,
      (select count(*)::int from survey_responses r where r.tenant_id = v.tenant_id and r.survey_id = v.survey_id and r.version = v.version) as response_count
    from survey_versions v where v.tenant_id = ${tenantId} and v.survey_id = ${surveyId} order by v.version desc`);
  return res.rows.map((r) => ({
    version: r.version,
    publishedAt: r.published_at ? new Date(r.published_at).toISOString() : null,
    createdAt: new Date(r.created_at).toISOString(),
    responseCount: r.response_count,
  }));
}

export async function countVersionResponses(
  db: DbOrTx,
  tenantId: string,
  surveyId: string,
  version: number,
): Promise<number> {
  const res = await db.execute<{ n: number }>(
    sql`select count(*)::int as n from survey_responses where tenant_id = ${tenantId} and survey_id = ${surveyId} and version = ${version}`,
  );
  return res.rows[0]?.n ?? 0;
}

/** What the public answer page and submit need about a link, in one indexed lookup. */
export interface TLinkInfo {
  id: string;
  tenantId: string;
  surveyId: string;
  kind: 'open' | 'personal';
  customerId: string | null;
  expiresAt: Date | null;
  usedAt: Date | null;
  responseId: string | null;
  status: string;
  publishedVersion: number | null;
  unitId: string;
  /** Flags the evaluation of a response through this link carries (survey_links.flags). */
  flags: string[];
}

export async function findLinkByHash(db: DbOrTx, tokenHash: string): Promise<TLinkInfo | null> {
  const res = await db.execute<{
    id: string;
    tenant_id: string;
    survey_id: string;
    kind: 'open' | 'personal';
    customer_id: string | null;
    expires_at: Date | string | null;
    used_at: Date | string | null;
    response_id: string | null;
    status: string;
    published_version: number | null;
    unit_id: string;
    flags: string[];
  }>(sql`select l.id, l.tenant_id, l.survey_id, l.kind, l.customer_id, l.expires_at, l.used_at, l.response_id, s.status, s.published_version, l.flags,
           coalesce(c.unit_id, s.unit_id) as unit_id
         from survey_links l
         join surveys s on s.tenant_id = l.tenant_id and s.id = l.survey_id
         left join customers c on c.id = l.customer_id
         where l.token_hash = ${tokenHash}`);
  const r = res.rows[0];
  if (!r) return null;
  return {
    id: r.id,
    tenantId: r.tenant_id,
    surveyId: r.survey_id,
    kind: r.kind,
    customerId: r.customer_id,
    expiresAt: r.expires_at ? new Date(r.expires_at) : null,
    usedAt: r.used_at ? new Date(r.used_at) : null,
    responseId: r.response_id,
    status: r.status,
    publishedVersion: r.published_version,
    unitId: r.unit_id,
    flags: r.flags ?? [],
  };
}

/** Mark a personal link used; false when it was used already (the row lock makes concurrent submits race safely). */
export async function useLink(
  tx: DbOrTx,
  tenantId: string,
  linkId: string,
  responseId: string,
  now: Date,
): Promise<boolean> {
  const res = await tx
    .update(surveyLinks)
    .set({ usedAt: now, responseId })
    .where(and(eq(surveyLinks.tenantId, tenantId), eq(surveyLinks.id, linkId), sql`${surveyLinks.usedAt} is null`))
    .returning({ id: surveyLinks.id });
  return res.length > 0;
}
