import { and, eq, sql } from 'drizzle-orm';
import type { TRole } from '@huifang/shared';
import type { DbOrTx } from '../../db/client.ts';
import { roles, userRoles } from '../../db/schema/index.ts';
import { orderBy, pageOffset, toPage } from '../../lib/pagination.ts';
import type { TPageQuery } from '@huifang/shared';

export type TRoleRow = typeof roles.$inferSelect;

const userCount = sql<number>`(select count(*)::int from ${userRoles} ur where ur.role_id = ${roles.id})`;
const SORTS = { name: roles.name, createdAt: roles.createdAt };

/** Roles are tenant-wide: every user with role:read sees all roles of their tenant. */
export async function listRoles(db: DbOrTx, tenantId: string, q: TPageQuery) {
  const where = and(
    eq(roles.tenantId, tenantId),
    q.q ? sql`${roles.name} ilike ${'%' + q.q.replace(/[\\%_]/g, '\\$&') + '%'}` : undefined,
  );
  const [rows, [count]] = await Promise.all([
    db
      .select({ role: roles, userCount })
      .from(roles)
      .where(where)
      .orderBy(orderBy(q.sort, SORTS, sql`${roles.isBuiltin} desc, ${roles.createdAt} asc, ${roles.name} asc`))
      .limit(q.pageSize)
      .offset(pageOffset(q)),
    db
      .select({ n: sql<number>`count(*)::int` })
      .from(roles)
      .where(where),
  ]);
  return toPage(
    rows.map((r) => toRoleDto(r.role, r.userCount)),
    count?.n ?? 0,
    q,
  );
}

export async function findRole(db: DbOrTx, tenantId: string, id: string) {
  const [row] = await db
    .select({ role: roles, userCount })
    .from(roles)
    .where(and(eq(roles.tenantId, tenantId), eq(roles.id, id)));
  return row ? toRoleDto(row.role, row.userCount) : null;
}

export function toRoleDto(r: TRoleRow, count: number): TRole {
  return {
    id: r.id,
    key: r.key,
    name: r.name,
    description: r.description,
    permissions: r.permissions as TRole['permissions'],
    dataScope: r.dataScope as TRole['dataScope'],
    isBuiltin: r.isBuiltin,
    userCount: count,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  };
}
