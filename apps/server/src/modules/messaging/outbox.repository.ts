import { and, count, desc, eq, inArray, sql, type SQL } from 'drizzle-orm';
import type { TOutboxListQuery } from '@huifang/shared';
import type { DbOrTx } from '../../db/client.ts';
import { outboxAttachments, outboxMessages } from '../../db/schema/index.ts';
import { pageOffset } from '../../lib/pagination.ts';
import { pgArray, unitVisible, type TScope } from '../../lib/scope.ts';

export type TOutboxRow = typeof outboxMessages.$inferSelect;

export interface TNewMessage {
  tenantId: string;
  unitId?: string | null;
  channel: 'email' | 'sms';
  to: string;
  subject?: string | null;
  body: string;
  /** Not before this time (reminders); default now. */
  sendAfter?: Date;
  refType?: string | null;
  refId?: string | null;
  /** A message to a customer passes the contact policy in the sender (consent, do-not-contact, gap, quiet hours). */
  customerId?: string | null;
  isMarketing?: boolean;
  /** SMS template of the provider and its variables (the body is the rendered text). */
  templateCode?: string | null;
  templateParams?: Record<string, string> | null;
  /**
   * Once-only key of the business fact that causes the message (e.g. `evaluation_unsatisfied:<evaluation>:<user>`):
   * a message whose key is already in the outbox is not queued again (a replayed consumer sends nothing twice).
   */
  dedupeKey?: string | null;
  /** E-mail attachments (e.g. a scheduled report's xlsx), stored in outbox_attachments with the message. */
  attachments?: TOutboxAttachment[];
}

export interface TOutboxAttachment {
  fileName: string;
  contentType: string;
  content: Buffer;
}

/**
 * Queue messages. Call with the transaction of the change that causes them (DESIGN §8): if that change rolls back,
 * no message exists; if it commits, the sender job will find them. Returns the ids in input order — of the messages
 * queued: one whose dedupe key is already in the outbox is skipped (ON CONFLICT DO NOTHING).
 */
export async function enqueueMessages(tx: DbOrTx, now: Date, messages: TNewMessage[]): Promise<string[]> {
  if (messages.length === 0) return [];
  const ids: string[] = [];
  for (let i = 0; i < messages.length; i += 1000) {
    const batch = messages.slice(i, i + 1000).map((m) => ({ m, id: crypto.randomUUID() }));
    const rows = await tx
      .insert(outboxMessages)
      .values(
        batch.map(({ m, id }) => ({
          id,
          tenantId: m.tenantId,
          unitId: m.unitId ?? null,
          channel: m.channel,
          to: m.to,
          subject: m.subject ?? null,
          body: m.body,
          createdAt: now,
          sendAfter: m.sendAfter ?? now,
          refType: m.refType ?? null,
          refId: m.refId ?? null,
          customerId: m.customerId ?? null,
          isMarketing: m.isMarketing ?? false,
          templateCode: m.templateCode ?? null,
          templateParams: m.templateParams ? Object.entries(m.templateParams) : null,
          dedupeKey: m.dedupeKey ?? null,
        })),
      )
      .onConflictDoNothing({
        target: [outboxMessages.tenantId, outboxMessages.dedupeKey],
        where: sql`${outboxMessages.dedupeKey} is not null`,
      })
      .returning({ id: outboxMessages.id });
    ids.push(...rows.map((r) => r.id));
    const queued = new Set(rows.map((r) => r.id));
    const files = batch.flatMap(({ m, id }) =>
      queued.has(id)
        ? (m.attachments ?? []).map((a, position) => ({ tenantId: m.tenantId, messageId: id, position, ...a }))
        : [],
    );
    if (files.length) await tx.insert(outboxAttachments).values(files);
  }
  return ids;
}

/**
 * Claim due queued messages of one channel (every tenant) for this sender: `for update skip locked` lets several
 * workers claim disjoint sets; the claim (status sending, attempts + 1) commits before anything is sent.
 */
export async function lockDueMessages(tx: DbOrTx, channel: string, now: Date, limit: number): Promise<TOutboxRow[]> {
  return tx
    .select()
    .from(outboxMessages)
    .where(
      and(
        eq(outboxMessages.status, 'queued'),
        eq(outboxMessages.channel, channel),
        sql`${outboxMessages.sendAfter} <= ${now}`,
      ),
    )
    .orderBy(outboxMessages.sendAfter)
    .limit(limit)
    .for('update', { skipLocked: true });
}

