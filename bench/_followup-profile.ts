/**
 * Profile of follow-up generation (issue 5): EXPLAIN (ANALYZE, BUFFERS, WAL) of the generation INSERT … SELECT over
 * BENCH_CUSTOMERS customers (default 1,000,000), rolled back. `npx tsx bench/_followup-profile.ts` (underscored: `npm run bench` skips it, it has no baseline).
 * Not a benchmark (timing instrumentation adds its own cost); bench/followup-generate.ts measures.
 */
import { PgDialect } from 'drizzle-orm/pg-core';
import type { SQL } from 'drizzle-orm';
import { sql } from 'drizzle-orm';
import { createFixedClock } from '../apps/server/src/lib/clock.ts';
import { generateTasks } from '../apps/server/src/modules/followup/rules/generate.ts';
import { genContext } from '../apps/server/src/modules/followup/plans/plans.service.ts';
import { benchApp } from './_support.ts';

const N = Number(process.env.BENCH_CUSTOMERS ?? 1_000_000);
const t = await benchApp();
const { rows: outlets } = await t.pool.query(
  `select id from org_units where tenant_id = $1 and type = 'outlet' order by code`,
  [t.tenantId],
);
const { rows: roots } = await t.pool.query(`select id from org_units where tenant_id = $1 and parent_id is null`, [
  t.tenantId,
]);
await t.pool.query(
  `insert into customers (tenant_id, kind, name, phones, phone_digits, unit_id, tier, consent_service, created_at, updated_at)
   select $1, 'individual', '客户' || g, array['139' || lpad(g::text, 8, '0')], '139' || lpad(g::text, 8, '0'),
          ($2::uuid[])[1 + g % ${outlets.length}], (array['VIP','重要','普通','普通','普通'])[1 + g % 5], g % 50 <> 0, now(), now()
     from generate_series(1, $3) g`,
  [t.tenantId, outlets.map((o) => o.id), N],
);
await t.pool.query('vacuum analyze customers');
console.log(
  (await t.pool.query('show shared_buffers')).rows,
  (await t.pool.query('show work_mem')).rows,
  (await t.pool.query('show max_wal_size')).rows,
);
const clock = createFixedClock('2026-04-15T02:00:00Z');
const db = t.app.deps.db;
const { rows } = await t.pool.query(
  `insert into followup_plans (tenant_id, unit_id, name, topic, methods, target_kind, rule, start_date, assignment, assign_unit_id, status, created_at, updated_at)
   values ($1, $2, 'p', 'care', '{phone}', 'rule', '{"kind":"periodic","monthsByTier":{},"defaultMonths":3}', '2026-01-01', 'round_robin', $2, 'active', now(), now()) returning id`,
  [t.tenantId, roots[0].id],
);
const { followupPlans } = await import('../apps/server/src/db/schema/index.ts');
const { eq } = await import('drizzle-orm');
const [p] = await db.select().from(followupPlans).where(eq(followupPlans.id, rows[0].id));
const ctx = await genContext({ db, clock }, t.tenantId, null);
const dialect = new PgDialect();
// Variants (comma-separated VARIANTS): `explain` prints the plan with buffers and WAL; `time` measures the run;
// `-<index>` drops that index (or the primary key with -pk) inside the rolled-back transaction first: per-index cost.
for (const variant of (process.env.VARIANTS ?? 'explain,time').split(',')) {
  await db
    .transaction(async (tx) => {
      for (const drop of variant.split('-').slice(1)) {
        if (drop === 'pk')
          await tx.execute(
            sql.raw('alter table followup_tasks drop constraint followup_tasks_tenant_id_id_pk cascade'),
          );
        else await tx.execute(sql.raw(`drop index followup_tasks_${drop}_idx`));
      }
      const exec = async (q: SQL) => {
        const text = dialect.sqlToQuery(q).sql;
        if (!variant.startsWith('explain') || !text.includes('insert into followup_tasks')) return tx.execute(q);
        const r = await tx.execute(sql`explain (analyze, buffers, wal, timing on) ${q}`);
        console.log(`=== ${variant}\n` + (r.rows as { 'QUERY PLAN': string }[]).map((x) => x['QUERY PLAN']).join('\n'));
        return { rows: [{ n: 0 }] };
      };
      const wrap = new Proxy(tx, { get: (target, prop) => (prop === 'execute' ? exec : (target as never)[prop]) });
      const t0 = performance.now();
      const n = await generateTasks(wrap as never, p!, ctx);
      console.log(
        JSON.stringify({ variant, created: n, seconds: Number(((performance.now() - t0) / 1000).toFixed(2)) }),
      );
      throw new Error('rollback');
    })
    .catch((e: unknown) => (String(e).includes('rollback') ? undefined : console.log('error', String(e))));
}
await t.close();
