import crypto from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import {
  DATA_SCOPE_RANK,
  PERMISSIONS,
  type TDataScope,
  type TLoginInput,
  type TMe,
  type TPermission,
} from '@huifang/shared';
import type { Db, DbOrTx } from '../../db/client.ts';
import { tenants, users } from '../../db/schema/index.ts';
import type { TConfig } from '../../config/env.ts';
import { AppError, invalidField } from '../../lib/app-error.ts';
import type { TClock } from '../../lib/clock.ts';
import type { TAuditCtx } from '../../lib/scope.ts';
import { insertAuditEvent } from '../audit/audit.repository.ts';
import { notify } from '../notifications/notifications.service.ts';
import {
  accountSourceKey,
  claimAttempt,
  clearKey,
  refundAttempt,
  sourceKey,
  type TBackoffPolicy,
  type TClaim,
} from './login-throttle.ts';
import { hashPassword, verifyPassword } from './password.ts';
import {
  deleteSession,
  deleteUserSessions,
  findSession,
  findUserRoles,
  insertSession,
  touchSession,
  type TSessionRow,
} from './session.repository.ts';

type TAuthDeps = {
  db: Db;
  clock: TClock;
  config: Pick<
    TConfig,
    | 'sessionIdleMinutes'
    | 'sessionMaxHours'
    | 'loginMaxFailuresPerAccount'
    | 'loginMaxFailuresPerIp'
    | 'loginBackoffSeconds'
    | 'loginLockMinutes'
  >;
};

export interface TRequestMeta {
  ip: string | null;
  userAgent: string | null;
  requestId: string;
}

export interface TResolvedSession extends TSessionRow {
  permissions: Set<TPermission>;
  dataScope: TDataScope;
  roles: { id: string; key: string | null; name: string }[];
}

export const hashToken = (token: string) => crypto.createHash('sha256').update(token).digest('hex');
const newToken = () => crypto.randomBytes(32).toString('base64url');

/** Widest data scope and union of permissions over a user's roles. */
export function combineRoles(rs: { permissions: string[]; dataScope: string }[]) {
  const known = new Set<string>(PERMISSIONS);
  const permissions = new Set<TPermission>();
  let dataScope: TDataScope = 'own';
  for (const r of rs) {
    for (const p of r.permissions) if (known.has(p)) permissions.add(p as TPermission);
    const ds = r.dataScope as TDataScope;
    if (DATA_SCOPE_RANK[ds] > DATA_SCOPE_RANK[dataScope]) dataScope = ds;
  }
  return { permissions, dataScope };
}

/** Look up the session of a cookie token; null when missing, expired, idle too long or the user is disabled. */
export async function resolveSession(deps: TAuthDeps, token: string): Promise<TResolvedSession | null> {
  const now = deps.clock.now();
  const row = await findSession(deps.db, hashToken(token));
  if (!row) return null;
  const idleLimit = row.lastSeenAt.getTime() + deps.config.sessionIdleMinutes * 60_000;
  if (row.expiresAt <= now || idleLimit <= now.getTime() || !row.isActive) {
    await deleteSession(deps.db, row.tokenHash);
    return null;
  }
  // Writing last_seen on every request would turn reads into writes; once a minute is precise enough for idling.
  if (now.getTime() - row.lastSeenAt.getTime() > 60_000) await touchSession(deps.db, row.tokenHash, now);
  const roleRows = await findUserRoles(deps.db, row.tenantId, row.userId);
  const { permissions, dataScope } = combineRoles(roleRows);
  return { ...row, permissions, dataScope, roles: roleRows.map(({ id, key, name }) => ({ id, key, name })) };
}

export function toMe(s: TResolvedSession): TMe {
  return {
    user: {
      id: s.userId,
      username: s.username,
      displayName: s.displayName,
      unitId: s.unitId,
      unitName: s.unitName,
      mustChangePassword: s.mustChangePassword,
    },
    tenant: { id: s.tenantId, name: s.tenantName, slug: s.tenantSlug, timeZone: s.timeZone },
    permissions: PERMISSIONS.filter((p) => s.permissions.has(p)),
    roles: s.roles,
    dataScope: s.dataScope,
    csrfToken: s.csrfToken,
  };
}

