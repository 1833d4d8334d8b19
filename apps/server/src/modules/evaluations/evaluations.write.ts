import { sql } from 'drizzle-orm';
import type pg from 'pg';
import type { TCorrectionKind, TEvaluationChannel, TEvaluationSource } from '@huifang/shared';
import type { Db, DbOrTx } from '../../db/client.ts';
import { createBatchWriter } from '../../lib/batch-writer.ts';

/**
 * THE write path of the evaluation store (DESIGN §4, CONVENTIONS 15): no other module writes `evaluations` or
 * `evaluation_corrections` (test/evaluation-ownership.test.ts checks the source tree). Every fact written here gets
 * its `evaluation_events` row in the same statement, so an event exists exactly when its fact does; consumers
 * (evaluation-events.ts) read the events.
 *
 * Channels keep their own validation and their own tables; they hand rows to this module in one of three ways:
 * - `recordEvaluations(db|tx, rows)` — explicit rows, one multi-row statement (channels writing inside their own
 *   transaction: personal link, staff entry, follow-up call, order review, shop API; bulk loaders);
 * - `recordFromSource(ctes, tail)` — the statement text for a channel whose rows come from its own tables in the same
 *   statement (kiosk: the press is inserted from the service session only if it ended at this counter; open survey
 *   link: the survey_responses rows and their evaluations land together). The channel defines a relation `src` with
 *   the columns of UNNEST_SRC below; this module owns the INSERT into evaluations and evaluation_events;
 * - `createGroupCommit(...)` — such a statement behind the application-side group commit (lib/batch-writer.ts) used
 *   on the hot paths: one statement and one commit per batch, the event insert included.
 */

/** What a channel hands to the store. The idempotency key is the client's (kiosk, link) or derived from the source. */
export interface TNewEvaluation {
  /** Set only by bulk loaders that link other rows to the evaluation before it is written. */
  id?: string;
  tenantId: string;
  channel: TEvaluationChannel;
  occurredAt: Date;
  /** Defaults to the database's now(). */
  receivedAt?: Date;
  unitId: string;
  counterId?: string | null;
  staffId?: string | null;
  customerId?: string | null;
  serviceRecordId?: string | null;
  refType?: string | null;
  refId?: string | null;
  sourceType: TEvaluationSource;
  sourceId?: string | null;
  score: number | null;
  ratingLabel?: string | null;
  dimensions?: Record<string, number>;
  answers?: unknown;
  text?: string | null;
  flags?: string[];
  idempotencyKey: string;
  /** Facts for the event's consumers that the row does not hold (see TRecordedPayload). */
  event?: TRecordedPayload;
}

/** The payload of a `recorded` event. */
export interface TRecordedPayload {
  /** The lowest key a kiosk offers (a kiosk scored 5/4/3 still has a 不满意 key). */
  isLowestOption?: boolean;
  /** Loaded history (demo data, imports): consumers that react to news (alerts) leave it alone. */
  isBackfill?: boolean;
}

/**
 * One statement: `with <ctes (defining src)>, recorded as (insert into evaluations …), recorded_events as (insert into
 * evaluation_events …) <tail>`. `recorded` returns id, tenant_id, idempotency_key, flags, staff_id, occurred_at,
 * ref_id, answers for the tail to select from. `src` has the columns of UNNEST_SRC (id and received_at may be null:
 * generated / now(); `ord` orders the rows; `event_payload` is the recorded event's payload). Conflicts on any unique key (the idempotency key, the kiosk client key)
 * insert nothing and emit no event. Two source rows with one key: the first by `ord` lands; its event takes the
 * payload of the source row that matches the stored row.
 */
export function recordFromSource(ctes: string, tail: string): string {
  return `with ${ctes},
  recorded as (
    insert into evaluations (id, tenant_id, channel, occurred_at, received_at, unit_id, counter_id, staff_id, customer_id,
                             service_record_id, ref_type, ref_id, source_type, source_id, score, rating_label, dimensions,
                             answers, text, flags, idempotency_key)
    select coalesce(src.id, gen_random_uuid()), src.tenant_id, src.channel, src.occurred_at, coalesce(src.received_at, now()),
           src.unit_id, src.counter_id, src.staff_id, src.customer_id, src.service_record_id, src.ref_type, src.ref_id,
           src.source_type, src.source_id, src.score, src.rating_label, coalesce(src.dimensions, '{}'::jsonb), src.answers,
           src.text, coalesce(src.flags, '{}'::text[]), src.idempotency_key
    from src order by src.ord
    on conflict do nothing
    returning id, tenant_id, idempotency_key, flags, staff_id, occurred_at, received_at, ref_id, score, answers
  ),
  recorded_events as (
    insert into evaluation_events (tenant_id, evaluation_id, kind, at, payload)
    select distinct on (r.tenant_id, r.id) r.tenant_id, r.id, 'recorded', r.received_at, coalesce(src.event_payload, '{}'::jsonb)
    from recorded r join src on src.tenant_id = r.tenant_id and src.idempotency_key = r.idempotency_key
    order by r.tenant_id, r.id, (src.score is not distinct from r.score and src.answers is not distinct from r.answers) desc, src.ord
  )
  ${tail}`;
}

