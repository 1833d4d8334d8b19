import { relinkEvaluations } from '../evaluations/evaluations.repository.ts';
import { and, eq, inArray, sql, type SQL } from 'drizzle-orm';
import {
  DQ_FIELDS,
  maskCardNumber,
  maskIdNumber,
  maskName,
  MAX_CARD_NUMBERS,
  type TDataQualitySettings,
  type TDataQualitySummary,
  type TDuplicateGroup,
} from '@huifang/shared';
import type { Db, DbOrTx } from '../../db/client.ts';
import {
  customerContacts,
  customerNotes,
  customers,
  serviceRecords,
  tenantDataQuality,
  transactions,
} from '../../db/schema/index.ts';
import { AppError, invalidField, unknownRef } from '../../lib/app-error.ts';
import type { TClock } from '../../lib/clock.ts';
import type { TAuditCtx, TScope } from '../../lib/scope.ts';
import { insertAuditEvent } from '../audit/audit.repository.ts';
import { customerVisible, phoneDigitsOf } from '../customers/customers.repository.ts';
import { moveFlagsToCustomer } from '../counter/potential-customer.service.ts';
import { moveFollowupToCustomer } from '../followup/tasks/merge.ts';

type TDeps = { db: Db; clock: TClock };

const COLUMN: Record<string, string> = {
  email: 'email',
  address: 'address',
  idNumber: 'id_number',
  gender: 'gender',
  birthday: 'birthday',
  source: 'source',
  tier: 'tier',
  lifecycleStage: 'lifecycle_stage',
  intentLevel: 'intent_level',
  ownerId: 'owner_id',
};
/** Same pattern as the input schema (DESIGN §2): CN mobile, or landline with area code and optional extension. */
const VALID_PHONE = '^(1[3-9][0-9]{9}|0[0-9]{2,3}-?[2-9][0-9]{6,7}(-[0-9]{1,6})?)$';

/** SQL "field is present" for a row of `customers` (not aliased: the scope condition names the table). */
export function presentSql(field: string): SQL {
  if (field === 'name') return sql`(coalesce(customers.name, '') <> '')`;
  if (field === 'phones') return sql`(cardinality(customers.phones) > 0)`;
  if (field === 'tags') return sql`(cardinality(customers.tags) > 0)`;
  if (field.startsWith('custom.')) return sql`(coalesce(customers.custom ->> ${field.slice(7)}, '') <> '')`;
  const col = COLUMN[field];
  if (!col) throw invalidField('body', `unknown field ${field}`);
  return sql`(customers.${sql.raw(col)} is not null and customers.${sql.raw(col)}::text <> '')`;
}

export async function getSettings(db: DbOrTx, tenantId: string): Promise<TDataQualitySettings> {
  const [row] = await db.select().from(tenantDataQuality).where(eq(tenantDataQuality.tenantId, tenantId));
  return row
    ? { validRequired: row.validRequired, completenessFields: row.completenessFields }
    : {
        validRequired: ['name', 'phones'],
        completenessFields: [
          'name',
          'phones',
          'gender',
          'birthday',
          'address',
          'email',
          'source',
          'intentLevel',
          'tier',
          'ownerId',
        ],
      };
}

export async function saveSettings(
  deps: TDeps,
  scope: TScope,
  ctx: TAuditCtx,
  input: TDataQualitySettings,
): Promise<TDataQualitySettings> {
  const known = new Set<string>(DQ_FIELDS);
  for (const [k, list] of Object.entries(input))
    for (const [i, f] of list.entries())
      if (!known.has(f) && !f.startsWith('custom.')) throw invalidField(`body.${k}.${i}`, `unknown field ${f}`);
  const before = await getSettings(deps.db, scope.tenantId);
  const now = deps.clock.now();
  await deps.db.transaction(async (tx) => {
    await tx
      .insert(tenantDataQuality)
      .values({ tenantId: scope.tenantId, ...input, updatedAt: now })
      .onConflictDoUpdate({ target: tenantDataQuality.tenantId, set: { ...input, updatedAt: now } });
    await insertAuditEvent(
      tx,
      ctx,
      {
        action: 'data_quality.settings_changed',
        entityType: 'settings',
        entityId: 'data_quality',
        unitId: scope.unitId,
        summary: '修改有效客户规则/完整度字段',
        before,
        after: input,
      },
      now,
    );
  });
  return input;
}

