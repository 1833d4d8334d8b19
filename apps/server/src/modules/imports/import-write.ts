import { eq, sql } from 'drizzle-orm';
import type { Db, DbOrTx } from '../../db/client.ts';
import { customerPhones, customers, importJobs } from '../../db/schema/index.ts';
import { pgArray, type TScope } from '../../lib/scope.ts';
import { customerVisible } from '../customers/customers.repository.ts';
import { type TCustomerColumns, type TImportError, type TImportRow, updateColumns } from './import-rows.ts';

/** One batch as the job hands it over: how many file rows it covers, the good rows, the row errors. */
export type TCheckedBatch = { rows: number; goods: TImportRow[]; errors: TImportError[] };
export type TWriteContext = { scope: TScope; jobId: string; upsertKey: string | null; now: Date };

/**
 * Where import time goes, summed over all jobs of this process (ms): checking rows in Node, key lookups, inserts,
 * updates, and the whole write transactions. Cheap to keep; `bench/customers-import.ts` prints it.
 */
export const importTimings = { check: 0, lookup: 0, insert: 0, update: 0, write: 0, waitForWrite: 0 };
const since = (t0: number) => performance.now() - t0;

/** The customers columns of an import, typed for json_to_recordset. */
const COLUMNS: Record<keyof TCustomerColumns, string> = {
  kind: 'text',
  name: 'text',
  gender: 'text',
  birthday: 'date',
  phones: 'text[]',
  phone_digits: 'text',
  email: 'text',
  address: 'text',
  id_number: 'text',
  card_numbers: 'text[]',
  source: 'text',
  owner_id: 'uuid',
  unit_id: 'uuid',
  tags: 'text[]',
  tier: 'text',
  lifecycle_stage: 'text',
  intent_level: 'text',
  consent_service: 'boolean',
  consent_marketing: 'boolean',
  custom: 'jsonb',
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
 * Phones are probed index-only first and only the hits visit customers (for the scope check): most keys of a big
 * import are new, and the customers probe was half of the lookup's time.
 */
export async function findExisting(
  tx: DbOrTx,
  scope: TScope,
  upsertKey: string | null,
  keys: string[],
): Promise<Map<string, string | 'hidden'>> {
  const out = new Map<string, string | 'hidden'>();
  if (!keys.length || (upsertKey !== 'phone' && upsertKey !== 'idNumber')) return out;
  const tenantId = scope.tenantId;
  const query =
    upsertKey === 'phone'
      ? sql`with hits as materialized (
              select k.key, cp.customer_id from unnest(${pgArray(keys, 'text')}) as k(key)
               cross join lateral (select customer_id from ${customerPhones} where tenant_id = ${tenantId} and phone = k.key offset 0) cp)
            select h.key, x.id, x.visible from hits h
             cross join lateral (select ${customers.id} as id, (${customerVisible(scope)}) as visible from ${customers}
                                  where ${customers.tenantId} = ${tenantId} and ${customers.id} = h.customer_id offset 0) x`
      : sql`select k.key, x.id, x.visible from unnest(${pgArray(keys, 'text')}) as k(key)
             cross join lateral (select ${customers.id} as id, (${customerVisible(scope)}) as visible from ${customers}
                                  where ${customers.tenantId} = ${tenantId} and ${customers.idNumber} = k.key offset 0) x`;
  const t0 = performance.now();
  const res = await tx.execute<{ key: string; id: string; visible: boolean }>(query);
  importTimings.lookup += since(t0);
  for (const r of res.rows) if (!out.has(r.key) || r.visible) out.set(r.key, r.visible ? r.id : 'hidden');
  return out;
}

/** The keys of a batch's good rows, for findExisting. */
export const batchKeys = (goods: TImportRow[]): string[] =>
  goods.map((g) => g.key).filter((k): k is string => k !== null);

/**
 * Write one batch in one transaction, set-based: one INSERT … SELECT FROM json_to_recordset for the new customers,
 * one UPDATE … FROM for the existing ones, the row errors, and the job's progress. A crash loses at most this batch,
 * and the job resumes after the last committed one.
 *
 * Batches overlap: this one inserts its new customers while the previous one (`previous`, its commit) may still be
 * running, and waits for that commit before anything else. Only the insert overlaps, and it takes no lock another
 * batch waits for (new rows, key-share locks on the unit and tenant), so no batch ever waits for a later one: the
 * updates (rows the previous batch may also update: two keys of one customer) and the job row come after. Batches
 * therefore commit in file order, and a failed batch rolls back every batch after it.
 *
 * `existing` is the batch's key lookup, made before this transaction (while earlier batches were being written).
 * No earlier batch of the file can have written one of these keys (a phone met in an earlier row makes a later row
 * keyed by it a duplicate, see checkRow), but someone else may have changed a customer since: each UPDATE re-checks
 * that the customer still holds the key and is still in scope, and the rows it misses are looked up again here, in
 * the transaction — the result is the same as looking every key up inside it.
 */
export async function writeBatch(
  db: Db,
  c: TWriteContext,
  batch: TCheckedBatch,
  existing: Promise<Map<string, string | 'hidden'>>,
  previous: Promise<void>,
): Promise<void> {
  const tenantId = c.scope.tenantId;
  const now = sql`${c.now.toISOString()}::timestamptz`;
  const found = await existing;
  const t0 = performance.now();
  await db.transaction(async (tx) => {
    // No WAL flush wait per batch: a crash can lose the last batches, but each batch and its progress counter go
    // together, so the job resumes exactly where the durable data ends.
    await tx.execute(sql`set local synchronous_commit = off`);
    const errors = [...batch.errors];
    const counts = { inserted: 0, updated: 0 };
    const split = (goods: TImportRow[], hits: Map<string, string | 'hidden'>) => {
      const inserts: TCustomerColumns[] = [];
      const updates: { id: string; row: TImportRow }[] = [];
      for (const g of goods) {
        const hit = g.key ? hits.get(g.key) : undefined;
        if (hit === 'hidden')
          errors.push({ rowNo: g.rowNo, column: null, reason: '已存在相同更新键的客户，但不在您的权限范围内' });
        else if (hit) updates.push({ id: hit, row: g });
        else inserts.push(g.insert);
      }
      return { inserts, updates };
    };
    const insertNew = async (rows: TCustomerColumns[]) => {
      if (!rows.length) return;
      const t1 = performance.now();
      await tx.execute(sql`
        insert into ${customers} (tenant_id, ${sql.raw(NAMES.join(', '))}, created_at, updated_at)
        select ${tenantId}, ${sql.raw(NAMES.map((n) => `x.${n}`).join(', '))}, ${now}, ${now}
          from json_to_recordset(${JSON.stringify(rows)}::json) as ${recordType()}`);
      counts.inserted += rows.length;
      importTimings.insert += since(t1);
    };
    /** Update the found customers; returns the rows whose customer no longer holds the key (or left the scope). */
    const updateFound = async (rows: { id: string; row: TImportRow }[]): Promise<TImportRow[]> => {
      if (!rows.length) return [];
      const t1 = performance.now();
      const set = NAMES.map((n) =>
        ALWAYS.has(n)
          ? `${n} = x.${n}`
          : n === 'custom'
            ? 'custom = c.custom || x.custom'
            : `${n} = coalesce(x.${n}, c.${n})`,
      ).join(', ');
      const stillHolds = c.upsertKey === 'phone' ? sql.raw('x.key = any(c.phones)') : sql.raw('c.id_number = x.key');
      const done = await tx.execute<{ key: string }>(sql`
        update ${customers} c set ${sql.raw(set)}, updated_at = ${now}
          from json_to_recordset(${JSON.stringify(rows.map((u) => ({ id: u.id, key: u.row.key, ...updateColumns(u.row) })))}::json) as ${recordType('id uuid, key text, ')}
         where c.tenant_id = ${tenantId} and c.id = x.id and ${stillHolds}
           and exists (select 1 from ${customers} where ${customers.tenantId} = c.tenant_id and ${customers.id} = c.id and ${customerVisible(c.scope)})
        returning x.key`);
      counts.updated += done.rows.length;
      importTimings.update += since(t1);
      const updated = new Set(done.rows.map((r) => r.key));
      return rows.filter((u) => !updated.has(u.row.key!)).map((u) => u.row);
    };

    const first = split(batch.goods, found);
    await insertNew(first.inserts);
    // Everything after the insert waits for the previous batch's commit (see above).
    await previous.catch(() => {
      throw new PreviousBatchFailed();
    });
    const stale = await updateFound(first.updates);
    if (stale.length) {
      // Looked up again inside the transaction; a customer changed again between this lookup and its update (a
      // concurrent edit of the same phone within milliseconds) fails the batch, and the job reports it.
      const again = split(stale, await findExisting(tx, c.scope, c.upsertKey, batchKeys(stale)));
      await insertNew(again.inserts);
      const left = await updateFound(again.updates);
      if (left.length)
        throw new Error(`第 ${left.map((g) => g.rowNo).join('、')} 行的客户在导入时被他人修改，请重新导入`);
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
        insertedRows: sql`${importJobs.insertedRows} + ${counts.inserted}`,
        updatedRows: sql`${importJobs.updatedRows} + ${counts.updated}`,
        errorRows: sql`${importJobs.errorRows} + ${new Set(errors.map((e) => e.rowNo)).size}`,
        heartbeatAt: new Date(),
      })
      .where(eq(importJobs.id, c.jobId));
  });
  importTimings.write += since(t0);
}

/** A batch rolled back because an earlier one failed (the job reports the earlier failure). */
export class PreviousBatchFailed extends Error {
  constructor() {
    super('an earlier batch of this import failed');
  }
}
