import crypto from 'node:crypto';
import Fastify, { type InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILTIN_ROLE_DEFAULTS, BUILTIN_ROLES, type TBuiltinRole, type TPermission } from '@huifang/shared';
import { orgUnits, tenants, userRoles, users } from '../src/db/schema/index.ts';
import { hashPassword } from '../src/modules/auth/password.ts';
import { ensureBuiltinRoles } from '../src/modules/bootstrap/bootstrap.service.ts';
import { DEMO_USERS, demoTellers } from '../src/modules/bootstrap/demo-data.ts';
import { authPlugin, type TRouteAccess } from '../src/plugins/auth.ts';
import {
  auditCount,
  countRows,
  createUser,
  defaultPassword,
  expectError,
  loginAs,
  PNG_DATA_URL,
  subtreeUnitIds,
  TEST_PASSWORD,
  uniq,
  unitIdByCode,
  userIdByName,
} from './helpers.ts';
import { createTestApp, type TClient, type TTestApp } from './test-app.ts';

let t: TTestApp;
let admin: TClient;
beforeAll(async () => {
  t = await createTestApp();
  admin = await t.login('admin');
});
afterAll(async () => t.close());

/** Public routes that authenticate a kiosk device token or a shop API key instead of a session (401 without one). */
const isDeviceRoute = (url: string) =>
  url.startsWith('/api/kiosk/device/') || url.startsWith('/api/shop-api/') || url.startsWith('/api/queue/display/');

let ipSeq = 0;
const ip = () => `10.90.${Math.floor(ipSeq / 200)}.${(ipSeq++ % 200) + 1}`;
const codeOf = (body: string) => {
  try {
    return (JSON.parse(body) as { code?: string }).code;
  } catch {
    return undefined;
  }
};

