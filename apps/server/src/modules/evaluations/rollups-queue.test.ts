import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unitIdByCode, userIdByName } from '../../../test/helpers.ts';
import { createTestApp, type TTestApp } from '../../../test/test-app.ts';
import { recordCorrection, recordEvaluation } from './evaluations.write.ts';
import { foldEvaluationRollups } from './rollups.ts';

/**
 * Migration 0070 (issue 12: the rollups' cost to the write path): inserting evaluations computes no rollup key — the
 * insert trigger queues the ids it wrote, and the fold expands them. What a manager relies on stays: a rating counts
 * once, an exclusion takes it out whether it came before or after the fold, and a correction that reached the
 * database before its rating (the property test's "corrections arriving before their evaluation") still decides.
 */
let t: TTestApp;
let unit: string;
let admin: string;
const DAY = '2026-05-12';
const AT = new Date(`${DAY}T03:00:00Z`); // 11:00 in Asia/Shanghai

beforeAll(async () => {
  t = await createTestApp();
  unit = await unitIdByCode(t, 'SH-LJZ');
  admin = await userIdByName(t, 'admin');
  await foldEvaluationRollups(t.db, t.tenantId);
});
afterAll(async () => t?.close());

const rate = (score: number | null, id?: string) =>
  recordEvaluation(t.db, {
    ...(id ? { id } : {}),
    tenantId: t.tenantId,
    channel: 'staff',
    occurredAt: AT,
    unitId: unit,
    sourceType: 'user',
    sourceId: admin,
    score,
    idempotencyKey: `rollups-queue:${crypto.randomUUID()}`,
  });
const correct = (evaluationId: string, kind: 'exclude' | 'restore') =>
  recordCorrection(t.db, { tenantId: t.tenantId, evaluationId, kind, reason: '测试', actorId: admin, at: AT });
/** The day's figures of the unit's staff entries (channel staff), in the fine table (after a fold). */
const figures = async () => {
  await foldEvaluationRollups(t.db, t.tenantId);
  const r = await t.pool.query<{ total: number; excluded: number; score_2: number; unrated: number }>(
    `select coalesce(sum(total), 0)::int as total, coalesce(sum(excluded), 0)::int as excluded,
            coalesce(sum(score_2), 0)::int as score_2, coalesce(sum(unrated), 0)::int as unrated
     from evaluation_rollups where tenant_id = $1 and unit_id = $2 and day = $3 and channel = 'staff'`,
    [t.tenantId, unit, DAY],
  );
  return r.rows[0]!;
};
const queued = async () => {
  const q = (sql: string) => t.pool.query<{ n: number }>(sql, [t.tenantId]).then((r) => r.rows[0]!.n);
  return {
    ids: await q('select coalesce(sum(cardinality(ids)), 0)::int as n from evaluation_rollup_new where tenant_id = $1'),
    pending: await q('select count(*)::int as n from evaluation_rollup_pending where tenant_id = $1'),
    early: await q('select count(*)::int as n from evaluation_rollup_early where tenant_id = $1'),
  };
};

describe('evaluation rollups: the queue of new evaluations (migration 0070)', () => {
  it('an insert queues only its ids; the fold counts them once, in the tenant’s local day', async () => {
    const before = await figures();
    const a = await rate(2);
    const b = await rate(null);
    expect(await queued()).toEqual({ ids: 2, pending: 0, early: 0 });
    expect(a.isDuplicate || b.isDuplicate).toBe(false);
    const after = await figures();
    expect(after).toEqual({
      ...before,
      total: before.total + 2,
      score_2: before.score_2 + 1,
      unrated: before.unrated + 1,
    });
    expect(await queued()).toEqual({ ids: 0, pending: 0, early: 0 });
    // A second fold adds nothing.
    expect(await figures()).toEqual(after);
  });

  it('an exclusion before the fold takes the new rating out; a restore puts it back', async () => {
    const before = await figures();
    const { id } = await rate(2);
    await correct(id, 'exclude');
    expect(await figures()).toEqual({ ...before, excluded: before.excluded + 1 });
    await correct(id, 'restore');
    expect(await figures()).toEqual({ ...before, total: before.total + 1, score_2: before.score_2 + 1 });
  });

  it('a correction written before its rating exists decides how the rating counts when it arrives', async () => {
    const before = await figures();
    const id = crypto.randomUUID();
    await correct(id, 'exclude');
    expect(await queued()).toEqual({ ids: 0, pending: 0, early: 1 });
    expect(await figures()).toEqual(before);
    await rate(2, id);
    expect(await figures()).toEqual({ ...before, excluded: before.excluded + 1 });
    expect(await queued()).toEqual({ ids: 0, pending: 0, early: 0 });
    // Later corrections move it from there.
    await correct(id, 'restore');
    expect(await figures()).toEqual({ ...before, total: before.total + 1, score_2: before.score_2 + 1 });
  });
});
