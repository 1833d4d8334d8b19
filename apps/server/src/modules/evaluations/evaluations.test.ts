import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TEvaluation, TEvaluationDetail, TEvaluationStream } from '@huifang/shared';
import { createCustomer } from '../../../test/customers-helpers.ts';
import { auditRowsOfRequest, countRows, expectError, unitIdByCode, userIdByName } from '../../../test/helpers.ts';
import { createTestApp, type TClient, type TTestApp } from '../../../test/test-app.ts';
import { recordEvaluation, type TNewEvaluation } from './evaluations.write.ts';

let t: TTestApp;
let admin: TClient;
let shManager: TClient;
let hzManager: TClient;
let teller: TClient;
beforeAll(async () => {
  t = await createTestApp();
  [admin, shManager, hzManager, teller] = await Promise.all([
    t.login('admin'),
    t.login('zhang.manager'),
    t.login('li.manager'),
    t.login('chen.teller'),
  ]);
});
afterAll(async () => t.close());

/** A kiosk-like evaluation of chen.teller (陆家嘴 1号窗口) unless overridden. */
async function seed(over: Partial<TNewEvaluation> = {}) {
  const counterId = await unitIdByCode(t, 'SH-LJZ-W1');
  return recordEvaluation(t.db, {
    tenantId: t.tenantId,
    channel: 'kiosk',
    occurredAt: t.clock.now(),
    unitId: await unitIdByCode(t, 'SH-LJZ'),
    counterId,
    staffId: await userIdByName(t, 'chen.teller'),
    sourceType: 'device',
    score: 4,
    ratingLabel: '满意',
    idempotencyKey: crypto.randomUUID(),
    ...over,
  });
}

const stream = (res: { statusCode: number; body: string; json(): unknown }) => {
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as TEvaluationStream;
};

