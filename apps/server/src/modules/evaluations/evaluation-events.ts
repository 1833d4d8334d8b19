import { sql } from 'drizzle-orm';
import type { TEvaluationChannel } from '@huifang/shared';
import type { Db, DbOrTx } from '../../db/client.ts';

/**
 * Consumers of the evaluation events (the outbox evaluations.write.ts fills in the transaction of each fact).
 *
 * Delivery: at least once per consumer, exactly once in effect. A consumer handles an event inside a transaction that
 * also inserts its marker `evaluation_event_consumptions(consumer, tenant_id, event_id)`, so the marker exists exactly
 * when the effect does: a replay (the job running twice, two workers) finds the marker and does nothing, and a
 * consumer that throws rolls back to its savepoint, leaves no marker, and the event is retried on the next run.
 * Events are claimed with FOR UPDATE SKIP LOCKED, so two workers never handle one event at the same time.
 *
 * Why not a cursor on the bigserial id: ids are taken when a transaction inserts, not when it commits, so a
 * transaction that commits late makes a smaller id appear after larger ones were read — a cursor would skip it for
 * good. The markers do not have that problem; to keep the search for unmarked events short, each consumer has a
 * floor on the writing transaction's id (`evaluation_events.tx = pg_current_xact_id()`), not on the event id: every
 * transaction below `pg_snapshot_xmin(pg_current_snapshot())` has ended, so no event of such a transaction can
 * appear later. The floor rises to the lowest of that xmin and the tx of the oldest unprocessed event, and the search
 * reads only events at or above it.
 */

export type TEvaluationEventKind = 'recorded' | 'appeal' | 'appeal_rejected' | 'exclude' | 'restore';

/** An event with the facts of its evaluation, as consumers get it. */
export interface TEvaluationEvent {
  id: number;
  tenantId: string;
  evaluationId: string;
  kind: TEvaluationEventKind;
  at: Date;
  payload: Record<string, unknown>;
  evaluation: {
    channel: TEvaluationChannel;
    occurredAt: Date;
    unitId: string;
    counterId: string | null;
    staffId: string | null;
    customerId: string | null;
    score: number | null;
    ratingLabel: string | null;
    text: string | null;
    flags: string[];
    /** What the evaluation answers (e.g. followup_task + task id) and its source (e.g. the survey link id). */
    refType: string | null;
    refId: string | null;
    sourceId: string | null;
  };
}

export interface TEvaluationConsumer {
  /** Stable: the markers and the floor are kept under it. */
  name: string;
  /** The kinds it reads; other events are not its business. */
  kinds: readonly TEvaluationEventKind[];
  /**
   * Leave loaded history (events whose payload has `isBackfill`: demo data, imports) alone: such events are not
   * pending for it, so the first run after a large load does not wade through them (alerts react to news only).
   */
  skipsBackfill?: boolean;
  /**
   * Runs in the transaction that writes the marker; must do all its writes through `tx`. `run` lives for one run of
   * the consumer (one batch of events): a place to keep what it reads once per batch, e.g. a tenant's settings.
   */
  handle: (tx: DbOrTx, event: TEvaluationEvent, run: TConsumerRun) => Promise<void>;
}

/** Per-run memo of a consumer: `load` runs once per key and run (a failed load is not kept, the next event retries). */
export interface TConsumerRun {
  memo<T>(key: string, load: () => Promise<T>): Promise<T>;
}

function consumerRun(): TConsumerRun {
  const values = new Map<string, unknown>();
  return {
    memo: async <T>(key: string, load: () => Promise<T>): Promise<T> => {
      if (values.has(key)) return values.get(key) as T;
      const v = await load();
      values.set(key, v);
      return v;
    },
  };
}

type TEventRow = {
  id: string;
  tenant_id: string;
  evaluation_id: string;
  kind: TEvaluationEventKind;
  at: Date | string;
  payload: Record<string, unknown>;
  channel: TEvaluationChannel;
  occurred_at: Date | string;
  unit_id: string;
  counter_id: string | null;
  staff_id: string | null;
  customer_id: string | null;
  score: number | null;
  rating_label: string | null;
  text: string | null;
  flags: string[];
  ref_type: string | null;
  ref_id: string | null;
  source_id: string | null;
};

const toEvent = (r: TEventRow): TEvaluationEvent => ({
  id: Number(r.id),
  tenantId: r.tenant_id,
  evaluationId: r.evaluation_id,
  kind: r.kind,
  at: new Date(r.at),
  payload: r.payload,
  evaluation: {
    channel: r.channel,
    occurredAt: new Date(r.occurred_at),
    unitId: r.unit_id,
    counterId: r.counter_id,
    staffId: r.staff_id,
    customerId: r.customer_id,
    score: r.score,
    ratingLabel: r.rating_label,
    text: r.text,
    flags: r.flags,
    refType: r.ref_type,
    refId: r.ref_id,
    sourceId: r.source_id,
  },
});

