import { sql, type SQL } from 'drizzle-orm';
import { FAST_PRESS_MS, type TKioskRatingInput, type TKioskRatingResult, type TKioskState } from '@huifang/shared';
import type { Db, DbOrTx } from '../../db/client.ts';
import { AppError, notFound } from '../../lib/app-error.ts';
import type { TClock } from '../../lib/clock.ts';
import { createGroupCommit, recordEvaluations, recordFromSource } from '../evaluations/evaluations.write.ts';
import type { TDeviceCtx } from './kiosk-devices.ts';

type TDeps = { db: Db; clock: TClock };

/** The store's idempotency key of a session's kiosk evaluation: a press and the timeout share it, so only one lands. */
export const sessionEvaluationKey = (sessionId: string) => `kiosk:session:${sessionId}`;
/**
 * SQL: evaluation `e` (an alias) is the evaluation of the service session `tenantId`/`sessionId` — found by that key,
 * which every evaluation of a service session carries, through evaluations_idempotency_uq (migration 0043 dropped
 * the index on ref_type/ref_id that only this lookup used).
 */
export const sessionEvaluationMatch = (e: string, tenantId: SQL, sessionId: SQL) =>
  sql`${sql.raw(e)}.tenant_id = ${tenantId} and ${sql.raw(e)}.idempotency_key = 'kiosk:session:' || ${sessionId}::text`;
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
    rating_closed: boolean;
  }>(sql`
    select s.id, s.ended_at, s.rating_closed, s.staff_id, u.display_name, u.staff_no, u.title, u.business_handled, u.photo,
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
  // rating_closed at the end: a session closed without a prompt (a queue no-show 过号), nothing to rate.
  const open = !s.rated && !s.rating_closed && now.getTime() < endedAt.getTime() + device.timeoutSeconds * 1000;
  return {
    ...base,
    state: open ? 'rating' : 'idle',
    sessionId: open ? s.id : null,
    staff: open ? staff : null,
    endedAt: endedAt.toISOString(),
  };
}

/**
 * A customer's press, written by the evaluation store (modules/evaluations) from the session row in ONE statement:
 * the evaluation is inserted only if that session is at this device's counter and has ended, under the session's
 * idempotency key (one evaluation per session; the press and the timeout share it). Two unique keys make a press a
 * no-op: the session's and the kiosk's Idempotency-Key (answers.clientKey, one press per key in the tenant).
 * Presses that arrive together share one statement and one commit (group commit); a session pressed twice in one
 * batch lands once, and the result carries the stored press's client key so each caller learns whether the row is
 * its own.
 */
const PRESS_SQL = recordFromSource(
  `i as (
    select u.tenant_id, u.session_id, u.counter_id, u.device_id, u.score, u.label, $7::jsonb -> (u.n - 1)::int as answers,
           u.is_fast, u.pressed_at, u.now, u.is_lowest, u.n
    from unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::smallint[], $6::text[], $8::boolean[],
                $9::timestamptz[], $10::timestamptz[], $11::boolean[])
      with ordinality as u(tenant_id, session_id, counter_id, device_id, score, label, is_fast, pressed_at, now, is_lowest, n)
  ),
  src as (
    select null::uuid as id, s.tenant_id, 'kiosk'::text as channel, greatest(s.ended_at, least(i.pressed_at, i.now)) as occurred_at,
           i.now as received_at, s.outlet_id as unit_id, s.counter_id, s.staff_id, s.customer_id, null::uuid as service_record_id,
           'service_session'::text as ref_type, s.id as ref_id, 'device'::text as source_type, i.device_id as source_id,
           i.score, i.label as rating_label, '{}'::jsonb as dimensions, i.answers, null::text as text,
           case when i.is_fast or i.now - s.ended_at < make_interval(secs => ${FAST_PRESS_MS / 1000}) then array['fast_press'] else '{}'::text[] end as flags,
           'kiosk:session:' || s.id::text as idempotency_key, jsonb_build_object('isLowestOption', i.is_lowest) as event_payload, i.n as ord
    from i join service_sessions s on s.tenant_id = i.tenant_id and s.id = i.session_id and s.counter_id = i.counter_id and s.ended_at is not null
  )`,
  `select ref_id, id, flags, answers->>'clientKey' as client_key, answers->>'pressedAt' as pressed_at_text from recorded`,
);

interface TPress {
  tenantId: string;
  sessionId: string;
  counterId: string;
  deviceId: string;
  score: number;
  label: string;
  answers: string;
  isFast: boolean;
  /** ISO strings: node-postgres formats a Date element by element in JS (in the local zone), toISOString is native. */
  pressedAt: string;
  now: string;
  isLowestOption: boolean;
  clientKey: string;
  pressedAtText: string;
}
type TPressRow = {
  ref_id: string;
  id: string;
  flags: string[];
  client_key: string;
  pressed_at_text: string;
};

const pressWriter = createGroupCommit<TPress, TPressRow, TPressRow | undefined>({
  name: 'kiosk-rate-batch',
  text: PRESS_SQL,
  maxBatch: 200,
  maxInFlight: 2, // 1–6 measured within noise of each other (bench/evaluations-ingest.ts); fewer batches in flight = larger ones
  params: (items) => {
    const col = <K extends keyof TPress>(k: K) => items.map((i) => i[k]);
    return [
      col('tenantId'),
      col('sessionId'),
      col('counterId'),
      col('deviceId'),
      col('score'),
      col('label'),
      // one JSON array (press i at index i - 1) of texts already JSON: a jsonb[] parameter escaped every quote
      `[${col('answers').join(',')}]`,
      col('isFast'),
      col('pressedAt'),
      col('now'),
      col('isLowestOption'),
    ];
  },
  results: (rows, items) => {
    const bySession = new Map(rows.map((r) => [r.ref_id, r]));
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

/**
 * A customer's press (see PRESS_SQL). An 不满意 notifies the outlet's managers through the evaluation event
 * (notifications/evaluation-alerts.ts). Anything else than a stored press (replay, not ended, already rated) costs one
 * more read to say which.
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
  const answers = { clientKey, key: input.key, shownAt: input.shownAt, pressedAt: input.pressedAt };
  const row = await pressWriter(deps.db)({
    tenantId: device.tenantId,
    sessionId: input.sessionId,
    counterId: device.counterId,
    deviceId: device.id,
    score: key.score,
    label: key.label,
    answers: JSON.stringify(answers),
    isFast,
    pressedAt: pressedAt.toISOString(),
    now: now.toISOString(),
    isLowestOption: key.score === minScore,
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
    const rows = due.rows.filter((s) => s.has_device);
    const stored = await recordEvaluations(
      tx,
      rows.map((s) => ({
        tenantId: s.tenant_id,
        channel: 'kiosk' as const,
        occurredAt: new Date(new Date(s.ended_at).getTime() + s.timeout_seconds * 1000),
        unitId: s.outlet_id,
        counterId: s.counter_id,
        staffId: s.staff_id,
        customerId: s.customer_id,
        refType: 'service_session',
        refId: s.id,
        sourceType: 'device' as const,
        sourceId: null,
        score: null,
        flags: ['unrated'],
        idempotencyKey: sessionEvaluationKey(s.id),
      })),
    );
    const recorded = stored.filter((r) => !r.isDuplicate).length;
    if (due.rows.length) {
      const ids = due.rows.map((r) => sql`(${r.tenant_id}::uuid, ${r.id}::uuid)`);
      await tx.execute(
        sql`update service_sessions set rating_closed = true where (tenant_id, id) in (${sql.join(ids, sql`, `)})`,
      );
    }
    return recorded;
  });
}
