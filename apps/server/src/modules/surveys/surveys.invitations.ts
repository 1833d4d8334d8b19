import { and, eq, inArray, sql } from 'drizzle-orm';
import { ZCustomerListQuery, type TCreateInvitationsInput } from '@huifang/shared';
import type { TConfig } from '../../config/env.ts';
import type { Db, DbOrTx } from '../../db/client.ts';
import { customers, savedFilters, surveyInvitations, surveyLinks } from '../../db/schema/index.ts';
import type { TJobSender } from '../../jobs/queue.ts';
import { AppError, invalidField, notFound, unknownRef } from '../../lib/app-error.ts';
import type { TClock } from '../../lib/clock.ts';
import type { TAuditCtx, TScope } from '../../lib/scope.ts';
import { insertAuditEvent } from '../audit/audit.repository.ts';
import { customerVisible, listConditions } from '../customers/customers.repository.ts';
import { resolveUnitLists } from '../customers/customers.service.ts';
import { enqueueMessages, type TNewMessage } from '../messaging/outbox.repository.ts';
import type { TOutboxRow } from '../messaging/outbox.repository.ts';
import { findSurvey, findVersion } from './surveys.repository.ts';
import { answerUrl, newToken } from './surveys.service.ts';

const MAX_RECIPIENTS = 5000;

type TDeps = { db: Db; clock: TClock; jobs: TJobSender; config: Pick<TConfig, 'publicBaseUrl' | 'smtpUrl'> };

async function recipients(db: Db, scope: TScope, input: TCreateInvitationsInput) {
  const cols = { id: customers.id, name: customers.name, email: customers.email, unitId: customers.unitId };
  if (input.customerIds) {
    const rows = await db
      .select(cols)
      .from(customers)
      .where(and(customerVisible(scope), inArray(customers.id, input.customerIds)));
    if (rows.length !== new Set(input.customerIds).size) throw unknownRef('body.customerIds', 'customer');
    return rows;
  }
  // A saved filter 保存的筛选 runs in the caller's scope, like on the customer list.
  const [f] = await db
    .select()
    .from(savedFilters)
    .where(
      and(
        eq(savedFilters.tenantId, scope.tenantId),
        eq(savedFilters.id, input.savedFilterId!),
        sql`(${savedFilters.ownerId} = ${scope.userId} or ${savedFilters.isShared})`,
      ),
    );
  if (!f) throw unknownRef('body.savedFilterId', 'saved filter');
  const q = ZCustomerListQuery.parse(f.filter);
  const rows = await db
    .select(cols)
    .from(customers)
    .where(listConditions(scope, q, await resolveUnitLists(db, scope, q)))
    .limit(MAX_RECIPIENTS + 1);
  if (rows.length > MAX_RECIPIENTS)
    throw invalidField('body.savedFilterId', `the filter matches more than ${MAX_RECIPIENTS} customers`);
  return rows;
}

const inviteBody = (title: string, url: string, expires: Date, isReminder: boolean) =>
  [
    '尊敬的客户，您好：',
    '',
    isReminder
      ? `我们此前邀请您参与「${title}」，尚未收到您的回复。您的意见对我们非常重要。`
      : `诚邀您参与「${title}」，约需 3 分钟。`,
    '',
    `请点击链接填写：${url}`,
    `链接仅供您本人使用，提交一次后失效，有效期至 ${expires.toISOString().slice(0, 10)}。`,
    '',
    '感谢您的支持！',
  ].join('\n');

/**
 * E-mail invitations 邮件邀请: per customer with an e-mail address, one single-use personal link, the invitation
 * message and (optionally) a reminder due after N days — links, invitations and outbox rows in one transaction.
 * The reminder is cancelled at send time if the customer has answered by then (guard `survey_reminder`).
 */
