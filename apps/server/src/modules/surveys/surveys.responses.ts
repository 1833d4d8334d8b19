import crypto from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import { checkAnswers, type TAnswerValue, type TSurveyDefinition } from '@huifang/shared';
import type { Db, DbOrTx } from '../../db/client.ts';
import { surveyResponses } from '../../db/schema/index.ts';
import { AppError, invalidField, notFound, unknownRef } from '../../lib/app-error.ts';
import type { TClock } from '../../lib/clock.ts';
import type { TAuditCtx, TScope } from '../../lib/scope.ts';
import { insertAuditEvent } from '../audit/audit.repository.ts';
import { findVisibleCustomer } from '../customers/customers.repository.ts';
import { createGroupCommit, recordEvaluation, recordFromSource } from '../evaluations/evaluations.write.ts';
import { scoreResponse } from './survey-maths.ts';
import { findLinkByHash, findSurvey, findVersion, useLink, type TLinkInfo } from './surveys.repository.ts';
import { hashToken } from './surveys.service.ts';
import { OPEN_LINK_TTL_MS, openLinks } from './link-cache.ts';

/**
 * Published versions are immutable, so their definitions are cached in memory for good (bounded): the public submit
 * path then costs one indexed link lookup plus the insert transaction (DESIGN: ≥ 5,000 submissions/s).
 */
const definitions = new Map<string, TSurveyDefinition>();
async function definitionOf(
  db: DbOrTx,
  tenantId: string,
  surveyId: string,
  version: number,
): Promise<TSurveyDefinition> {
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
  if (link.status !== 'published' || link.publishedVersion === null)
    throw new AppError('SURVEY_NOT_OPEN', '此问卷暂未开放或已结束');
  return { ...link, publishedVersion: link.publishedVersion };
}

const validClientKey = (k: string | undefined): k is string => Boolean(k && /^[\w.:-]{8,100}$/.test(k));

/** The response a browser (its per-device key) already stored through this link, if any. */
async function findDeviceResponse(db: Db, tenantId: string, linkId: string, clientKey: string) {
  const [r] = await db
    .select({ id: surveyResponses.id })
    .from(surveyResponses)
    .where(
      and(eq(surveyResponses.tenantId, tenantId), eq(surveyResponses.idempotencyKey, `survey:${linkId}:${clientKey}`)),
    );
  return r ?? null;
}

/**
 * What the H5 page shows: the published definition only — no customer data, not even the invited one's name.
 * `answered` tells the page that this browser (the device key it sends as Idempotency-Key) has already answered the
 * open link, so it shows 已提交 instead of the form; a personal link that was used answers 410 before this.
 */
export async function getPublicSurvey(deps: { db: Db; clock: TClock }, token: string, clientKey?: string) {
  const link = await openLink(deps.db, token, deps.clock.now());
  const definition = await definitionOf(deps.db, link.tenantId, link.surveyId, link.publishedVersion);
  const answered = validClientKey(clientKey)
    ? (await findDeviceResponse(deps.db, link.tenantId, link.id, clientKey)) !== null
    : false;
  return { surveyId: link.surveyId, version: link.publishedVersion, definition, kind: link.kind, answered };
}

interface TResponseInput {
  tenantId: string;
  surveyId: string;
  version: number;
  definition: TSurveyDefinition;
  answers: Record<string, TAnswerValue>;
  unitId: string;
  customerId: string | null;
  linkId: string | null;
  /** survey (link) | staff (entered on the customer's behalf) | followup (answers given during a follow-up call) */
  channel: 'survey' | 'staff' | 'followup';
  enteredBy: string | null;
  idempotencyKey: string;
  now: Date;
}

interface TStoreInput extends TResponseInput {
  channel: 'survey' | 'staff';
  sourceType: 'link' | 'user';
  sourceId: string;
  staffId: string | null;
  /** Flags for the evaluation (a personal link's survey_links.flags). */
  flags?: string[];
}

const answerProblems = (problems: { path: string; message: string }[]) =>
  new AppError('VALIDATION_FAILED', 'invalid answers', {
    details: problems.map((p) => ({ path: `body.${p.path}`, message: p.message })),
  });