/** One pass over the caller's customers: validity, phone validity, completeness, missing counts; the worst 50 to fix. */
export async function getSummary(deps: Pick<TDeps, 'db'>, scope: TScope): Promise<TDataQualitySummary> {
  const s = await getSettings(deps.db, scope.tenantId);
  const where = customerVisible(scope);
  const score = sql`(${sql.join(
    s.completenessFields.map((f) => sql`(case when ${presentSql(f)} then 1 else 0 end)`),
    sql` + `,
  )}) * 100 / ${s.completenessFields.length}`;
  const valid = sql.join(s.validRequired.map(presentSql), sql` and `);
  const allFields = [...new Set([...s.completenessFields, ...s.validRequired])];
  const missingCols = sql.join(
    allFields.map((f, i) => sql`count(*) filter (where not ${presentSql(f)}) as ${sql.raw(`m${i}`)}`),
    sql`, `,
  );
  const agg = await deps.db.execute<Record<string, string | number | null>>(sql`
    select count(*)::int as total,
           count(*) filter (where ${valid})::int as valid,
           count(*) filter (where exists (select 1 from unnest(customers.phones) p where p !~ ${VALID_PHONE}))::int as invalid_phones,
           coalesce(avg(${score}), 0)::float as avg_score,
           ${missingCols}
      from customers where ${where}`);
  const a = agg.rows[0]!;
  const worst = await deps.db.execute<{
    id: string;
    name: string;
    unit_name: string;
    score: number;
    is_valid: boolean;
    present: boolean[];
  }>(sql`
    select customers.id, customers.name, u.name as unit_name, (${score})::int as score, (${valid}) as is_valid,
           array[${sql.join(allFields.map(presentSql), sql`, `)}] as present
      from customers join org_units u on u.id = customers.unit_id
     where ${where}
     order by (${valid}) asc, ${score} asc, customers.created_at desc limit 50`);
  return {
    total: Number(a.total),
    valid: Number(a.valid),
    invalidPhones: Number(a.invalid_phones),
    avgCompleteness: Math.round(Number(a.avg_score) * 10) / 10,
    missing: allFields.map((field, i) => ({ field, count: Number(a[`m${i}`]) })),
    duplicateGroups: (await findDuplicates(deps, scope, 1000)).length,
    toFix: worst.rows.map((r) => ({
      id: r.id,
      name: r.name,
      unitName: r.unit_name,
      completeness: Number(r.score),
      isValid: r.is_valid,
      missing: allFields.filter((_, i) => !r.present[i]),
    })),
  };
}

/**
 * Duplicate candidates among visible customers: same phone, same bank card, same 证件号, or same name with a similar
 * address (trigram ≥ 0.5). Keys are masked as the customer list masks them.
 */
