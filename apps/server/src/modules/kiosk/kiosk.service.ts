import { sql } from 'drizzle-orm';
import type pg from 'pg';
import { FAST_PRESS_MS, type TKioskRatingInput, type TKioskRatingResult, type TKioskState } from '@huifang/shared';
import type { Db, DbOrTx } from '../../db/client.ts';
import { AppError, notFound } from '../../lib/app-error.ts';
import type { TClock } from '../../lib/clock.ts';
import { insertEvaluation } from '../evaluations/evaluations.repository.ts';
import { alertNegativeEvaluation, isNegativeEvaluation } from '../notifications/evaluation-alerts.ts';
import { createBatchWriter } from '../../lib/batch-writer.ts';
import type { TDeviceCtx } from './kiosk-devices.ts';

type TDeps = { db: Db; clock: TClock };

/** The store's idempotency key of a session's kiosk evaluation: a press and the timeout share it, so only one lands. */
export const sessionEvaluationKey = (sessionId: string) => `kiosk:session:${sessionId}`;
/** Extra time after the kiosk's own timeout before 未评价 is recorded, for a press queued by a briefly offline kiosk. */
export const TIMEOUT_GRACE_SECONDS = 15;

/** What the kiosk should show now: the latest session of its counter decides. Also what a reconnecting kiosk reads. */
export async function readKioskState(db: DbOrTx, device: TDeviceCtx, now: Date): Promise<TKioskState> {
  const res = await db.execute<{
    id: string;
    ended_at: Date | string | null;
    staff_id: string;
    display_name: string;
    staff_no: string | null;
    title: string | null;
    business_handled: string[];
    photo: string | null;
    rated: boolean;
  }>(sql`
    select s.id, s.ended_at, s.staff_id, u.display_name, u.staff_no, u.title, u.business_handled, u.photo,
           exists (select 1 from evaluations e where e.tenant_id = s.tenant_id and e.idempotency_key = 'kiosk:session:' || s.id::text) as rated
    from service_sessions s join users u on u.id = s.staff_id
    where s.tenant_id = ${device.tenantId} and s.counter_id = ${device.counterId}
    order by s.started_at desc limit 1`);
  const s = res.rows[0];
  const base = {
    counterName: device.counterName,
    outletName: device.outletName,
    keys: device.keys,
    timeoutSeconds: device.timeoutSeconds,
    serverTime: now.toISOString(),
  };
  if (!s) return { ...base, state: 'idle', sessionId: null, staff: null, endedAt: null };
  const staff = {
    id: s.staff_id,
    name: s.display_name,
    staffNo: s.staff_no,
    title: s.title,
    businessHandled: s.business_handled,
    photo: s.photo,
  };
  if (!s.ended_at) return { ...base, state: 'serving', sessionId: s.id, staff, endedAt: null };
  const endedAt = new Date(s.ended_at);
  const open = !s.rated && now.getTime() < endedAt.getTime() + device.timeoutSeconds * 1000;
  return {
    ...base,
    state: open ? 'rating' : 'idle',
    sessionId: open ? s.id : null,
    staff: open ? staff : null,
    endedAt: endedAt.toISOString(),
  };
}

/**
 * Two unique keys make a press a no-op: the session's (one evaluation per session) and the kiosk's Idempotency-Key
 * (answers.clientKey, one press per key in the tenant) — hence `on conflict do nothing` without a target.
 * The press, as one statement: $1 pressedAt, $2 now, $3 device, $4 score, $5 label, $6 answers, $7 isFast, $8 tenant, $9 session, $10 counter. */
const RATE_SQL = `
  insert into evaluations (tenant_id, channel, occurred_at, received_at, unit_id, counter_id, staff_id, customer_id,
                           ref_type, ref_id, source_type, source_id, score, rating_label, dimensions, answers, flags, idempotency_key)
  select s.tenant_id, 'kiosk', greatest(s.ended_at, least($1::timestamptz, $2::timestamptz)), $2::timestamptz, s.outlet_id, s.counter_id,
         s.staff_id, s.customer_id, 'service_session', s.id, 'device', $3::text, $4::smallint, $5::text, '{}'::jsonb, $6::jsonb,
         case when $7::boolean or $2::timestamptz - s.ended_at < make_interval(secs => ${FAST_PRESS_MS / 1000}) then array['fast_press'] else '{}'::text[] end,
         'kiosk:session:' || s.id::text
  from service_sessions s
  where s.tenant_id = $8::uuid and s.id = $9::uuid and s.counter_id = $10::uuid and s.ended_at is not null
  on conflict do nothing
  returning id, flags, staff_id, occurred_at`;

