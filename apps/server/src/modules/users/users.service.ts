import { and, eq } from 'drizzle-orm';
import type { TCreateUserInput, TUpdateUserInput, TUser, TUserListQuery } from '@huifang/shared';
import type { Db, DbOrTx } from '../../db/client.ts';
import { users } from '../../db/schema/index.ts';
import { AppError, invalidField, notFound, unknownRef } from '../../lib/app-error.ts';
import type { TClock } from '../../lib/clock.ts';
import type { TActor, TAuditCtx, TScope } from '../../lib/scope.ts';
import { insertAuditEvent } from '../audit/audit.repository.ts';
import { clearAccountThrottle } from '../auth/login-throttle.ts';
import { hashPassword } from '../auth/password.ts';
import { deleteUserSessions } from '../auth/session.repository.ts';
import { findVisibleUnit } from '../org-units/org-units.repository.ts';
import { canGrant } from './grants.ts';
import {
  findRolesByIds,
  findVisibleUser,
  listUsers,
  rolesOfUsers,
  setUserRoles,
  toUserDto,
  unitPathOf,
  usernameTaken,
} from './users.repository.ts';

type TDeps = { db: Db; clock: TClock };

/** What the audit log keeps of a user: everything but the password hash and the photo bytes. */
const auditView = (u: TUser) => ({ ...u, lastLoginAt: undefined });

export async function findUsers(deps: TDeps, scope: TScope, q: TUserListQuery) {
  let unitPath: string | null = null;
  if (q.unitId) {
    if (!(await findVisibleUnit(deps.db, scope, q.unitId)))
      return { items: [], total: 0, page: q.page, pageSize: q.pageSize };
    unitPath = await unitPathOf(deps.db, scope.tenantId, q.unitId);
  }
  return listUsers(deps.db, scope, q, unitPath);
}

export async function getUser(deps: TDeps, scope: TScope, id: string): Promise<TUser> {
  const row = await findVisibleUser(deps.db, scope, id);
  if (!row) throw notFound('user');
  const roleMap = await rolesOfUsers(deps.db, scope.tenantId, [id]);
  return toUserDto(row.user, row.unitName, roleMap.get(id) ?? []);
}

export async function getUserPhoto(deps: TDeps, scope: TScope, id: string): Promise<{ mime: string; bytes: Buffer }> {
  const row = await findVisibleUser(deps.db, scope, id);
  const m = row?.user.photo?.match(/^data:(image\/[a-z]+);base64,(.+)$/);
  if (!m?.[1] || !m[2]) throw notFound('photo');
  return { mime: m[1], bytes: Buffer.from(m[2], 'base64') };
}

async function assertUnitInScope(db: DbOrTx, scope: TScope, unitId: string) {
  const unit = await findVisibleUnit(db, scope, unitId);
  if (!unit) throw unknownRef('body.unitId', 'unit');
  if (!unit.isActive) throw invalidField('body.unitId', 'unit is disabled');
}

async function assertGrantable(db: DbOrTx, actor: TActor, roleIds: string[]) {
  const unique = [...new Set(roleIds)];
  const found = await findRolesByIds(db, actor.tenantId, unique);
  if (found.length !== unique.length) throw unknownRef('body.roleIds', 'role');
  const denied = found.filter((r) => !canGrant(actor, r));
  if (denied.length) {
    throw new AppError('FORBIDDEN', `you cannot grant ${denied.map((r) => r.name).join(', ')}`, {
      details: [{ path: 'body.roleIds', message: 'role exceeds your own permissions' }],
    });
  }
  return unique;
}

export async function createUser(deps: TDeps, actor: TActor, ctx: TAuditCtx, input: TCreateUserInput): Promise<TUser> {
  const username = input.username.toLowerCase();
  await assertUnitInScope(deps.db, actor, input.unitId);
  const roleIds = await assertGrantable(deps.db, actor, input.roleIds);
  const passwordHash = await hashPassword(input.password);
  const now = deps.clock.now();
  try {
    return await deps.db.transaction(async (tx) => {
      if (await usernameTaken(tx, actor.tenantId, username)) throw usernameTakenError();
      const [row] = await tx
        .insert(users)
        .values({
          tenantId: actor.tenantId,
          unitId: input.unitId,
          username,
          displayName: input.displayName,
          passwordHash,
          staffNo: input.staffNo ?? null,
          title: input.title ?? null,
          businessHandled: input.businessHandled ?? [],
          phone: input.phone ?? null,
          email: input.email ?? null,
          photo: input.photo ?? null,
          // A password set by someone else must be changed at first login.
          mustChangePassword: true,
          passwordChangedAt: now,
          createdAt: now,
          updatedAt: now,
        })
        .returning();
      await setUserRoles(tx, actor.tenantId, row!.id, roleIds);
      const dto = await getUserIn(tx, actor, row!.id);
      await insertAuditEvent(
        tx,
        ctx,
        {
          action: 'user.created',
          entityType: 'user',
          entityId: dto.id,
          unitId: dto.unitId,
          summary: `新建用户 ${dto.username} ${dto.displayName}`,
          after: auditView(dto),
        },
        now,
      );
      return dto;
    });
  } catch (e) {
    if ((e as { cause?: { code?: string } }).cause?.code === '23505') throw usernameTakenError();
    throw e;
  }
}

