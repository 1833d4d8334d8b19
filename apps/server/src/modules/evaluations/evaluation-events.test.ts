import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/node-postgres';
import type { Db } from '../../db/client.ts';
import { expectOneEventPerFact } from '../../../test/evaluation-events-helpers.ts';
import { countRows, unitIdByCode, userIdByName } from '../../../test/helpers.ts';
import { createTestApp, type TClient, type TTestApp } from '../../../test/test-app.ts';
import { negativeEvaluationAlerts } from '../notifications/evaluation-alerts.ts';
import { EVALUATION_CONSUMERS } from './evaluation-consumers.ts';
import {
  EVENT_RETENTION_DAYS,
  pruneConsumedEvents,
  runEvaluationConsumer,
  runEvaluationConsumers,
  type TEvaluationConsumer,
} from './evaluation-events.ts';
import { recordEvaluation, recordEvaluations, type TNewEvaluation } from './evaluations.write.ts';

let t: TTestApp;
let zhang: TClient;
let teller: TClient;
beforeAll(async () => {
  t = await createTestApp();
  [zhang, teller] = await Promise.all([t.login('zhang.manager'), t.login('chen.teller')]);
  // A consumer's effect, counted per event: what "doubling" would show.
  await t.pool.query('create table test_effects (consumer text not null, event_id bigint not null)');
});
afterAll(async () => t.close());

/** A kiosk-like evaluation of chen.teller (陆家嘴 1号窗口). */
async function evaluation(over: Partial<TNewEvaluation> = {}): Promise<TNewEvaluation> {
  return {
    tenantId: t.tenantId,
    channel: 'kiosk',
    occurredAt: t.clock.now(),
    unitId: await unitIdByCode(t, 'SH-LJZ'),
    counterId: await unitIdByCode(t, 'SH-LJZ-W1'),
    staffId: await userIdByName(t, 'chen.teller'),
    sourceType: 'device',
    score: 4,
    ratingLabel: '满意',
    idempotencyKey: crypto.randomUUID(),
    ...over,
  };
}

/** A consumer that records its effect in test_effects (through the tx it is given) and may be told to fail. */
function effectConsumer(name: string, failOn: Set<string> = new Set()): TEvaluationConsumer {
  return {
    name,
    kinds: ['recorded', 'appeal', 'appeal_rejected', 'exclude', 'restore'],
    handle: async (tx, ev) => {
      await tx.execute(sql`insert into test_effects (consumer, event_id) values (${name}, ${ev.id})`);
      if (failOn.has(ev.evaluationId)) throw new Error(`consumer ${name} fails on ${ev.evaluationId}`);
    },
  };
}

const effectsOf = async (consumer: string, evaluationId?: string) =>
  countRows(
    t,
    `select 1 from test_effects x join evaluation_events ev on ev.id = x.event_id
     where x.consumer = $1 and ($2::uuid is null or ev.evaluation_id = $2::uuid)`,
    [consumer, evaluationId ?? null],
  );
const eventsOf = (evaluationId: string) =>
  t.pool
    .query<{ kind: string; payload: Record<string, unknown> }>(
      'select kind, payload from evaluation_events where evaluation_id = $1 order by id',
      [evaluationId],
    )
    .then((r) => r.rows);

describe('recordEvaluations', () => {
  it('stores each key once and emits exactly one recorded event per stored evaluation, in one statement per batch', async () => {
    const key = crypto.randomUUID();
    const rows = [
      await evaluation({ idempotencyKey: key, score: 1, event: { isLowestOption: true } }),
      await evaluation({ idempotencyKey: key, score: 5 }),
      await evaluation(),
    ];
    const res = await recordEvaluations(t.db, rows);
    expect(res.map((r) => r.isDuplicate)).toEqual([false, true, false]);
    expect(res[1]!.id).toBe(res[0]!.id);
    expect(await eventsOf(res[0]!.id)).toEqual([{ kind: 'recorded', payload: { isLowestOption: true } }]);
    expect(await eventsOf(res[2]!.id)).toEqual([{ kind: 'recorded', payload: {} }]);
    // A repeat of the key (a replay) stores nothing and emits nothing.
    const again = await recordEvaluation(t.db, rows[0]!);
    expect(again).toEqual({ id: res[0]!.id, isDuplicate: true });
    expect(await eventsOf(res[0]!.id)).toHaveLength(1);
    // Concurrent submissions of one key: one row, one event.
    const k2 = await evaluation();
    const all = await Promise.all(Array.from({ length: 6 }, () => recordEvaluation(t.db, k2)));
    expect(all.filter((r) => !r.isDuplicate)).toHaveLength(1);
    expect(await eventsOf(all[0]!.id)).toHaveLength(1);
    await expectOneEventPerFact(t);
  });

  it('a failed statement writes neither the evaluation nor its event', async () => {
    const bad = await evaluation({ unitId: crypto.randomUUID() }); // no such unit: foreign key violation
    await expect(recordEvaluation(t.db, bad)).rejects.toThrow();
    expect(await countRows(t, 'select 1 from evaluations where idempotency_key = $1', [bad.idempotencyKey])).toBe(0);
    await expectOneEventPerFact(t);
  });
});