const poolOf = (db: Db) => (db as unknown as { $client: pg.Pool }).$client;

/**
 * Presses that need no notification are written in groups: the same INSERT … SELECT over unnest() of the batch,
 * one statement and one commit for all presses that arrived together (application-side group commit). A session
 * pressed twice in one batch lands once; the result carries the stored press's client key so each caller learns
 * whether the row is its own.
 */
const RATE_BATCH_SQL = `
  insert into evaluations (tenant_id, channel, occurred_at, received_at, unit_id, counter_id, staff_id, customer_id,
                           ref_type, ref_id, source_type, source_id, score, rating_label, dimensions, answers, flags, idempotency_key)
  select s.tenant_id, 'kiosk', greatest(s.ended_at, least(i.pressed_at, i.now)), i.now, s.outlet_id, s.counter_id,
         s.staff_id, s.customer_id, 'service_session', s.id, 'device', i.device_id, i.score, i.label, '{}'::jsonb, i.answers,
         case when i.is_fast or i.now - s.ended_at < make_interval(secs => ${FAST_PRESS_MS / 1000}) then array['fast_press'] else '{}'::text[] end,
         'kiosk:session:' || s.id::text
  from unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::smallint[], $6::text[], $7::jsonb[], $8::boolean[], $9::timestamptz[], $10::timestamptz[])
         with ordinality as i(tenant_id, session_id, counter_id, device_id, score, label, answers, is_fast, pressed_at, now, n)
  join service_sessions s on s.tenant_id = i.tenant_id and s.id = i.session_id and s.counter_id = i.counter_id and s.ended_at is not null
  order by i.n
  on conflict do nothing
  returning ref_id, id, flags, staff_id, occurred_at, answers->>'clientKey' as client_key, answers->>'pressedAt' as pressed_at_text`;

interface TPress {
  tenantId: string;
  sessionId: string;
  counterId: string;
  deviceId: string;
  score: number;
  label: string;
  answers: string;
  isFast: boolean;
  pressedAt: Date;
  now: Date;
  clientKey: string;
  pressedAtText: string;
}
type TPressRow = {
  ref_id: string;
  id: string;
  flags: string[];
  staff_id: string;
  occurred_at: Date | string;
  client_key: string;
  pressed_at_text: string;
};

const writers = new WeakMap<object, (p: TPress) => Promise<TPressRow | undefined>>();
function pressWriter(db: Db) {
  let w = writers.get(db);
  if (!w) {
    const pool = poolOf(db);
    const writer = createBatchWriter<TPress, TPressRow | undefined>({
      maxBatch: 200,
      maxInFlight: 2, // 1–6 measured within noise of each other (bench/evaluations-ingest.ts); fewer batches in flight = larger ones
      flush: async (items) => {
        const col = <K extends keyof TPress>(k: K) => items.map((i) => i[k]);
        const res = await pool.query<TPressRow>({
          name: 'kiosk-rate-batch',
          text: RATE_BATCH_SQL,
          values: [
            col('tenantId'),
            col('sessionId'),
            col('counterId'),
            col('deviceId'),
            col('score'),
            col('label'),
            col('answers'),
            col('isFast'),
            col('pressedAt'),
            col('now'),
          ],
        });
        const bySession = new Map(res.rows.map((r) => [r.ref_id, r]));
        // Exactly one press of the batch owns a stored row: the first with its client key and body (the one inserted).
        // Another press of the same session, or the same press sent again (a retry racing the original), gets
        // nothing here and learns from explainRefusal that it is a replay, a reused key or an already rated session.
        return items.map((i) => {
          const r = bySession.get(i.sessionId);
          if (!r || r.client_key !== i.clientKey || r.pressed_at_text !== i.pressedAtText) return undefined;
          bySession.delete(i.sessionId);
          return r;
        });
      },
    });
    w = (p: TPress) => writer.write(p);
    writers.set(db, w);
  }
  return w;
}

