import crypto from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { TNotificationList } from '@huifang/shared';
import { createCustomer, letters } from '../../../test/customers-helpers.ts';
import { auditRowsOfRequest, countRows, expectError, unitIdByCode } from '../../../test/helpers.ts';
import { createTestApp, type TClient, type TTestApp } from '../../../test/test-app.ts';
import { tenantEvaluationPolicies } from '../../db/schema/index.ts';
import { recordEvaluation } from '../evaluations/evaluations.write.ts';

/**
 * The tenant's 不满意提醒阈值 (settings → 评价提醒) end to end: the admin sets it through the API (validated, audited),
 * and the negative-evaluation alert consumer applies it to every channel — a score-3 survey answer, kiosk press and
 * order review alert the outlet's manager at threshold 3 and not at the default 2; a 不满意 label and a kiosk's lowest
 * key alert whatever the threshold.
 */
let t: TTestApp;
let admin: TClient;
let zhang: TClient; // 上海分行 manager: told of 差评 in 陆家嘴支行
let chen: TClient; // chen.teller, serves at SH-LJZ-W1
let ips = 0;
const ip = () => `10.77.${Math.floor(++ips / 250)}.${ips % 250}`;

const put = (c: TClient, payload: unknown) =>
  c.request({ method: 'PUT', url: '/api/settings/evaluation-policy', payload: payload as Record<string, unknown> });
const ok = <T>(res: { statusCode: number; body: string; json(): unknown }, status = 200): T => {
  expect(res.statusCode, res.body).toBe(status);
  return res.json() as T;
};
/** Links of the 不满意 alerts zhang has, after the evaluation-events job has run. */
async function alertedLinks(): Promise<string[]> {
  await t.runEvaluationEvents();
  const list = ok<TNotificationList>(await zhang.get('/api/notifications?limit=100&kind=evaluation.unsatisfied'));
  return list.items.map((n) => n.link ?? '');
}
const linkOf = (evaluationId: string) => `/evaluations?open=${evaluationId}`;

// ── the three channels, through their real routes ────────────────────────────────────────────────────────────────
let surveyOpenToken = '';
async function surveyAnswer(sat: number): Promise<string> {
  const res = await t.app.inject({
    method: 'POST',
    url: `/api/s/${surveyOpenToken}/responses`,
    payload: { answers: { sat } },
    headers: { 'idempotency-key': crypto.randomUUID() },
  });
  expect(res.statusCode, res.body).toBe(201);
  const r = await t.pool.query("select id from evaluations where ref_type = 'survey_response' and ref_id = $1", [
    res.json().responseId,
  ]);
  return r.rows[0].id as string;
}

let kioskToken = '';
let counterId = '';
/** Default kiosk keys (1-based): 1 非常满意 5, 2 满意 4, 3 一般 3, 4 不满意 1 (the lowest). */
async function kioskPress(key: number): Promise<string> {
  const start = ok<{ id: string }>(await chen.post('/api/counter/sessions', { counterId, businessType: '个人存取款' }));
  ok(await chen.post(`/api/counter/sessions/${start.id}/end`));
  const shown = t.clock.now();
  t.clock.advance(3000);
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/kiosk/device/ratings',
    headers: { authorization: `Bearer ${kioskToken}`, 'idempotency-key': crypto.randomUUID() },
    payload: {
      sessionId: start.id,
      key,
      shownAt: new Date(shown.getTime() + 1000).toISOString(),
      pressedAt: new Date(shown.getTime() + 3000).toISOString(),
    },
  });
  expect(res.statusCode, res.body).toBeLessThan(300);
  expect(res.json()).toMatchObject({ score: [5, 4, 3, 1][key - 1] });
  return res.json().evaluationId as string;
}

let shopCustomer: { id: string; unitId: string };
async function orderReview(stars: number): Promise<string> {
  const tx = ok<{ id: string }>(
    await admin.post(`/api/customers/${shopCustomer.id}/transactions`, {
      kind: 'order',
      amountFen: 9_900,
      occurredAt: new Date(t.clock.now().getTime() - 86_400_000).toISOString(),
      orderNo: `T${letters(8)}`,
    }),
    201,
  );
  const link = ok<{ token: string }>(await zhang.post('/api/order-reviews/links', { transactionId: tx.id }), 201);
  const res = await t.app.inject({
    method: 'POST',
    url: `/api/review-links/${link.token}/rating`,
    payload: { dimensions: { description: stars, service: stars, logistics: stars } },
  });
  expect(res.statusCode, res.body).toBe(201);
  const r = await t.pool.query(
    "select id, score from evaluations where channel = 'order_review' and tenant_id = $1 order by received_at desc, id limit 1",
    [t.tenantId],
  );
  expect(r.rows[0].score).toBe(stars);
  return r.rows[0].id as string;
}

beforeAll(async () => {
  t = await createTestApp();
  admin = await t.login('admin');
  zhang = await t.login('zhang.manager');
  chen = await t.login('chen.teller');

  const survey = ok<{ id: string }>(
    await admin.post('/api/surveys', {
      definition: { title: '满意度', questions: [{ key: 'sat', type: 'csat', title: '总体满意度', required: true }] },
      unitId: await unitIdByCode(t, 'SH-LJZ'),
    }),
    201,
  );
  ok(await admin.post(`/api/surveys/${survey.id}/publish`, {}));
  surveyOpenToken = ok<{ openToken: string }>(await admin.post(`/api/surveys/${survey.id}/open-link`, {})).openToken;

  counterId = await unitIdByCode(t, 'SH-LJZ-W1');
  const pc = ok<{ code: string }>(await zhang.post('/api/kiosk/pairing-codes', { counterId, deviceName: '平板' }));
  const paired = await t.app.inject({
    method: 'POST',
    url: '/api/kiosk/pair',
    payload: { code: pc.code },
    remoteAddress: ip(),
  });
  kioskToken = ok<{ token: string }>(paired).token;

  shopCustomer = await createCustomer(t, admin, 'SH-LJZ');
  ok(await zhang.post('/api/order-reviews/shops', { unitId: shopCustomer.unitId }), 201);
});
afterAll(async () => t.close());
beforeEach(async () => {
  await t.db.delete(tenantEvaluationPolicies);
  await t.runEvaluationEvents();
});