/** Validate (400 with `body.answers.<key>` paths), score, and insert the survey_responses row once (by idempotency key). */
async function insertResponse(tx: DbOrTx, r: TResponseInput, beforeInsert?: (responseId: string) => Promise<void>) {
  const problems = checkAnswers(r.definition, r.answers);
  if (problems.length) throw answerProblems(problems);
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
      enteredBy: r.enteredBy,
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
    // A repeat of the same body is a replay; another body under the same key is 422 IDEMPOTENCY_KEY_REUSED.
    const replay = await replayOf(tx, r.tenantId, r.idempotencyKey, r.answers, r.customerId);
    return { ...replay, scored };
  }
  return { responseId: id, isDuplicate: false, scored };
}

/**
 * Validate, score, and store once: survey_responses + the evaluation store (whose event alerts the unit's managers of
 * a negative response, overall ≤ 2 of 5).
 */
async function storeResponse(tx: DbOrTx, r: TStoreInput, beforeInsert?: (responseId: string) => Promise<void>) {
  const res = await insertResponse(tx, r, beforeInsert);
  if (res.isDuplicate) return { responseId: res.responseId, isDuplicate: true };
  const { scored } = res;
  await recordEvaluation(tx, {
    tenantId: r.tenantId,
    channel: r.channel,
    occurredAt: r.now,
    unitId: r.unitId,
    staffId: r.staffId,
    customerId: r.customerId,
    refType: 'survey_response',
    refId: res.responseId,
    sourceType: r.sourceType,
    sourceId: r.sourceId,
    score: scored.score,
    dimensions: scored.dimensions,
    answers: { surveyId: r.surveyId, version: r.version, answers: r.answers },
    text: scored.text,
    flags: r.flags ?? [],
    idempotencyKey: r.idempotencyKey,
  });
  return { responseId: res.responseId, isDuplicate: false };
}

/**
 * The answers an agent records during a follow-up call 回访 are a response of the plan's questionnaire: of its
 * published version (the latest one while none is published), channel `followup`, entered by the agent, stored once
 * per attempt (idempotency key `followup_attempt:<attempt id>`, which names the attempt and through it the task). They
 * count in the survey's results like any other response. Every answer is checked as on the H5 page (known question,
 * on the skip path, right form) — except that a call may end before every required question was asked, so nothing
 * is required. The caller (the follow-up module) writes the evaluation with the returned scores, in its transaction.
 */
export async function storeFollowupResponse(
  tx: DbOrTx,
  r: {
    tenantId: string;
    surveyId: string;
    answers: Record<string, TAnswerValue>;
    unitId: string;
    customerId: string;
    agentId: string;
    attemptId: string;
    now: Date;
  },
) {
  const [s] = (
    await tx.execute<{ version: number | null; is_published: boolean }>(
      sql`select coalesce(published_version, latest_version) as version, published_version is not null as is_published from surveys where tenant_id = ${r.tenantId} and id = ${r.surveyId}`,
    )
  ).rows;
  if (!s?.version) throw invalidField('body.answers', 'the questionnaire of this task no longer exists');
  const version = s.version;
  // A draft that nobody has answered yet may still be edited in place: read it, never from the cache.
  const definition = s.is_published
    ? await definitionOf(tx, r.tenantId, r.surveyId, version)
    : (await findVersion(tx, r.tenantId, r.surveyId, version))?.definition;
  if (!definition) throw invalidField('body.answers', 'the questionnaire of this task no longer exists');
  const asked = { ...definition, questions: definition.questions.map((q) => ({ ...q, required: false })) };
  const res = await insertResponse(tx, {
    tenantId: r.tenantId,
    surveyId: r.surveyId,
    version,
    definition: asked,
    answers: r.answers,
    unitId: r.unitId,
    customerId: r.customerId,
    linkId: null,
    channel: 'followup',
    enteredBy: r.agentId,
    idempotencyKey: `followup_attempt:${r.attemptId}`,
    now: r.now,
  });
  return { responseId: res.responseId, surveyId: r.surveyId, version, ...res.scored };
}

/**
 * Open-link answers that arrive together are stored by one statement (application-side group commit, like kiosk
 * presses): the survey_responses rows and, through the evaluation store, their evaluations and events, so all land or
 * none, with one commit for the batch. A key already stored (a repeat from the same browser) returns nothing for that
 * item; the caller then reads the stored response.
 */