/** The same statement as a Drizzle query (bound parameters), for the rare path that runs inside a transaction. */
function asDrizzle(text: string, values: unknown[]) {
  const parts = text.split(/\$(\d+)/);
  return sql.join(parts.map((part, i) => (i % 2 === 0 ? sql.raw(part) : sql`${values[Number(part) - 1]}`)));
}

/**
 * A customer's press. Happy path = ONE statement: the evaluation is inserted from the session row only if that
 * session is at this device's counter and has ended; the session-tied idempotency key makes it once per session.
 * It writes the same columns as `insertEvaluation()` (the one store) — done as INSERT … SELECT so that the
 * "has ended" check and the insert are one round trip. An 不满意 also notifies the outlet's managers, in the same
 * transaction. Anything else (replay, not ended, already rated) costs one more read to say which.
 */
export async function submitRating(
  deps: TDeps,
  device: TDeviceCtx,
  input: TKioskRatingInput,
  clientKey: string,
): Promise<TKioskRatingResult> {
  const key = device.keys[input.key - 1];
  if (!key)
    throw new AppError('VALIDATION_FAILED', `this kiosk has ${device.keys.length} keys`, {
      details: [{ path: 'body.key', message: `1–${device.keys.length}` }],
    });
  const now = deps.clock.now();
  const shownAt = new Date(input.shownAt);
  const pressedAt = new Date(input.pressedAt);
  const isFast = pressedAt.getTime() - shownAt.getTime() < FAST_PRESS_MS;
  const minScore = Math.min(...device.keys.map((k) => k.score));
  const isUnsatisfied = isNegativeEvaluation({
    score: key.score,
    ratingLabel: key.label,
    isLowestOption: key.score === minScore,
  });
  const answers = { clientKey, key: input.key, shownAt: input.shownAt, pressedAt: input.pressedAt };

  type TRow = { id: string; flags: string[]; staff_id: string; occurred_at: Date | string };
  const values = [
    pressedAt,
    now,
    device.id,
    key.score,
    key.label,
    JSON.stringify(answers),
    isFast,
    device.tenantId,
    input.sessionId,
    device.counterId,
  ];
  const row: TRow | undefined = isUnsatisfied
    ? await deps.db.transaction(async (tx) => {
        const r = (await tx.execute<TRow>(asDrizzle(RATE_SQL, values))).rows[0];
        if (r) {
          await alertNegativeEvaluation(tx, {
            tenantId: device.tenantId,
            evaluationId: r.id,
            channel: 'kiosk',
            unitId: device.outletId,
            counterId: device.counterId,
            staffId: r.staff_id,
            score: key.score,
            ratingLabel: key.label,
            isLowestOption: key.score === minScore,
            at: now,
          });
        }
        return r;
      })
    : await pressWriter(deps.db)({
        tenantId: device.tenantId,
        sessionId: input.sessionId,
        counterId: device.counterId,
        deviceId: device.id,
        score: key.score,
        label: key.label,
        answers: JSON.stringify(answers),
        isFast,
        pressedAt,
        now,
        clientKey,
        pressedAtText: input.pressedAt,
      });
  if (row) return { evaluationId: row.id, score: key.score, label: key.label, flags: row.flags, replayed: false };
  return explainRefusal(deps.db, device, input, clientKey);
}

/**
 * Why a press stored nothing. Its Idempotency-Key already names a press: the same body (same device, session, key
 * and times) is a replay of it; anything else is 422 IDEMPOTENCY_KEY_REUSED. Otherwise the session decides: not
 * this counter's → 404, not ended → 409, rated already (another press, or 未评价) → 409 ALREADY_RATED.
 */
