import crypto from 'node:crypto';
import type { TCreateOrgUnitInput, TOrgUnit, TUpdateOrgUnitInput } from '@huifang/shared';
import type { Db, DbOrTx } from '../../db/client.ts';
import { AppError, invalidField, notFound, unknownRef } from '../../lib/app-error.ts';
import type { TClock } from '../../lib/clock.ts';
import type { TAuditCtx, TScope } from '../../lib/scope.ts';
import { insertAuditEvent } from '../audit/audit.repository.ts';
import {
  countActiveChildren,
  findVisibleUnit,
  insertUnit,
  lockUnit,
  moveSubtree,
  toOrgUnitDto,
  updateUnit,
} from './org-units.repository.ts';

type TDeps = { db: Db; clock: TClock };

async function uniqueCodeGuard<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if ((e as { cause?: { code?: string } }).cause?.code === '23505' || (e as { code?: string }).code === '23505') {
      throw new AppError('CONFLICT', 'unit code already in use', {
        details: [{ path: 'body.code', message: '编码已被使用' }],
      });
    }
    throw e;
  }
}

export async function getUnit(deps: TDeps, scope: TScope, id: string): Promise<TOrgUnit> {
  const unit = await findVisibleUnit(deps.db, scope, id);
  if (!unit) throw notFound('org unit');
  return toOrgUnitDto(unit);
}

/** Create a unit below a parent the caller can see (an invisible parent is a 404, as if it did not exist). */
export async function createUnit(
  deps: TDeps,
  scope: TScope,
  ctx: TAuditCtx,
  input: TCreateOrgUnitInput,
): Promise<TOrgUnit> {
  if (!(await findVisibleUnit(deps.db, scope, input.parentId))) throw unknownRef('body.parentId', 'parent unit');
  const now = deps.clock.now();
  return uniqueCodeGuard(() =>
    deps.db.transaction(async (tx) => {
      const parent = await lockUnit(tx, scope.tenantId, input.parentId);
      if (!parent) throw unknownRef('body.parentId', 'parent unit');
      if (!parent.isActive) throw invalidField('body.parentId', 'parent unit is disabled');
      const id = crypto.randomUUID();
      const row = await insertUnit(tx, {
        id,
        tenantId: scope.tenantId,
        parentId: parent.id,
        type: input.type,
        name: input.name,
        code: input.code || null,
        path: `${parent.path}${id}/`,
        depth: parent.depth + 1,
        sortOrder: input.sortOrder ?? 0,
        now,
      });
      const dto = toOrgUnitDto(row);
      await insertAuditEvent(
        tx,
        ctx,
        {
          action: 'org_unit.created',
          entityType: 'org_unit',
          entityId: id,
          unitId: id,
          summary: `新建单位 ${row.name}`,
          after: dto,
        },
        now,
      );
      return dto;
    }),
  );
}

/** Rename, retype, re-code, reorder, disable or enable. Disabling a unit with active children is refused. */
export async function changeUnit(
  deps: TDeps,
  scope: TScope,
  ctx: TAuditCtx,
  id: string,
  input: TUpdateOrgUnitInput,
): Promise<TOrgUnit> {
  if (!(await findVisibleUnit(deps.db, scope, id))) throw notFound('org unit');
  const now = deps.clock.now();
  return uniqueCodeGuard(() =>
    deps.db.transaction(async (tx) => {
      const before = await lockUnit(tx, scope.tenantId, id);
      if (!before) throw notFound('org unit');
      if (input.isActive === false && before.isActive) {
        if (before.parentId === null) throw new AppError('CONFLICT', 'the root unit cannot be disabled');
        if ((await countActiveChildren(tx, scope.tenantId, id)) > 0) {
          throw new AppError('UNIT_HAS_CHILDREN', 'disable the units below it first');
        }
      }
      if (input.isActive === true && before.parentId) await assertActiveParent(tx, scope.tenantId, before.parentId);
      const patch = { ...input, code: input.code === '' ? null : input.code, updatedAt: now };
      const row = await updateUnit(tx, scope.tenantId, id, patch);
      const dto = toOrgUnitDto(row);
      await insertAuditEvent(
        tx,
        ctx,
        {
          action: 'org_unit.updated',
          entityType: 'org_unit',
          entityId: id,
          unitId: id,
          summary: `修改单位 ${row.name}`,
          before: toOrgUnitDto(before),
          after: dto,
        },
        now,
      );
      return dto;
    }),
  );
}

async function assertActiveParent(tx: DbOrTx, tenantId: string, parentId: string) {
  const parent = await lockUnit(tx, tenantId, parentId);
  if (parent && !parent.isActive) throw new AppError('CONFLICT', 'enable the parent unit first');
}

/** Move a unit (and everything below it) under a new parent. Both must be visible; no cycles. */
export async function moveUnit(
  deps: TDeps,
  scope: TScope,
  ctx: TAuditCtx,
  id: string,
  parentId: string,
): Promise<TOrgUnit> {
  if (!(await findVisibleUnit(deps.db, scope, id))) throw notFound('org unit');
  if (!(await findVisibleUnit(deps.db, scope, parentId))) throw unknownRef('body.parentId', 'target unit');
  const now = deps.clock.now();
  return deps.db.transaction(async (tx) => {
    const unit = await lockUnit(tx, scope.tenantId, id);
    const parent = await lockUnit(tx, scope.tenantId, parentId);
    if (!unit || !parent) throw notFound('org unit');
    if (unit.parentId === null) throw new AppError('CONFLICT', 'the root unit cannot be moved');
    if (parent.path.startsWith(unit.path)) throw new AppError('UNIT_MOVE_INTO_SELF', 'a unit cannot move below itself');
    if (unit.parentId === parent.id) return toOrgUnitDto(unit);
    const row = await moveSubtree(tx, scope.tenantId, unit, parent, now);
    const dto = toOrgUnitDto(row);
    await insertAuditEvent(
      tx,
      ctx,
      {
        action: 'org_unit.moved',
        entityType: 'org_unit',
        entityId: id,
        unitId: id,
        summary: `移动单位 ${row.name} → ${parent.name}`,
        before: { parentId: unit.parentId },
        after: { parentId: parent.id },
      },
      now,
    );
    return dto;
  });
}
