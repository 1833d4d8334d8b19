import { and, asc, eq, ilike, like, or, sql } from 'drizzle-orm';
import type { TOrgUnit } from '@huifang/shared';
import type { DbOrTx } from '../../db/client.ts';
import { orgUnits } from '../../db/schema/index.ts';
import { likeEscape } from '../../lib/pagination.ts';
import { type TScope, unitVisible } from '../../lib/scope.ts';

export type TOrgUnitRow = typeof orgUnits.$inferSelect;

const visible = (scope: TScope) => and(eq(orgUnits.tenantId, scope.tenantId), unitVisible(scope, orgUnits.id));

export async function listVisibleUnits(
  db: DbOrTx,
  scope: TScope,
  opts: { includeInactive: boolean; q?: string | undefined },
) {
  return db
    .select()
    .from(orgUnits)
    .where(
      and(
        visible(scope),
        opts.includeInactive ? undefined : eq(orgUnits.isActive, true),
        opts.q ? or(ilike(orgUnits.name, `%${likeEscape(opts.q)}%`), eq(orgUnits.code, opts.q)) : undefined,
      ),
    )
    .orderBy(asc(orgUnits.depth), asc(orgUnits.sortOrder), asc(orgUnits.name));
}

export async function findVisibleUnit(db: DbOrTx, scope: TScope, id: string): Promise<TOrgUnitRow | null> {
  const [row] = await db
    .select()
    .from(orgUnits)
    .where(and(visible(scope), eq(orgUnits.id, id)));
  return row ?? null;
}

/** Lock a unit row for the rest of the transaction (moves and child creation must see a stable path). */
export async function lockUnit(db: DbOrTx, tenantId: string, id: string): Promise<TOrgUnitRow | null> {
  const [row] = await db
    .select()
    .from(orgUnits)
    .where(and(eq(orgUnits.tenantId, tenantId), eq(orgUnits.id, id)))
    .for('update');
  return row ?? null;
}

export async function insertUnit(
  db: DbOrTx,
  v: {
    id: string;
    tenantId: string;
    parentId: string | null;
    type: string;
    name: string;
    code: string | null;
    path: string;
    depth: number;
    sortOrder: number;
    now: Date;
  },
) {
  const [row] = await db
    .insert(orgUnits)
    .values({ ...v, createdAt: v.now, updatedAt: v.now })
    .returning();
  return row!;
}

export async function updateUnit(
  db: DbOrTx,
  tenantId: string,
  id: string,
  patch: Partial<Pick<TOrgUnitRow, 'name' | 'type' | 'code' | 'sortOrder' | 'isActive' | 'updatedAt'>>,
) {
  const [row] = await db
    .update(orgUnits)
    .set(patch)
    .where(and(eq(orgUnits.tenantId, tenantId), eq(orgUnits.id, id)))
    .returning();
  return row!;
}

export async function countActiveChildren(db: DbOrTx, tenantId: string, id: string) {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(orgUnits)
    .where(and(eq(orgUnits.tenantId, tenantId), eq(orgUnits.parentId, id), eq(orgUnits.isActive, true)));
  return row?.n ?? 0;
}

/** Re-root a subtree: rewrite `path` and `depth` of the unit and all its descendants in one statement. */
export async function moveSubtree(db: DbOrTx, tenantId: string, unit: TOrgUnitRow, newParent: TOrgUnitRow, now: Date) {
  const newPath = `${newParent.path}${unit.id}/`;
  const depthDelta = newParent.depth + 1 - unit.depth;
  await db
    .update(orgUnits)
    .set({
      path: sql`${newPath} || substr(${orgUnits.path}, ${unit.path.length + 1})`,
      depth: sql`${orgUnits.depth} + ${depthDelta}`,
      updatedAt: now,
    })
    .where(and(eq(orgUnits.tenantId, tenantId), like(orgUnits.path, `${unit.path}%`)));
  const [row] = await db
    .update(orgUnits)
    .set({ parentId: newParent.id })
    .where(and(eq(orgUnits.tenantId, tenantId), eq(orgUnits.id, unit.id)))
    .returning();
  return row!;
}

export async function countUnitsByType(db: DbOrTx, scope: TScope) {
  return db
    .select({ type: orgUnits.type, count: sql<number>`count(*)::int` })
    .from(orgUnits)
    .where(and(visible(scope), eq(orgUnits.isActive, true)))
    .groupBy(orgUnits.type);
}

export function toOrgUnitDto(r: TOrgUnitRow): TOrgUnit {
  return {
    id: r.id,
    parentId: r.parentId,
    type: r.type as TOrgUnit['type'],
    name: r.name,
    code: r.code,
    isActive: r.isActive,
    sortOrder: r.sortOrder,
    depth: r.depth,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  };
}

/** Ids of a unit and everything below it (for filters the planner handles better as a literal list). */
export async function subtreeUnitIds(db: DbOrTx, tenantId: string, path: string): Promise<string[]> {
  const rows = await db
    .select({ id: orgUnits.id })
    .from(orgUnits)
    .where(and(eq(orgUnits.tenantId, tenantId), like(orgUnits.path, `${path}%`)));
  return rows.map((r) => r.id);
}
