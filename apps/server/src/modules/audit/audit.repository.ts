import { and, eq, gte, ilike, lte, or, sql, type SQL } from 'drizzle-orm';
import type { TAuditEvent, TAuditListQuery } from '@huifang/shared';
import type { DbOrTx } from '../../db/client.ts';
import { auditEvents } from '../../db/schema/index.ts';
import { likeEscape, orderBy, pageOffset, toPage } from '../../lib/pagination.ts';
import { redactPii, redactPiiText } from '../../lib/redact.ts';
import { ownedVisible, type TAuditCtx, type TScope } from '../../lib/scope.ts';

export interface TAuditInput {
  action: string;
  entityType: string;
  entityId?: string | null;
  unitId?: string | null;
  summary?: string | null;
  before?: unknown;
  after?: unknown;
}

/**
 * Append one audit row. Call it with the transaction of the change it records. Phone numbers, ID numbers and e-mail
 * addresses in the summary and the before/after JSON are masked here, whatever the caller put there (a search text
 * in an export's filters, a value typed into a form): the auditor reads these rows without pii:reveal.
 */
export async function insertAuditEvent(db: DbOrTx, ctx: TAuditCtx, e: TAuditInput, at: Date): Promise<void> {
  await db.insert(auditEvents).values({
    tenantId: ctx.tenantId,
    at,
    actorId: ctx.actorId,
    actorName: ctx.actorName,
    action: e.action,
    entityType: e.entityType,
    entityId: e.entityId ?? null,
    unitId: e.unitId ?? null,
    summary: e.summary == null ? null : redactPiiText(e.summary),
    before: e.before == null ? null : redactPii(e.before),
    after: e.after == null ? null : redactPii(e.after),
    ip: ctx.ip,
    requestId: ctx.requestId,
  });
}

/** `own` scope sees the events it caused; wider scopes see events of units they can see. */
const visible = (scope: TScope) =>
  and(eq(auditEvents.tenantId, scope.tenantId), ownedVisible(scope, auditEvents.actorId, auditEvents.unitId));

const SORTS = { at: auditEvents.at, action: auditEvents.action, id: auditEvents.id };

export async function listAuditEvents(db: DbOrTx, scope: TScope, q: TAuditListQuery) {
  const conds: (SQL | undefined)[] = [visible(scope)];
  if (q.actorId) conds.push(eq(auditEvents.actorId, q.actorId));
  if (q.action) conds.push(eq(auditEvents.action, q.action));
  if (q.entityType) conds.push(eq(auditEvents.entityType, q.entityType));
  if (q.entityId) conds.push(eq(auditEvents.entityId, q.entityId));
  if (q.from) conds.push(gte(auditEvents.at, new Date(q.from)));
  if (q.to) conds.push(lte(auditEvents.at, new Date(q.to)));
  if (q.q) {
    const pat = `%${likeEscape(q.q)}%`;
    conds.push(or(ilike(auditEvents.summary, pat), ilike(auditEvents.actorName, pat), eq(auditEvents.entityId, q.q)));
  }
  const where = and(...conds);
  const [rows, [count]] = await Promise.all([
    db
      .select()
      .from(auditEvents)
      .where(where)
      .orderBy(orderBy(q.sort, SORTS, sql`${auditEvents.at} desc, ${auditEvents.id} desc`))
      .limit(q.pageSize)
      .offset(pageOffset(q)),
    db
      .select({ n: sql<number>`count(*)::int` })
      .from(auditEvents)
      .where(where),
  ]);
  return toPage(rows.map(toDto), count?.n ?? 0, q);
}

export async function findAuditEvent(db: DbOrTx, scope: TScope, id: number): Promise<TAuditEvent | null> {
  const [row] = await db
    .select()
    .from(auditEvents)
    .where(and(visible(scope), eq(auditEvents.id, id)));
  return row ? toDto(row) : null;
}

export async function countAuditEventsSince(db: DbOrTx, scope: TScope, since: Date, action?: string) {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(auditEvents)
    .where(and(visible(scope), gte(auditEvents.at, since), action ? eq(auditEvents.action, action) : undefined));
  return row?.n ?? 0;
}

export async function recentAuditEvents(db: DbOrTx, scope: TScope, limit: number) {
  const rows = await db
    .select()
    .from(auditEvents)
    .where(visible(scope))
    .orderBy(sql`${auditEvents.at} desc, ${auditEvents.id} desc`)
    .limit(limit);
  return rows.map(toDto);
}

function toDto(r: typeof auditEvents.$inferSelect): TAuditEvent {
  return {
    id: String(r.id),
    at: r.at.toISOString(),
    actorId: r.actorId,
    actorName: r.actorName,
    action: r.action,
    entityType: r.entityType,
    entityId: r.entityId,
    unitId: r.unitId,
    summary: r.summary,
    before: r.before ?? null,
    after: r.after ?? null,
    ip: r.ip,
    requestId: r.requestId,
  };
}
