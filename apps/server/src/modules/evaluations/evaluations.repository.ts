import { and, eq, inArray, or, sql, type SQL } from 'drizzle-orm';
import {
  maskName,
  type TCorrectionKind,
  type TEvaluation,
  type TEvaluationCorrection,
  type TEvaluationListQuery,
} from '@huifang/shared';
import type { DbOrTx } from '../../db/client.ts';
import { evaluations } from '../../db/schema/index.ts';
import { invalidField } from '../../lib/app-error.ts';
import { ownedVisible, pgArray, type TScope } from '../../lib/scope.ts';
import { tenantTimeZone } from '../../lib/time.ts';
import { addDays } from './rollups.ts';
import { valueCutCondition } from './value-rollups.ts';

/**
 * Move evaluations to another customer (merge of duplicates) or detach them and clear their free text (erasure).
 * The append-only trigger allows exactly this under `huifang.customer_relink` (migration 0039).
 */
export async function relinkEvaluations(
  tx: DbOrTx,
  tenantId: string,
  fromIds: string[],
  toId: string | null,
): Promise<void> {
  if (fromIds.length === 0) return;
  await tx.execute(sql`select set_config('huifang.customer_relink', 'on', true)`);
  if (toId)
    await tx
      .update(evaluations)
      .set({ customerId: toId })
      .where(and(eq(evaluations.tenantId, tenantId), inArray(evaluations.customerId, fromIds)));
  // Erasure: the customer's service records are deleted next, so the ratings of them let go of them here (the
  // foreign key's ON DELETE SET NULL would run outside the relink switch and be refused by the append-only trigger).
  else
    await tx
      .update(evaluations)
      .set({ customerId: null, text: null, answers: null, serviceRecordId: null })
      .where(
        and(
          eq(evaluations.tenantId, tenantId),
          or(
            inArray(evaluations.customerId, fromIds),
            sql`${evaluations.serviceRecordId} in (select id from service_records where tenant_id = ${tenantId} and customer_id = any(${pgArray(fromIds, 'uuid')}))`,
          ),
        ),
      );
  await tx.execute(sql`select set_config('huifang.customer_relink', 'off', true)`);
}

/**
 * Latest exclude/restore decides (the SQL function `evaluation_is_excluded`, the one definition the rollups use too);
 * an appeal is open until a decision row follows it.
 */
const EFFECTIVE = sql`
  evaluation_is_excluded(e.tenant_id, e.id) as is_excluded,
  (select case when a.id is null then 'none'
               when exists (select 1 from evaluation_corrections d where d.tenant_id = e.tenant_id and d.evaluation_id = e.id
                            and d.kind <> 'appeal' and d.id > a.id) then 'decided'
               else 'open' end
     from (select max(ec.id) as id from evaluation_corrections ec
           where ec.tenant_id = e.tenant_id and ec.evaluation_id = e.id and ec.kind = 'appeal') a) as appeal_state`;

type TRow = {
  id: string;
  channel: string;
  occurred_at: Date | string;
  received_at: Date | string;
  unit_id: string;
  unit_name: string | null;
  counter_id: string | null;
  counter_name: string | null;
  staff_id: string | null;
  staff_name: string | null;
  customer_id: string | null;
  customer_name: string | null;
  service_record_id: string | null;
  ref_type: string | null;
  ref_id: string | null;
  source_type: string;
  score: number | null;
  rating_label: string | null;
  dimensions: Record<string, number>;
  text: string | null;
  flags: string[];
  is_excluded: boolean;
  appeal_state: 'none' | 'open' | 'decided';
  answers?: unknown;
};

