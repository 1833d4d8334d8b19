import crypto from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { checkAnswers, type TAnswerValue, type TSurveyDefinition } from '@huifang/shared';
import type { Db, DbOrTx } from '../../db/client.ts';
import { surveyResponses } from '../../db/schema/index.ts';
import { AppError, invalidField, notFound } from '../../lib/app-error.ts';
import type { TClock } from '../../lib/clock.ts';
import type { TAuditCtx, TScope } from '../../lib/scope.ts';
import { insertAuditEvent } from '../audit/audit.repository.ts';
import { findVisibleCustomer } from '../customers/customers.repository.ts';
import { insertEvaluation } from '../evaluations/evaluations.repository.ts';
import { scoreResponse } from './survey-maths.ts';
import { findLinkByHash, findSurvey, findVersion, useLink, type TLinkInfo } from './surveys.repository.ts';
import { hashToken } from './surveys.service.ts';
import { OPEN_LINK_TTL_MS, openLinks } from './link-cache.ts';

/**
 * Published versions are immutable, so their definitions are cached in memory for good (bounded): the public submit
 * path then costs one indexed link lookup plus the insert transaction (DESIGN: ≥ 5,000 submissions/s).
 */
const definitions = new Map<string, TSurveyDefinition>();
async function definitionOf(db: DbOrTx, tenantId: string, surveyId: string, version: number): Promise<TSurveyDefinition> {
  const key = `${tenantId}:${surveyId}:${version}`;
  let def = definitions.get(key);
  if (!def) {
    const v = await findVersion(db, tenantId, surveyId, version);
    if (!v) throw notFound('survey version');
    def = v.definition;
    if (definitions.size >= 1000) definitions.clear();
    definitions.set(key, def);
  }
  return def;
}

/**
 * Open links (link-cache.ts) change only when their survey is published again or closed, so the hot path keeps them for a few
 * seconds (this process drops them at once on publish/close; other processes within OPEN_LINK_TTL_MS). Personal
 * links are never cached: whether they were used must be read every time.
 */

async function lookupLink(db: Db, hash: string): Promise<TLinkInfo | null> {
  const hit = openLinks.get(hash);
  if (hit && hit.until > Date.now()) return hit.link;
  const link = await findLinkByHash(db, hash);
  if (link?.kind === 'open') {
    if (openLinks.size >= 10_000) openLinks.clear();
    openLinks.set(hash, { link, until: Date.now() + OPEN_LINK_TTL_MS });
  }
  return link;
}

/** The link behind a token, or the clear 410 a respondent should see. */
async function openLink(db: Db, token: string, now: Date): Promise<TLinkInfo & { publishedVersion: number }> {
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) throw notFound('survey link');
  const link = await lookupLink(db, hashToken(token));
  if (!link) throw notFound('survey link');
  if (link.kind === 'personal' && link.usedAt) throw new AppError('SURVEY_LINK_USED', '此问卷已提交，感谢您的参与');
  if (link.expiresAt && link.expiresAt <= now) throw new AppError('SURVEY_LINK_EXPIRED', '此问卷链接已过期');
  if (link.status !== 'published' || link.publishedVersion === null) throw new AppError('SURVEY_NOT_OPEN', '此问卷暂未开放或已结束');
  return { ...link, publishedVersion: link.publishedVersion };
}

/** What the H5 page shows: the published definition only — no customer data, not even the invited one's name. */
export async function getPublicSurvey(deps: { db: Db; clock: TClock }, token: string) {
  const link = await openLink(deps.db, token, deps.clock.now());
  const definition = await definitionOf(deps.db, link.tenantId, link.surveyId, link.publishedVersion);
  return { surveyId: link.surveyId, version: link.publishedVersion, definition, kind: link.kind };
}

interface TStoreInput {
  tenantId: string;
  surveyId: string;
  version: number;
  definition: TSurveyDefinition;
  answers: Record<string, TAnswerValue>;
  unitId: string;
  customerId: string | null;
  linkId: string | null;
  channel: 'survey' | 'staff';
  sourceType: 'link' | 'user';
  sourceId: string;
  staffId: string | null;
  idempotencyKey: string;
  now: Date;
}

/** Validate (400 with `body.answers.<key>` paths), score, and store once: survey_responses + the evaluation store. */
async function storeResponse(tx: DbOrTx, r: TStoreInput, beforeInsert?: (responseId: string) => Promise<void>) {
  const problems = checkAnswers(r.definition, r.answers);
  if (problems.length) throw new AppError('VALIDATION_FAILED', 'invalid answers', { details: problems.map((p) => ({ path: `body.${p.path}`, message: p.message })) });
  const scored = scoreResponse(r.definition, r.answers);
  const id = crypto.randomUUID();
  if (beforeInsert) await beforeInsert(id);
  const inserted = await tx
    .insert(surveyResponses)
    .values({
      id,
      tenantId: r.tenantId,
      surveyId: r.surveyId,
      version: r.version,
      linkId: r.linkId,
      customerId: r.customerId,
      unitId: r.unitId,
      channel: r.channel,
      enteredBy: r.sourceType === 'user' ? r.sourceId : null,
      submittedAt: r.now,
      answers: r.answers,
      dimensionScores: scored.dimensions,
      indexValue: scored.index,
      score: scored.score,
      text: scored.text,
      idempotencyKey: r.idempotencyKey,
    })
    .onConflictDoNothing({ target: [surveyResponses.tenantId, surveyResponses.idempotencyKey] })
    .returning({ id: surveyResponses.id });
  if (!inserted[0]) {
    const [existing] = await tx
      .select({ id: surveyResponses.id })
      .from(surveyResponses)
      .where(and(eq(surveyResponses.tenantId, r.tenantId), eq(surveyResponses.idempotencyKey, r.idempotencyKey)));
    return { responseId: existing!.id, isDuplicate: true };
  }
  await insertEvaluation(tx, {
    tenantId: r.tenantId,
    channel: r.channel,
    occurredAt: r.now,
    unitId: r.unitId,
    staffId: r.staffId,
    customerId: r.customerId,
    refType: 'survey_response',
    refId: id,
    sourceType: r.sourceType,
    sourceId: r.sourceId,
    score: scored.score,
    dimensions: scored.dimensions,
    answers: { surveyId: r.surveyId, version: r.version, answers: r.answers },
    text: scored.text,
    idempotencyKey: r.idempotencyKey,
  });
  return { responseId: id, isDuplicate: false };
}

