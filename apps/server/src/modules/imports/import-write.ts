import { eq, sql } from 'drizzle-orm';
import type { Db, DbOrTx } from '../../db/client.ts';
import { customerPhones, customers, importJobs } from '../../db/schema/index.ts';
import { pgArray, type TScope } from '../../lib/scope.ts';
import { customerVisible } from '../customers/customers.repository.ts';
import { type TCustomerColumns, type TImportError, type TImportRow, updateColumns } from './import-rows.ts';

/** One batch as the job hands it over: how many file rows it covers, the good rows, the row errors. */
export type TCheckedBatch = { rows: number; goods: TImportRow[]; errors: TImportError[] };
export type TWriteContext = { scope: TScope; jobId: string; upsertKey: string | null; now: Date };

/** The customers columns of an import, typed for json_to_recordset. */
const COLUMNS: Record<keyof TCustomerColumns, string> = {
  kind: 'text', name: 'text', gender: 'text', birthday: 'date', phones: 'text[]', phone_digits: 'text', email: 'text', address: 'text',
  id_number: 'text', source: 'text', owner_id: 'uuid', unit_id: 'uuid', tags: 'text[]', tier: 'text', lifecycle_stage: 'text',
  intent_level: 'text', consent_service: 'boolean', consent_marketing: 'boolean', custom: 'jsonb',
};
const NAMES = Object.keys(COLUMNS) as (keyof TCustomerColumns)[];
const recordType = (extra = '') => sql.raw(`x(${extra}${NAMES.map((n) => `${n} ${COLUMNS[n]}`).join(', ')})`);
/** Columns an update overwrites whatever the row holds; the others keep the customer's value where the row has none. */
const ALWAYS = new Set<keyof TCustomerColumns>(['name', 'unit_id']);

/**
 * Existing customers by upsert key: visible ones by id, invisible ones flagged. Phones go through customer_phones,
 * ID numbers through (tenant_id, id_number). Driven from the key list with a LATERAL subquery fenced by OFFSET 0 (so
 * it is not flattened into a join), each key is one btree probe whatever the table size and whatever the statistics
 * say: during a big import they lag behind (autovacuum has not analysed the new rows yet), and `phone = any(5,000
 * keys)` or a flattened join made the planner scan the whole lookup table — 40 → 400 ms per batch at 400k rows.
 */
export async function findExisting(tx: DbOrTx, scope: TScope, upsertKey: string | null, keys: string[]): Promise<Map<string, string | 'hidden'>> {
  const out = new Map<string, string | 'hidden'>();
  if (!keys.length || (upsertKey !== 'phone' && upsertKey !== 'idNumber')) return out;
  const match =
    upsertKey === 'phone'
      ? sql`select ${customers.id} as id, (${customerVisible(scope)}) as visible
              from ${customerPhones} cp join ${customers} on ${customers.tenantId} = cp.tenant_id and ${customers.id} = cp.customer_id
             where cp.tenant_id = ${scope.tenantId} and cp.phone = k.key`
      : sql`select ${customers.id} as id, (${customerVisible(scope)}) as visible
              from ${customers} where ${customers.tenantId} = ${scope.tenantId} and ${customers.idNumber} = k.key`;
  const res = await tx.execute<{ key: string; id: string; visible: boolean }>(sql`
    select k.key, x.id, x.visible from unnest(${pgArray(keys, 'text')}) as k(key) cross join lateral (${match} offset 0) x`);
  for (const r of res.rows) if (!out.has(r.key) || r.visible) out.set(r.key, r.visible ? r.id : 'hidden');
  return out;
}

/**
 * Write one batch in one transaction, set-based: the key lookup, one INSERT … SELECT FROM json_to_recordset for the
 * new customers, one UPDATE … FROM for the existing ones, the row errors, and the job's progress. A crash loses at
 * most this batch, and the job resumes after the last committed one.
 */
export async function writeBatch(db: Db, c: TWriteContext, batch: TCheckedBatch): Promise<void> {
  const tenantId = c.scope.tenantId;
  const now = sql`${c.now.toISOString()}::timestamptz`;
  await db.transaction(async (tx) => {
    // No WAL flush wait per batch: a crash can lose the last batches, but each batch and its progress counter go
    // together, so the job resumes exactly where the durable data ends.
    await tx.execute(sql`set local synchronous_commit = off`);
    const existing = await findExisting(tx, c.scope, c.upsertKey, batch.goods.map((g) => g.key).filter((k): k is string => k !== null));
    const errors = [...batch.errors];
    const inserts: TCustomerColumns[] = [];
    const updates: Record<string, unknown>[] = [];
    for (const g of batch.goods) {
      const hit = g.key ? existing.get(g.key) : undefined;
      if (hit === 'hidden') errors.push({ rowNo: g.rowNo, column: null, reason: '已存在相同更新键的客户，但不在您的权限范围内' });
      else if (hit) updates.push({ id: hit, ...updateColumns(g) });
      else inserts.push(g.insert);
    }
    if (inserts.length) {
      await tx.execute(sql`
        insert into ${customers} (tenant_id, ${sql.raw(NAMES.join(', '))}, created_at, updated_at)
        select ${tenantId}, ${sql.raw(NAMES.map((n) => `x.${n}`).join(', '))}, ${now}, ${now}
          from json_to_recordset(${JSON.stringify(inserts)}::json) as ${recordType()}`);
    }
    if (updates.length) {
      const set = NAMES.map((n) => (ALWAYS.has(n) ? `${n} = x.${n}` : n === 'custom' ? 'custom = c.custom || x.custom' : `${n} = coalesce(x.${n}, c.${n})`)).join(', ');
      await tx.execute(sql`
        update ${customers} c set ${sql.raw(set)}, updated_at = ${now}
          from json_to_recordset(${JSON.stringify(updates)}::json) as ${recordType('id uuid, ')}
         where c.tenant_id = ${tenantId} and c.id = x.id`);
    }
    if (errors.length) {
      await tx.execute(sql`
        insert into import_errors (tenant_id, job_id, row_no, "column", reason)
        select ${tenantId}, ${c.jobId}, x.r, x.c, x.m
          from json_to_recordset(${JSON.stringify(errors.map((e) => ({ r: e.rowNo, c: e.column, m: e.reason })))}::json) as x(r int, c text, m text)`);
    }
    await tx
      .update(importJobs)
      .set({
        processedRows: sql`${importJobs.processedRows} + ${batch.rows}`,
        insertedRows: sql`${importJobs.insertedRows} + ${inserts.length}`,
        updatedRows: sql`${importJobs.updatedRows} + ${updates.length}`,
        errorRows: sql`${importJobs.errorRows} + ${new Set(errors.map((e) => e.rowNo)).size}`,
        heartbeatAt: new Date(),
      })
      .where(eq(importJobs.id, c.jobId));
  });
}