const toEvaluation = (r: TRow, canReveal: boolean): TEvaluation => ({
  id: r.id,
  channel: r.channel as TEvaluation['channel'],
  occurredAt: new Date(r.occurred_at).toISOString(),
  receivedAt: new Date(r.received_at).toISOString(),
  unitId: r.unit_id,
  unitName: r.unit_name,
  counterId: r.counter_id,
  counterName: r.counter_name,
  staffId: r.staff_id,
  staffName: r.staff_name,
  customerId: r.customer_id,
  customerName: r.customer_name === null ? null : canReveal ? r.customer_name : maskName(r.customer_name),
  serviceRecordId: r.service_record_id,
  refType: r.ref_type,
  refId: r.ref_id,
  sourceType: r.source_type as TEvaluation['sourceType'],
  score: r.score,
  ratingLabel: r.rating_label,
  dimensions: r.dimensions,
  text: r.text,
  flags: r.flags,
  isExcluded: r.is_excluded,
  appealState: r.appeal_state,
});

const SELECT = sql`
  select e.id, e.channel, e.occurred_at, e.received_at, e.unit_id, u.name as unit_name, e.counter_id, cu.name as counter_name,
         e.staff_id, s.display_name as staff_name, e.customer_id, c.name as customer_name, e.service_record_id, e.ref_type, e.ref_id,
         e.source_type, e.score, e.rating_label, e.dimensions, e.text, e.flags, ${EFFECTIVE}`;
const FROM = sql`
  from evaluations e
  left join org_units u on u.id = e.unit_id
  left join org_units cu on cu.id = e.counter_id
  left join users s on s.id = e.staff_id
  left join customers c on c.id = e.customer_id`;

/** Staff with `own` scope see the evaluations of their own service; wider scopes those of visible units. */
const visible = (scope: TScope) =>
  sql`e.tenant_id = ${scope.tenantId} and ${ownedVisible(scope, sql`e.staff_id`, sql`e.unit_id`)}`;

function decodeCursor(cursor: string): { at: string; id: string } {
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [string, string];
    if (typeof at !== 'string' || typeof id !== 'string' || Number.isNaN(Date.parse(at)) || !/^[0-9a-f-]{36}$/.test(id))
      throw new Error('bad');
    return { at, id };
  } catch {
    throw invalidField('querystring.cursor', 'invalid cursor');
  }
}
const encodeCursor = (at: string, id: string) => Buffer.from(JSON.stringify([at, id])).toString('base64url');

const inSubtree = (scope: TScope, unitId: string, column: SQL) =>
  sql`${column} in (select ou.id from org_units ou where ou.tenant_id = ${scope.tenantId} and ou.path like (select p.path from org_units p where p.id = ${unitId} and p.tenant_id = ${scope.tenantId}) || '%')`;
const isLocalDay = (v: string) => /^\d{4}-\d{2}-\d{2}$/.test(v);
/** Local midnight of a day in the tenant's zone, as an instant (the rollups' day boundary). */
const localMidnight = (day: string, timeZone: string) => sql`((${day}::date)::timestamp at time zone ${timeZone})`;
const SENTIMENT_SCORES = { satisfied: sql`e.score >= 4`, neutral: sql`e.score = 3`, unsatisfied: sql`e.score <= 2` };