const pendingOf = (consumer: TEvaluationConsumer) => sql`
  ev.tx >= coalesce((select f.tx_floor from evaluation_event_floors f where f.consumer = ${consumer.name}), '0'::xid8)
  and ev.kind = any(${sql.param([...consumer.kinds])}::text[])
  ${consumer.skipsBackfill ? sql`and not (ev.payload ? 'isBackfill')` : sql``}
  and not exists (select 1 from evaluation_event_consumptions c
                  where c.consumer = ${consumer.name} and c.tenant_id = ev.tenant_id and c.event_id = ev.id)`;

/**
 * Process up to `limit` pending events of one consumer, in one transaction; each event in a savepoint, so one that
 * throws is rolled back alone (no marker: retried next run) while the others commit with their markers.
 */
export async function runEvaluationConsumer(
  db: Db,
  consumer: TEvaluationConsumer,
  opts: { limit?: number; onError?: (err: unknown, event: TEvaluationEvent) => void } = {},
): Promise<{ processed: number; failed: number }> {
  const limit = opts.limit ?? 200;
  const outcome = await db.transaction(async (tx) => {
    const claimed = await tx.execute<TEventRow>(sql`
      with ev as (
        select ev.* from evaluation_events ev
        where ${pendingOf(consumer)}
        order by ev.tx, ev.id
        limit ${limit}
        for update of ev skip locked
      )
      select ev.id::text, ev.tenant_id, ev.evaluation_id, ev.kind, ev.at, ev.payload, e.channel, e.occurred_at, e.unit_id,
             e.counter_id, e.staff_id, e.customer_id, e.score, e.rating_label, e.text, e.flags,
             e.ref_type, e.ref_id, e.source_id
      from ev join evaluations e on e.tenant_id = ev.tenant_id and e.id = ev.evaluation_id
      order by ev.tx, ev.id`);
    // Another worker may have processed an event between this statement's snapshot and its row lock (it held the
    // lock, committed its marker, released): now that the locks are ours, a fresh read of the markers tells.
    const ids = claimed.rows.map((r) => Number(r.id));
    const already = ids.length
      ? new Set(
          (
            await tx.execute<{ event_id: string }>(sql`
              select event_id::text from evaluation_event_consumptions
              where consumer = ${consumer.name} and event_id = any(${sql.param(ids)}::bigint[])`)
          ).rows.map((r) => Number(r.event_id)),
        )
      : new Set<number>();
    const run = consumerRun();
    const done: { tenantId: string; id: number }[] = [];
    let failed = 0;
    for (const row of claimed.rows.filter((r) => !already.has(Number(r.id)))) {
      const event = toEvent(row);
      try {
        await tx.transaction(async (sp) => consumer.handle(sp, event, run));
        done.push({ tenantId: event.tenantId, id: event.id });
      } catch (err) {
        failed++;
        opts.onError?.(err, event);
      }
    }
    if (done.length)
      await tx.execute(sql`
        insert into evaluation_event_consumptions (consumer, tenant_id, event_id)
        select ${consumer.name}, t, i from unnest(${sql.param(done.map((d) => d.tenantId))}::uuid[], ${sql.param(done.map((d) => d.id))}::bigint[]) x(t, i)
        on conflict do nothing`);
    return { processed: done.length, failed, claimed: claimed.rows.length };
  });
  // The floor is raised after a run that found events, and otherwise at most every FLOOR_IDLE_RAISE_MS: an idle
  // run (the job ticks every second) then writes nothing. Each raise is a write with its own commit, and its xid moved
  // the snapshot's xmin on, so every idle tick found a higher floor to write (≈ 9 ms and a WAL flush per consumer
  // per second). A floor raised later is only a longer search, never a missed event.
  const now = performance.now();
  if (outcome.claimed > 0 || now - (floorRaisedAt.get(consumer.name) ?? -Infinity) >= FLOOR_IDLE_RAISE_MS) {
    await raiseFloor(db, consumer);
    floorRaisedAt.set(consumer.name, now);
  }
  return { processed: outcome.processed, failed: outcome.failed };
}

/** How often an idle consumer's floor is raised (per process; see runEvaluationConsumer). */
export const FLOOR_IDLE_RAISE_MS = 60_000;
const floorRaisedAt = new Map<string, number>();

/**
 * Raise the consumer's floor to the lowest of: the oldest running transaction (xmin: nothing older can still commit)
 * and the tx of its oldest unprocessed event (including those another worker has claimed but not committed yet).
 * Only ever raised: each value computed is valid when computed and stays valid.
 */