describe('不满意提醒阈值 settings', () => {
  it('defaults to 2 until saved; saving is audited with before and after', async () => {
    expect(ok(await admin.get('/api/settings/evaluation-policy'))).toEqual({ negativeScoreMax: 2, updatedAt: null });
    const res = await put(admin, { negativeScoreMax: 3 });
    expect(ok(res)).toMatchObject({ negativeScoreMax: 3, updatedAt: expect.any(String) });
    expect(ok(await admin.get('/api/settings/evaluation-policy'))).toMatchObject({ negativeScoreMax: 3 });
    const audit = await auditRowsOfRequest(t, res);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      action: 'evaluation_policy.changed',
      entity_type: 'evaluation_policy',
      before: { negativeScoreMax: 2, updatedAt: null },
      after: { negativeScoreMax: 3 },
    });
  });

  it('out of range or not a whole number → 400 naming body.negativeScoreMax, nothing written', async () => {
    const audits = () => countRows(t, `select 1 from audit_events where action = 'evaluation_policy.changed'`);
    const before = await audits();
    for (const payload of [
      { negativeScoreMax: 5 },
      { negativeScoreMax: 0 },
      { negativeScoreMax: 2.5 },
      { negativeScoreMax: '3' },
      {},
    ])
      expectError(await put(admin, payload), 400, 'VALIDATION_FAILED', ['body.negativeScoreMax']);
    expect(await countRows(t, 'select 1 from tenant_evaluation_policies')).toBe(0);
    expect(await audits()).toBe(before);
  });

  it('only settings:write may change it (a manager or an agent gets 403, nothing written); everyone signed in may read it', async () => {
    for (const c of [zhang, await t.login('liu.agent')]) {
      expectError(await put(c, { negativeScoreMax: 4 }), 403, 'FORBIDDEN');
      expect(ok(await c.get('/api/settings/evaluation-policy'))).toMatchObject({ negativeScoreMax: 2 });
    }
    expect(await countRows(t, 'select 1 from tenant_evaluation_policies')).toBe(0);
  });
});

describe('the alert consumer applies the tenant threshold to every channel', () => {
  it('default 2: a score-3 survey answer, kiosk 一般 press and 3-star order review alert nobody; a score 2 does', async () => {
    const quiet = [await surveyAnswer(3), await kioskPress(3), await orderReview(3)];
    const loud = await surveyAnswer(2);
    const links = await alertedLinks();
    for (const id of quiet) expect(links).not.toContain(linkOf(id));
    expect(links).toContain(linkOf(loud));
  });

  it('threshold 3: the same score-3 survey answer, kiosk press and order review each alert the manager once', async () => {
    ok(await put(admin, { negativeScoreMax: 3 }));
    const ids = [await surveyAnswer(3), await kioskPress(3), await orderReview(3)];
    const fine = [await surveyAnswer(4), await kioskPress(2), await orderReview(4)];
    const links = await alertedLinks();
    for (const id of ids) expect(links.filter((l) => l === linkOf(id))).toHaveLength(1);
    for (const id of fine) expect(links).not.toContain(linkOf(id));
  });

  it('threshold 1: a score 2 is quiet, but a 不满意 label and the kiosk lowest key still alert', async () => {
    ok(await put(admin, { negativeScoreMax: 1 }));
    const two = await surveyAnswer(2);
    const lowestKey = await kioskPress(4); // 不满意, score 1
    const unitId = await unitIdByCode(t, 'SH-LJZ');
    const rec = (score: number, over: Partial<Parameters<typeof recordEvaluation>[1]>) =>
      recordEvaluation(t.db, {
        tenantId: t.tenantId,
        channel: 'kiosk',
        occurredAt: t.clock.now(),
        unitId,
        counterId,
        staffId: null,
        sourceType: 'device',
        score,
        idempotencyKey: crypto.randomUUID(),
        ...over,
      });
    // A score-3 rating labelled 不满意 (a custom survey label), and the lowest key of a kiosk scored 5/4/3.
    const labelled = await rec(3, { channel: 'survey', sourceType: 'link', ratingLabel: '不满意' });
    const lowestOf543 = await rec(3, { ratingLabel: '一般', event: { isLowestOption: true } });
    const links = await alertedLinks();
    expect(links).not.toContain(linkOf(two));
    for (const id of [lowestKey, labelled.id, lowestOf543.id]) expect(links).toContain(linkOf(id));
  });

  it('the threshold in force when the consumer handles the event decides', async () => {
    const pending = await surveyAnswer(3); // recorded under the default 2, not handled yet
    ok(await put(admin, { negativeScoreMax: 3 }));
    expect(await alertedLinks()).toContain(linkOf(pending));
    // Lowering it again does not take back an alert, nor alert twice.
    ok(await put(admin, { negativeScoreMax: 2 }));
    expect((await alertedLinks()).filter((l) => l === linkOf(pending))).toHaveLength(1);
  });
});
