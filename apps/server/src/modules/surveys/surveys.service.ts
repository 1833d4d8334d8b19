import crypto from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import type { TCreateSurveyInput, TSurveyDefinition, TSurveyDetail } from '@huifang/shared';
import type { TConfig } from '../../config/env.ts';
import type { Db, DbOrTx } from '../../db/client.ts';
import { surveyLinks, surveys, surveyVersions } from '../../db/schema/index.ts';
import { AppError, notFound, unknownRef } from '../../lib/app-error.ts';
import type { TClock } from '../../lib/clock.ts';
import type { TAuditCtx, TScope } from '../../lib/scope.ts';
import { insertAuditEvent } from '../audit/audit.repository.ts';
import { findVisibleCustomer } from '../customers/customers.repository.ts';
import { findVisibleUnit } from '../org-units/org-units.repository.ts';
import { forgetOpenLinks } from './link-cache.ts';
import { SURVEY_TEMPLATE_DEFINITIONS } from './survey-template.ts';
import { countVersionResponses, findSurvey, findVersion, listVersions, lockSurvey } from './surveys.repository.ts';

export type TSurveyDeps = { db: Db; clock: TClock; config: Pick<TConfig, 'publicBaseUrl'> };

/** A 256-bit random token (URL-safe) and the SHA-256 that is stored instead of it. */
export function newToken(): { token: string; hash: string } {
  const token = crypto.randomBytes(32).toString('base64url');
  return { token, hash: hashToken(token) };
}
export const hashToken = (token: string) => crypto.hash('sha256', token, 'hex');
export const answerUrl = (config: Pick<TConfig, 'publicBaseUrl'>, token: string) =>
  `${config.publicBaseUrl}/s/${token}`;

export async function getSurveyDetail(
  deps: Pick<TSurveyDeps, 'db'>,
  scope: TScope,
  id: string,
): Promise<TSurveyDetail> {
  const s = await findSurvey(deps.db, scope, id);
  if (!s) throw notFound('survey');
  const v = await findVersion(deps.db, scope.tenantId, id, s.latestVersion);
  return { ...s, definition: v!.definition, versions: await listVersions(deps.db, scope.tenantId, id) };
}

export async function getSurveyVersion(deps: Pick<TSurveyDeps, 'db'>, scope: TScope, id: string, version: number) {
  const s = await findSurvey(deps.db, scope, id);
  if (!s) throw notFound('survey');
  const v = await findVersion(deps.db, scope.tenantId, id, version);
  if (!v) throw notFound('survey version');
  return {
    version: v.version,
    publishedAt: v.publishedAt?.toISOString() ?? null,
    createdAt: v.createdAt.toISOString(),
    responseCount: await countVersionResponses(deps.db, scope.tenantId, id, version),
    definition: v.definition,
  };
}

export async function createSurvey(
  deps: TSurveyDeps,
  scope: TScope,
  ctx: TAuditCtx,
  input: TCreateSurveyInput,
): Promise<TSurveyDetail> {
  const definition: TSurveyDefinition = input.template
    ? SURVEY_TEMPLATE_DEFINITIONS[input.template]()
    : input.definition!;
  const unitId = input.unitId ?? scope.unitId;
  if (input.unitId && !(await findVisibleUnit(deps.db, scope, input.unitId))) throw unknownRef('body.unitId', 'unit');
  const now = deps.clock.now();
  const id = await deps.db.transaction(async (tx) => {
    const [row] = await tx
      .insert(surveys)
      .values({
        tenantId: scope.tenantId,
        unitId,
        title: definition.title,
        status: 'draft',
        latestVersion: 1,
        createdBy: scope.userId,
        createdAt: now,
        updatedAt: now,
      })
      .returning({ id: surveys.id });
    await tx
      .insert(surveyVersions)
      .values({ tenantId: scope.tenantId, surveyId: row!.id, version: 1, definition, createdAt: now });
    await insertAuditEvent(
      tx,
      ctx,
      {
        action: 'survey.created',
        entityType: 'survey',
        entityId: row!.id,
        unitId,
        summary: `新建问卷：${definition.title}`,
        after: { template: input.template ?? null },
      },
      now,
    );
    return row!.id;
  });
  return getSurveyDetail(deps, scope, id);
}

/**
 * Save the designer's definition. The latest version is edited in place while it is a draft nobody has answered;
 * once it is published (or answered, e.g. by staff entry) it is frozen, and the edit becomes version n + 1.
 */
