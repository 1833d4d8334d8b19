import { and, desc, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { TNotification, TNotificationList } from '@huifang/shared';
import type { DbOrTx } from '../../db/client.ts';
import { notifications } from '../../db/schema/index.ts';
import { notFound } from '../../lib/app-error.ts';

export interface TNotifyInput {
  tenantId: string;
  userIds: readonly string[];
  kind: string;
  title: string;
  body?: string | null;
  link?: string | null;
  at: Date;
}

/**
 * Write in-app notifications in the caller's transaction, so a notification exists exactly when its cause does.
 * Later issues (reminders, SLA) reuse it; outbound channels (SMS, e-mail) go through the outbox instead.
 */
export async function notify(tx: DbOrTx, n: TNotifyInput): Promise<number> {
  const ids = [...new Set(n.userIds)];
  if (ids.length === 0) return 0;
  await tx.insert(notifications).values(
    ids.map((userId) => ({
      tenantId: n.tenantId,
      userId,
      kind: n.kind,
      title: n.title,
      body: n.body ?? null,
      link: n.link ?? null,
      createdAt: n.at,
    })),
  );
  return ids.length;
}

/**
 * The managers of a unit: active users holding `permission` through a role whose own unit is the unit or one of its
 * ancestors — the nearest level that has any (an outlet's own manager before the branch's, the branch's before HQ).
 */
export async function findUnitManagers(
  db: DbOrTx,
  tenantId: string,
  unitId: string,
  permission = 'evaluation:manage',
): Promise<string[]> {
  const res = await db.execute<{ id: string }>(sql`
    with target as (select path from org_units where tenant_id = ${tenantId} and id = ${unitId}),
    cand as (
      select distinct u.id, ou.depth
      from users u
      join org_units ou on ou.id = u.unit_id
      join user_roles ur on ur.user_id = u.id
      join roles r on r.id = ur.role_id
      where u.tenant_id = ${tenantId} and u.is_active and ${permission} = any(r.permissions)
        and (select path from target) like ou.path || '%'
    )
    select id from cand where depth = (select max(depth) from cand) order by id`);
  return res.rows.map((r) => r.id);
}

const toDto = (r: typeof notifications.$inferSelect): TNotification => ({
  id: r.id,
  kind: r.kind,
  title: r.title,
  body: r.body,
  link: r.link,
  readAt: r.readAt?.toISOString() ?? null,
  createdAt: r.createdAt.toISOString(),
});

/**
 * Kinds that stay at the top of the bell until read: a 不满意 must reach its manager at once (DESIGN §3), and the bell
 * shows only the latest few — a quarter-hourly burst of follow-up reminders would otherwise push it out of sight.
 */
const PINNED_UNREAD_KINDS = ['evaluation.unsatisfied'];

/**
 * My notifications (optionally of one kind), unread pinned kinds first, then newest first; how many are unread; and
 * the unread ones grouped by kind with the newest of each (pinned kinds first) — so that 21 escalations are one row in
 * the bell, not 21.
 */
export async function listMyNotifications(
  db: DbOrTx,
  tenantId: string,
  userId: string,
  opts: { unreadOnly: boolean; limit: number; kind?: string },
): Promise<TNotificationList> {
  const mine = and(eq(notifications.tenantId, tenantId), eq(notifications.userId, userId));
  const listed = and(
    mine,
    opts.kind ? eq(notifications.kind, opts.kind) : undefined,
    opts.unreadOnly ? isNull(notifications.readAt) : undefined,
  );
  const [rows, groups] = await Promise.all([
    db
      .select()
      .from(notifications)
      .where(listed)
      .orderBy(
        sql`(${notifications.readAt} is null and ${inArray(notifications.kind, PINNED_UNREAD_KINDS)}) desc`,
        desc(notifications.createdAt),
        desc(notifications.id),
      )
      .limit(opts.limit),
    // One pass over my unread rows (the partial unread index): per kind the count and the newest row.
    db.execute<{ kind: string; unread: number; latest_id: string }>(sql`
      select kind, count(*)::int as unread, (array_agg(id order by created_at desc, id desc))[1] as latest_id
      from notifications where tenant_id = ${tenantId} and user_id = ${userId} and read_at is null
      group by kind order by bool_or(${inArray(notifications.kind, PINNED_UNREAD_KINDS)}) desc, max(created_at) desc`),
  ]);
  const latestIds = groups.rows.map((g) => g.latest_id);
  const latest = latestIds.length
    ? await db
        .select()
        .from(notifications)
        .where(and(mine, inArray(notifications.id, latestIds)))
    : [];
  const byId = new Map(latest.map((r) => [r.id, toDto(r)]));
  return {
    items: rows.map(toDto),
    unreadCount: groups.rows.reduce((n, g) => n + g.unread, 0),
    groups: groups.rows.flatMap((g) => {
      const l = byId.get(g.latest_id);
      return l ? [{ kind: g.kind, unread: g.unread, latest: l }] : [];
    }),
  };
}

/** Mark one of mine read (someone else's is not found). */
export async function markRead(db: DbOrTx, tenantId: string, userId: string, id: string, at: Date): Promise<void> {
  const res = await db
    .update(notifications)
    .set({ readAt: sql`coalesce(${notifications.readAt}, ${at})` })
    .where(and(eq(notifications.tenantId, tenantId), eq(notifications.userId, userId), eq(notifications.id, id)))
    .returning({ id: notifications.id });
  if (!res[0]) throw notFound('notification');
}

/** Mark all mine read, or all mine of one kind (a group in the bell). */
export async function markAllRead(
  db: DbOrTx,
  tenantId: string,
  userId: string,
  at: Date,
  kind?: string,
): Promise<number> {
  const res = await db
    .update(notifications)
    .set({ readAt: at })
    .where(
      and(
        eq(notifications.tenantId, tenantId),
        eq(notifications.userId, userId),
        isNull(notifications.readAt),
        kind ? eq(notifications.kind, kind) : undefined,
      ),
    )
    .returning({ id: notifications.id });
  return res.length;
}
