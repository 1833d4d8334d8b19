import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TDashboardSummary } from '@huifang/shared';
import { countRows, expectError, loginAs, subtreeUnitIds } from '../../../test/helpers.ts';
import { createTestApp, type TClient, type TTestApp } from '../../../test/test-app.ts';

let t: TTestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

const summary = async (c: TClient): Promise<TDashboardSummary> => {
  const res = await c.get('/api/dashboard/summary');
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
};
const activeUsersIn = (unitIds: string[]) => countRows(t, 'select 1 from users where is_active and unit_id = any($1)', [unitIds]);

describe('GET /api/dashboard/summary', () => {
  it('counts what the caller can see: the whole tenant for admin, the branch for a manager', async () => {
    const admin = await t.login('admin');
    const zhang = await t.login('zhang.manager');
    const all = await summary(admin);
    // Demo tree: 1 HQ + 2 branches + 6 outlets + 12 counters.
    expect(all.units).toBe(21);
    expect(Object.fromEntries(all.unitsByType.map((r) => [r.type, r.count]))).toEqual({ hq: 1, branch: 2, outlet: 6, counter: 12 });
    expect(all.activeUsers).toBe(await countRows(t, 'select 1 from users where is_active and tenant_id = $1', [t.tenantId]));

    const sh = await summary(zhang);
    const shUnits = await subtreeUnitIds(t, 'SH');
    expect(shUnits).toHaveLength(10);
    expect(sh.units).toBe(10);
    expect(Object.fromEntries(sh.unitsByType.map((r) => [r.type, r.count]))).toEqual({ branch: 1, outlet: 3, counter: 6 });
    expect(sh.activeUsers).toBe(await activeUsersIn(shUnits));
    expect(sh.activeUsers).toBeLessThan(all.activeUsers);

    // Recent events stay inside the caller's scope.
    const li = await t.login('li.manager');
    const liSummary = await summary(li);
    expect(liSummary.recentEvents.some((e) => e.actorName === '李娜')).toBe(true);
    expect((await summary(zhang)).recentEvents.some((e) => e.actorName === '李娜')).toBe(false);
    expect(liSummary.units).toBe((await subtreeUnitIds(t, 'HZ')).length);
  });

  it('a supervisor sees his outlet; the own-scope agent sees only himself; kiosks have no dashboard', async () => {
    const wang = await t.login('wang.supervisor');
    const ljz = await subtreeUnitIds(t, 'SH-LJZ');
    const s = await summary(wang);
    expect(s.units).toBe(ljz.length);
    expect(s.activeUsers).toBe(await activeUsersIn(ljz));

    const agent = await summary(await t.login('liu.agent'));
    expect(agent.activeUsers).toBe(1);
    expect(agent.recentEvents.every((e) => e.actorName === '刘洋')).toBe(true);

    expectError(await (await t.login('kiosk.sh-ljz-w1')).get('/api/dashboard/summary'), 403, 'FORBIDDEN');
  });

  it('loginsToday counts logins since midnight Asia/Shanghai', async () => {
    // 23:30 in Shanghai on 1 March; later than anything else in this database.
    t.clock.set('2030-03-01T15:30:00Z');
    const late = await loginAs(t, 'admin', { ip: '10.99.0.1' });
    const before = await summary(late);
    expect(before.loginsToday).toBe(1);
    expect(before.auditEventsToday).toBe(1);
    await loginAs(t, 'zhang.manager', { ip: '10.99.0.2' });
    expect((await summary(late)).loginsToday).toBe(2);

    // 00:30 on 2 March in Shanghai (still 1 March in UTC): a new day, only the new login counts.
    t.clock.set('2030-03-01T16:30:00Z');
    const early = await loginAs(t, 'admin', { ip: '10.99.0.3' });
    const after = await summary(early);
    expect(after.loginsToday).toBe(1);
    expect(after.auditEventsToday).toBe(1);
    // A manager's count covers his branch only.
    const zhang = await loginAs(t, 'zhang.manager', { ip: '10.99.0.4' });
    await loginAs(t, 'li.manager', { ip: '10.99.0.5' });
    expect((await summary(zhang)).loginsToday).toBe(1);
    expect((await summary(early)).loginsToday).toBe(3);
  });
});
