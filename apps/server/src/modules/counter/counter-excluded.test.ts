import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unitIdByCode, userIdByName } from '../../../test/helpers.ts';
import { createTestApp, type TClient, type TTestApp } from '../../../test/test-app.ts';
import { recordEvaluation } from '../evaluations/evaluations.write.ts';

/**
 * Regression (issue 12): 柜台服务 today figures (counterStats) and 好评率异常 (topMarkOutliers) counted ratings that a
 * manager had excluded on appeal. Both now read the rollups, where an excluded rating is counted apart.
 */
let t: TTestApp;
let zhang: TClient;
let chen: TClient;
beforeAll(async () => {
  t = await createTestApp();
  [zhang, chen] = (await Promise.all(['zhang.manager', 'chen.teller'].map((u) => t.login(u)))) as [TClient, TClient];
});
afterAll(async () => t.close());

/** A kiosk evaluation through the store's one write path (the test seeds facts, the app under test reads them). */
async function seedKiosk(e: { unitId: string; staffId: string; score: number | null; at: Date; sessionId?: string }) {
  const { id } = await recordEvaluation(t.db, {
    tenantId: t.tenantId,
    channel: 'kiosk',
    occurredAt: e.at,
    unitId: e.unitId,
    staffId: e.staffId,
    refType: e.sessionId ? 'service_session' : null,
    refId: e.sessionId ?? null,
    sourceType: 'device',
    score: e.score,
    idempotencyKey: e.sessionId ? `kiosk:session:${e.sessionId}` : crypto.randomUUID(),
  });
  return id;
}

const exclude = async (id: string) => {
  const res = await zhang.post(`/api/evaluations/${id}/exclude`, { reason: '监控确认误按' });
  expect(res.statusCode, res.body).toBe(200);
};

describe('excluded ratings leave the counter figures', () => {
  it('柜台服务 today: an excluded 不满意 is neither rated nor unsatisfied; restoring it brings it back', async () => {
    const counterId = await unitIdByCode(t, 'SH-LJZ-W1');
    const start = await chen.post('/api/counter/sessions', { counterId, businessType: '开户销户' });
    expect(start.statusCode, start.body).toBe(200);
    t.clock.advance(60_000);
    const session = start.json() as { id: string; outletId: string };
    expect((await chen.post(`/api/counter/sessions/${session.id}/end`)).statusCode).toBe(200);
    t.clock.advance(5_000);
    const evalId = await seedKiosk({
      unitId: session.outletId,
      staffId: chen.me.user.id,
      score: 1,
      at: t.clock.now(),
      sessionId: session.id,
    });
    const stats = async () => (await chen.get('/api/counter/context')).json().stats;
    const before = await stats();
    expect(before).toMatchObject({ servedToday: 1, ratedToday: 1, unsatisfiedToday: 1, avgScoreToday: 1 });

    await exclude(evalId);
    expect(await stats()).toMatchObject({ servedToday: 1, ratedToday: 0, unsatisfiedToday: 0, avgScoreToday: null });
    // 服务统计 reads the same rollups: the manager's report agrees with the teller's own figures.
    const day = 86_400_000;
    const range = `from=${encodeURIComponent(new Date(t.clock.now().getTime() - day).toISOString())}&to=${encodeURIComponent(new Date(t.clock.now().getTime() + day).toISOString())}`;
    const report = await zhang.get(`/api/service-sessions/report?groupBy=staff&${range}`);
    expect(report.statusCode, report.body).toBe(200);
    expect(report.json().rows.find((r: { key: string }) => r.key === chen.me.user.id)).toMatchObject({
      sessions: 1,
      rated: 0,
      unsatisfied: 0,
      avgScore: null,
    });

    const restored = await zhang.post(`/api/evaluations/${evalId}/restore`, { reason: '复核后恢复' });
    expect(restored.statusCode, restored.body).toBe(200);
    expect(await stats()).toMatchObject({ ratedToday: 1, unsatisfiedToday: 1 });
  });

  it('好评率异常: top marks excluded on appeal no longer make a teller an outlier', async () => {
    const outlet = await unitIdByCode(t, 'SH-LJZ');
    const [inflated, ...peers] = await Promise.all(
      ['teller02', 'teller03', 'teller04', 'teller05'].map((u) => userIdByName(t, u)),
    );
    const peerIds = peers;
    expect(peerIds.length).toBe(3);
    const at = new Date(t.clock.now().getTime() - 2 * 86_400_000);
    // Peers: half top marks each; the inflated teller: 20 top marks out of 20.
    for (const p of peerIds)
      for (let i = 0; i < 20; i++) await seedKiosk({ unitId: outlet, staffId: p, score: i % 2 ? 5 : 4, at });
    const his: string[] = [];
    for (let i = 0; i < 20; i++) his.push(await seedKiosk({ unitId: outlet, staffId: inflated!, score: 5, at }));
    const flagged = async () =>
      ((await zhang.get('/api/service-sessions/outliers')).json().items as { staffId: string }[]).map((o) => o.staffId);
    expect(await flagged()).toEqual([inflated]);

    // A manager excludes half of them on appeal: 10 counted ratings remain, below the 20 the rule needs.
    for (const id of his.slice(0, 10)) await exclude(id);
    expect(await flagged()).toEqual([]);
  });
});
