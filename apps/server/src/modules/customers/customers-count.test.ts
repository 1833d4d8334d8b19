import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unitIdByCode } from '../../../test/helpers.ts';
import { createCustomer, idsOf, letters, listCustomers } from '../../../test/customers-helpers.ts';
import { createTestApp, type TClient, type TTestApp } from '../../../test/test-app.ts';
import { customers } from '../../db/schema/index.ts';
import { cappedCount, COUNT_BUDGET_FROM_ROWS, EXACT_COUNT_CAP, pageTotal } from './customers.repository.ts';

let t: TTestApp;
let admin: TClient;
let zhang: TClient;
beforeAll(async () => {
  t = await createTestApp();
  admin = await t.login('admin');
  zhang = await t.login('zhang.manager');
});
afterAll(async () => t.close());

/** `n` customers with one tag, written in one statement (the API would take minutes for a thousand). */
async function insertTagged(
  n: number,
  unitCode: string,
  tag: string,
  over: { tier?: string; intentLevel?: string } = {},
) {
  await t.pool.query(
    `insert into customers (tenant_id, name, unit_id, tags, tier, intent_level, created_at, updated_at)
     select $1, '批量-' || g, $2, array[$3], $4, $5, $6::timestamptz - g * interval '1 second', $6 from generate_series(1, $7) g`,
    [
      t.tenantId,
      await unitIdByCode(t, unitCode),
      tag,
      over.tier ?? null,
      over.intentLevel ?? null,
      t.clock.now().toISOString(),
      n,
    ],
  );
}

describe('GET /api/customers — total', () => {
  it(`is exact up to ${EXACT_COUNT_CAP} matches, without an estimate flag`, async () => {
    const tag = letters(8);
    await insertTagged(EXACT_COUNT_CAP, 'SH-LJZ', tag);
    const p = await listCustomers(admin, { tags: tag, pageSize: 20 });
    expect([p.total, p.items.length, 'totalIsEstimate' in p]).toEqual([EXACT_COUNT_CAP, 20, false]);
  });

  it('past the cap is flagged as an estimate and never below cap + 1; the last page, not full, is exact again', async () => {
    const tag = letters(8);
    await insertTagged(EXACT_COUNT_CAP + 5, 'SH-LJZ', tag);
    const first = await listCustomers(admin, { tags: tag, pageSize: 20 });
    expect(first.totalIsEstimate).toBe(true);
    expect(first.total).toBeGreaterThan(EXACT_COUNT_CAP);
    expect(first.items).toHaveLength(20);
    const last = await listCustomers(admin, { tags: tag, pageSize: 100, page: 11 });
    expect([last.total, last.items.length, 'totalIsEstimate' in last]).toEqual([EXACT_COUNT_CAP + 5, 5, false]);
    // Past the end: nothing shown, and the total claims no more than the rows before this page.
    const beyond = await listCustomers(admin, { tags: tag, pageSize: 100, page: 20 });
    expect(beyond.items).toEqual([]);
    expect(beyond.total).toBeLessThanOrEqual(1900);
  });

  it('counts with every filter and the caller scope: the manager counts only his subtree, combined filters stay exact', async () => {
    const tag = letters(8);
    await insertTagged(30, 'SH-LJZ', tag, { tier: 'VIP', intentLevel: '关注' });
    await insertTagged(20, 'SH-XJH', tag, { tier: 'VIP', intentLevel: '考虑中' });
    await insertTagged(40, 'HZ-XH', tag, { tier: 'VIP', intentLevel: '关注' });
    const total = async (by: TClient, q: Record<string, string>) =>
      (await listCustomers(by, { tags: tag, pageSize: 10, ...q })).total;
    expect(await total(admin, {})).toBe(90);
    expect(await total(zhang, {})).toBe(50);
    expect(await total(zhang, { tier: 'VIP', intentLevel: '关注' })).toBe(30);
    expect(await total(admin, { tier: 'VIP', intentLevel: '关注' })).toBe(70);
    expect(await total(zhang, { tier: 'VIP', intentLevel: '关注', unitId: await unitIdByCode(t, 'SH-XJH') })).toBe(0);
    expect(await total(zhang, { unitId: await unitIdByCode(t, 'SH'), tier: '重要' })).toBe(0);
    // A unit outside the manager's scope filters to nothing (not to the whole tenant).
    expect(await total(zhang, { unitId: await unitIdByCode(t, 'HZ') })).toBe(0);
  });

  it('combines the unit subtree, tier and tags: only customers matching every filter (the bench three-filter case)', async () => {
    const tag = letters(8);
    const a = await createCustomer(t, admin, 'SH-LJZ-W1', { tags: [tag, '理财客户'], tier: 'VIP' });
    await createCustomer(t, admin, 'SH-LJZ', { tags: [tag], tier: 'VIP' });
    await createCustomer(t, admin, 'SH-XJH', { tags: [tag, '理财客户'], tier: 'VIP' });
    await createCustomer(t, admin, 'SH-LJZ', { tags: [tag, '理财客户'], tier: '普通' });
    const page = await listCustomers(zhang, {
      tags: `${tag},理财客户`,
      tier: 'VIP',
      unitId: await unitIdByCode(t, 'SH-LJZ'),
    });
    expect([idsOf(page), page.total]).toEqual([[a.id], 1]);
  });
});

