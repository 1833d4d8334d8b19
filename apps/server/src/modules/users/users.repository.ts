import { and, eq, ilike, inArray, or, sql, type SQL } from 'drizzle-orm';
import type { TUser, TUserListQuery } from '@huifang/shared';
import type { DbOrTx } from '../../db/client.ts';
import { orgUnits, roles, userRoles, users } from '../../db/schema/index.ts';
import { likeEscape, orderBy, pageOffset, toPage } from '../../lib/pagination.ts';
import { ownedVisible, type TScope } from '../../lib/scope.ts';

export type TUserRow = typeof users.$inferSelect;

/** `own` scope sees only itself; wider scopes see users of visible units. */
const visible = (scope: TScope) => and(eq(users.tenantId, scope.tenantId), ownedVisible(scope, users.id, users.unitId));

const SORTS = {
  username: users.username,
  displayName: users.displayName,
  staffNo: users.staffNo,
  createdAt: users.createdAt,
  lastLoginAt: users.lastLoginAt,
};

export async function listUsers(db: DbOrTx, scope: TScope, q: TUserListQuery, unitPath: string | null) {
  const conds: (SQL | undefined)[] = [visible(scope)];
  if (q.unitId) {
    conds.push(
      q.subtree === 'false' || !unitPath
        ? eq(users.unitId, q.unitId)
        : sql`${users.unitId} in (select id from org_units where tenant_id = ${scope.tenantId} and path like ${unitPath + '%'})`,
    );
  }
  if (q.roleId)
    conds.push(sql`exists (select 1 from user_roles ur where ur.user_id = ${users.id} and ur.role_id = ${q.roleId})`);
  if (q.isActive) conds.push(eq(users.isActive, q.isActive === 'true'));
  if (q.q) {
    const pat = `%${likeEscape(q.q)}%`;
    conds.push(or(ilike(users.username, pat), ilike(users.displayName, pat), ilike(users.staffNo, pat)));
  }
  const where = and(...conds);
  const [rows, [count]] = await Promise.all([
    db
      .select({ user: users, unitName: orgUnits.name })
      .from(users)
      .innerJoin(orgUnits, eq(orgUnits.id, users.unitId))
      .where(where)
      .orderBy(orderBy(q.sort, SORTS, sql`${users.createdAt} desc, ${users.id} desc`))
      .limit(q.pageSize)
      .offset(pageOffset(q)),
    db
      .select({ n: sql<number>`count(*)::int` })
      .from(users)
      .where(where),
  ]);
  const roleMap = await rolesOfUsers(
    db,
    scope.tenantId,
    rows.map((r) => r.user.id),
  );
  return toPage(
    rows.map((r) => toUserDto(r.user, r.unitName, roleMap.get(r.user.id) ?? [])),
    count?.n ?? 0,
    q,
  );
}

export async function findVisibleUser(db: DbOrTx, scope: TScope, id: string) {
  const [row] = await db
    .select({ user: users, unitName: orgUnits.name })
    .from(users)
    .innerJoin(orgUnits, eq(orgUnits.id, users.unitId))
    .where(and(visible(scope), eq(users.id, id)));
  return row ?? null;
}

export async function rolesOfUsers(db: DbOrTx, tenantId: string, userIds: string[]) {
  const map = new Map<
    string,
    { id: string; name: string; key: string | null; permissions: string[]; dataScope: string }[]
  >();
  if (userIds.length === 0) return map;
  const rows = await db
    .select({
      userId: userRoles.userId,
      id: roles.id,
      name: roles.name,
      key: roles.key,
      permissions: roles.permissions,
      dataScope: roles.dataScope,
    })
    .from(userRoles)
    .innerJoin(roles, eq(roles.id, userRoles.roleId))
    .where(and(eq(userRoles.tenantId, tenantId), inArray(userRoles.userId, userIds)));
  for (const { userId, ...role } of rows) map.set(userId, [...(map.get(userId) ?? []), role]);
  return map;
}

export async function findRolesByIds(db: DbOrTx, tenantId: string, ids: string[]) {
  if (ids.length === 0) return [];
  return db
    .select()
    .from(roles)
    .where(and(eq(roles.tenantId, tenantId), inArray(roles.id, ids)));
}

export async function setUserRoles(db: DbOrTx, tenantId: string, userId: string, roleIds: string[]) {
  await db.delete(userRoles).where(and(eq(userRoles.tenantId, tenantId), eq(userRoles.userId, userId)));
  if (roleIds.length) await db.insert(userRoles).values(roleIds.map((roleId) => ({ tenantId, userId, roleId })));
}

export async function countActiveUsers(db: DbOrTx, scope: TScope) {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(users)
    .where(and(visible(scope), eq(users.isActive, true)));
  return row?.n ?? 0;
}

export async function unitPathOf(db: DbOrTx, tenantId: string, unitId: string) {
  const [row] = await db
    .select({ path: orgUnits.path })
    .from(orgUnits)
    .where(and(eq(orgUnits.tenantId, tenantId), eq(orgUnits.id, unitId)));
  return row?.path ?? null;
}

export const usernameTaken = async (db: DbOrTx, tenantId: string, username: string) =>
  (
    await db
      .select({ id: users.id })
      .from(users)
      .where(and(eq(users.tenantId, tenantId), eq(users.username, username)))
  ).length > 0;

export function toUserDto(
  u: TUserRow,
  unitName: string,
  rs: { id: string; name: string; key: string | null }[],
): TUser {
  return {
    id: u.id,
    username: u.username,
    displayName: u.displayName,
    unitId: u.unitId,
    unitName,
    staffNo: u.staffNo,
    title: u.title,
    businessHandled: u.businessHandled,
    phone: u.phone,
    email: u.email,
    hasPhoto: u.photo !== null,
    isActive: u.isActive,
    mustChangePassword: u.mustChangePassword,
    roles: rs.map(({ id, name, key }) => ({ id, name, key })),
    lastLoginAt: u.lastLoginAt?.toISOString() ?? null,
    createdAt: u.createdAt.toISOString(),
  };
}