describe('corrections', () => {
  it('appeal, rejection, exclusion and restore each emit one event of their kind, with the reason', async () => {
    const { id } = await recordEvaluation(t.db, await evaluation({ score: 1, ratingLabel: '不满意' }));
    const post = async (c: TClient, path: string, reason: string) => {
      const res = await c.post(`/api/evaluations/${id}/${path}`, { reason });
      expect(res.statusCode, res.body).toBe(200);
    };
    await post(teller, 'appeal', '客户误按');
    await post(zhang, 'reject-appeal', '维持');
    await post(zhang, 'exclude', '录像显示误按');
    await post(zhang, 'restore', '复核后恢复');
    // A refused correction (restore of a rating that is not excluded) emits nothing.
    expect((await zhang.post(`/api/evaluations/${id}/restore`, { reason: '再次' })).statusCode).toBe(409);
    const events = await eventsOf(id);
    expect(events.map((e) => e.kind)).toEqual(['recorded', 'appeal', 'appeal_rejected', 'exclude', 'restore']);
    expect(events[1]!.payload).toMatchObject({ reason: '客户误按', actorId: teller.me.user.id });
    expect(events[3]!.payload).toMatchObject({ reason: '录像显示误按', actorId: zhang.me.user.id });
    await expectOneEventPerFact(t);
  });
});

