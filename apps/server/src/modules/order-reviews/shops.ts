import { sql } from 'drizzle-orm';
import { DEFAULT_REVIEW_DIMENSIONS, type TShop, type TShopDimension } from '@huifang/shared';
import type { Db, DbOrTx } from '../../db/client.ts';
import { shops } from '../../db/schema/index.ts';
import { AppError, invalidField, notFound, unknownRef } from '../../lib/app-error.ts';
import type { TClock } from '../../lib/clock.ts';
import { unitVisible, type TAuditCtx, type TScope } from '../../lib/scope.ts';
import { insertAuditEvent } from '../audit/audit.repository.ts';

/**
 * Shops 店铺 (DESIGN §4.3): only a unit marked as a shop has reviewable orders. Its rating dimensions (default
 * 描述相符 / 服务态度 / 物流服务) are set here and used by the buyer page, the rating check and the shop score.
 */
type TDeps = { db: Db; clock: TClock };
type TShopRow = { unit_id: string; unit_name: string; review_dimensions: TShopDimension[]; updated_at: Date | string };
const toShop = (r: TShopRow): TShop => ({
  unitId: r.unit_id,
  unitName: r.unit_name,
  reviewDimensions: r.review_dimensions,
  updatedAt: new Date(r.updated_at).toISOString(),
});
const SHOP_SELECT = sql`select s.unit_id, ou.name as unit_name, s.review_dimensions, s.updated_at from shops s join org_units ou on ou.id = s.unit_id`;

/** The shop of a unit (no scope: callers have resolved the unit already), or null when the unit is not a shop. */
export async function findShopDimensions(
  db: DbOrTx,
  tenantId: string,
  unitId: string,
): Promise<TShopDimension[] | null> {
  const res = await db.execute<{ review_dimensions: TShopDimension[] }>(
    sql`select review_dimensions from shops where tenant_id = ${tenantId} and unit_id = ${unitId}`,
  );
  return res.rows[0]?.review_dimensions ?? null;
}

export async function listShops(deps: TDeps, scope: TScope): Promise<{ items: TShop[] }> {
  const res = await deps.db.execute<TShopRow>(
    sql`${SHOP_SELECT} where s.tenant_id = ${scope.tenantId} and ${unitVisible(scope, sql`s.unit_id`)} order by ou.path`,
  );
  return { items: res.rows.map(toShop) };
}

async function shopInScope(db: DbOrTx, scope: TScope, unitId: string): Promise<TShop | null> {
  const res = await db.execute<TShopRow>(
    sql`${SHOP_SELECT} where s.tenant_id = ${scope.tenantId} and s.unit_id = ${unitId} and ${unitVisible(scope, sql`s.unit_id`)}`,
  );
  return res.rows[0] ? toShop(res.rows[0]) : null;
}

/** Mark a unit of the caller's scope as a shop (its transactions become reviewable orders). */
export async function createShop(
  deps: TDeps,
  scope: TScope,
  ctx: TAuditCtx,
  input: { unitId: string; reviewDimensions?: TShopDimension[] | undefined },
): Promise<TShop> {
  const unit = await deps.db.execute<{ name: string }>(
    sql`select ou.name from org_units ou where ou.tenant_id = ${scope.tenantId} and ou.id = ${input.unitId} and ${unitVisible(scope, sql`ou.id`)}`,
  );
  if (!unit.rows[0]) throw unknownRef('body.unitId', 'unit');
  const dims = input.reviewDimensions ?? DEFAULT_REVIEW_DIMENSIONS;
  const now = deps.clock.now();
  await deps.db.transaction(async (tx) => {
    const inserted = await tx
      .insert(shops)
      .values({
        tenantId: scope.tenantId,
        unitId: input.unitId,
        reviewDimensions: dims,
        createdAt: now,
        updatedAt: now,
        updatedBy: scope.userId,
      })
      .onConflictDoNothing()
      .returning({ unitId: shops.unitId });
    if (!inserted[0]) throw invalidField('body.unitId', '该单位已是店铺');
    await insertAuditEvent(
      tx,
      ctx,
      {
        action: 'shop.created',
        entityType: 'org_unit',
        entityId: input.unitId,
        unitId: input.unitId,
        summary: `设为店铺：${unit.rows[0]!.name}`,
        after: { reviewDimensions: dims },
      },
      now,
    );
  });
  return (await shopInScope(deps.db, scope, input.unitId))!;
}

/**
 * Edit a shop's dimensions. Keys are what stored ratings hold: a kept key keeps its history in the score, a new key
 * starts empty, a removed key is no longer asked or shown (its past values stay in the ratings, which never change).
 */
export async function updateShopDimensions(
  deps: TDeps,
  scope: TScope,
  ctx: TAuditCtx,
  unitId: string,
  reviewDimensions: TShopDimension[],
): Promise<TShop> {
  const now = deps.clock.now();
  await deps.db.transaction(async (tx) => {
    const before = await shopInScope(tx, scope, unitId);
    if (!before) throw notFound('shop');
    await tx.execute(
      sql`update shops set review_dimensions = ${JSON.stringify(reviewDimensions)}::jsonb, updated_at = ${now}, updated_by = ${scope.userId} where tenant_id = ${scope.tenantId} and unit_id = ${unitId}`,
    );
    await insertAuditEvent(
      tx,
      ctx,
      {
        action: 'shop.dimensions_updated',
        entityType: 'org_unit',
        entityId: unitId,
        unitId,
        summary: `修改店铺评价维度：${reviewDimensions.map((d) => d.name).join(' / ')}`,
        before: { reviewDimensions: before.reviewDimensions },
        after: { reviewDimensions },
      },
      now,
    );
  });
  return (await shopInScope(deps.db, scope, unitId))!;
}

/**
 * A rating must give exactly the shop's dimensions: each missing or unknown key is a 400 on its own path
 * (`body.dimensions.<key>`), before anything is written.
 */
export function checkRatingDimensions(shopDims: TShopDimension[], given: Record<string, number>): void {
  const keys = new Set(shopDims.map((d) => d.key));
  const details = [
    ...shopDims
      .filter((d) => given[d.key] === undefined)
      .map((d) => ({ path: `body.dimensions.${d.key}`, message: `请为「${d.name}」评分` })),
    ...Object.keys(given)
      .filter((k) => !keys.has(k))
      .map((k) => ({ path: `body.dimensions.${k}`, message: '该店铺没有此评价维度' })),
  ];
  if (details.length) throw new AppError('VALIDATION_FAILED', details[0]!.message, { details });
}