async function createSession(deps: TAuthDeps, tx: DbOrTx, tenantId: string, userId: string, meta: TRequestMeta) {
  const now = deps.clock.now();
  const token = newToken();
  await insertSession(tx, {
    tokenHash: hashToken(token),
    tenantId,
    userId,
    csrfToken: newToken(),
    ip: meta.ip,
    userAgent: meta.userAgent?.slice(0, 300) ?? null,
    now,
    expiresAt: new Date(now.getTime() + deps.config.sessionMaxHours * 3_600_000),
  });
  return token;
}

const throttlePolicies = (c: TAuthDeps['config']) => {
  const base = { backoffSeconds: c.loginBackoffSeconds, maxWaitSeconds: c.loginLockMinutes * 60 };
  return {
    account: { ...base, freeFailures: c.loginMaxFailuresPerAccount },
    source: { ...base, freeFailures: c.loginMaxFailuresPerIp },
  } satisfies Record<string, TBackoffPolicy>;
};

const waitText = (s: number) => (s < 60 ? `${s} 秒` : `${Math.ceil(s / 60)} 分钟`);

/**
 * Log in. Every attempt is first claimed on two throttle keys (this account from this source, and this source over
 * all accounts); a key that has used up its free failures answers 429 with Retry-After, growing exponentially up to
 * LOGIN_LOCK_MINUTES. A stranger's failures slow only his own source. Every attempt, good or bad, writes an audit
 * row; the failure that starts a wait writes `auth.login_locked`, and the account holder is told in the app.
 */
export async function login(
  deps: TAuthDeps,
  input: TLoginInput,
  meta: TRequestMeta,
): Promise<{ token: string; me: TMe }> {
  const now = deps.clock.now();
  const username = input.username.trim().toLowerCase();
  const [tenant] = input.tenant
    ? await deps.db.select().from(tenants).where(eq(tenants.slug, input.tenant))
    : await deps.db.select().from(tenants).orderBy(tenants.createdAt).limit(1);
  if (!tenant) throw new AppError('INVALID_CREDENTIALS', 'invalid username or password');

  const policies = throttlePolicies(deps.config);
  const acctKey = accountSourceKey(tenant.id, username, meta.ip);
  const ipKey = sourceKey(meta.ip);
  const claim = await claimAttempt(
    deps.db,
    [
      { key: acctKey, policy: policies.account },
      { key: ipKey, policy: policies.source },
    ],
    now,
  );
  if (!claim.isAllowed) {
    const wait = claim.retryAfterSeconds;
    throw new AppError('RATE_LIMITED', `too many failed logins; try again in ${wait} s`, {
      headers: { 'retry-after': String(wait) },
    });
  }

  const [user] = await deps.db
    .select()
    .from(users)
    .where(and(eq(users.tenantId, tenant.id), eq(users.username, username)));
  const isValid = await verifyPassword(user?.passwordHash ?? null, input.password);
  const ctx: TAuditCtx = {
    tenantId: tenant.id,
    actorId: user?.id ?? null,
    actorName: user?.displayName ?? username,
    ip: meta.ip,
    requestId: meta.requestId,
  };

  if (!user || !isValid) {
    await deps.db.transaction(async (tx) => {
      await insertAuditEvent(
        tx,
        ctx,
        {
          action: 'auth.login_failed',
          entityType: 'user',
          entityId: user?.id ?? null,
          unitId: user?.unitId ?? null,
          summary: `登录失败 ${username}`,
        },
        now,
      );
      for (const c of claim.claims.filter((x: TClaim) => x.waitSeconds > 0)) {
        const isAccount = c.key === acctKey;
        const summary = isAccount
          ? `登录失败 ${c.failures} 次，账号 ${username} 自 ${meta.ip ?? '未知地址'} 须等待 ${waitText(c.waitSeconds)}`
          : `来源 ${meta.ip ?? '未知地址'} 登录失败 ${c.failures} 次，须等待 ${waitText(c.waitSeconds)}`;
        await insertAuditEvent(
          tx,
          ctx,
          {
            action: 'auth.login_locked',
            entityType: isAccount ? 'user' : 'ip',
            entityId: isAccount ? (user?.id ?? null) : null,
            unitId: user?.unitId ?? null,
            summary,
            after: { source: meta.ip, failures: c.failures, waitSeconds: c.waitSeconds },
          },
          now,
        );
        // The holder hears of it once per episode (the failure that first makes this source wait), not on every try.
        if (isAccount && user && c.failures === policies.account.freeFailures) {
          await notify(tx, {
            tenantId: tenant.id,
            userIds: [user.id],
            kind: 'auth.login_locked',
            title: '您的账号有多次登录失败',
            body: `来自 ${meta.ip ?? '未知地址'} 的登录连续失败 ${c.failures} 次，该来源须等待后再试。如非本人操作，请修改密码或联系管理员。`,
            at: now,
          });
        }
      }
    });
    throw new AppError('INVALID_CREDENTIALS', 'invalid username or password');
  }
  if (!user.isActive) {
    await insertAuditEvent(
      deps.db,
      ctx,
      {
        action: 'auth.login_failed',
        entityType: 'user',
        entityId: user.id,
        unitId: user.unitId,
        summary: `停用账号尝试登录 ${username}`,
      },
      now,
    );
    throw new AppError('ACCOUNT_DISABLED', 'this account is disabled');
  }

  const token = await deps.db.transaction(async (tx) => {
    await clearKey(tx, acctKey);
    await refundAttempt(tx, ipKey, policies.source);
    await tx.update(users).set({ lastLoginAt: now }).where(eq(users.id, user.id));
    await insertAuditEvent(
      tx,
      ctx,
      { action: 'auth.login', entityType: 'user', entityId: user.id, unitId: user.unitId, summary: `登录 ${username}` },
      now,
    );
    return createSession(deps, tx, tenant.id, user.id, meta);
  });
  const session = await resolveSession(deps, token);
  if (!session) throw new AppError('INTERNAL', 'session vanished right after login');
  return { token, me: toMe(session) };
}