describe('consumers', () => {
  it('a negative evaluation alerts its managers once, however often and however concurrently the consumer runs', async () => {
    await runEvaluationConsumers(t.db, [negativeEvaluationAlerts]);
    const { id } = await recordEvaluation(t.db, await evaluation({ score: 1, ratingLabel: '不满意' }));
    const good = await recordEvaluation(t.db, await evaluation({ score: 5, ratingLabel: '非常满意' }));
    const alertsOf = (evaluationId: string) =>
      countRows(t, `select 1 from notifications where kind = 'evaluation.unsatisfied' and link = $1`, [
        `/evaluations?open=${evaluationId}`,
      ]);
    expect(await alertsOf(id)).toBe(0); // nothing before the consumer runs
    await Promise.all([
      runEvaluationConsumers(t.db, [negativeEvaluationAlerts]),
      runEvaluationConsumers(t.db, [negativeEvaluationAlerts]),
    ]);
    await runEvaluationConsumers(t.db, [negativeEvaluationAlerts]);
    expect(await alertsOf(id)).toBe(1); // zhang.manager, the manager of 陆家嘴支行
    expect(await alertsOf(good.id)).toBe(0);
  });

  it('a consumer that throws leaves its event for the retry; the others are processed; a replay doubles nothing', async () => {
    const name = `flaky-${crypto.randomUUID()}`;
    const failing = new Set<string>();
    const consumer = effectConsumer(name, failing);
    await runEvaluationConsumer(t.db, consumer); // the history first
    const [a, b, c] = await recordEvaluations(t.db, [await evaluation(), await evaluation(), await evaluation()]);
    failing.add(b!.id);
    const errors: unknown[] = [];
    const first = await runEvaluationConsumer(t.db, consumer, { onError: (err) => errors.push(err) });
    expect(first).toEqual({ processed: 2, failed: 1 });
    expect(errors).toHaveLength(1);
    // The failed event's effect was rolled back with its savepoint; no marker, so it is still pending.
    expect([await effectsOf(name, a!.id), await effectsOf(name, b!.id), await effectsOf(name, c!.id)]).toEqual([
      1, 0, 1,
    ]);
    expect(
      await countRows(
        t,
        `select 1 from evaluation_event_consumptions m join evaluation_events ev on ev.id = m.event_id
         where m.consumer = $1 and ev.evaluation_id = $2`,
        [name, b!.id],
      ),
    ).toBe(0);
    // Still failing: retried, still pending.
    expect(await runEvaluationConsumer(t.db, consumer)).toEqual({ processed: 0, failed: 1 });
    // Fixed: the retry processes it, once.
    failing.clear();
    expect(await runEvaluationConsumer(t.db, consumer)).toEqual({ processed: 1, failed: 0 });
    // Replays: the job again, and again with the floor reset (as if its row were lost) — nothing is done twice.
    expect(await runEvaluationConsumer(t.db, consumer)).toEqual({ processed: 0, failed: 0 });
    await t.pool.query('delete from evaluation_event_floors where consumer = $1', [name]);
    expect(await runEvaluationConsumers(t.db, [consumer])).toEqual({ [name]: { processed: 0, failed: 0 } });
    expect([await effectsOf(name, a!.id), await effectsOf(name, b!.id), await effectsOf(name, c!.id)]).toEqual([
      1, 1, 1,
    ]);
  });

  it('an idle run writes nothing; a run that finds an event raises the floor', async () => {
    const name = `idle-${crypto.randomUUID()}`;
    const consumer = effectConsumer(name);
    await runEvaluationConsumer(t.db, consumer); // the history, and the consumer's first floor
    // The floor row's version (xmin) tells whether a run wrote it.
    const floorVersion = async () =>
      (await t.pool.query('select xmin::text as v from evaluation_event_floors where consumer = $1', [name])).rows[0]
        ?.v as string | undefined;
    const first = await floorVersion();
    expect(first).toBeDefined();
    for (let i = 0; i < 3; i++)
      expect(await runEvaluationConsumer(t.db, consumer)).toEqual({ processed: 0, failed: 0 });
    expect(await floorVersion()).toBe(first);
    const e = await recordEvaluation(t.db, await evaluation());
    expect(await runEvaluationConsumer(t.db, consumer)).toEqual({ processed: 1, failed: 0 });
    expect(await effectsOf(name, e.id)).toBe(1);
    expect(await floorVersion()).not.toBe(first);
  });

  it('an event whose transaction commits late (a smaller id after larger ones were processed) is not skipped', async () => {
    const name = `late-${crypto.randomUUID()}`;
    const consumer = effectConsumer(name);
    await runEvaluationConsumer(t.db, consumer);
    const slow = await t.pool.connect();
    try {
      await slow.query('begin');
      // The slow transaction takes its event id first…
      // (a Drizzle view of this one client, so the write runs in its open transaction)
      await recordEvaluation(drizzle(slow) as unknown as Db, await evaluation({ idempotencyKey: 'late-key' }));
      // …a later one commits first and is processed…
      // (another teller: the same rollup row would wait for the slow transaction's lock, as any writer of one key does)
      const early = await recordEvaluation(t.db, await evaluation({ staffId: await userIdByName(t, 'zhang.manager') }));
      expect(await runEvaluationConsumer(t.db, consumer)).toEqual({ processed: 1, failed: 0 });
      expect(await effectsOf(name, early.id)).toBe(1);
      // …then the slow one commits, with the smaller id.
      await slow.query('commit');
    } finally {
      slow.release();
    }
    const late = await t.pool.query<{ id: string; event_id: string }>(
      `select e.id, ev.id as event_id from evaluations e join evaluation_events ev on ev.evaluation_id = e.id
       where e.idempotency_key = 'late-key'`,
    );
    const lateRow = late.rows[0]!;
    const earlyEvent = await t.pool.query<{ id: string }>(
      `select max(id)::text as id from evaluation_events where kind = 'recorded'`,
    );
    expect(Number(lateRow.event_id)).toBeLessThan(Number(earlyEvent.rows[0]!.id));
    expect(await runEvaluationConsumer(t.db, consumer)).toEqual({ processed: 1, failed: 0 });
    expect(await effectsOf(name, lateRow.id)).toBe(1);
  });

  it('the evaluation-events job (jobs/queue.ts) runs the registered consumers: its run alerts a negative evaluation', async () => {
    const { id } = await recordEvaluation(t.db, await evaluation({ score: 2, ratingLabel: '不满意' }));
    const alerts = () => countRows(t, `select 1 from notifications where link = $1`, [`/evaluations?open=${id}`]);
    expect(await alerts()).toBe(0);
    await t.jobs.send('evaluation-events', {});
    await t.jobs.idle();
    expect(await alerts()).toBe(1);
  });

  it('loaded history (backfill) does not alert', async () => {
    const { id } = await recordEvaluation(
      t.db,
      await evaluation({ score: 1, ratingLabel: '不满意', event: { isBackfill: true } }),
    );
    await runEvaluationConsumers(t.db, [negativeEvaluationAlerts]);
    expect(await countRows(t, `select 1 from notifications where link = $1`, [`/evaluations?open=${id}`])).toBe(0);
  });
});