export async function setStatus(
  db: DbOrTx,
  rows: Pick<TOutboxRow, 'tenantId' | 'id'>[],
  set: Partial<typeof outboxMessages.$inferInsert> & { attempts?: number | SQL },
) {
  if (rows.length === 0) return;
  const byTenant = new Map<string, string[]>();
  for (const r of rows) byTenant.set(r.tenantId, [...(byTenant.get(r.tenantId) ?? []), r.id]);
  for (const [tenantId, ids] of byTenant) {
    await db
      .update(outboxMessages)
      .set(set)
      .where(and(eq(outboxMessages.tenantId, tenantId), inArray(outboxMessages.id, ids)));
  }
}

/**
 * Messages left in `sending` by a process that died between claiming and recording the outcome. We cannot know
 * whether the SMTP server accepted them, so they become `failed` with that explanation — never resent on their own
 * (at most once; an admin may requeue one after checking). Returns how many.
 */
export async function failInterrupted(
  db: DbOrTx,
  now: Date,
  olderThanMs: number,
  channel?: 'email' | 'sms',
): Promise<TOutboxRow[]> {
  const res = await db
    .update(outboxMessages)
    .set({ status: 'failed', lastError: 'interrupted while sending: delivery unknown, not retried automatically' })
    .where(
      and(
        eq(outboxMessages.status, 'sending'),
        channel ? eq(outboxMessages.channel, channel) : undefined,
        sql`${outboxMessages.claimedAt} < ${new Date(now.getTime() - olderThanMs)}`,
      ),
    )
    .returning();
  return res;
}

/** Managers see the messages of units they can see; tenant-wide messages (no unit) only with tenant scope. */
const visible = (scope: TScope) =>
  and(
    eq(outboxMessages.tenantId, scope.tenantId),
    scope.dataScope === 'tenant'
      ? sql`true`
      : and(sql`${outboxMessages.unitId} is not null`, unitVisible(scope, outboxMessages.unitId)),
  );

export async function listOutbox(db: DbOrTx, scope: TScope, q: TOutboxListQuery) {
  const where = and(
    visible(scope),
    q.status ? eq(outboxMessages.status, q.status) : undefined,
    q.channel ? eq(outboxMessages.channel, q.channel) : undefined,
  );
  const [rows, totals, byStatus] = await Promise.all([
    db
      .select()
      .from(outboxMessages)
      .where(where)
      .orderBy(desc(outboxMessages.createdAt), desc(outboxMessages.id))
      .limit(q.pageSize)
      .offset(pageOffset(q)),
    db.select({ n: count() }).from(outboxMessages).where(where),
    db
      .select({ status: outboxMessages.status, n: count() })
      .from(outboxMessages)
      .where(visible(scope))
      .groupBy(outboxMessages.status),
  ]);
  return { rows, total: totals[0]?.n ?? 0, counts: Object.fromEntries(byStatus.map((r) => [r.status, r.n])) };
}

export async function findVisibleMessage(db: DbOrTx, scope: TScope, id: string) {
  const [row] = await db
    .select()
    .from(outboxMessages)
    .where(and(visible(scope), eq(outboxMessages.id, id)));
  return row ?? null;
}

/** The attachments of claimed e-mails, by message id (one query; most messages have none). */
export async function findAttachments(
  db: DbOrTx,
  rows: readonly Pick<TOutboxRow, 'tenantId' | 'id'>[],
): Promise<Map<string, TOutboxAttachment[]>> {
  const out = new Map<string, TOutboxAttachment[]>();
  if (rows.length === 0) return out;
  const found = await db
    .select()
    .from(outboxAttachments)
    .where(
      sql`(${outboxAttachments.tenantId}, ${outboxAttachments.messageId}) in (select * from unnest(${pgArray(
        rows.map((r) => r.tenantId),
        'uuid',
      )}, ${pgArray(
        rows.map((r) => r.id),
        'uuid',
      )}))`,
    )
    .orderBy(outboxAttachments.messageId, outboxAttachments.position);
  for (const a of found) {
    const list = out.get(a.messageId) ?? [];
    list.push({ fileName: a.fileName, contentType: a.contentType, content: a.content });
    out.set(a.messageId, list);
  }
  return out;
}