async function explainRefusal(
  db: DbOrTx,
  device: TDeviceCtx,
  input: TKioskRatingInput,
  clientKey: string,
): Promise<TKioskRatingResult> {
  const byKey = await db.execute<{
    id: string;
    ref_id: string;
    source_id: string | null;
    answers: Record<string, unknown>;
    score: number | null;
    rating_label: string | null;
    flags: string[];
  }>(sql`
    select id, ref_id, source_id, answers, score, rating_label, flags from evaluations
    where tenant_id = ${device.tenantId} and channel = 'kiosk' and answers ? 'clientKey' and answers->>'clientKey' = ${clientKey}`);
  const stored = byKey.rows[0];
  if (stored) {
    const a = stored.answers;
    const isSame =
      stored.ref_id === input.sessionId &&
      stored.source_id === device.id &&
      a.key === input.key &&
      a.shownAt === input.shownAt &&
      a.pressedAt === input.pressedAt;
    if (isSame)
      return {
        evaluationId: stored.id,
        score: stored.score,
        label: stored.rating_label,
        flags: stored.flags,
        replayed: true,
      };
    throw new AppError('IDEMPOTENCY_KEY_REUSED', 'this Idempotency-Key was already used for another press', {
      details: [{ path: 'headers.idempotency-key', message: 'already used for a different request' }],
    });
  }
  const res = await db.execute<{ ended_at: Date | null; eval_id: string | null }>(sql`
    select s.ended_at, e.id as eval_id
    from service_sessions s
    left join evaluations e on e.tenant_id = s.tenant_id and e.idempotency_key = 'kiosk:session:' || s.id::text
    where s.tenant_id = ${device.tenantId} and s.id = ${input.sessionId} and s.counter_id = ${device.counterId}`);
  const r = res.rows[0];
  if (!r) throw notFound('service session');
  if (!r.ended_at)
    throw new AppError('SESSION_NOT_ENDED', 'the service has not ended', {
      details: [{ path: 'body.sessionId', message: 'not ended' }],
    });
  throw new AppError('ALREADY_RATED', 'this service session already has its evaluation', {
    details: [{ path: 'body.sessionId', message: 'already rated' }],
  });
}

/**
 * Record 未评价 for ended sessions whose rating window has passed (cron, every minute): one evaluation with score
 * null and flag `unrated`, under the session's key — if the customer's press landed first, the insert is a no-op; if
 * the press comes later it finds the key taken (409 ALREADY_RATED). Only counters with a paired device get one.
 * Rows are claimed with SKIP LOCKED, so several job workers never sweep the same session.
 */
export async function sweepKioskTimeouts(deps: TDeps, limit = 500): Promise<number> {
  const now = deps.clock.now();
  return deps.db.transaction(async (tx) => {
    const due = await tx.execute<{
      tenant_id: string;
      id: string;
      outlet_id: string;
      counter_id: string;
      staff_id: string;
      customer_id: string | null;
      ended_at: Date | string;
      timeout_seconds: number;
      has_device: boolean;
    }>(sql`
      select s.tenant_id, s.id, s.outlet_id, s.counter_id, s.staff_id, s.customer_id, s.ended_at, coalesce(ks.timeout_seconds, 30) as timeout_seconds,
             exists (select 1 from kiosk_devices d where d.tenant_id = s.tenant_id and d.counter_id = s.counter_id and d.revoked_at is null) as has_device
      from service_sessions s
      left join kiosk_settings ks on ks.tenant_id = s.tenant_id and ks.outlet_id = s.outlet_id
      where s.ended_at is not null and not s.rating_closed
        and s.ended_at + make_interval(secs => coalesce(ks.timeout_seconds, 30) + ${TIMEOUT_GRACE_SECONDS}) <= ${now}::timestamptz
      order by s.ended_at
      limit ${limit}
      for update of s skip locked`);
    let recorded = 0;
    for (const s of due.rows) {
      if (!s.has_device) continue;
      const r = await insertEvaluation(tx, {
        tenantId: s.tenant_id,
        channel: 'kiosk',
        occurredAt: new Date(new Date(s.ended_at).getTime() + s.timeout_seconds * 1000),
        unitId: s.outlet_id,
        counterId: s.counter_id,
        staffId: s.staff_id,
        customerId: s.customer_id,
        refType: 'service_session',
        refId: s.id,
        sourceType: 'device',
        sourceId: null,
        score: null,
        flags: ['unrated'],
        idempotencyKey: sessionEvaluationKey(s.id),
      });
      if (!r.isDuplicate) recorded++;
    }
    if (due.rows.length) {
      const ids = due.rows.map((r) => sql`(${r.tenant_id}::uuid, ${r.id}::uuid)`);
      await tx.execute(
        sql`update service_sessions set rating_closed = true where (tenant_id, id) in (${sql.join(ids, sql`, `)})`,
      );
    }
    return recorded;
  });
}
