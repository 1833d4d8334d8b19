import { and, desc, eq, or } from 'drizzle-orm';
import { validationDetail, ZCustomerListQuery, type TSavedFilter } from '@huifang/shared';
import type { Db } from '../../db/client.ts';
import { savedFilters } from '../../db/schema/index.ts';
import { AppError, notFound } from '../../lib/app-error.ts';
import type { TClock } from '../../lib/clock.ts';
import type { TScope } from '../../lib/scope.ts';

const toDto = (r: typeof savedFilters.$inferSelect, userId: string): TSavedFilter => ({
  id: r.id,
  entity: r.entity,
  name: r.name,
  filter: r.filter as Record<string, string>,
  isShared: r.isShared,
  isMine: r.ownerId === userId,
  createdAt: r.createdAt.toISOString(),
});

/** Saved filters 保存的筛选: own ones plus those shared in the tenant. A shared filter still runs in each viewer's scope. */
export async function listSavedFilters(db: Db, s: TScope) {
  const rows = await db
    .select()
    .from(savedFilters)
    .where(
      and(
        eq(savedFilters.tenantId, s.tenantId),
        or(eq(savedFilters.ownerId, s.userId), eq(savedFilters.isShared, true)),
      ),
    )
    .orderBy(desc(savedFilters.createdAt));
  return rows.map((r) => toDto(r, s.userId));
}

export async function createSavedFilter(
  deps: { db: Db; clock: TClock },
  s: TScope,
  input: { entity: string; name: string; filter: Record<string, string>; isShared: boolean },
) {
  // Only real list filters may be saved (the same schema the list endpoint checks).
  const { page: _p, pageSize: _ps, ...rest } = input.filter;
  const parsed = ZCustomerListQuery.safeParse(rest);
  if (!parsed.success)
    throw new AppError('VALIDATION_FAILED', 'not a valid customer filter', {
      details: parsed.error.issues.map((i) => ({
        path: `body.filter.${i.path.join('.')}`,
        message: i.message,
        ...validationDetail(i),
      })),
    });
  const [row] = await deps.db
    .insert(savedFilters)
    .values({
      tenantId: s.tenantId,
      ownerId: s.userId,
      entity: input.entity,
      name: input.name,
      filter: rest,
      isShared: input.isShared,
      createdAt: deps.clock.now(),
    })
    .returning();
  return toDto(row!, s.userId);
}

export async function deleteSavedFilter(db: Db, s: TScope, id: string) {
  const res = await db
    .delete(savedFilters)
    .where(and(eq(savedFilters.tenantId, s.tenantId), eq(savedFilters.ownerId, s.userId), eq(savedFilters.id, id)))
    .returning({ id: savedFilters.id });
  if (!res.length) throw notFound('saved filter');
}