export async function updateSurvey(
  deps: TSurveyDeps,
  scope: TScope,
  ctx: TAuditCtx,
  id: string,
  definition: TSurveyDefinition,
): Promise<TSurveyDetail> {
  const now = deps.clock.now();
  await deps.db.transaction(async (tx) => {
    const s = await findSurvey(tx, scope, id, 'write');
    if (!s) throw notFound('survey');
    const row = await lockSurvey(tx, scope.tenantId, id);
    const latest = await findVersion(tx, scope.tenantId, id, row!.latestVersion);
    const frozen =
      latest!.publishedAt !== null || (await countVersionResponses(tx, scope.tenantId, id, row!.latestVersion)) > 0;
    let version = row!.latestVersion;
    if (frozen) {
      version += 1;
      await tx
        .insert(surveyVersions)
        .values({ tenantId: scope.tenantId, surveyId: id, version, definition, createdAt: now });
    } else {
      await tx
        .update(surveyVersions)
        .set({ definition })
        .where(
          and(
            eq(surveyVersions.tenantId, scope.tenantId),
            eq(surveyVersions.surveyId, id),
            eq(surveyVersions.version, version),
          ),
        );
    }
    await tx
      .update(surveys)
      .set({ title: definition.title, latestVersion: version, updatedAt: now })
      .where(and(eq(surveys.tenantId, scope.tenantId), eq(surveys.id, id)));
    await insertAuditEvent(
      tx,
      ctx,
      {
        action: 'survey.updated',
        entityType: 'survey',
        entityId: id,
        unitId: s.unitId,
        summary: `编辑问卷：${definition.title}（版本 ${version}）`,
        after: { version, newVersion: frozen },
      },
      now,
    );
  });
  return getSurveyDetail(deps, scope, id);
}

/** Publish the latest version: links serve it from now on; earlier versions stay readable with their responses. */
export async function publishSurvey(
  deps: TSurveyDeps,
  scope: TScope,
  ctx: TAuditCtx,
  id: string,
): Promise<TSurveyDetail> {
  const now = deps.clock.now();
  await deps.db.transaction(async (tx) => {
    const s = await findSurvey(tx, scope, id, 'write');
    if (!s) throw notFound('survey');
    const row = await lockSurvey(tx, scope.tenantId, id);
    const version = row!.latestVersion;
    await tx
      .update(surveyVersions)
      .set({ publishedAt: now, publishedBy: scope.userId })
      .where(
        and(
          eq(surveyVersions.tenantId, scope.tenantId),
          eq(surveyVersions.surveyId, id),
          eq(surveyVersions.version, version),
        ),
      );
    await tx
      .update(surveys)
      .set({ status: 'published', publishedVersion: version, updatedAt: now })
      .where(and(eq(surveys.tenantId, scope.tenantId), eq(surveys.id, id)));
    await insertAuditEvent(
      tx,
      ctx,
      {
        action: 'survey.published',
        entityType: 'survey',
        entityId: id,
        unitId: s.unitId,
        summary: `发布问卷：${s.title}（版本 ${version}）`,
        after: { version },
      },
      now,
    );
  });
  forgetOpenLinks();
  return getSurveyDetail(deps, scope, id);
}

export async function closeSurvey(
  deps: TSurveyDeps,
  scope: TScope,
  ctx: TAuditCtx,
  id: string,
): Promise<TSurveyDetail> {
  const now = deps.clock.now();
  await deps.db.transaction(async (tx) => {
    const s = await findSurvey(tx, scope, id, 'write');
    if (!s) throw notFound('survey');
    if (s.status !== 'published')
      throw new AppError('CONFLICT', 'only a published survey can be closed', {
        details: [{ path: 'params.id', message: `status is ${s.status}` }],
      });
    await tx
      .update(surveys)
      .set({ status: 'closed', updatedAt: now })
      .where(and(eq(surveys.tenantId, scope.tenantId), eq(surveys.id, id)));
    await insertAuditEvent(
      tx,
      ctx,
      {
        action: 'survey.closed',
        entityType: 'survey',
        entityId: id,
        unitId: s.unitId,
        summary: `结束问卷：${s.title}`,
      },
      now,
    );
  });
  forgetOpenLinks();
  return getSurveyDetail(deps, scope, id);
}