const OPEN_BATCH_SQL = recordFromSource(
  `i as (
    select u.id, u.tenant_id, u.survey_id, u.version, u.link_id, u.unit_id, u.now,
           $8::jsonb -> (u.n - 1)::int as answers, $9::jsonb -> (u.n - 1)::int as dims, u.idx, u.score, u.text, u.key, u.n
    from unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::int[], $5::uuid[], $6::uuid[], $7::timestamptz[],
                $10::real[], $11::smallint[], $12::text[], $13::text[])
      with ordinality as u(id, tenant_id, survey_id, version, link_id, unit_id, now, idx, score, text, key, n)
  ), r as (
    insert into survey_responses (id, tenant_id, survey_id, version, link_id, customer_id, unit_id, channel, entered_by, submitted_at,
                                  answers, dimension_scores, index_value, score, text, idempotency_key)
    select id, tenant_id, survey_id, version, link_id, null, unit_id, 'survey', null, now, answers, dims, idx, score, text, key
    from i order by n
    on conflict (tenant_id, idempotency_key) do nothing
    returning id, tenant_id
  ), src as (
    select null::uuid as id, i.tenant_id, 'survey'::text as channel, i.now as occurred_at, null::timestamptz as received_at,
           i.unit_id, null::uuid as counter_id, null::uuid as staff_id, null::uuid as customer_id, null::uuid as service_record_id,
           'survey_response'::text as ref_type, i.id as ref_id, 'link'::text as source_type, i.link_id::text as source_id, i.score,
           null::text as rating_label, i.dims as dimensions,
           jsonb_build_object('surveyId', i.survey_id, 'version', i.version, 'answers', i.answers) as answers, i.text,
           '{}'::text[] as flags, i.key as idempotency_key, '{}'::jsonb as event_payload, i.n as ord
    from i join r on r.id = i.id and r.tenant_id = i.tenant_id
  )`,
  'select id from r',
);

interface TOpenAnswer {
  id: string;
  tenantId: string;
  surveyId: string;
  version: number;
  linkId: string;
  unitId: string;
  now: Date;
  answers: string;
  dims: string;
  index: number | null;
  score: number | null;
  text: string | null;
  key: string;
}
const openResponseWriter = createGroupCommit<TOpenAnswer, { id: string }, string | undefined>({
  name: 'survey-open-batch',
  text: OPEN_BATCH_SQL,
  maxBatch: 200,
  maxInFlight: 3,
  params: (items) => {
    const col = <K extends keyof TOpenAnswer>(k: K) => items.map((i) => i[k]);
    return [
      col('id'),
      col('tenantId'),
      col('surveyId'),
      col('version'),
      col('linkId'),
      col('unitId'),
      items.map((i) => i.now.toISOString()),
      // the answer sheets and dimension scores as one JSON array each (element i of the batch at index i - 1): already
      // JSON text, joined as it is, where a jsonb[] parameter would escape every quote of every element
      `[${col('answers').join(',')}]`,
      `[${col('dims').join(',')}]`,
      col('index'),
      col('score'),
      col('text'),
      col('key'),
    ];
  },
  results: (rows, items) => {
    const stored = new Set(rows.map((r) => r.id));
    return items.map((i) => (stored.has(i.id) ? i.id : undefined));
  },
});

/**
 * Submit through a link. Open link: one response per browser — the page sends a per-device Idempotency-Key, and a
 * repeat with it returns the first response. Personal link: single use; the link row is claimed in the same
 * transaction (a second submit gets 410 SURVEY_LINK_USED and writes nothing), except a retry carrying the
 * Idempotency-Key of the stored response, which gets that response back.
 */
export async function submitByLink(
  deps: { db: Db; clock: TClock },
  token: string,
  answers: Record<string, TAnswerValue>,
  clientKey: string | undefined,
) {
  const now = deps.clock.now();
  const key = validClientKey(clientKey) ? clientKey : crypto.randomUUID();
  let link: Awaited<ReturnType<typeof openLink>>;
  try {
    link = await openLink(deps.db, token, now);
  } catch (err) {
    if (err instanceof AppError && err.code === 'SURVEY_LINK_USED' && clientKey) {
      const retried = await findRetriedPersonal(deps.db, token, clientKey, answers);
      if (retried) return retried;
    }
    throw err;
  }
  const definition = await definitionOf(deps.db, link.tenantId, link.surveyId, link.publishedVersion);
  const idempotencyKey = `survey:${link.id}:${key}`;
  if (link.kind === 'open') {
    const problems = checkAnswers(definition, answers);
    if (problems.length)
      throw new AppError('VALIDATION_FAILED', 'invalid answers', {
        details: problems.map((p) => ({ path: `body.${p.path}`, message: p.message })),
      });
    const scored = scoreResponse(definition, answers);
    const id = await openResponseWriter(deps.db)({
      id: crypto.randomUUID(),
      tenantId: link.tenantId,
      surveyId: link.surveyId,
      version: link.publishedVersion,
      linkId: link.id,
      unitId: link.unitId,
      now,
      answers: JSON.stringify(answers),
      dims: JSON.stringify(scored.dimensions),
      index: scored.index,
      score: scored.score,
      text: scored.text,
      key: idempotencyKey,
    });
    if (id) return { responseId: id, isDuplicate: false };
    return replayOf(deps.db, link.tenantId, idempotencyKey, answers, null);
  }
  return deps.db.transaction(async (tx) =>
    storeResponse(
      tx,
      {
        tenantId: link.tenantId,
        surveyId: link.surveyId,
        version: link.publishedVersion,
        definition,
        answers,
        unitId: link.unitId,
        customerId: link.customerId,
        linkId: link.id,
        channel: 'survey',
        enteredBy: null,
        sourceType: 'link',
        sourceId: link.id,
        staffId: null,
        flags: link.flags,
        idempotencyKey,
        now,
      },
      link.kind === 'personal'
        ? async (responseId) => {
            if (!(await useLink(tx, link.tenantId, link.id, responseId, now)))
              throw new AppError('SURVEY_LINK_USED', '此问卷已提交，感谢您的参与');
          }
        : undefined,
    ),
  );
}

