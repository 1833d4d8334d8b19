import { and, eq } from 'drizzle-orm';
import { PERMISSIONS, type TCreateRoleInput, type TRole, type TUpdateRoleInput } from '@huifang/shared';
import type { Db } from '../../db/client.ts';
import { roles } from '../../db/schema/index.ts';
import { AppError, notFound } from '../../lib/app-error.ts';
import type { TClock } from '../../lib/clock.ts';
import type { TActor, TAuditCtx } from '../../lib/scope.ts';
import { insertAuditEvent } from '../audit/audit.repository.ts';
import { canGrant } from '../users/grants.ts';
import { findRole } from './roles.repository.ts';

type TDeps = { db: Db; clock: TClock };

const isUniqueViolation = (e: unknown) => (e as { cause?: { code?: string } }).cause?.code === '23505';
const nameTaken = () =>
  new AppError('ROLE_KEY_TAKEN', 'a role with this name exists', {
    details: [{ path: 'body.name', message: '角色名称已存在' }],
  });
/** Keep permissions in the canonical order so audit diffs are stable. */
const canonical = (ps: readonly string[]) => PERMISSIONS.filter((p) => ps.includes(p));

function assertWithinActor(actor: TActor, role: { permissions: string[]; dataScope: string }) {
  if (!canGrant(actor, role)) {
    throw new AppError('FORBIDDEN', 'a role cannot exceed your own permissions', {
      details: [{ path: 'body.permissions', message: 'exceeds your own permissions' }],
    });
  }
}

export async function getRole(deps: TDeps, tenantId: string, id: string): Promise<TRole> {
  const role = await findRole(deps.db, tenantId, id);
  if (!role) throw notFound('role');
  return role;
}

export async function createRole(deps: TDeps, actor: TActor, ctx: TAuditCtx, input: TCreateRoleInput): Promise<TRole> {
  const permissions = canonical(input.permissions);
  assertWithinActor(actor, { permissions, dataScope: input.dataScope });
  const now = deps.clock.now();
  try {
    return await deps.db.transaction(async (tx) => {
      const [row] = await tx
        .insert(roles)
        .values({
          tenantId: actor.tenantId,
          name: input.name,
          description: input.description ?? null,
          permissions,
          dataScope: input.dataScope,
          createdAt: now,
          updatedAt: now,
        })
        .returning();
      const dto = (await findRole(tx, actor.tenantId, row!.id))!;
      await insertAuditEvent(
        tx,
        ctx,
        {
          action: 'role.created',
          entityType: 'role',
          entityId: dto.id,
          unitId: actor.unitId,
          summary: `新建角色 ${dto.name}`,
          after: dto,
        },
        now,
      );
      return dto;
    });
  } catch (e) {
    if (isUniqueViolation(e)) throw nameTaken();
    throw e;
  }
}

/** Built-in roles may be re-ticked, except `admin`, which always holds everything (so nobody locks the tenant out). */
export async function updateRole(
  deps: TDeps,
  actor: TActor,
  ctx: TAuditCtx,
  id: string,
  input: TUpdateRoleInput,
): Promise<TRole> {
  const before = await getRole(deps, actor.tenantId, id);
  if (before.key === 'admin')
    throw new AppError('BUILTIN_ROLE_LOCKED', 'the system administrator role cannot be changed');
  const permissions = input.permissions ? canonical(input.permissions) : before.permissions;
  assertWithinActor(actor, before);
  assertWithinActor(actor, { permissions, dataScope: input.dataScope ?? before.dataScope });
  const now = deps.clock.now();
  try {
    return await deps.db.transaction(async (tx) => {
      await tx
        .update(roles)
        .set({ ...input, permissions, updatedAt: now })
        .where(and(eq(roles.tenantId, actor.tenantId), eq(roles.id, id)));
      const after = (await findRole(tx, actor.tenantId, id))!;
      await insertAuditEvent(
        tx,
        ctx,
        {
          action: 'role.updated',
          entityType: 'role',
          entityId: id,
          unitId: actor.unitId,
          summary: `修改角色 ${after.name}`,
          before,
          after,
        },
        now,
      );
      return after;
    });
  } catch (e) {
    if (isUniqueViolation(e)) throw nameTaken();
    throw e;
  }
}

/** Only tenant-defined roles that nobody holds can be deleted. */
export async function deleteRole(deps: TDeps, actor: TActor, ctx: TAuditCtx, id: string): Promise<void> {
  const before = await getRole(deps, actor.tenantId, id);
  if (before.isBuiltin) throw new AppError('BUILTIN_ROLE_LOCKED', 'built-in roles cannot be deleted');
  if (before.userCount > 0) throw new AppError('CONFLICT', `${before.userCount} users still hold this role`);
  assertWithinActor(actor, before);
  const now = deps.clock.now();
  await deps.db.transaction(async (tx) => {
    await tx.delete(roles).where(and(eq(roles.tenantId, actor.tenantId), eq(roles.id, id)));
    await insertAuditEvent(
      tx,
      ctx,
      {
        action: 'role.deleted',
        entityType: 'role',
        entityId: id,
        unitId: actor.unitId,
        summary: `删除角色 ${before.name}`,
        before,
      },
      now,
    );
  });
}
