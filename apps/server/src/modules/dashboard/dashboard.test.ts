import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TDashboardSummary } from '@huifang/shared';
import { countRows, expectError, loginAs, subtreeUnitIds } from '../../../test/helpers.ts';
import { createTestApp, type TClient, type TTestApp } from '../../../test/test-app.ts';
import { recordEvaluation } from '../evaluations/evaluations.write.ts';

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
const activeUsersIn = (unitIds: string[]) =>
  countRows(t, 'select 1 from users where is_active and unit_id = any($1)', [unitIds]);

describe('GET /api/dashboard/summary', () => {
  it('counts what the caller can see: the whole tenant for admin, the branch for a manager', async () => {
    const admin = await t.login('admin');
    const zhang = await t.login('zhang.manager');
    const all = await summary(admin);
    // Demo tree: 1 HQ + 2 branches + 6 outlets + 12 counters.
    expect(all.units).toBe(21);
    expect(Object.fromEntries(all.unitsByType!.map((r) => [r.type, r.count]))).toEqual({
      hq: 1,
      branch: 2,
      outlet: 6,
      counter: 12,
    });
    expect(all.activeUsers).toBe(
      await countRows(t, 'select 1 from users where is_active and tenant_id = $1', [t.tenantId]),
    );

    const sh = await summary(zhang);
    const shUnits = await subtreeUnitIds(t, 'SH');
    expect(shUnits).toHaveLength(10);
    expect(sh.units).toBe(10);
    expect(Object.fromEntries(sh.unitsByType!.map((r) => [r.type, r.count]))).toEqual({
      branch: 1,
      outlet: 3,
      counter: 6,
    });
    expect(sh.activeUsers).toBe(await activeUsersIn(shUnits));
    expect(sh.activeUsers).toBeLessThan(all.activeUsers!);

    // Recent events stay inside the caller's scope.
    const li = await t.login('li.manager');
    const liSummary = await summary(li);
    expect(liSummary.recentEvents!.some((e) => e.actorName === '李娜')).toBe(true);
    expect((await summary(zhang)).recentEvents!.some((e) => e.actorName === '李娜')).toBe(false);
    expect(liSummary.units).toBe((await subtreeUnitIds(t, 'HZ')).length);
  });

  it('a supervisor sees his outlet and the team tasks; the own-scope agent sees only his own work; kiosks have no dashboard', async () => {
    const wang = await t.login('wang.supervisor');
    const ljz = await subtreeUnitIds(t, 'SH-LJZ');
    const s = await summary(wang);
    expect(s.units).toBe(ljz.length);
    expect(s.activeUsers).toBe(await activeUsersIn(ljz));
    expect([s.teamTasks !== null, s.myTasks, s.counter, s.recentEvents]).toEqual([true, null, null, null]);

    // The own-scope agent: his tasks, not the organisation's figures (not even computed).
    const agent = await summary(await t.login('liu.agent'));
    expect([
      agent.units,
      agent.unitsByType,
      agent.activeUsers,
      agent.loginsToday,
      agent.recentEvents,
      agent.counter,
      agent.teamTasks,
    ]).toEqual([null, null, null, null, null, null, null]);
    expect(agent.myTasks).toMatchObject({ dueToday: expect.any(Number), overdue: expect.any(Number) });

    expectError(await (await t.login('kiosk.sh-ljz-w1')).get('/api/dashboard/summary'), 403, 'FORBIDDEN');
  });

  it('role tiles: a teller gets his served customers, own satisfaction and appeals, and nothing of the organisation; a manager the team view', async () => {
    const teller03 = (await t.pool.query("select id, unit_id from users where username = 'teller03'")).rows[0] as {
      id: string;
      unit_id: string;
    };
    // teller03 sits at a counter (his unit); its parent is the outlet.
    const counterOf = (
      await t.pool.query("select id, parent_id from org_units where id = $1 and type = 'counter'", [teller03.unit_id])
    ).rows[0] as { id: string; parent_id: string };
    const teller = await t.login('teller03');
    const before = await summary(teller);
    expect([
      before.units,
      before.unitsByType,
      before.activeUsers,
      before.loginsToday,
      before.auditEventsToday,
      before.recentEvents,
      before.myTasks,
      before.teamTasks,
    ]).toEqual([null, null, null, null, null, null, null, null]);
    expect(before.evaluations).toMatchObject({
      satisfiedPercent30Days: expect.toBeOneOf([null, expect.any(Number)]),
      openAppeals: expect.any(Number),
    });
    // Two customers served this morning (sessions of his counter), one yesterday: today counts two.
    const now = t.clock.now();
    for (const startedAt of [
      new Date(now.getTime() - 3_600_000),
      new Date(now.getTime() - 1_800_000),
      new Date(now.getTime() - 86_400_000 * 2),
    ]) {
      await t.pool.query(
        'insert into service_sessions (tenant_id, counter_id, outlet_id, staff_id, business_type, started_at, ended_at, handling_seconds) values ($1, $2, $3, $4, $5, $6, $7, 300)',
        [
          t.tenantId,
          counterOf.id,
          counterOf.parent_id,
          teller03.id,
          '对私',
          startedAt,
          new Date(startedAt.getTime() + 300_000),
        ],
      );
    }
    expect((await summary(teller)).counter!.servedToday).toBe(before.counter!.servedToday + 2);
    // The manager holds counter:serve and followup:work (to grant them) but sees the team, not personal tiles.
    const zhang = await summary(await t.login('zhang.manager'));
    expect([zhang.counter, zhang.myTasks]).toEqual([null, null]);
    expect(zhang.teamTasks).toMatchObject({ open: expect.any(Number), overdue: expect.any(Number) });
    expect(zhang.units).not.toBeNull();
    expect(zhang.evaluations).not.toBeNull();
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

  it("evaluation figures of the caller's scope: today, 30 days, satisfied share, unsatisfied, open appeals; exclusions left out", async () => {
    const shOutlet = (await t.pool.query("select id from org_units where code = 'SH-XJH'")).rows[0].id as string;
    const hzOutlet = (await t.pool.query("select id from org_units where code = 'HZ-XH'")).rows[0].id as string;
    const staffId = (await t.pool.query("select id from users where username = 'teller03'")).rows[0].id as string;
    const now = t.clock.now();
    const seed = (unitId: string, score: number | null, daysAgo: number) =>
      recordEvaluation(t.db, {
        tenantId: t.tenantId,
        channel: 'kiosk',
        occurredAt: new Date(now.getTime() - daysAgo * 86_400_000),
        unitId,
        staffId,
        sourceType: 'device',
        score,
        idempotencyKey: crypto.randomUUID(),
      });
    const zhang = await t.login('zhang.manager');
    const before = (await summary(zhang)).evaluations!;
    // 上海: today 5 and 1, yesterday 4, 10 days ago 2 and unrated, 40 days ago (outside); 杭州: today 5 (out of scope).
    const [a, , , low] = await Promise.all([
      seed(shOutlet, 5, 0),
      seed(shOutlet, 1, 0),
      seed(shOutlet, 4, 1),
      seed(shOutlet, 2, 10),
      seed(shOutlet, null, 10),
      seed(shOutlet, 5, 40),
      seed(hzOutlet, 5, 0),
    ]);
    const after = (await summary(zhang)).evaluations!;
    expect({
      today: after.today - before.today,
      last30Days: after.last30Days - before.last30Days,
      rated30Days: after.rated30Days - before.rated30Days,
      unsatisfied30Days: after.unsatisfied30Days - before.unsatisfied30Days,
    }).toEqual({ today: 2, last30Days: 5, rated30Days: 4, unsatisfied30Days: 2 });
    // The test tenant starts without evaluations: 2 of the 4 rated (5, 4) are satisfied.
    expect([before.rated30Days, after.satisfiedPercent30Days]).toEqual([0, 50]);

    // An excluded rating leaves the figures; an open appeal is counted until decided.
    const teller = await t.login('teller03');
    expect((await teller.post(`/api/evaluations/${low.id}/appeal`, { reason: '客户误按' })).statusCode).toBe(200);
    expect((await summary(zhang)).evaluations!.openAppeals).toBe(after.openAppeals + 1);
    expect((await zhang.post(`/api/evaluations/${low.id}/exclude`, { reason: '监控确认误按' })).statusCode).toBe(200);
    const decided = (await summary(zhang)).evaluations!;
    expect([decided.openAppeals, decided.unsatisfied30Days, decided.rated30Days]).toEqual([
      after.openAppeals,
      after.unsatisfied30Days - 1,
      after.rated30Days - 1,
    ]);
    expect(a.isDuplicate).toBe(false);

    // Without evaluation:read there are no evaluation figures at all.
    const admin = await t.login('admin');
    const role = (
      await admin.post('/api/roles', {
        name: `只看工作台${crypto.randomUUID().slice(0, 6)}`,
        permissions: ['dashboard:read'],
        dataScope: 'tenant',
      })
    ).json();
    const username = `dash${crypto.randomUUID().slice(0, 8)}`;
    await admin.post('/api/users', {
      username,
      password: 'Dashboard-1234',
      displayName: '看板',
      unitId: shOutlet,
      roleIds: [role.id],
    });
    const plain = await loginAs(t, username, { password: 'Dashboard-1234' });
    expect((await summary(plain)).evaluations).toBeNull();
  });
});
