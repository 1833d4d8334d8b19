import crypto from 'node:crypto';
import { and, eq, isNull, sql } from 'drizzle-orm';
import { BUILTIN_ROLE_DEFAULTS, BUILTIN_ROLES, PERMISSIONS, type TBuiltinRole } from '@huifang/shared';
import type { Db, DbOrTx } from '../../db/client.ts';
import { orgUnits, roles, tenants, userRoles, users } from '../../db/schema/index.ts';
import type { TClock } from '../../lib/clock.ts';
import { insertAuditEvent } from '../audit/audit.repository.ts';
import { hashPassword } from '../auth/password.ts';
import { ensureTenantDefaults } from '../settings/settings.service.ts';
import { ensureFollowupDefaults } from '../followup/plans/plans.service.ts';

export interface TBootstrapResult {
  tenantId: string;
  created: boolean;
  /** Set only when the admin was created with a generated password: print it once, never store it. */
  generatedAdminPassword: string | null;
}

/** Insert the built-in roles a tenant lacks (new tenants, and tenants created before a role was added). */
export async function ensureBuiltinRoles(db: DbOrTx, tenantId: string, now: Date): Promise<void> {
  await db
    .insert(roles)
    .values(
      BUILTIN_ROLES.map((key) => ({
        tenantId,
        key,
        name: BUILTIN_ROLE_DEFAULTS[key].name,
        permissions: BUILTIN_ROLE_DEFAULTS[key].permissions,
        dataScope: BUILTIN_ROLE_DEFAULTS[key].dataScope,
        isBuiltin: true,
        defaultsSeen: BUILTIN_ROLE_DEFAULTS[key].permissions,
        createdAt: now,
        updatedAt: now,
      })),
    )
    .onConflictDoNothing();
  // Defaults added by a later release are granted once to the built-in roles; what a tenant removed stays removed.
  const existing = await db
    .select()
    .from(roles)
    .where(and(eq(roles.tenantId, tenantId), eq(roles.isBuiltin, true)));
  for (const role of existing) {
    const defaults =
      role.key && role.key in BUILTIN_ROLE_DEFAULTS ? BUILTIN_ROLE_DEFAULTS[role.key as TBuiltinRole].permissions : [];
    const fresh = defaults.filter((p) => !role.defaultsSeen.includes(p));
    // The admin role always holds every permission, including ones added by later releases.
    const permissions = role.key === 'admin' ? [...PERMISSIONS] : [...new Set([...role.permissions, ...fresh])];
    if (fresh.length === 0 && permissions.length === role.permissions.length) continue;
    await db
      .update(roles)
      .set({
        permissions,
        defaultsSeen: [...new Set([...role.defaultsSeen, ...defaults])],
        ...(role.key === 'admin' ? { dataScope: 'tenant' } : {}),
        updatedAt: now,
      })
      .where(and(eq(roles.tenantId, tenantId), eq(roles.id, role.id)));
  }
}

/**
 * First start on an empty database: create the tenant, its root unit (总部), the built-in roles and the user
 * `admin` (password from HUIFANG_ADMIN_PASSWORD, or generated and returned to be logged once). Later starts only
 * top up built-in roles. Runs under an advisory lock so two processes starting together create one tenant.
 */
export async function bootstrapTenant(
  deps: { db: Db; clock: TClock },
  opts: { tenantName: string; adminPassword: string | undefined; timeZone: string },
): Promise<TBootstrapResult> {
  const now = deps.clock.now();
  return deps.db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(727275)`);
    const [existing] = await tx.select().from(tenants).orderBy(tenants.createdAt).limit(1);
    if (existing) {
      await ensureBuiltinRoles(tx, existing.id, now);
      await ensureTenantDefaults(tx, existing.id);
      await ensureFollowupDefaults(tx, existing.id);
      return { tenantId: existing.id, created: false, generatedAdminPassword: null };
    }
    const [tenant] = await tx
      .insert(tenants)
      .values({ slug: 'default', name: opts.tenantName, timeZone: opts.timeZone, createdAt: now })
      .returning();
    const tenantId = tenant!.id;
    const rootId = crypto.randomUUID();
    await tx.insert(orgUnits).values({
      id: rootId,
      tenantId,
      parentId: null,
      type: 'hq',
      name: opts.tenantName,
      code: 'HQ',
      path: `/${rootId}/`,
      depth: 0,
      createdAt: now,
      updatedAt: now,
    });
    await ensureBuiltinRoles(tx, tenantId, now);
    await ensureTenantDefaults(tx, tenantId);
    await ensureFollowupDefaults(tx, tenantId);
    const generated = opts.adminPassword ? null : crypto.randomBytes(9).toString('base64url') + '7a';
    const [admin] = await tx
      .insert(users)
      .values({
        tenantId,
        unitId: rootId,
        username: 'admin',
        displayName: '系统管理员',
        passwordHash: await hashPassword(opts.adminPassword ?? generated!),
        // A generated password was seen in a log: it must be replaced at first login.
        mustChangePassword: generated !== null,
        createdAt: now,
        updatedAt: now,
      })
      .returning();
    const [adminRole] = await tx
      .select()
      .from(roles)
      .where(and(eq(roles.tenantId, tenantId), eq(roles.key, 'admin')));
    await tx.insert(userRoles).values({ tenantId, userId: admin!.id, roleId: adminRole!.id });
    await insertAuditEvent(
      tx,
      { tenantId, actorId: null, actorName: 'system', ip: null, requestId: null },
      {
        action: 'tenant.bootstrapped',
        entityType: 'tenant',
        entityId: tenantId,
        unitId: rootId,
        summary: `初始化租户 ${opts.tenantName}`,
      },
      now,
    );
    return { tenantId, created: true, generatedAdminPassword: generated };
  });
}

export async function findRootUnit(db: DbOrTx, tenantId: string) {
  const [root] = await db
    .select()
    .from(orgUnits)
    .where(and(eq(orgUnits.tenantId, tenantId), isNull(orgUnits.parentId)));
  return root ?? null;
}