const usernameTakenError = () =>
  new AppError('USERNAME_TAKEN', 'username already exists', {
    details: [{ path: 'body.username', message: '用户名已存在' }],
  });

async function getUserIn(db: DbOrTx, scope: TScope, id: string): Promise<TUser> {
  const row = await findVisibleUser(db, { ...scope, dataScope: 'tenant' }, id);
  if (!row) throw notFound('user');
  const roleMap = await rolesOfUsers(db, scope.tenantId, [id]);
  return toUserDto(row.user, row.unitName, roleMap.get(id) ?? []);
}

/** The target must be visible, and the actor must be able to grant every role the target holds. */
async function loadManageable(db: DbOrTx, actor: TActor, id: string) {
  const before = await findVisibleUser(db, actor, id);
  if (!before) throw notFound('user');
  const held = (await rolesOfUsers(db, actor.tenantId, [id])).get(id) ?? [];
  if (id !== actor.userId && held.some((r) => !canGrant(actor, r))) {
    throw new AppError('FORBIDDEN', 'this user holds roles above your own permissions');
  }
  return toUserDto(before.user, before.unitName, held);
}

export async function updateUser(
  deps: TDeps,
  actor: TActor,
  ctx: TAuditCtx,
  id: string,
  input: TUpdateUserInput,
): Promise<TUser> {
  const before = await loadManageable(deps.db, actor, id);
  if (input.unitId && input.unitId !== before.unitId) await assertUnitInScope(deps.db, actor, input.unitId);
  const roleIds = input.roleIds ? await assertGrantable(deps.db, actor, input.roleIds) : null;
  if (id === actor.userId && (input.isActive === false || roleIds)) {
    throw invalidField(
      input.isActive === false ? 'body.isActive' : 'body.roleIds',
      'you cannot disable yourself or change your own roles',
    );
  }
  const now = deps.clock.now();
  return deps.db.transaction(async (tx) => {
    const { roleIds: _ignored, ...fields } = input;
    await tx
      .update(users)
      .set({ ...fields, updatedAt: now })
      .where(and(eq(users.tenantId, actor.tenantId), eq(users.id, id)));
    if (roleIds) await setUserRoles(tx, actor.tenantId, id, roleIds);
    // A disabled user is logged out everywhere at once.
    if (input.isActive === false) await deleteUserSessions(tx, actor.tenantId, id);
    const after = await getUserIn(tx, actor, id);
    await insertAuditEvent(
      tx,
      ctx,
      {
        action: 'user.updated',
        entityType: 'user',
        entityId: id,
        unitId: after.unitId,
        summary: `修改用户 ${after.username} ${after.displayName}`,
        before: auditView(before),
        after: auditView(after),
      },
      now,
    );
    return after;
  });
}

/** Admin reset: new password, must change at next login, every session of the user revoked. */
export async function resetPassword(
  deps: TDeps,
  actor: TActor,
  ctx: TAuditCtx,
  id: string,
  password: string,
): Promise<void> {
  const target = await loadManageable(deps.db, actor, id);
  const hash = await hashPassword(password);
  const now = deps.clock.now();
  await deps.db.transaction(async (tx) => {
    await tx
      .update(users)
      .set({ passwordHash: hash, mustChangePassword: true, passwordChangedAt: now, updatedAt: now })
      .where(and(eq(users.tenantId, actor.tenantId), eq(users.id, id)));
    await deleteUserSessions(tx, actor.tenantId, id);
    await insertAuditEvent(
      tx,
      ctx,
      {
        action: 'user.password_reset',
        entityType: 'user',
        entityId: id,
        unitId: target.unitId,
        summary: `重置密码 ${target.username}`,
      },
      now,
    );
  });
}

/**
 * 解除登录锁定: lift the failed-login waits on a user's account from every source. Audited even when nothing was
 * waiting, so the log shows who tried to help whom.
 */
export async function unlockLogin(
  deps: TDeps,
  actor: TActor,
  ctx: TAuditCtx,
  id: string,
): Promise<{ unlockedSources: number }> {
  const target = await loadManageable(deps.db, actor, id);
  const now = deps.clock.now();
  return deps.db.transaction(async (tx) => {
    const unlockedSources = await clearAccountThrottle(tx, actor.tenantId, target.username, now);
    await insertAuditEvent(
      tx,
      ctx,
      {
        action: 'user.login_unlocked',
        entityType: 'user',
        entityId: id,
        unitId: target.unitId,
        summary: `解除登录锁定 ${target.username}（${unlockedSources} 个来源）`,
        after: { unlockedSources },
      },
      now,
    );
    return { unlockedSources };
  });
}