/** The open link 公开链接: created once per survey, its token shown in the designer. */
export async function ensureOpenLink(
  deps: TSurveyDeps,
  scope: TScope,
  ctx: TAuditCtx,
  id: string,
): Promise<TSurveyDetail> {
  const now = deps.clock.now();
  await deps.db.transaction(async (tx) => {
    const s = await findSurvey(tx, scope, id, 'write');
    if (!s) throw notFound('survey');
    await lockSurvey(tx, scope.tenantId, id);
    const [existing] = await tx
      .select({ id: surveyLinks.id })
      .from(surveyLinks)
      .where(and(eq(surveyLinks.tenantId, scope.tenantId), eq(surveyLinks.surveyId, id), eq(surveyLinks.kind, 'open')));
    if (existing) return;
    const { token, hash } = newToken();
    await tx.insert(surveyLinks).values({
      tenantId: scope.tenantId,
      surveyId: id,
      kind: 'open',
      tokenHash: hash,
      openToken: token,
      createdBy: scope.userId,
      createdAt: now,
    });
    await insertAuditEvent(
      tx,
      ctx,
      {
        action: 'survey.link_created',
        entityType: 'survey',
        entityId: id,
        unitId: s.unitId,
        summary: `生成公开链接：${s.title}`,
      },
      now,
    );
  });
  return getSurveyDetail(deps, scope, id);
}

/** A single-use personal link 专属链接 for one customer in the caller's scope. The token is returned once, never stored. */
export async function createPersonalLink(
  deps: TSurveyDeps,
  scope: TScope,
  ctx: TAuditCtx,
  id: string,
  input: { customerId: string; expiresInDays: number },
) {
  const now = deps.clock.now();
  return deps.db.transaction(async (tx) => {
    const s = await findSurvey(tx, scope, id);
    if (!s) throw notFound('survey');
    if (!(await findVisibleCustomer(tx, scope, input.customerId))) throw unknownRef('body.customerId', 'customer');
    const { token, hash } = newToken();
    const expiresAt = new Date(now.getTime() + input.expiresInDays * 86_400_000);
    const [link] = await tx
      .insert(surveyLinks)
      .values({
        tenantId: scope.tenantId,
        surveyId: id,
        kind: 'personal',
        tokenHash: hash,
        customerId: input.customerId,
        expiresAt,
        createdBy: scope.userId,
        createdAt: now,
      })
      .returning({ id: surveyLinks.id });
    await insertAuditEvent(
      tx,
      ctx,
      {
        action: 'survey.link_created',
        entityType: 'survey',
        entityId: id,
        unitId: s.unitId,
        summary: `生成客户专属链接：${s.title}`,
        after: { customerId: input.customerId, expiresAt },
      },
      now,
    );
    return { linkId: link!.id, token, url: answerUrl(deps.config, token), expiresAt: expiresAt.toISOString() };
  });
}

/**
 * A survey owned by the system, published at once (e.g. the 处理满意度 survey of ticket callbacks): created in the
 * caller's transaction, not audited as a person's act. Returns its id.
 */
export async function createPublishedSystemSurvey(
  tx: DbOrTx,
  input: { tenantId: string; unitId: string; definition: TSurveyDefinition; now: Date },
): Promise<string> {
  const [row] = await tx
    .insert(surveys)
    .values({
      tenantId: input.tenantId,
      unitId: input.unitId,
      title: input.definition.title,
      status: 'published',
      latestVersion: 1,
      publishedVersion: 1,
      createdBy: null,
      createdAt: input.now,
      updatedAt: input.now,
    })
    .returning({ id: surveys.id });
  await tx.insert(surveyVersions).values({
    tenantId: input.tenantId,
    surveyId: row!.id,
    version: 1,
    definition: input.definition,
    createdAt: input.now,
    publishedAt: input.now,
  });
  return row!.id;
}

/**
 * A single-use personal link issued by the system in the caller's transaction (ticket callbacks): `flags` are carried
 * by the evaluation of its response, so consumers can tell what it answers. The token is returned once, never stored.
 */
export async function issueSystemPersonalLink(
  tx: DbOrTx,
  config: Pick<TConfig, 'publicBaseUrl'>,
  input: { tenantId: string; surveyId: string; customerId: string; expiresAt: Date; flags: string[]; now: Date },
): Promise<{ linkId: string; token: string; url: string }> {
  const { token, hash } = newToken();
  const [link] = await tx
    .insert(surveyLinks)
    .values({
      tenantId: input.tenantId,
      surveyId: input.surveyId,
      kind: 'personal',
      tokenHash: hash,
      customerId: input.customerId,
      expiresAt: input.expiresAt,
      flags: input.flags,
      createdBy: null,
      createdAt: input.now,
    })
    .returning({ id: surveyLinks.id });
  return { linkId: link!.id, token, url: answerUrl(config, token) };
}