/** The list's filters (also the export's), all within the caller's scope. */
export async function evaluationConditions(db: DbOrTx, scope: TScope, q: TEvaluationListQuery): Promise<SQL[]> {
  const conds: SQL[] = [visible(scope)];
  if (q.channel) conds.push(sql`e.channel = ${q.channel}`);
  if (q.unitId) conds.push(inSubtree(scope, q.unitId, sql`e.unit_id`));
  if (q.counterId) conds.push(inSubtree(scope, q.counterId, sql`e.counter_id`));
  if (q.staffId) conds.push(sql`e.staff_id = ${q.staffId}`);
  if (q.customerId) conds.push(sql`e.customer_id = ${q.customerId}`);
  if (q.score === 'unrated') conds.push(sql`e.score is null`);
  else if (q.score !== undefined) conds.push(sql`e.score = ${q.score}`);
  if (q.sentiment) conds.push(SENTIMENT_SCORES[q.sentiment]);
  if (q.flag) conds.push(sql`${q.flag} = any(e.flags)`);
  const timeZone =
    (q.from && isLocalDay(q.from)) || (q.to && isLocalDay(q.to)) ? await tenantTimeZone(db, scope.tenantId) : '';
  if (q.from)
    conds.push(
      isLocalDay(q.from)
        ? sql`e.occurred_at >= ${localMidnight(q.from, timeZone)}`
        : sql`e.occurred_at >= ${new Date(q.from)}`,
    );
  if (q.to)
    conds.push(
      isLocalDay(q.to)
        ? sql`e.occurred_at < ${localMidnight(addDays(q.to, 1), timeZone)}`
        : sql`e.occurred_at <= ${new Date(q.to)}`,
    );
  // Counted only (the figures' rule): checked row by row during the scan, no window needed.
  if (q.excluded === 'false') conds.push(sql`not evaluation_is_excluded(e.tenant_id, e.id)`);
  // 客户分级 drill-down: the customer's values in the latest finished value run (the run 统计分析's cut is as of).
  const valueCut = valueCutCondition(scope.tenantId, q, sql`e.customer_id`);
  if (valueCut) conds.push(valueCut);
  return conds;
}

/** Newest first, keyset-paginated on (occurred_at, id). */
export async function listEvaluations(db: DbOrTx, scope: TScope, q: TEvaluationListQuery, canReveal: boolean) {
  const conds = await evaluationConditions(db, scope, q);
  if (q.cursor) {
    const c = decodeCursor(q.cursor);
    conds.push(sql`(e.occurred_at, e.id) < (${new Date(c.at)}, ${c.id}::uuid)`);
  }
  let inner = sql`${SELECT} ${FROM} where ${sql.join(conds, sql` and `)} order by e.occurred_at desc, e.id desc`;
  const outer: SQL[] = [];
  if (q.excluded === 'true') outer.push(sql`is_excluded`);
  if (q.appeal === 'open') outer.push(sql`appeal_state = 'open'`);
  // Correction filters apply after the keyset scan; over-fetching would be needed at large volumes, so they
  // read a bounded window (appeals and exclusions are rare and recent).
  if (outer.length) inner = sql`select * from (${inner} limit 5000) x where ${sql.join(outer, sql` and `)}`;
  const res = await db.execute<TRow>(sql`${inner} limit ${q.pageSize + 1}`);
  const rows = res.rows.slice(0, q.pageSize);
  const last = rows.at(-1);
  return {
    items: rows.map((r) => toEvaluation(r, canReveal)),
    nextCursor:
      res.rows.length > q.pageSize && last ? encodeCursor(new Date(last.occurred_at).toISOString(), last.id) : null,
  };
}

export async function findEvaluation(db: DbOrTx, scope: TScope, id: string, canReveal: boolean) {
  const res = await db.execute<TRow>(sql`${SELECT}, e.answers ${FROM} where ${visible(scope)} and e.id = ${id}`);
  const row = res.rows[0];
  if (!row) return null;
  const corrections = await db.execute<{
    id: string;
    kind: TCorrectionKind;
    reason: string;
    actor_id: string | null;
    actor_name: string | null;
    at: Date | string;
  }>(sql`
    select ec.id::text, ec.kind, ec.reason, ec.actor_id, u.display_name as actor_name, ec.at
    from evaluation_corrections ec left join users u on u.id = ec.actor_id
    where ec.tenant_id = ${scope.tenantId} and ec.evaluation_id = ${id} order by ec.id`);
  return {
    ...toEvaluation(row, canReveal),
    answers: row.answers ?? null,
    corrections: corrections.rows.map((c): TEvaluationCorrection => ({
      id: c.id,
      kind: c.kind,
      reason: c.reason,
      actorId: c.actor_id,
      actorName: c.actor_name,
      at: new Date(c.at).toISOString(),
    })),
  };
}