export async function logout(deps: TAuthDeps, s: TResolvedSession, meta: TRequestMeta): Promise<void> {
  const ctx: TAuditCtx = {
    tenantId: s.tenantId,
    actorId: s.userId,
    actorName: s.displayName,
    ip: meta.ip,
    requestId: meta.requestId,
  };
  await deps.db.transaction(async (tx) => {
    await deleteSession(tx, s.tokenHash);
    await insertAuditEvent(
      tx,
      ctx,
      {
        action: 'auth.logout',
        entityType: 'user',
        entityId: s.userId,
        unitId: s.unitId,
        summary: `退出 ${s.username}`,
      },
      deps.clock.now(),
    );
  });
}

/**
 * Change one's own password. All sessions of the user are revoked and a fresh one is issued to this browser.
 */
export async function changePassword(
  deps: TAuthDeps,
  s: TResolvedSession,
  input: { currentPassword: string; newPassword: string },
  meta: TRequestMeta,
): Promise<{ token: string; me: TMe }> {
  const [user] = await deps.db
    .select()
    .from(users)
    .where(and(eq(users.tenantId, s.tenantId), eq(users.id, s.userId)));
  if (!user || !(await verifyPassword(user.passwordHash, input.currentPassword))) {
    throw new AppError('WRONG_PASSWORD', 'current password is wrong', {
      details: [{ path: 'body.currentPassword', message: 'wrong password' }],
    });
  }
  if (input.newPassword === input.currentPassword)
    throw invalidField('body.newPassword', 'the new password must differ from the current one');
  const hash = await hashPassword(input.newPassword);
  const now = deps.clock.now();
  const ctx: TAuditCtx = {
    tenantId: s.tenantId,
    actorId: s.userId,
    actorName: s.displayName,
    ip: meta.ip,
    requestId: meta.requestId,
  };
  const token = await deps.db.transaction(async (tx) => {
    await tx
      .update(users)
      .set({ passwordHash: hash, mustChangePassword: false, passwordChangedAt: now, updatedAt: now })
      .where(eq(users.id, s.userId));
    await deleteUserSessions(tx, s.tenantId, s.userId);
    await insertAuditEvent(
      tx,
      ctx,
      {
        action: 'auth.password_changed',
        entityType: 'user',
        entityId: s.userId,
        unitId: s.unitId,
        summary: `修改密码 ${s.username}`,
      },
      now,
    );
    return createSession(deps, tx, s.tenantId, s.userId, meta);
  });
  const session = await resolveSession(deps, token);
  if (!session) throw new AppError('INTERNAL', 'session vanished right after password change');
  return { token, me: toMe(session) };
}