describe('evaluation store', () => {
  it('stores one evaluation per idempotency key, whatever the number of submissions', async () => {
    const key = crypto.randomUUID();
    const results = await Promise.all(Array.from({ length: 8 }, () => seed({ idempotencyKey: key })));
    expect(new Set(results.map((r) => r.id)).size).toBe(1);
    expect(results.filter((r) => !r.isDuplicate)).toHaveLength(1);
    expect(await countRows(t, 'select 1 from evaluations where idempotency_key = $1', [key])).toBe(1);
  });

  it('is append-only: UPDATE, DELETE and TRUNCATE are refused by the database', async () => {
    const { id } = await seed();
    await expect(t.pool.query('update evaluations set score = 5 where id = $1', [id])).rejects.toThrow(/append-only/);
    await expect(t.pool.query('delete from evaluations where id = $1', [id])).rejects.toThrow(/append-only/);
    await expect(t.pool.query('truncate evaluations cascade')).rejects.toThrow(/append-only/);
  });

  it('under the customer-relink switch allows exactly a relink: the customer changes, text and answers only clear', async () => {
    const a = await createCustomer(t, admin, 'SH-LJZ');
    const b = await createCustomer(t, admin, 'SH-LJZ');
    const { id } = await seed({ customerId: a.id, text: '很好', answers: { q1: 5 }, flags: ['fast_press'] });
    const underRelink = async (set: string, params: unknown[] = []) => {
      const c = await t.pool.connect();
      try {
        await c.query('begin');
        await c.query(`select set_config('huifang.customer_relink', 'on', true)`);
        await c.query(`update evaluations set ${set} where id = $1`, [id, ...params]);
        await c.query('commit');
      } catch (err) {
        await c.query('rollback');
        throw err;
      } finally {
        c.release();
      }
    };
    // What 0007 let through and a relink never does: flags, label, source, receipt time, another text.
    for (const [set, params] of [
      ['flags = $2', [['vip']]],
      ['rating_label = $2', ['非常满意']],
      ['source_type = $2', ['user']],
      ['received_at = received_at + $2::interval', ['1 hour']],
      ['text = $2', ['改过的评价']],
      ['answers = $2', [{ q1: 1 }]],
    ] as const)
      await expect(underRelink(set, [...params]), set).rejects.toThrow(/append-only/);
    // The two relinks: merge (another customer) and erasure (no customer, no text, no answers).
    await underRelink('customer_id = $2', [b.id]);
    await underRelink('customer_id = null, text = null, answers = null');
    const after = (
      await t.pool.query('select customer_id, text, answers, flags, score from evaluations where id = $1', [id])
    ).rows[0];
    expect(after).toEqual({ customer_id: null, text: null, answers: null, flags: ['fast_press'], score: 4 });
  });

  it('lists newest first with a keyset cursor that pages without gaps or repeats', async () => {
    const staffId = await userIdByName(t, 'teller02');
    const base = Date.parse('2026-03-01T08:00:00Z');
    const ids = [];
    for (let i = 0; i < 7; i++) ids.push((await seed({ staffId, occurredAt: new Date(base + (i % 3) * 60_000) })).id);
    const seen: TEvaluation[] = [];
    let cursor: string | null = null;
    do {
      const page: TEvaluationStream = stream(
        await admin.get(`/api/evaluations?staffId=${staffId}&pageSize=3${cursor ? `&cursor=${cursor}` : ''}`),
      );
      seen.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen.map((e) => e.id).sort()).toEqual([...ids].sort());
    const times = seen.map((e) => e.occurredAt);
    expect(times).toEqual([...times].sort().reverse());
    await expectError(await admin.get('/api/evaluations?cursor=garbage'), 400, 'VALIDATION_FAILED', [
      'querystring.cursor',
    ]);
  });

  it('scopes by data scope: the teller sees own ratings, the branch manager the branch, the other branch 404', async () => {
    const own = await seed();
    const other = await seed({ staffId: await userIdByName(t, 'teller02') });
    const tellerIds = stream(await teller.get('/api/evaluations?pageSize=100')).items.map((e) => e.id);
    expect(tellerIds).toContain(own.id);
    expect(tellerIds).not.toContain(other.id);
    expect((await teller.get(`/api/evaluations/${other.id}`)).statusCode).toBe(404);
    expect((await shManager.get(`/api/evaluations/${other.id}`)).statusCode).toBe(200);
    await expectError(await hzManager.get(`/api/evaluations/${own.id}`), 404, 'NOT_FOUND');
    expect(stream(await hzManager.get('/api/evaluations?pageSize=100')).items.map((e) => e.id)).not.toContain(own.id);
    await expectError(
      await hzManager.post(`/api/evaluations/${own.id}/exclude`, { reason: '越权剔除' }),
      404,
      'NOT_FOUND',
    );
  });

  it('appeal → manager excludes with a reason: stays stored, leaves the statistics filter, audited; restore brings it back', async () => {
    const { id } = await seed({ score: 1, ratingLabel: '不满意' });
    await expectError(await teller.post(`/api/evaluations/${id}/appeal`, { reason: '' }), 400, 'VALIDATION_FAILED', [
      'body.reason',
    ]);
    const appealed = await teller.post(`/api/evaluations/${id}/appeal`, { reason: '客户误按' });
    expect(appealed.statusCode, appealed.body).toBe(200);
    expect((appealed.json() as TEvaluationDetail).appealState).toBe('open');
    await expectError(await teller.post(`/api/evaluations/${id}/appeal`, { reason: '再次申诉' }), 409, 'CONFLICT');
    // A teller cannot decide.
    await expectError(await teller.post(`/api/evaluations/${id}/exclude`, { reason: '自己剔除' }), 403, 'FORBIDDEN');
    expect(stream(await shManager.get('/api/evaluations?appeal=open&pageSize=100')).items.map((e) => e.id)).toContain(
      id,
    );

    const excluded = await shManager.post(`/api/evaluations/${id}/exclude`, { reason: '客户确认误按，监控可证' });
    expect(excluded.statusCode, excluded.body).toBe(200);
    const d = excluded.json() as TEvaluationDetail;
    expect(d).toMatchObject({ isExcluded: true, appealState: 'decided', score: 1 });
    expect(d.corrections.map((c) => [c.kind, c.reason])).toEqual([
      ['appeal', '客户误按'],
      ['exclude', '客户确认误按，监控可证'],
    ]);
    const audit = await auditRowsOfRequest(t, excluded);
    expect(audit.map((a) => [a.action, a.entity_id])).toEqual([['evaluation.excluded', id]]);
    await expectError(
      await shManager.post(`/api/evaluations/${id}/exclude`, { reason: '再剔除一次' }),
      409,
      'CONFLICT',
    );

    expect(stream(await shManager.get('/api/evaluations?excluded=true&pageSize=100')).items.map((e) => e.id)).toContain(
      id,
    );
    expect(
      stream(await shManager.get('/api/evaluations?excluded=false&pageSize=100')).items.map((e) => e.id),
    ).not.toContain(id);
    const restored = await shManager.post(`/api/evaluations/${id}/restore`, { reason: '复核后恢复' });
    expect((restored.json() as TEvaluationDetail).isExcluded).toBe(false);
  });

  it('appeals only for the rated staff member; rejecting closes the appeal', async () => {
    const other = await seed({ staffId: await userIdByName(t, 'teller02'), unitId: await unitIdByCode(t, 'SH-LJZ') });
    // chen.teller cannot even see it.
    await expectError(
      await teller.post(`/api/evaluations/${other.id}/appeal`, { reason: '不是我的' }),
      404,
      'NOT_FOUND',
    );
    const mine = await seed();
    await teller.post(`/api/evaluations/${mine.id}/appeal`, { reason: '系统故障' });
    const rejected = await shManager.post(`/api/evaluations/${mine.id}/reject-appeal`, { reason: '评价有效' });
    expect(rejected.json() as TEvaluationDetail).toMatchObject({ appealState: 'decided', isExcluded: false });
    await expectError(
      await shManager.post(`/api/evaluations/${mine.id}/reject-appeal`, { reason: '再驳回' }),
      409,
      'CONFLICT',
    );
  });

  it("joins the customer's timeline; merging keeps it; erasure keeps the statistic but drops the link and the text", async () => {
    const a = await createCustomer(t, admin, 'SH-LJZ');
    const b = await createCustomer(t, admin, 'SH-LJZ');
    const { id } = await seed({ customerId: b.id, text: '柜员很耐心，我是王先生 13800001111' });
    const timeline = (await admin.get(`/api/customers/${b.id}/timeline`)).json().items as {
      id: string;
      kind: string;
      title: string;
    }[];
    expect(timeline.find((i) => i.id === id)).toMatchObject({ kind: 'evaluation', title: '窗口评价 · 满意' });

    const merged = await admin.post('/api/customers/merge', { keepId: a.id, mergeIds: [b.id] });
    expect(merged.statusCode, merged.body).toBe(200);
    expect((await admin.get(`/api/evaluations/${id}`)).json().customerId).toBe(a.id);

    const erased = await admin.del(`/api/customers/${a.id}`);
    expect(erased.statusCode, erased.body).toBeLessThan(300);
    const after = (await t.pool.query('select customer_id, text, score from evaluations where id = $1', [id])).rows[0];
    expect(after).toEqual({ customer_id: null, text: null, score: 4 });
    // Outside an erasure the relink switch is off again: the row is append-only as before.
    await expect(t.pool.query('update evaluations set customer_id = null where id = $1', [id])).rejects.toThrow(
      /append-only/,
    );
  });
});