async function raiseFloor(db: Db, consumer: TEvaluationConsumer): Promise<void> {
  await db.execute(sql`
    insert into evaluation_event_floors (consumer, tx_floor)
    select ${consumer.name},
           case when oldest.tx is not null and oldest.tx < x.xmin then oldest.tx else x.xmin end
    from (select pg_snapshot_xmin(pg_current_snapshot()) as xmin) x
    left join lateral (select ev.tx from evaluation_events ev where ${pendingOf(consumer)} order by ev.tx limit 1) oldest on true
    on conflict (consumer) do update
      set tx_floor = case when excluded.tx_floor > evaluation_event_floors.tx_floor then excluded.tx_floor
                          else evaluation_event_floors.tx_floor end`);
}

/** Run every consumer until it has nothing pending (or only failing events) — what the job does each time. */
export async function runEvaluationConsumers(
  db: Db,
  consumers: readonly TEvaluationConsumer[],
  opts: { limit?: number; onError?: (err: unknown, consumer: string, event: TEvaluationEvent) => void } = {},
): Promise<Record<string, { processed: number; failed: number }>> {
  const out: Record<string, { processed: number; failed: number }> = {};
  for (const c of consumers) {
    const total = { processed: 0, failed: 0 };
    for (;;) {
      const r = await runEvaluationConsumer(db, c, {
        limit: opts.limit,
        onError: (err, ev) => opts.onError?.(err, c.name, ev),
      });
      total.processed += r.processed;
      total.failed += r.failed;
      // Stop when a run made no progress: nothing pending, or only events that keep failing (retried next time).
      if (r.processed === 0) break;
    }
    out[c.name] = total;
  }
  return out;
}

/**
 * Forget what one consumer has done (its markers and its floor), so that its next run reads every stored event
 * again: the replay after restoring a consumer's tables from a backup, or a test proving a consumer idempotent.
 */
export async function forgetConsumerProgress(db: DbOrTx, consumer: string): Promise<void> {
  await db.execute(sql`delete from evaluation_event_consumptions where consumer = ${consumer}`);
  await db.execute(sql`delete from evaluation_event_floors where consumer = ${consumer}`);
}

/** How long an event every consumer is done with stays in the outbox (the `evaluation-events-prune` job). */
export const EVENT_RETENTION_DAYS = 30;

/**
 * Delete events older than `before` (by `at`) that every consumer in `consumers` is done with — processed (its
 * marker exists) or none of its business (another kind; loaded history for a consumer that skips it) — together with
 * their markers, in batches of `batch`; returns how many events went. An event a consumer has not processed (a failing
 * one, or one of a consumer that has never run) stays, whatever its age. The scan goes by the consumers' lowest
 * transaction-id floor (below it every consumer has handled every event, see raiseFloor), so it reads only the old
 * end of `evaluation_events_tx_idx`; each event is still checked consumer by consumer. The evaluations and corrections
 * themselves stay: a new consumer starts at the oldest event still stored.
 */
export async function pruneConsumedEvents(
  db: Db,
  consumers: readonly TEvaluationConsumer[],
  before: Date,
  opts: { batch?: number } = {},
): Promise<number> {
  if (consumers.length === 0) return 0;
  const batch = opts.batch ?? 5000;
  const done = sql.join(
    consumers.map(
      (c) => sql`(ev.kind <> all(${sql.param([...c.kinds])}::text[])
        ${c.skipsBackfill ? sql`or ev.payload ? 'isBackfill'` : sql``}
        or exists (select 1 from evaluation_event_consumptions m
                   where m.consumer = ${c.name} and m.tenant_id = ev.tenant_id and m.event_id = ev.id))`,
    ),
    sql` and `,
  );
  let total = 0;
  for (;;) {
    const res = await db.execute<{ n: number }>(sql`
      with floor as (
        select coalesce(f.tx_floor, '0'::xid8) as tx
        from unnest(${sql.param(consumers.map((c) => c.name))}::text[]) c(name)
        left join evaluation_event_floors f on f.consumer = c.name
        order by 1 limit 1
      ), old as (
        select ev.tenant_id, ev.id from evaluation_events ev
        where ev.tx < (select tx from floor) and ev.at < ${before} and ${done}
        order by ev.tx, ev.id limit ${batch}
      ), gone as (
        delete from evaluation_events d using old where d.tenant_id = old.tenant_id and d.id = old.id
        returning d.tenant_id, d.id
      ), markers as (
        delete from evaluation_event_consumptions m using gone
        where m.consumer = any(array(select consumer from evaluation_event_floors))
          and m.tenant_id = gone.tenant_id and m.event_id = gone.id
      )
      select count(*)::int as n from gone`);
    const n = res.rows[0]?.n ?? 0;
    total += n;
    if (n < batch) return total;
  }
}