describe('the per-run memo of a consumer', () => {
  it('loads a value once per run of the consumer, and afresh on the next run', async () => {
    let loads = 0;
    const seen: number[] = [];
    const consumer: TEvaluationConsumer = {
      name: `memo-${crypto.randomUUID()}`,
      kinds: ['recorded'],
      handle: async (_tx, _ev, run) => {
        seen.push(await run.memo('setting', async () => ++loads));
      },
    };
    await recordEvaluations(t.db, [await evaluation(), await evaluation(), await evaluation()]);
    const first = await runEvaluationConsumer(t.db, consumer, { limit: 1000 });
    expect(first.processed).toBeGreaterThanOrEqual(3);
    expect(loads).toBe(1);
    expect(new Set(seen)).toEqual(new Set([1]));
    await recordEvaluations(t.db, [await evaluation(), await evaluation()]);
    expect((await runEvaluationConsumer(t.db, consumer, { limit: 1000 })).processed).toBe(2);
    expect(loads).toBe(2);
    expect(seen.slice(-2)).toEqual([2, 2]);
  });
});

describe('pruning consumed events (the evaluation-events-prune job)', () => {
  const DAY = 86_400_000;
  const markersOf = (consumer: string, evaluationId: string) =>
    countRows(
      t,
      `select 1 from evaluation_event_consumptions m
       where m.consumer = $1 and m.event_id in (select id from evaluation_events where evaluation_id = $2)`,
      [consumer, evaluationId],
    );

  it('removes a consumed event older than the retention (and its marker); keeps an unconsumed one and recent ones', async () => {
    const name = `prune-${crypto.randomUUID()}`;
    const old = new Date(t.clock.now().getTime() - (EVENT_RETENTION_DAYS + 5) * DAY);
    const before = new Date(t.clock.now().getTime() - EVENT_RETENTION_DAYS * DAY);
    const consumed = await recordEvaluation(t.db, await evaluation({ receivedAt: old }));
    const unconsumed = await recordEvaluation(t.db, await evaluation({ receivedAt: old }));
    const recent = await recordEvaluation(t.db, await evaluation());
    const failing = effectConsumer(name, new Set([unconsumed.id]));
    await runEvaluationConsumers(t.db, [failing], { limit: 1000 });
    expect(await markersOf(name, consumed.id)).toBe(1);
    // A consumer that has never run has processed nothing: nothing is pruned.
    expect(await pruneConsumedEvents(t.db, [failing, effectConsumer(`never-${crypto.randomUUID()}`)], before)).toBe(0);

    expect(await pruneConsumedEvents(t.db, [failing], before, { batch: 1 })).toBeGreaterThanOrEqual(1);
    expect(await eventsOf(consumed.id)).toEqual([]);
    expect(await countRows(t, 'select 1 from evaluation_event_consumptions where consumer = $1', [name])).toBe(
      await countRows(
        t,
        `select 1 from evaluation_event_consumptions m join evaluation_events ev on ev.tenant_id = m.tenant_id and ev.id = m.event_id
         where m.consumer = $1`,
        [name],
      ),
    );
    expect(await eventsOf(unconsumed.id)).toHaveLength(1);
    expect(await eventsOf(recent.id)).toHaveLength(1);
    expect(await countRows(t, 'select 1 from evaluations where id = $1', [consumed.id])).toBe(1);

    // Once processed (the consumer fixed), the old event goes too; the recent one stays.
    expect(await runEvaluationConsumer(t.db, effectConsumer(name))).toEqual({ processed: 1, failed: 0 });
    expect(await pruneConsumedEvents(t.db, [failing], before)).toBe(1);
    expect(await eventsOf(unconsumed.id)).toEqual([]);
    expect(await eventsOf(recent.id)).toHaveLength(1);
  });

  it('the job prunes with the registered consumers', async () => {
    const old = new Date(t.clock.now().getTime() - (EVENT_RETENTION_DAYS + 1) * DAY);
    const { id } = await recordEvaluation(t.db, await evaluation({ receivedAt: old }));
    await runEvaluationConsumers(t.db, EVALUATION_CONSUMERS);
    expect(await eventsOf(id)).toHaveLength(1);
    await t.jobs.send('evaluation-events-prune', {});
    await t.jobs.idle();
    expect(await eventsOf(id)).toEqual([]);
  });
});