/** The statement text with `$n` parameters as a Drizzle query (each value one bound parameter, arrays included). */
export function boundSql(text: string, values: unknown[]) {
  const parts = text.split(/\$(\d+)/);
  return sql.join(parts.map((part, i) => (i % 2 === 0 ? sql.raw(part) : sql.param(values[Number(part) - 1]))));
}

const UNNEST_SRC = `src as (
    select i.id, i.tenant_id, i.channel, i.occurred_at, i.received_at, i.unit_id, i.counter_id, i.staff_id, i.customer_id,
           i.service_record_id, i.ref_type, i.ref_id, i.source_type, i.source_id, i.score, i.rating_label, i.dimensions, i.answers,
           i.text, array(select jsonb_array_elements_text(i.flags)) as flags, i.idempotency_key, i.event_payload, i.ord
    from unnest($1::uuid[], $2::uuid[], $3::text[], $4::timestamptz[], $5::timestamptz[], $6::uuid[], $7::uuid[], $8::uuid[],
                $9::uuid[], $10::uuid[], $11::text[], $12::uuid[], $13::text[], $14::text[], $15::smallint[], $16::text[],
                $17::jsonb[], $18::jsonb[], $19::text[], $20::jsonb[], $21::text[], $22::jsonb[])
      with ordinality as i(id, tenant_id, channel, occurred_at, received_at, unit_id, counter_id, staff_id, customer_id,
                           service_record_id, ref_type, ref_id, source_type, source_id, score, rating_label, dimensions,
                           answers, text, flags, idempotency_key, event_payload, ord)
  )`;
const RECORD_SQL = recordFromSource(UNNEST_SRC, 'select id, tenant_id, idempotency_key from recorded');

const json = (v: unknown) => (v === undefined || v === null ? null : JSON.stringify(v));
function unnestParams(rows: TNewEvaluation[]): unknown[] {
  const col = <T>(f: (e: TNewEvaluation) => T) => rows.map(f);
  return [
    col((e) => e.id ?? null),
    col((e) => e.tenantId),
    col((e) => e.channel),
    col((e) => e.occurredAt),
    col((e) => e.receivedAt ?? null),
    col((e) => e.unitId),
    col((e) => e.counterId ?? null),
    col((e) => e.staffId ?? null),
    col((e) => e.customerId ?? null),
    col((e) => e.serviceRecordId ?? null),
    col((e) => e.refType ?? null),
    col((e) => e.refId ?? null),
    col((e) => e.sourceType),
    col((e) => e.sourceId ?? null),
    col((e) => e.score),
    col((e) => e.ratingLabel ?? null),
    col((e) => JSON.stringify(e.dimensions ?? {})),
    col((e) => json(e.answers)),
    col((e) => e.text ?? null),
    col((e) => JSON.stringify(e.flags ?? [])),
    col((e) => e.idempotencyKey),
    col((e) => JSON.stringify(e.event ?? {})),
  ];
}

/**
 * Store evaluations, each exactly once per `(tenant, idempotencyKey)`, with one `recorded` event each — one statement
 * for the whole batch. A row whose key is already stored writes nothing and returns the stored row's id with
 * `isDuplicate` (whether a repeat is a replay or a reused key is the channel's call: it knows the request body).
 */
export async function recordEvaluations(
  db: DbOrTx,
  rows: TNewEvaluation[],
): Promise<{ id: string; isDuplicate: boolean }[]> {
  if (rows.length === 0) return [];
  const res = await db.execute<{ id: string; tenant_id: string; idempotency_key: string }>(
    boundSql(RECORD_SQL, unnestParams(rows)),
  );
  const keyOf = (tenantId: string, key: string) => `${tenantId}\u0000${key}`;
  const inserted = new Map(res.rows.map((r) => [keyOf(r.tenant_id, r.idempotency_key), r.id]));
  const missing = rows.filter((e) => !inserted.has(keyOf(e.tenantId, e.idempotencyKey)));
  const stored = new Map<string, string>();
  if (missing.length) {
    const found = await db.execute<{ id: string; tenant_id: string; idempotency_key: string }>(sql`
      select e.id, e.tenant_id, e.idempotency_key from evaluations e
      join unnest(${sql.param(missing.map((e) => e.tenantId))}::uuid[], ${sql.param(missing.map((e) => e.idempotencyKey))}::text[]) k(tenant_id, key)
        on e.tenant_id = k.tenant_id and e.idempotency_key = k.key`);
    for (const r of found.rows) stored.set(keyOf(r.tenant_id, r.idempotency_key), r.id);
  }
  const claimed = new Set<string>();
  return rows.map((e) => {
    const k = keyOf(e.tenantId, e.idempotencyKey);
    const id = inserted.get(k);
    // The first row of the batch with a key is the one inserted; a later one with the same key is its duplicate.
    if (id && !claimed.has(k)) {
      claimed.add(k);
      return { id, isDuplicate: false };
    }
    const existing = id ?? stored.get(k);
    if (!existing) throw new Error('evaluation conflict without a stored row');
    return { id: existing, isDuplicate: true };
  });
}