describe('route × role access matrix', () => {
  const callers = new Map<TBuiltinRole, { client: TClient; username: string; password: string }>();
  let fixtureRoleId: string;

  beforeAll(async () => {
    const demo = [...DEMO_USERS, ...demoTellers()];
    for (const role of BUILTIN_ROLES) {
      let username = role === 'admin' ? 'admin' : demo.find((u) => u.role === role)?.username;
      let password = username ? defaultPassword(username) : TEST_PASSWORD;
      if (!username) ({ username, password } = await createUser(t, admin, { unitCode: 'SH-LJZ', roleKeys: [role] }));
      callers.set(role, { client: await loginAs(t, username, { password, ip: ip() }), username, password });
    }
    fixtureRoleId = (
      await admin.post('/api/roles', { name: uniq('矩阵角色'), permissions: [], dataScope: 'own' })
    ).json().id;
  });

  const holds = (role: TBuiltinRole, access: TRouteAccess['access']) =>
    access === 'public' ||
    access === 'authenticated' ||
    BUILTIN_ROLE_DEFAULTS[role].permissions.includes(access as TPermission);

  /** A request for `route` as `role`: path ids of objects in the caller's scope, harmless bodies. */
  async function requestFor(route: TRouteAccess, role: TBuiltinRole): Promise<InjectOptions> {
    const { client, username, password } = callers.get(role)!;
    const key = `${route.method} ${route.url}`;
    let id: string = crypto.randomUUID();
    if (route.url.startsWith('/api/org-units/:id')) id = client.me.user.unitId;
    else if (route.url.startsWith('/api/users/:id')) id = client.me.user.id;
    else if (key === 'GET /api/roles/:id' || key === 'PATCH /api/roles/:id') id = fixtureRoleId;
    else if (route.url === '/api/audit-events/:id') {
      const r = await t.pool.query(
        'select id from audit_events where actor_id = $1 and action = $2 order by id desc limit 1',
        [client.me.user.id, 'auth.login'],
      );
      id = String(r.rows[0].id);
    }
    const url = route.url.replace(':id', id).replace('*', 'index.html');
    const bodies: Record<string, unknown> = {
      'POST /api/auth/login': { username, password },
      'POST /api/auth/password': { currentPassword: 'Wrong-current-1', newPassword: 'Matrix-new-pass-1' },
      'POST /api/org-units': { parentId: client.me.user.unitId, type: 'department', name: uniq('矩阵部门') },
      'PATCH /api/org-units/:id': { sortOrder: 0 },
      'POST /api/org-units/:id/move': { parentId: client.me.user.unitId },
      'POST /api/users': {
        username: uniq('matrix'),
        password: TEST_PASSWORD,
        displayName: '矩阵',
        unitId: client.me.user.unitId,
        roleIds: [],
      },
      'PATCH /api/users/:id': { title: '矩阵' },
      // Weak on purpose: proves the permission layer let it through without resetting anyone's password.
      'POST /api/users/:id/reset-password': { password: 'weak' },
      'POST /api/roles': { name: uniq('矩阵新角色'), permissions: [], dataScope: 'own' },
      'PATCH /api/roles/:id': { description: '矩阵' },
    };
    return {
      method: route.method as InjectOptions['method'],
      url,
      ...(key in bodies ? { payload: bodies[key] as object } : {}),
    };
  }

  it('covers the contract routes', () => {
    const have = new Set(t.app.routeAccess.map((r) => `${r.method} ${r.url}`));
    for (const r of [
      'GET /api/health',
      'POST /api/auth/login',
      'GET /api/auth/me',
      'POST /api/auth/logout',
      'GET /api/openapi.json',
      'GET /api/org-units',
      'GET /api/users',
      'GET /api/roles',
      'GET /api/audit-events',
    ]) {
      expect(have, r).toContain(r);
    }
    expect(
      t.app.routeAccess
        .filter((r) => r.access === 'public')
        .map((r) => r.url)
        .filter((u) => !u.startsWith('/api/docs')),
    ).toEqual([
      '/api/health',
      '/api/auth/login',
      '/api/review-links/:token',
      '/api/review-links/:token/rating',
      '/api/review-links/:token/followup',
      '/api/shop-api/orders/:order/rating',
      '/api/shop-api/orders/:order/followup',
      '/api/s/:token',
      '/api/s/:token/responses',
      '/api/public/sms-receipts/aliyun/:token',
      '/api/public/sms-receipts/tencent/:token',
      '/api/kiosk/pair',
      '/api/kiosk/device/unpair',
      '/api/kiosk/device/state',
      '/api/kiosk/device/ratings',
      '/api/kiosk/device/events',
      '/api/queue/display/pair',
      '/api/queue/display/state',
      '/api/queue/display/events',
      '/api/queue/display/unpair',
      '/api/queue/tickets/:id/events',
      '/api/queue/take/:token',
      '/api/queue/take/:token/tickets',
      '/api/queue/tickets/:id/public',
      '/api/openapi.json',
    ]);
  });

  it('rate-limits every public endpoint (kiosk, survey and review links, shop API) except health, the API docs and login (throttled in Postgres)', () => {
    const exempt = new Set(['/api/health', '/api/openapi.json', '/api/auth/login']);
    const checked = t.app.routeAccess.filter(
      (r) => r.access === 'public' && !exempt.has(r.url) && !r.url.startsWith('/api/docs'),
    );
    expect(checked.length).toBeGreaterThanOrEqual(12);
    expect(checked.filter((r) => !r.isRateLimited).map((r) => `${r.method} ${r.url}`)).toEqual([]);
  });

  it('guards writes with an action permission (:write, :reveal, :export, :import, :erase, :manage, :appeal, :serve, :reply, :work, :label); only login is a public write, only own-account writes need no permission', () => {
    for (const r of t.app.routeAccess) {
      const label = `${r.method} ${r.url} (${r.access})`;
      // Reading an import job's progress and error report is part of importing; nothing else reads with an action permission.
      if (r.method === 'GET' || r.method === 'HEAD')
        expect(r.access, label).toMatch(
          r.url.startsWith('/api/customer-imports')
            ? /^customer:import$/
            : /^(public|authenticated|[a-z]+:(read|export))$/,
        );
      // The survey answer page (token-authenticated, rate-limited) is the other public write.
      else if (r.access === 'public' && r.url.startsWith('/api/s/'))
        expect(label).toBe('POST /api/s/:token/responses (public)');
      // Buyer review links and the shop API (own tokens, rate-limited): rating and follow-up are public writes.
      else if (r.access === 'public' && /^\/api\/(review-links|shop-api)\//.test(r.url))
        expect(label).toMatch(
          /^POST \/api\/(review-links\/:token|shop-api\/orders\/:order)\/(rating|followup) \(public\)$/,
        );
      // Taking a queue number 取号 (per-outlet link token, Idempotency-Key, rate-limited); pairing a hall display.
      else if (r.access === 'public' && r.url.startsWith('/api/queue/'))
        expect([
          'POST /api/queue/take/:token/tickets (public)',
          'POST /api/queue/display/pair (public)',
          'POST /api/queue/display/unpair (public)',
        ]).toContain(label);
      // SMS delivery receipts pushed by the providers (per-tenant URL token, rate-limited).
      else if (r.access === 'public' && r.url.startsWith('/api/public/sms-receipts/'))
        expect(label).toMatch(/^POST \/api\/public\/sms-receipts\/(aliyun|tencent)\/:token \(public\)$/);
      else if (r.access === 'public')
        expect([
          'POST /api/auth/login (public)',
          'POST /api/kiosk/pair (public)',
          'POST /api/kiosk/device/unpair (public)',
          'POST /api/kiosk/device/ratings (public)',
        ]).toContain(label);
      else if (r.access === 'authenticated') expect(r.url, label).toMatch(/^\/api\/(auth|notifications)\//);
      // Classifying texts is a computation that stores nothing: a read sent as POST for its body of up to 1,000 texts.
      else if (r.url === '/api/feedback/classify') expect(label).toBe('POST /api/feedback/classify (feedback:read)');
      else
        expect(r.access, label).toMatch(
          /:(write|reveal|export|import|erase|manage|appeal|serve|reply|work|supervise|label)$/,
        );
    }
  });

  it('every built-in role holds its default permissions', () => {
    for (const role of BUILTIN_ROLES) {
      expect([...callers.get(role)!.client.me.permissions].sort(), role).toEqual(
        [...BUILTIN_ROLE_DEFAULTS[role].permissions].sort(),
      );
    }
  });

  it('without a session every non-public route is 401, whatever the body; public routes answer', async () => {
    const problems: string[] = [];
    const before = await auditCount(t);
    for (const route of t.app.routeAccess) {
      const opts = await requestFor(route, 'admin');
      const variants: InjectOptions[] =
        route.access === 'public'
          ? [opts]
          : [opts, { ...opts, url: route.url.replace(':id', 'not-an-id').replace('*', 'index.html'), payload: {} }];
      for (const o of variants) {
        const res = await t.app.inject(o);
        const code = codeOf(res.body);
        // Kiosk device routes are public but authenticate the device's own token: without one they answer 401.
        if (
          route.access === 'public'
            ? !isDeviceRoute(route.url) && (res.statusCode === 401 || res.statusCode === 403)
            : res.statusCode !== 401 || code !== 'UNAUTHENTICATED'
        ) {
          problems.push(`${o.method} ${o.url} (${route.access}) → ${res.statusCode} ${code}`);
        }
      }
    }
    expect(problems).toEqual([]);
    // Only the public login writes (its own audit row).
    expect(await auditCount(t)).toBe(before + 1);
  });

  // One test per role: the matrix grows with every route, and one test for all of it neared the test timeout.
  for (const role of BUILTIN_ROLES)
    it(`with a session as ${role}: 403 without the permission (whatever the body, nothing written); never 401/403 with it`, async () => {
      const problems: string[] = [];
      let checked = 0;
      for (const route of t.app.routeAccess) {
        let { client } = callers.get(role)!;
        // Logging out ends the session; use a throwaway one.
        if (route.url === '/api/auth/logout')
          client = await loginAs(t, callers.get(role)!.username, { password: callers.get(role)!.password, ip: ip() });
        const opts = await requestFor(route, role);
        const label = `${role} ${opts.method} ${opts.url} (${route.access})`;
        if (holds(role, route.access)) {
          const res = await client.request(opts);
          const code = codeOf(res.body);
          if (
            isDeviceRoute(route.url)
              ? res.statusCode >= 500
              : res.statusCode === 401 ||
                res.statusCode >= 500 ||
                ['FORBIDDEN', 'CSRF_FAILED', 'UNAUTHENTICATED'].includes(code ?? '')
          ) {
            problems.push(`${label} → ${res.statusCode} ${code}`);
          }
        } else {
          const before = await auditCount(t);
          for (const o of [opts, { ...opts, payload: opts.payload ? {} : undefined }]) {
            const res = await client.request(o);
            if (res.statusCode !== 403 || codeOf(res.body) !== 'FORBIDDEN')
              problems.push(`${label} → ${res.statusCode} ${res.body}`);
          }
          if ((await auditCount(t)) !== before) problems.push(`${label} wrote an audit row`);
        }
        checked++;
      }
      expect(problems).toEqual([]);
      expect(checked).toBe(t.app.routeAccess.length);
    });
});

describe('a route without declared access', () => {
  it('fails at registration, naming the route', async () => {
    const bare = Fastify();
    await bare.register(authPlugin, { deps: t.app.deps, routes: [], resolveSession: async () => null });
    let error: unknown;
    try {
      bare.get('/api/x', async () => 1);
      await bare.ready();
    } catch (e) {
      error = e;
    }
    expect(String(error)).toMatch(/GET \/api\/x/);
    await bare.close().catch(() => undefined);

    const typo = Fastify();
    await typo.register(authPlugin, { deps: t.app.deps, routes: [], resolveSession: async () => null });
    expect(() => typo.get('/api/y', { config: { access: 'users:write' as never } }, async () => 1)).toThrow(/\/api\/y/);
    await typo.close().catch(() => undefined);

    const routes: TRouteAccess[] = [];
    const ok = Fastify();
    await ok.register(authPlugin, { deps: t.app.deps, routes, resolveSession: async () => null });
    ok.get('/api/z', { config: { access: 'org:read' } }, async () => 1);
    await ok.ready();
    expect(routes).toEqual([{ method: 'GET', url: '/api/z', access: 'org:read', isRateLimited: false }]);
    await ok.close();
  });
});

describe('data scope across branches', () => {
  const HZ_NAME = '杭州分行';

  it('a Shanghai manager gets 404 (never data) for Hangzhou units, users and audit events, and they are absent from lists', async () => {
    const zhang = await t.login('zhang.manager');
    const li = await t.login('li.manager');
    const hz = await unitIdByCode(t, 'HZ');
    const hzTeller = demoTellers().find((u) => u.unitCode.startsWith('HZ'))!;
    const hzUserId = await userIdByName(t, hzTeller.username);
    expect((await admin.patch(`/api/users/${hzUserId}`, { photo: PNG_DATA_URL })).statusCode).toBe(200);
    const liLogin = await t.pool.query('select id from audit_events where actor_id = $1 and action = $2 limit 1', [
      li.me.user.id,
      'auth.login',
    ]);
    const userRow = async () =>
      JSON.stringify((await t.pool.query('select * from users where id = $1', [hzUserId])).rows[0]);
    const before = [await userRow(), await auditCount(t)];

    const notFound = [
      await zhang.get(`/api/org-units/${hz}`),
      await zhang.get(`/api/users/${li.me.user.id}`),
      await zhang.get(`/api/users/${hzUserId}`),
      await zhang.patch(`/api/users/${hzUserId}`, { displayName: '越界' }),
      await zhang.post(`/api/users/${hzUserId}/reset-password`, { password: 'Cross-branch-1' }),
      await zhang.get(`/api/users/${hzUserId}/photo`),
      await zhang.get(`/api/audit-events/${liLogin.rows[0].id}`),
    ];
    for (const res of notFound) {
      expectError(res, 404, 'NOT_FOUND');
      for (const secret of [HZ_NAME, '李娜', hzTeller.displayName, hzTeller.username])
        expect(res.body).not.toContain(secret);
    }
    // Org writes need org:write, which a manager lacks: refused before any lookup, revealing nothing.
    for (const res of [
      await zhang.patch(`/api/org-units/${hz}`, { name: '越界' }),
      await zhang.post(`/api/org-units/${hz}/move`, { parentId: zhang.me.user.unitId }),
    ]) {
      expectError(res, 403, 'FORBIDDEN');
      expect(res.body).not.toContain(HZ_NAME);
    }

    const tree = (await zhang.get('/api/org-units/tree'))
      .json()
      .items.map((u: { id: string }) => u.id)
      .sort();
    expect(tree).toEqual(await subtreeUnitIds(t, 'SH'));
    expect((await zhang.get(`/api/org-units?q=${encodeURIComponent('杭州')}`)).json().total).toBe(0);
    const list = (await zhang.get('/api/users?pageSize=100')).json();
    const hzUnits = new Set(await subtreeUnitIds(t, 'HZ'));
    expect(list.items.length).toBeGreaterThan(0);
    expect(list.items.some((u: { unitId: string }) => hzUnits.has(u.unitId))).toBe(false);
    expect((await zhang.get(`/api/users?q=${encodeURIComponent('李娜')}`)).json().total).toBe(0);
    expect((await zhang.get(`/api/users?unitId=${hz}`)).json()).toMatchObject({ items: [], total: 0 });
    const events = (await zhang.get('/api/audit-events?pageSize=100')).json().items;
    expect(
      events.some(
        (e: { unitId: string | null; actorId: string | null }) =>
          e.actorId === li.me.user.id || hzUnits.has(e.unitId ?? ''),
      ),
    ).toBe(false);

    // Creating a user in a Hangzhou unit: the unit does not exist for him.
    const username = uniq('cross');
    const res = await zhang.post('/api/users', {
      username,
      password: TEST_PASSWORD,
      displayName: '越界',
      unitId: await unitIdByCode(t, 'HZ-XH'),
      roleIds: [],
    });
    expectError(res, 404, 'NOT_FOUND', ['body.unitId']);
    expect(await countRows(t, 'select 1 from users where username = $1', [username])).toBe(0);
    expect([await userRow(), await auditCount(t)]).toEqual(before);
  });

  it('org writes by a subtree-scoped org admin stay inside the subtree (404, nothing changed)', async () => {
    const role = (
      await admin.post('/api/roles', {
        name: uniq('分行机构管理员'),
        permissions: ['org:read', 'org:write'],
        dataScope: 'subtree',
      })
    ).json();
    const u = await createUser(t, admin, { unitCode: 'SH', roleIds: [role.id] });
    const c = await loginAs(t, u.username, { password: u.password, ip: ip() });
    const [hz, hzXh, shZj] = await Promise.all(['HZ', 'HZ-XH', 'SH-ZJ'].map((code) => unitIdByCode(t, code)));
    const snapshot = async () =>
      JSON.stringify(
        (await t.pool.query('select id, name, path, parent_id, is_active from org_units order by id')).rows,
      );
    const before = [await snapshot(), await auditCount(t)];
    for (const res of [
      await c.get(`/api/org-units/${hz}`),
      await c.patch(`/api/org-units/${hz}`, { name: '越界' }),
      await c.patch(`/api/org-units/${hzXh}`, { isActive: false }),
      await c.post(`/api/org-units/${hzXh}/move`, { parentId: shZj }),
    ]) {
      expectError(res, 404, 'NOT_FOUND');
      expect(res.body).not.toContain(HZ_NAME);
    }
    expectError(await c.post(`/api/org-units/${shZj}/move`, { parentId: hz }), 404, 'NOT_FOUND', ['body.parentId']);
    expectError(await c.post('/api/org-units', { parentId: hz, type: 'outlet', name: '越界' }), 404, 'NOT_FOUND', [
      'body.parentId',
    ]);
    expect([await snapshot(), await auditCount(t)]).toEqual(before);
    // Inside his subtree he may write.
    expect((await c.post('/api/org-units', { parentId: shZj, type: 'counter', name: uniq('新窗口') })).statusCode).toBe(
      201,
    );
  });

  it('a supervisor sees his outlet and its counters; a teller cannot list users; the auditor sees both branches', async () => {
    const wang = await t.login('wang.supervisor');
    const tree = (await wang.get('/api/org-units/tree')).json().items;
    expect(tree.map((u: { id: string }) => u.id).sort()).toEqual(await subtreeUnitIds(t, 'SH-LJZ'));
    expect(tree.map((u: { code: string }) => u.code).sort()).toEqual(['SH-LJZ', 'SH-LJZ-W1', 'SH-LJZ-W2']);

    const teller = await t.login('chen.teller');
    expectError(await teller.get('/api/users'), 403, 'FORBIDDEN');

    const auditor = await t.login('zhao.auditor');
    const ids = (await auditor.get('/api/org-units/tree')).json().items.map((u: { id: string }) => u.id);
    expect(ids).toEqual(expect.arrayContaining([await unitIdByCode(t, 'SH'), await unitIdByCode(t, 'HZ')]));
    const names = (await auditor.get('/api/users?pageSize=100'))
      .json()
      .items.map((u: { username: string }) => u.username);
    expect(names).toEqual(expect.arrayContaining(['zhang.manager', 'li.manager']));
  });

  it('a second tenant is invisible to the first, and the other way round', async () => {
    const now = new Date(t.clock.now().getTime() + 86_400_000);
    const slug = uniq('second');
    const [tenant] = await t.db
      .insert(tenants)
      .values({ slug, name: '第二银行', timeZone: 'Asia/Shanghai', createdAt: now })
      .returning();
    const rootId = crypto.randomUUID();
    await t.db.insert(orgUnits).values({
      id: rootId,
      tenantId: tenant!.id,
      parentId: null,
      type: 'hq',
      name: '第二银行总部',
      code: 'HQ',
      path: `/${rootId}/`,
      depth: 0,
      createdAt: now,
      updatedAt: now,
    });
    await ensureBuiltinRoles(t.db, tenant!.id, now);
    const password = 'Second-admin-1';
    const [other] = await t.db
      .insert(users)
      .values({
        tenantId: tenant!.id,
        unitId: rootId,
        username: 'admin',
        displayName: '第二管理员',
        passwordHash: await hashPassword(password),
      })
      .returning();
    const roleRow = await t.pool.query('select id from roles where tenant_id = $1 and key = $2', [tenant!.id, 'admin']);
    const otherRole: string = roleRow.rows[0].id;
    await t.db.insert(userRoles).values({ tenantId: tenant!.id, userId: other!.id, roleId: otherRole });
    const second = await loginAs(t, 'admin', { password, tenant: slug, ip: ip() });
    expect(second.me).toMatchObject({ user: { id: other!.id }, tenant: { slug } });
    const otherEvent = (await t.pool.query('select id from audit_events where tenant_id = $1 limit 1', [tenant!.id]))
      .rows[0].id;
    const first = await t.login('admin');

    for (const url of [
      `/api/org-units/${rootId}`,
      `/api/users/${other!.id}`,
      `/api/roles/${otherRole}`,
      `/api/audit-events/${otherEvent}`,
    ]) {
      const res = await first.get(url);
      expectError(res, 404, 'NOT_FOUND');
      expect(res.body).not.toContain('第二');
    }
    expectError(await first.patch(`/api/users/${other!.id}`, { displayName: 'x' }), 404, 'NOT_FOUND');
    expectError(await first.patch(`/api/roles/${otherRole}`, { description: 'x' }), 404, 'NOT_FOUND');
    const before = [await countRows(t, 'select 1 from users'), await countRows(t, 'select 1 from org_units')];
    expectError(
      await first.post('/api/users', {
        username: uniq('x'),
        password: TEST_PASSWORD,
        displayName: 'x',
        unitId: rootId,
        roleIds: [],
      }),
      404,
      'NOT_FOUND',
      ['body.unitId'],
    );
    expectError(
      await first.post('/api/users', {
        username: uniq('x'),
        password: TEST_PASSWORD,
        displayName: 'x',
        unitId: first.me.user.unitId,
        roleIds: [otherRole],
      }),
      404,
      'NOT_FOUND',
      ['body.roleIds'],
    );
    expectError(await first.post('/api/org-units', { parentId: rootId, type: 'branch', name: 'x' }), 404, 'NOT_FOUND', [
      'body.parentId',
    ]);
    expect([await countRows(t, 'select 1 from users'), await countRows(t, 'select 1 from org_units')]).toEqual(before);

    const lists = await Promise.all(
      [
        '/api/org-units/tree',
        '/api/users?pageSize=100',
        '/api/roles?pageSize=100',
        '/api/audit-events?pageSize=100',
      ].map((u) => first.get(u)),
    );
    for (const res of lists) {
      expect(res.statusCode).toBe(200);
      expect(res.body).not.toContain(tenant!.id);
      for (const id of [rootId, other!.id, otherRole]) expect(res.body).not.toContain(id);
    }
    // The other way round.
    expect((await second.get('/api/org-units/tree')).json().items.map((u: { id: string }) => u.id)).toEqual([rootId]);
    expect((await second.get('/api/users?pageSize=100')).json().items.map((u: { id: string }) => u.id)).toEqual([
      other!.id,
    ]);
    expectError(await second.get(`/api/org-units/${first.me.user.unitId}`), 404, 'NOT_FOUND');
    expectError(await second.get(`/api/users/${first.me.user.id}`), 404, 'NOT_FOUND');
    // One tenant's password does not open the other's account of the same name.
    expectError(
      await t.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { username: 'admin', password },
        remoteAddress: ip(),
      }),
      401,
      'INVALID_CREDENTIALS',
    );
  });
});
