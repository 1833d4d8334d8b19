import { and, eq, gt, lt, ne, or, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.ts';
import { orgUnits, roles, sessions, tenants, userRoles, users } from '../../db/schema/index.ts';

export interface TSessionRow {
  tokenHash: string;
  csrfToken: string;
  lastSeenAt: Date;
  expiresAt: Date;
  tenantId: string;
  tenantName: string;
  tenantSlug: string;
  timeZone: string;
  userId: string;
  username: string;
  displayName: string;
  isActive: boolean;
  mustChangePassword: boolean;
  unitId: string;
  unitName: string;
  unitPath: string;
}

/**
 * Every authenticated request resolves its session with these two reads: named prepared statements (one per database
 * handle), so Postgres plans the four-table join once per connection instead of on every request (planning was most
 * of its cost at the queue's peak, bench/queue-peak.ts).
 */
const prepared = new WeakMap<object, ReturnType<typeof prepare>>();
function prepare(db: DbOrTx) {
  return {
    session: db
      .select({
        tokenHash: sessions.tokenHash,
        csrfToken: sessions.csrfToken,
        lastSeenAt: sessions.lastSeenAt,
        expiresAt: sessions.expiresAt,
        tenantId: sessions.tenantId,
        tenantName: tenants.name,
        tenantSlug: tenants.slug,
        timeZone: tenants.timeZone,
        userId: users.id,
        username: users.username,
        displayName: users.displayName,
        isActive: users.isActive,
        mustChangePassword: users.mustChangePassword,
        unitId: users.unitId,
        unitName: orgUnits.name,
        unitPath: orgUnits.path,
      })
      .from(sessions)
      .innerJoin(users, and(eq(users.id, sessions.userId), eq(users.tenantId, sessions.tenantId)))
      .innerJoin(tenants, eq(tenants.id, sessions.tenantId))
      .innerJoin(orgUnits, eq(orgUnits.id, users.unitId))
      .where(eq(sessions.tokenHash, sql.placeholder('tokenHash')))
      .limit(1)
      .prepare('auth_find_session'),
    roles: db
      .select({
        id: roles.id,
        key: roles.key,
        name: roles.name,
        permissions: roles.permissions,
        dataScope: roles.dataScope,
      })
      .from(userRoles)
      .innerJoin(roles, eq(roles.id, userRoles.roleId))
      .where(and(eq(userRoles.tenantId, sql.placeholder('tenantId')), eq(userRoles.userId, sql.placeholder('userId'))))
      .prepare('auth_find_user_roles'),
  };
}
const preparedFor = (db: DbOrTx) => {
  let p = prepared.get(db);
  if (!p) prepared.set(db, (p = prepare(db)));
  return p;
};

export async function findSession(db: DbOrTx, tokenHash: string): Promise<TSessionRow | null> {
  const rows = await preparedFor(db).session.execute({ tokenHash });
  return rows[0] ?? null;
}

export async function findUserRoles(db: DbOrTx, tenantId: string, userId: string) {
  return preparedFor(db).roles.execute({ tenantId, userId });
}

export async function insertSession(
  db: DbOrTx,
  row: {
    tokenHash: string;
    tenantId: string;
    userId: string;
    csrfToken: string;
    ip: string | null;
    userAgent: string | null;
    now: Date;
    expiresAt: Date;
  },
) {
  await db.insert(sessions).values({
    tokenHash: row.tokenHash,
    tenantId: row.tenantId,
    userId: row.userId,
    csrfToken: row.csrfToken,
    ip: row.ip,
    userAgent: row.userAgent,
    createdAt: row.now,
    lastSeenAt: row.now,
    expiresAt: row.expiresAt,
  });
}

export async function touchSession(db: DbOrTx, tokenHash: string, now: Date) {
  await db.update(sessions).set({ lastSeenAt: now }).where(eq(sessions.tokenHash, tokenHash));
}

export async function deleteSession(db: DbOrTx, tokenHash: string) {
  await db.delete(sessions).where(eq(sessions.tokenHash, tokenHash));
}

/** Revoke every session of a user, optionally keeping one (the caller's own, just re-issued). */
export async function deleteUserSessions(db: DbOrTx, tenantId: string, userId: string, keepTokenHash?: string) {
  await db
    .delete(sessions)
    .where(
      and(
        eq(sessions.tenantId, tenantId),
        eq(sessions.userId, userId),
        keepTokenHash ? ne(sessions.tokenHash, keepTokenHash) : sql`true`,
      ),
    );
}

/** Housekeeping job: drop sessions past their absolute expiry or idle for longer than the idle timeout. */
export async function purgeExpiredSessions(db: DbOrTx, now: Date, idleMinutes: number): Promise<number> {
  const idleBefore = new Date(now.getTime() - idleMinutes * 60_000);
  const res = await db
    .delete(sessions)
    .where(or(lt(sessions.expiresAt, now), lt(sessions.lastSeenAt, idleBefore)))
    .returning({ h: sessions.tokenHash });
  return res.length;
}

export async function countActiveSessions(db: DbOrTx, tenantId: string, now: Date) {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(sessions)
    .where(and(eq(sessions.tenantId, tenantId), gt(sessions.expiresAt, now)));
  return row?.n ?? 0;
}