export async function findDuplicates(deps: Pick<TDeps, 'db'>, scope: TScope, limit = 200): Promise<TDuplicateGroup[]> {
  const visible = customerVisible(scope);
  // Phones held by more than one customer come from customer_phones alone (an index-only walk); only those are joined
  // to the customers to keep the visible ones.
  const byPhone = await deps.db.execute<{ key: string; ids: string[] }>(sql`
    with shared as (
      select phone from customer_phones where tenant_id = ${scope.tenantId} group by phone having count(*) > 1)
    select s.phone as key, array_agg(distinct customers.id) as ids
      from shared s
      join customer_phones cp on cp.tenant_id = ${scope.tenantId} and cp.phone = s.phone
      join customers on customers.tenant_id = cp.tenant_id and customers.id = cp.customer_id
     where ${visible} group by s.phone having count(distinct customers.id) > 1 order by s.phone limit ${limit}`);
  const byName = await deps.db.execute<{ key: string; ids: string[] }>(sql`
    select customers.name as key, array_agg(distinct customers.id) as ids from customers
     where ${visible} and exists (
       select 1 from customers d where d.tenant_id = customers.tenant_id and d.name = customers.name and d.id <> customers.id
          and d.address is not null and customers.address is not null and similarity(d.address, customers.address) >= 0.5)
     group by customers.name order by customers.name limit ${limit}`);
  // A bank card (customer_cards, kept by triggers) or a 证件号 held by more than one customer.
  const byCard = await deps.db.execute<{ key: string; ids: string[] }>(sql`
    with shared as (
      select card_number from customer_cards where tenant_id = ${scope.tenantId}
       group by card_number having count(*) > 1)
    select s.card_number as key, array_agg(distinct customers.id) as ids
      from shared s
      join customer_cards cc on cc.tenant_id = ${scope.tenantId} and cc.card_number = s.card_number
      join customers on customers.tenant_id = cc.tenant_id and customers.id = cc.customer_id
     where ${visible} group by s.card_number having count(distinct customers.id) > 1 order by s.card_number limit ${limit}`);
  const byIdNumber = await deps.db.execute<{ key: string; ids: string[] }>(sql`
    select customers.id_number as key, array_agg(customers.id order by customers.id) as ids from customers
     where ${visible} and customers.id_number is not null and exists (
       select 1 from customers d where d.tenant_id = customers.tenant_id and d.id_number = customers.id_number
          and d.id <> customers.id)
     group by customers.id_number having count(*) > 1 order by customers.id_number limit ${limit}`);
  const ids = [...new Set([...byPhone.rows, ...byCard.rows, ...byIdNumber.rows, ...byName.rows].flatMap((r) => r.ids))];
  if (ids.length === 0) return [];
  const rows = await deps.db.execute<{
    id: string;
    name: string;
    phones: string[];
    address: string | null;
    unit_name: string;
    created_at: Date | string;
  }>(sql`
    select customers.id, customers.name, customers.phones, customers.address, u.name as unit_name, customers.created_at from customers join org_units u on u.id = customers.unit_id
     where customers.tenant_id = ${scope.tenantId} and customers.id in (${sql.join(
       ids.map((i) => sql`${i}::uuid`),
       sql`, `,
     )})`);
  const byId = new Map(rows.rows.map((r) => [r.id, r]));
  const group = (reason: TDuplicateGroup['reason'], key: string, gids: string[]): TDuplicateGroup => ({
    reason,
    key:
      reason === 'same_phone'
        ? `${key.slice(0, 3)}****${key.slice(-4)}`
        : reason === 'same_card'
          ? maskCardNumber(key)
          : reason === 'same_id_number'
            ? maskIdNumber(key)
            : maskName(key),
    customers: gids
      .map((i) => byId.get(i)!)
      .filter(Boolean)
      .map((r) => ({
        id: r.id,
        name: r.name,
        phones: r.phones.map((p) => `${p.slice(0, 3)}****${p.slice(-4)}`),
        address: r.address ? `${r.address.slice(0, 6)}****` : null,
        unitName: r.unit_name,
        createdAt: new Date(r.created_at).toISOString(),
      })),
  });
  return [
    ...byPhone.rows.map((r) => group('same_phone', r.key, r.ids)),
    ...byCard.rows.map((r) => group('same_card', r.key, r.ids)),
    ...byIdNumber.rows.map((r) => group('same_id_number', r.key, r.ids)),
    ...byName.rows.map((r) => group('same_name_similar_address', r.key, r.ids)),
  ];
}

/**
 * Merge duplicates into one record, keeping both histories: service records, transactions, notes and contacts move
 * to the kept customer; phones, card numbers and tags are united; empty fields are filled from the merged ones; merged rows go.
 */