async function findRetriedPersonal(db: Db, token: string, clientKey: string, answers: Record<string, TAnswerValue>) {
  const link = await findLinkByHash(db, hashToken(token));
  if (!link) return null;
  const key = `survey:${link.id}:${clientKey}`;
  const [r] = await db
    .select({ id: surveyResponses.id })
    .from(surveyResponses)
    .where(and(eq(surveyResponses.tenantId, link.tenantId), eq(surveyResponses.idempotencyKey, key)));
  return r ? replayOf(db, link.tenantId, key, answers, link.customerId) : null;
}

/**
 * The response already stored under this Idempotency-Key: a repeat of the same body (answers, and the customer for
 * staff entry; jsonb equality ignores key order) gets it back; another body under the same key is 422.
 */
async function replayOf(
  db: DbOrTx,
  tenantId: string,
  idempotencyKey: string,
  answers: Record<string, TAnswerValue>,
  customerId: string | null,
) {
  const [existing] = await db
    .select({
      id: surveyResponses.id,
      isSame: sql<boolean>`${surveyResponses.answers} = ${JSON.stringify(answers)}::jsonb and ${surveyResponses.customerId} is not distinct from ${customerId}::uuid`,
    })
    .from(surveyResponses)
    .where(and(eq(surveyResponses.tenantId, tenantId), eq(surveyResponses.idempotencyKey, idempotencyKey)));
  if (!existing) throw new Error('survey response conflict without a stored row');
  if (!existing.isSame)
    throw new AppError('IDEMPOTENCY_KEY_REUSED', 'this Idempotency-Key was already used with other answers', {
      details: [{ path: 'headers.idempotency-key', message: 'already used for a different request' }],
    });
  return { responseId: existing.id, isDuplicate: true };
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
  if (s.publishedVersion === null || s.status !== 'published')
    throw new AppError('SURVEY_NOT_OPEN', 'the survey is not published', {
      details: [{ path: 'params.id', message: 'not published' }],
    });
  const customer = await findVisibleCustomer(deps.db, scope, input.customerId);
  if (!customer) throw unknownRef('body.customerId', 'customer');
  const definition = await definitionOf(deps.db, scope.tenantId, surveyId, s.publishedVersion);
  return deps.db.transaction(async (tx) => {
    const res = await storeResponse(tx, {
      tenantId: scope.tenantId,
      surveyId,
      version: s.publishedVersion!,
      definition,
      answers: input.answers,
      unitId: customer.c.unitId,
      customerId: input.customerId,
      linkId: null,
      channel: 'staff',
      enteredBy: scope.userId,
      sourceType: 'user',
      sourceId: scope.userId,
      staffId: scope.userId,
      idempotencyKey: `survey-staff:${surveyId}:${clientKey && /^[\w.:-]{8,100}$/.test(clientKey) ? clientKey : crypto.randomUUID()}`,
      now,
    });
    if (!res.isDuplicate) {
      await insertAuditEvent(
        tx,
        ctx,
        {
          action: 'survey.response_entered',
          entityType: 'survey',
          entityId: surveyId,
          unitId: customer.c.unitId,
          summary: `代客户填写问卷：${s.title}`,
          after: { responseId: res.responseId, customerId: input.customerId },
        },
        now,
      );
    }
    return res;
  });
}