/** One evaluation (see recordEvaluations). */
export async function recordEvaluation(db: DbOrTx, e: TNewEvaluation): Promise<{ id: string; isDuplicate: boolean }> {
  const [r] = await recordEvaluations(db, [e]);
  return r!;
}

/**
 * A statement written through the application-side group commit (lib/batch-writer.ts): items that arrive together
 * are written by ONE execution of `text` (built with recordFromSource, so the events are part of it), on the pool,
 * as a named prepared statement. `params` turns a batch into the statement's parameters; `results` gives each item
 * its result from the returned rows. One writer per database (pool).
 */
export function createGroupCommit<TIn, TRow extends pg.QueryResultRow, TOut>(opts: {
  name: string;
  text: string;
  params: (items: TIn[]) => unknown[];
  results: (rows: TRow[], items: TIn[]) => TOut[];
  maxBatch?: number;
  maxInFlight?: number;
}): (db: Db) => (item: TIn) => Promise<TOut> {
  const writers = new WeakMap<object, (item: TIn) => Promise<TOut>>();
  return (db) => {
    let w = writers.get(db);
    if (!w) {
      const pool = (db as unknown as { $client: pg.Pool }).$client;
      const writer = createBatchWriter<TIn, TOut>({
        maxBatch: opts.maxBatch,
        maxInFlight: opts.maxInFlight,
        flush: async (items) => {
          const res = await pool.query<TRow>({ name: opts.name, text: opts.text, values: opts.params(items) });
          return opts.results(res.rows, items);
        },
      });
      w = (item: TIn) => writer.write(item);
      writers.set(db, w);
    }
    return w;
  };
}

/** A correction as stored (and as its event carries it). */
export interface TNewCorrection {
  tenantId: string;
  evaluationId: string;
  kind: TCorrectionKind;
  reason: string;
  actorId: string | null;
  at: Date;
}

/**
 * Corrections from a relation `csrc(tenant_id uuid, evaluation_id uuid, kind text, reason text, actor_id uuid,
 * at timestamptz, ord bigint, event_payload jsonb)` that `ctes` defines: each row is stored and gets its event (kind =
 * the correction's kind, payload = correctionId, reason, actorId and event_payload) in the same statement.
 */
export function recordCorrectionsFromSource(ctes: string, tail = 'select id from corrected'): string {
  return `with ${ctes},
  corrected as (
    insert into evaluation_corrections (tenant_id, evaluation_id, kind, reason, actor_id, at)
    select csrc.tenant_id, csrc.evaluation_id, csrc.kind, csrc.reason, csrc.actor_id, csrc.at from csrc order by csrc.at, csrc.ord
    returning id, tenant_id, evaluation_id, kind, reason, actor_id, at
  ),
  corrected_events as (
    insert into evaluation_events (tenant_id, evaluation_id, kind, at, payload)
    select c.tenant_id, c.evaluation_id, c.kind, c.at,
           jsonb_build_object('correctionId', c.id::text, 'reason', c.reason, 'actorId', c.actor_id)
             || coalesce((select s.event_payload from csrc s where s.tenant_id = c.tenant_id and s.evaluation_id = c.evaluation_id
                          and s.kind = c.kind and s.at = c.at order by s.ord limit 1), '{}'::jsonb)
    from corrected c order by c.id
  )
  ${tail}`;
}

const CORRECTION_SQL = recordCorrectionsFromSource(`csrc as (
    select $1::uuid as tenant_id, $2::uuid as evaluation_id, $3::text as kind, $4::text as reason, $5::uuid as actor_id,
           $6::timestamptz as at, 1::bigint as ord, '{}'::jsonb as event_payload
  )`);

/** Add one correction row (appeal 申诉, appeal_rejected, exclude, restore) with its event; evaluations stay unedited. */
export async function recordCorrection(db: DbOrTx, c: TNewCorrection): Promise<void> {
  await db.execute(boundSql(CORRECTION_SQL, [c.tenantId, c.evaluationId, c.kind, c.reason, c.actorId, c.at]));
}
