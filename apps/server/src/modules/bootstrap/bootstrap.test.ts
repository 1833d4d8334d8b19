import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILTIN_ROLE_DEFAULTS, PERMISSIONS } from '@huifang/shared';
import { createTestApp, type TTestApp } from '../../../test/test-app.ts';
import { ensureBuiltinRoles } from './bootstrap.service.ts';

let t: TTestApp;
beforeAll(async () => {
  t = await createTestApp({ demo: false });
});
afterAll(async () => t.close());

const role = async (key: string) =>
  (
    await t.pool.query<{ permissions: string[]; defaults_seen: string[] }>(
      'select permissions, defaults_seen from roles where tenant_id = $1 and key = $2',
      [t.tenantId, key],
    )
  ).rows[0]!;

describe('built-in roles across releases', () => {
  it('grants defaults added by a later release once, and keeps what the tenant removed removed', async () => {
    // A tenant from the previous release: the manager role had only the old defaults, and the tenant then removed
    // customer:import from it.
    const oldDefaults = BUILTIN_ROLE_DEFAULTS.manager.permissions.filter(
      (p) => !p.startsWith('evaluation') && !p.startsWith('survey') && !p.startsWith('review') && p !== 'kiosk:manage',
    );
    const edited = oldDefaults.filter((p) => p !== 'customer:import');
    await t.pool.query('update roles set permissions = $2, defaults_seen = $3 where tenant_id = $1 and key = $4', [
      t.tenantId,
      edited,
      oldDefaults,
      'manager',
    ]);
    await t.pool.query("update roles set permissions = '{}' where tenant_id = $1 and key = 'admin'", [t.tenantId]);

    await ensureBuiltinRoles(t.db, t.tenantId, t.clock.now());
    const manager = await role('manager');
    expect(manager.permissions).toEqual(
      expect.arrayContaining(['evaluation:read', 'evaluation:manage', 'survey:write', 'review:reply']),
    );
    expect(manager.permissions).not.toContain('customer:import');
    expect([...manager.defaults_seen].sort()).toEqual([...BUILTIN_ROLE_DEFAULTS.manager.permissions].sort());
    expect([...(await role('admin')).permissions].sort()).toEqual([...PERMISSIONS].sort());

    // The tenant now removes a new permission too: the next start does not grant it again.
    await t.pool.query(
      "update roles set permissions = array_remove(permissions, 'survey:write') where tenant_id = $1 and key = 'manager'",
      [t.tenantId],
    );
    await ensureBuiltinRoles(t.db, t.tenantId, t.clock.now());
    expect((await role('manager')).permissions).not.toContain('survey:write');
  });

  it('a manager holds every permission of the roles he hires, so he can grant them', () => {
    const manager = new Set(BUILTIN_ROLE_DEFAULTS.manager.permissions);
    for (const role of ['supervisor', 'agent', 'teller'] as const) {
      expect(
        BUILTIN_ROLE_DEFAULTS[role].permissions.filter((p) => !manager.has(p)),
        role,
      ).toEqual([]);
    }
  });
});
