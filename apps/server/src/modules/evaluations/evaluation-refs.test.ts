import crypto from 'node:crypto';
import { drizzle } from 'drizzle-orm/node-postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../db/client.ts';
import { countRows, unitIdByCode, userIdByName } from '../../../test/helpers.ts';
import { createTestApp, type TTestApp } from '../../../test/test-app.ts';
import { recordEvaluation, recordEvaluations, type TNewEvaluation } from './evaluations.write.ts';

/**
 * The references of evaluations (tenant, unit, counter, staff) and survey responses (tenant, unit) are checked by
 * statement-level triggers instead of per-row foreign keys (migration 0043, issue 12 speed). They must refuse every
 * bad reference the keys refused — and a unit, counter or staff member of another tenant, which the keys let through —
 * with nothing of the statement written, and keep a referenced unit, user or tenant from being deleted.
 */
let t: TTestApp;
let outlet: string;
let counter: string;
let teller: string;
let other: { tenant: string; unit: string; user: string };
beforeAll(async () => {
  t = await createTestApp();
  [outlet, counter, teller] = await Promise.all([
    unitIdByCode(t, 'SH-LJZ'),
    unitIdByCode(t, 'SH-LJZ-W1'),
    userIdByName(t, 'chen.teller'),
  ]);
  const tenant = (
    await t.pool.query(
      `insert into tenants (slug, name) values ('other-' || md5(random()::text), '另一家') returning id`,
    )
  ).rows[0].id as string;
  const unit = (
    await t.pool.query(
      `insert into org_units (tenant_id, name, type, path, depth) values ($1, '别家网点', 'outlet', 'x', 0) returning id`,
      [tenant],
    )
  ).rows[0].id as string;
  const user = (
    await t.pool.query(
      `insert into users (tenant_id, unit_id, username, display_name, password_hash) values ($1, $2, $3, '别家柜员', 'x') returning id`,
      [tenant, unit, `other-${crypto.randomUUID().slice(0, 8)}`],
    )
  ).rows[0].id as string;
  other = { tenant, unit, user };
});
afterAll(() => t.close());

const evaluation = (over: Partial<TNewEvaluation> = {}): TNewEvaluation => ({
  tenantId: t.tenantId,
  channel: 'kiosk',
  occurredAt: t.clock.now(),
  unitId: outlet,
  counterId: counter,
  staffId: teller,
  sourceType: 'device',
  score: 5,
  idempotencyKey: crypto.randomUUID(),
  ...over,
});
const stored = (keys: string[]) =>
  countRows(t, 'select 1 from evaluations where idempotency_key = any($1::text[])', [keys]);
const events = () => countRows(t, 'select 1 from evaluation_events');

describe('evaluation references (statement-level check)', () => {
  it('accepts a unit, counter and staff member of the evaluation’s tenant', async () => {
    const e = evaluation();
    await recordEvaluation(t.db, e);
    expect(await stored([e.idempotencyKey])).toBe(1);
  });

  it.each([
    ['an unknown unit', () => ({ unitId: crypto.randomUUID() }), 'unit'],
    ['a unit of another tenant (the old key let it through)', () => ({ unitId: other.unit }), 'unit'],
    ['an unknown counter', () => ({ counterId: crypto.randomUUID() }), 'counter'],
    ['a counter of another tenant (the old key let it through)', () => ({ counterId: other.unit }), 'counter'],
    ['an unknown staff member', () => ({ staffId: crypto.randomUUID() }), 'staff member'],
    ['a staff member of another tenant (the old key let it through)', () => ({ staffId: other.user }), 'staff member'],
    ['an unknown tenant', () => ({ tenantId: crypto.randomUUID() }), 'unit'],
  ])('refuses %s, and nothing of the batch is written', async (_, bad, what) => {
    const good = evaluation();
    const wrong = evaluation(bad());
    const eventsBefore = await events();
    const err = await recordEvaluations(t.db, [good, wrong]).then(
      () => null,
      (e: unknown) => e as { code?: string; message?: string; cause?: { code?: string; message?: string } },
    );
    const pgErr = err?.cause ?? err;
    expect(pgErr?.code).toBe('23503');
    expect(pgErr?.message).toContain(`refers to ${what}`);
    expect(await stored([good.idempotencyKey, wrong.idempotencyKey])).toBe(0);
    expect(await events()).toBe(eventsBefore);
  });

  it('refuses a survey response with a unit of another tenant or none, on insert and on update', async () => {
    const insert = (unit: string) =>
      t.pool.query(
        `insert into survey_responses (id, tenant_id, survey_id, version, unit_id, channel, submitted_at, answers, idempotency_key)
         values (gen_random_uuid(), $1, gen_random_uuid(), 1, $2, 'survey', now(), '{}', gen_random_uuid()::text) returning id`,
        [t.tenantId, unit],
      );
    await expect(insert(other.unit)).rejects.toMatchObject({ code: '23503' });
    await expect(insert(crypto.randomUUID())).rejects.toMatchObject({ code: '23503' });
    const { id } = (await insert(outlet)).rows[0] as { id: string };
    await expect(
      t.pool.query('update survey_responses set unit_id = $2 where id = $1', [id, other.unit]),
    ).rejects.toMatchObject({ code: '23503' });
  });

  it('refuses to delete a unit, counter, user or tenant that evaluations refer to; deletes one they do not', async () => {
    await recordEvaluation(t.db, evaluation());
    for (const [table, id] of [
      ['org_units', outlet],
      ['org_units', counter],
      ['users', teller],
      ['tenants', t.tenantId],
    ] as const)
      await expect(t.pool.query(`delete from ${table} where id = $1`, [id]), table).rejects.toMatchObject({
        code: '23503',
      });
    const empty = (
      await t.pool.query(
        `insert into org_units (tenant_id, name, type, path, depth) values ($1, '空网点', 'outlet', 'y', 0) returning id`,
        [t.tenantId],
      )
    ).rows[0].id as string;
    expect((await t.pool.query('delete from org_units where id = $1', [empty])).rowCount).toBe(1);
  });

  it('a delete racing an uncommitted evaluation of the unit waits for it and is then refused (exact like a key)', async () => {
    const unit = (
      await t.pool.query(
        `insert into org_units (tenant_id, name, type, path, depth) values ($1, '新网点', 'outlet', 'z', 0) returning id`,
        [t.tenantId],
      )
    ).rows[0].id as string;
    const writer = await t.pool.connect();
    const deleter = await t.pool.connect();
    try {
      await writer.query('begin');
      const e = evaluation({ unitId: unit, counterId: null, staffId: null });
      await recordEvaluation(drizzle(writer) as unknown as Db, e); // in the writer's open transaction
      const deleting = deleter.query('delete from org_units where id = $1', [unit]).then(
        () => 'deleted',
        (err: { code?: string }) => err.code,
      );
      await new Promise((r) => setTimeout(r, 200));
      await writer.query('commit');
      expect(await deleting).toBe('23503');
      expect(await stored([e.idempotencyKey])).toBe(1);
    } finally {
      writer.release();
      deleter.release();
    }
  });
});