export async function inviteCustomers(
  deps: TDeps,
  scope: TScope,
  ctx: TAuditCtx,
  surveyId: string,
  input: TCreateInvitationsInput,
) {
  const s = await findSurvey(deps.db, scope, surveyId);
  if (!s) throw notFound('survey');
  if (s.status !== 'published' || s.publishedVersion === null) {
    throw new AppError('SURVEY_NOT_OPEN', 'publish the survey before inviting', {
      details: [{ path: 'params.id', message: 'not published' }],
    });
  }
  const def = (await findVersion(deps.db, scope.tenantId, surveyId, s.publishedVersion))!.definition;
  const list = await recipients(deps.db, scope, input);
  const withEmail = list.filter((c) => c.email && /.+@.+/.test(c.email));
  const now = deps.clock.now();
  const expiresAt = new Date(now.getTime() + input.expiresInDays * 86_400_000);
  const subject = input.subject ?? `邀请您参与：${def.title}`;
  await deps.db.transaction(async (tx) => {
    for (let i = 0; i < withEmail.length; i += 500) {
      const chunk = withEmail.slice(i, i + 500).map((c) => ({ c, ...newToken() }));
      const links = await tx
        .insert(surveyLinks)
        .values(
          chunk.map((x) => ({
            tenantId: scope.tenantId,
            surveyId,
            kind: 'personal',
            tokenHash: x.hash,
            customerId: x.c.id,
            expiresAt,
            createdBy: scope.userId,
            createdAt: now,
          })),
        )
        .returning({ id: surveyLinks.id, tokenHash: surveyLinks.tokenHash });
      const linkOf = new Map(links.map((l) => [l.tokenHash, l.id]));
      const messages: TNewMessage[] = [];
      for (const x of chunk) {
        const url = answerUrl(deps.config, x.token);
        // customerId: the sender applies the contact policy (consent, opt-out, do-not-contact, gap, quiet hours) to invitations too.
        const base = {
          tenantId: scope.tenantId,
          unitId: x.c.unitId,
          channel: 'email' as const,
          to: x.c.email!,
          refId: linkOf.get(x.hash)!,
          customerId: x.c.id,
        };
        messages.push({
          ...base,
          subject,
          body: inviteBody(def.title, url, expiresAt, false),
          refType: 'survey_invitation',
        });
        if (input.remindAfterDays) {
          messages.push({
            ...base,
            subject: `提醒：${subject}`,
            body: inviteBody(def.title, url, expiresAt, true),
            refType: 'survey_reminder',
            sendAfter: new Date(now.getTime() + input.remindAfterDays * 86_400_000),
          });
        }
      }
      const ids = await enqueueMessages(tx, now, messages);
      const per = input.remindAfterDays ? 2 : 1;
      await tx.insert(surveyInvitations).values(
        chunk.map((x, j) => ({
          tenantId: scope.tenantId,
          surveyId,
          linkId: linkOf.get(x.hash)!,
          customerId: x.c.id,
          email: x.c.email!,
          messageId: ids[j * per]!,
          reminderMessageId: per === 2 ? ids[j * per + 1]! : null,
          createdBy: scope.userId,
          createdAt: now,
        })),
      );
    }
    await insertAuditEvent(
      tx,
      ctx,
      {
        action: 'survey.invitations_sent',
        entityType: 'survey',
        entityId: surveyId,
        unitId: s.unitId,
        summary: `发送问卷邀请：${s.title}（${withEmail.length} 位客户）`,
        after: {
          invited: withEmail.length,
          skippedNoEmail: list.length - withEmail.length,
          remindAfterDays: input.remindAfterDays,
        },
      },
      now,
    );
  });
  if (withEmail.length) await deps.jobs.send('outbox-send', {});
  return {
    invited: withEmail.length,
    skippedNoEmail: list.length - withEmail.length,
    smtpConfigured: Boolean(deps.config.smtpUrl),
  };
}

/** Outbox guard: a reminder whose link was used (answered) or has expired is cancelled, not sent. */
export async function reminderGuard(tx: DbOrTx, rows: TOutboxRow[], now: Date): Promise<Set<string>> {
  const done = new Set<string>();
  const byTenant = new Map<string, TOutboxRow[]>();
  for (const r of rows) byTenant.set(r.tenantId, [...(byTenant.get(r.tenantId) ?? []), r]);
  for (const [tenantId, list] of byTenant) {
    const linkIds = list.map((r) => r.refId).filter((x): x is string => Boolean(x));
    const links = linkIds.length
      ? await tx
          .select({ id: surveyLinks.id, usedAt: surveyLinks.usedAt, expiresAt: surveyLinks.expiresAt })
          .from(surveyLinks)
          .where(and(eq(surveyLinks.tenantId, tenantId), inArray(surveyLinks.id, linkIds)))
      : [];
    const open = new Set(links.filter((l) => !l.usedAt && (!l.expiresAt || l.expiresAt > now)).map((l) => l.id));
    for (const r of list) if (!r.refId || !open.has(r.refId)) done.add(r.id);
  }
  return done;
}
