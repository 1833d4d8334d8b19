/**
 * Cost of org-subtree scoping on a list read. 20,000 users spread over a 2,000-unit tree. The same page of
 * GET /api/users is timed for a branch manager (subtree scope: `unit_id in (… path like …)`) and, as the same-run
 * baseline, for the tenant admin (no scope filter). Prints p50/p95 and the ratio.
 */
import { benchApp, timeIt } from './_support.ts';

const t = await benchApp();
const {
  rows: [root],
} = await t.pool.query(`select id, path from org_units where tenant_id = $1 and parent_id is null`, [t.tenantId]);
// 20 branches × 10 outlets × 10 counters, 10 users per counter.
await t.pool.query(
  `
  with b as (
    insert into org_units (id, tenant_id, parent_id, type, name, path, depth)
    select gen_random_uuid(), $1, $2, 'branch', '分行' || g, '', 1 from generate_series(1, 20) g returning id
  ) update org_units o set path = $3 || o.id || '/' from b where o.id = b.id`,
  [t.tenantId, root.id, root.path],
);
await t.pool.query(
  `
  with o as (
    insert into org_units (id, tenant_id, parent_id, type, name, path, depth)
    select gen_random_uuid(), $1, b.id, 'outlet', b.name || '网点' || g, b.path, 2
    from org_units b, generate_series(1, 10) g where b.tenant_id = $1 and b.depth = 1 and b.name like '分行%' returning id, path
  ) update org_units u set path = o.path || o.id || '/' from o where u.id = o.id`,
  [t.tenantId],
);
await t.pool.query(
  `
  with c as (
    insert into org_units (id, tenant_id, parent_id, type, name, path, depth)
    select gen_random_uuid(), $1, o.id, 'counter', '窗口' || g, o.path, 3
    from org_units o, generate_series(1, 10) g where o.tenant_id = $1 and o.depth = 2 and o.name like '分行%' returning id, path
  ) update org_units u set path = c.path || c.id || '/' from c where u.id = c.id`,
  [t.tenantId],
);
await t.pool.query(
  `
  insert into users (tenant_id, unit_id, username, display_name, password_hash, staff_no)
  select $1, c.id, 'u' || row_number() over () || '_' || g, '员工' || g, 'x', 'S' || g
  from org_units c, generate_series(1, 10) g where c.tenant_id = $1 and c.type = 'counter' and c.depth = 3`,
  [t.tenantId],
);
await t.pool.query('analyze');

// A manager of one synthetic branch (≈ 1,000 of the 20,000 users).
const {
  rows: [branch],
} = await t.pool.query(`select id from org_units where tenant_id = $1 and name = '分行1'`, [t.tenantId]);
const admin = await t.app.inject({
  method: 'POST',
  url: '/api/auth/login',
  payload: { username: 'admin', password: 'Admin12345' },
});
const create = await t.app.inject({
  method: 'POST',
  url: '/api/users',
  headers: { cookie: `hf_sid=${admin.cookies[0]!.value}`, 'x-csrf-token': admin.json().csrfToken },
  payload: {
    username: 'bench.manager',
    password: 'Bench12345',
    displayName: '基准经理',
    unitId: branch.id,
    roleIds: [
      (await t.pool.query(`select id from roles where key = 'manager' and tenant_id = $1`, [t.tenantId])).rows[0].id,
    ],
  },
});
if (create.statusCode !== 201) throw new Error(create.body);
const mgr = await t.app.inject({
  method: 'POST',
  url: '/api/auth/login',
  payload: { username: 'bench.manager', password: 'Bench12345' },
});

const get = (cookie: string, url: string) => async () => {
  const r = await t.app.inject({ method: 'GET', url, headers: { cookie: `hf_sid=${cookie}` } });
  if (r.statusCode !== 200) throw new Error(r.body);
};
const url = '/api/users?page=3&pageSize=20&sort=-createdAt&q=员工';
const adminCookie = admin.cookies[0]!.value;
const mgrCookie = mgr.cookies[0]!.value;
await timeIt(30, get(adminCookie, url));
await timeIt(30, get(mgrCookie, url));
const baseline = await timeIt(300, get(adminCookie, url));
const scoped = await timeIt(300, get(mgrCookie, url));
console.log(
  JSON.stringify({
    bench: 'scoped-user-list',
    users: 20_000,
    units: 2_200,
    baseline_tenant_scope_ms: baseline,
    subtree_scope_ms: scoped,
    ratio_p95: Number((scoped.p95 / baseline.p95).toFixed(2)),
  }),
);
await t.close();