/**
 * Submit through a link. Open link: one response per browser — the page sends a per-device Idempotency-Key, and a
 * repeat with it returns the first response. Personal link: single use; the link row is claimed in the same
 * transaction (a second submit gets 410 SURVEY_LINK_USED and writes nothing), except a retry carrying the
 * Idempotency-Key of the stored response, which gets that response back.
 */
export async function submitByLink(deps: { db: Db; clock: TClock }, token: string, answers: Record<string, TAnswerValue>, clientKey: string | undefined) {
  const now = deps.clock.now();
  const key = clientKey && /^[\w.:-]{8,100}$/.test(clientKey) ? clientKey : crypto.randomUUID();
  let link: Awaited<ReturnType<typeof openLink>>;
  try {
    link = await openLink(deps.db, token, now);
  } catch (err) {
    if (err instanceof AppError && err.code === 'SURVEY_LINK_USED' && clientKey) {
      const retried = await findRetriedPersonal(deps.db, token, clientKey);
      if (retried) return retried;
    }
    throw err;
  }
  const definition = await definitionOf(deps.db, link.tenantId, link.surveyId, link.publishedVersion);
  const idempotencyKey = `survey:${link.id}:${key}`;
  return deps.db.transaction(async (tx) =>
    storeResponse(
      tx,
      {
        tenantId: link.tenantId, surveyId: link.surveyId, version: link.publishedVersion, definition, answers, unitId: link.unitId,
        customerId: link.customerId, linkId: link.id, channel: 'survey', sourceType: 'link', sourceId: link.id, staffId: null, idempotencyKey, now,
      },
      link.kind === 'personal'
        ? async (responseId) => {
            if (!(await useLink(tx, link.tenantId, link.id, responseId, now))) throw new AppError('SURVEY_LINK_USED', '此问卷已提交，感谢您的参与');
          }
        : undefined,
    ),
  );
}

async function findRetriedPersonal(db: Db, token: string, clientKey: string) {
  const link = await findLinkByHash(db, hashToken(token));
  if (!link) return null;
  const [r] = await db
    .select({ id: surveyResponses.id })
    .from(surveyResponses)
    .where(and(eq(surveyResponses.tenantId, link.tenantId), eq(surveyResponses.idempotencyKey, `survey:${link.id}:${clientKey}`)));
  return r ? { responseId: r.id, isDuplicate: true } : null;
}

/**
 * Staff enter a response on a customer's behalf (phone follow-up): channel 'staff', source 'user', the customer's
 * unit, the latest published version. The customer must be in the caller's scope.
 */
export async function enterStaffResponse(
  deps: { db: Db; clock: TClock },
  scope: TScope,
  ctx: TAuditCtx,
  surveyId: string,
  input: { customerId: string; answers: Record<string, TAnswerValue> },
  clientKey: string | undefined,
) {
  const now = deps.clock.now();
  const s = await findSurvey(deps.db, scope, surveyId);
  if (!s) throw notFound('survey');
  if (s.publishedVersion === null || s.status !== 'published') throw new AppError('SURVEY_NOT_OPEN', 'the survey is not published', { details: [{ path: 'params.id', message: 'not published' }] });
  const customer = await findVisibleCustomer(deps.db, scope, input.customerId);
  if (!customer) throw invalidField('body.customerId', 'customer not found');
  const definition = await definitionOf(deps.db, scope.tenantId, surveyId, s.publishedVersion);
  return deps.db.transaction(async (tx) => {
    const res = await storeResponse(tx, {
      tenantId: scope.tenantId, surveyId, version: s.publishedVersion!, definition, answers: input.answers, unitId: customer.c.unitId,
      customerId: input.customerId, linkId: null, channel: 'staff', sourceType: 'user', sourceId: scope.userId, staffId: scope.userId,
      idempotencyKey: `survey-staff:${surveyId}:${clientKey && /^[\w.:-]{8,100}$/.test(clientKey) ? clientKey : crypto.randomUUID()}`, now,
    });
    if (!res.isDuplicate) {
      await insertAuditEvent(tx, ctx, { action: 'survey.response_entered', entityType: 'survey', entityId: surveyId, unitId: customer.c.unitId, summary: `代客户填写问卷：${s.title}`, after: { responseId: res.responseId, customerId: input.customerId } }, now);
    }
    return res;
  });
}