describe('cappedCount', () => {
  it('gives up when the budget runs out (null), and the pooled connection keeps no statement timeout', async () => {
    // Every row sleeps 20 ms: a 5 ms budget always runs out, whatever the machine's load (fromRows 0: any table size).
    expect(await cappedCount(t.db, sql`pg_sleep(0.02) is not null`, { ms: 5, fromRows: 0 })).toBeNull();
    const timeouts = await Promise.all(
      Array.from({ length: 10 }, () => t.db.execute<{ statement_timeout: string }>(sql`show statement_timeout`)),
    );
    expect(timeouts.map((r) => r.rows[0]!.statement_timeout)).toEqual(Array(10).fill('0'));
    expect(await cappedCount(t.db, sql`true`, { ms: 5_000, fromRows: 0 })).toBeGreaterThan(0);
  });

  it('counts a small table exactly however long it takes: the budget is for big tables only', async () => {
    const tag = letters(8);
    await insertTagged(5, 'SH-LJZ', tag);
    const ids = (await t.pool.query<{ id: string }>('select id from customers where $1 = any(tags)', [tag])).rows.map(
      (r) => r.id,
    );
    // Five rows found by primary key, each sleeping 10 ms: 50 ms against a 5 ms budget, still exact.
    const where = sql`${customers.id} in (${sql.join(
      ids.map((id) => sql`${id}::uuid`),
      sql`, `,
    )}) and pg_sleep(0.01) is not null`;
    expect(await cappedCount(t.db, where, { ms: 5, fromRows: COUNT_BUDGET_FROM_ROWS })).toBe(5);
  });
});

describe('pageTotal', () => {
  const estimate = (n: number) => async () => n;
  const page = (offset: number, shown: number, pageSize = 20) => ({ offset, shown, pageSize });
  it('trusts an exact count within the cap', async () => {
    expect(await pageTotal(37, estimate(9999), page(20, 17))).toEqual({ total: 37, isEstimate: false });
    expect(await pageTotal(0, estimate(9999), page(0, 0))).toEqual({ total: 0, isEstimate: false });
  });
  it('knows the total from a page that is not full, whatever the count did', async () => {
    expect(await pageTotal(null, estimate(16258), page(0, 0))).toEqual({ total: 0, isEstimate: false });
    expect(await pageTotal(null, estimate(16258), page(40, 3))).toEqual({ total: 43, isEstimate: false });
    expect(await pageTotal(EXACT_COUNT_CAP + 1, estimate(5000), page(1000, 7))).toEqual({
      total: 1007,
      isEstimate: false,
    });
  });
  it('otherwise estimates, kept within what is known', async () => {
    expect(await pageTotal(EXACT_COUNT_CAP + 1, estimate(50), page(0, 20))).toEqual({
      total: EXACT_COUNT_CAP + 1,
      isEstimate: true,
    });
    expect(await pageTotal(EXACT_COUNT_CAP + 1, estimate(250000), page(0, 20))).toEqual({
      total: 250000,
      isEstimate: true,
    });
    expect(await pageTotal(null, estimate(3), page(20, 20))).toEqual({ total: 41, isEstimate: true });
    expect(await pageTotal(null, estimate(90000), page(20, 20))).toEqual({ total: 90000, isEstimate: true });
    expect(await pageTotal(null, estimate(90000), page(400, 0))).toEqual({ total: 400, isEstimate: true });
  });
});