export async function mergeCustomers(deps: TDeps, scope: TScope, ctx: TAuditCtx, keepId: string, mergeIds: string[]) {
  const ids = [...new Set(mergeIds)].filter((i) => i !== keepId);
  if (ids.length === 0) throw invalidField('body.mergeIds', 'nothing to merge');
  const all = await deps.db
    .select()
    .from(customers)
    .where(and(customerVisible(scope), inArray(customers.id, [keepId, ...ids])));
  const keep = all.find((c) => c.id === keepId);
  if (!keep) throw unknownRef('body.keepId', 'customer');
  if (all.length !== ids.length + 1) throw unknownRef('body.mergeIds', 'customer');
  const others = all.filter((c) => c.id !== keepId);
  const phones = [...new Set([...keep.phones, ...others.flatMap((o) => o.phones)])];
  if (phones.length > 5)
    throw new AppError('CONFLICT', 'the merged customer would have more than 5 phone numbers', {
      details: [{ path: 'body.mergeIds', message: '合并后电话超过 5 个' }],
    });
  const cardNumbers = [...new Set([...keep.cardNumbers, ...others.flatMap((o) => o.cardNumbers)])];
  if (cardNumbers.length > MAX_CARD_NUMBERS)
    throw new AppError('CONFLICT', `the merged customer would have more than ${MAX_CARD_NUMBERS} card numbers`, {
      details: [{ path: 'body.mergeIds', message: `合并后卡号超过 ${MAX_CARD_NUMBERS} 个` }],
    });
  const fill = <K extends keyof typeof keep>(k: K) => keep[k] ?? others.find((o) => o[k] !== null)?.[k] ?? null;
  const now = deps.clock.now();
  await deps.db.transaction(async (tx) => {
    for (const table of [serviceRecords, transactions, customerNotes, customerContacts]) {
      await tx
        .update(table)
        .set({ customerId: keepId })
        .where(and(eq(table.tenantId, scope.tenantId), inArray(table.customerId, ids)));
    }
    await relinkEvaluations(tx, scope.tenantId, ids, keepId);
    await moveFlagsToCustomer(tx, { tenantId: scope.tenantId, fromIds: ids, keepId });
    await moveFollowupToCustomer(tx, {
      tenantId: scope.tenantId,
      fromIds: ids,
      keepId,
      actorId: scope.userId,
      at: now,
    });
    await tx
      .update(customers)
      .set({
        phones,
        phoneDigits: phoneDigitsOf(phones),
        tags: [...new Set([...keep.tags, ...others.flatMap((o) => o.tags)])],
        cardNumbers,
        email: fill('email'),
        address: fill('address'),
        idNumber: fill('idNumber'),
        gender: fill('gender'),
        birthday: fill('birthday'),
        source: fill('source'),
        ownerId: fill('ownerId'),
        tier: fill('tier'),
        lifecycleStage: fill('lifecycleStage'),
        intentLevel: fill('intentLevel'),
        custom: Object.assign({}, ...others.map((o) => o.custom).reverse(), keep.custom),
        createdAt: new Date(Math.min(keep.createdAt.getTime(), ...others.map((o) => o.createdAt.getTime()))),
        updatedAt: now,
      })
      .where(and(eq(customers.tenantId, scope.tenantId), eq(customers.id, keepId)));
    await tx.delete(customers).where(and(eq(customers.tenantId, scope.tenantId), inArray(customers.id, ids)));
    await insertAuditEvent(
      tx,
      ctx,
      {
        action: 'customer.merged',
        entityType: 'customer',
        entityId: keepId,
        unitId: keep.unitId,
        summary: `合并 ${ids.length} 个重复客户到 ${maskName(keep.name)}`,
        after: { keepId, mergedIds: ids },
      },
      now,
    );
  });
  return { keepId, merged: ids.length };
}
