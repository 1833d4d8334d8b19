import { and, eq, sql } from 'drizzle-orm';
import { ZCreateCustomerInput, type TCustomFieldDef, type TDataScope } from '@huifang/shared';
import type { Db, DbOrTx } from '../../db/client.ts';
import { customers, importErrors, importJobs, orgUnits, users } from '../../db/schema/index.ts';
import type { TClock } from '../../lib/clock.ts';
import { pgArray, type TScope, unitVisible } from '../../lib/scope.ts';
import { insertAuditEvent } from '../audit/audit.repository.ts';
import { combineRoles } from '../auth/auth.service.ts';
import { findUserRoles } from '../auth/session.repository.ts';
import { checkCustomValues } from '../customers/custom-values.ts';
import { customerVisible, phoneDigitsOf } from '../customers/customers.repository.ts';
import { listCustomFields } from '../settings/settings.service.ts';
import { readRows } from './imports.service.ts';
import { rowToInput } from './mapping.ts';

const BATCH = 1000;
type TError = { rowNo: number; column: string | null; reason: string };
type TGood = { rowNo: number; key: string | null; values: typeof customers.$inferInsert };

interface TCtx {
  db: Db;
  scope: TScope;
  job: typeof importJobs.$inferSelect;
  headers: string[];
  defs: TCustomFieldDef[];
  units: Map<string, string>;
  owners: Map<string, string>;
  keysSeen: Map<string, number>;
  now: Date;
}

/** The uploader's scope as it is now (their roles may have changed since the upload). */
async function scopeOf(db: Db, tenantId: string, userId: string): Promise<TScope | null> {
  const [u] = await db.select({ unitId: users.unitId, path: orgUnits.path, isActive: users.isActive }).from(users).innerJoin(orgUnits, eq(orgUnits.id, users.unitId)).where(and(eq(users.tenantId, tenantId), eq(users.id, userId)));
  if (!u?.isActive) return null;
  const { dataScope, permissions } = combineRoles(await findUserRoles(db, tenantId, userId));
  if (!permissions.has('customer:import')) return null;
  return { tenantId, userId, unitId: u.unitId, unitPath: u.path, dataScope: dataScope as TDataScope };
}

/** Check and convert one row; the column at fault is named by its header. */
function checkRow(c: TCtx, rowNo: number, cells: string[]): { good?: TGood; errors: TError[] } {
  const mapping = c.job.mapping ?? {};
  const values: Record<string, string> = {};
  const columnOf: Record<string, string> = {};
  c.headers.forEach((h, i) => {
    const field = mapping[h];
    if (field) {
      values[field] = cells[i] ?? '';
      columnOf[field] = h;
    }
  });
  const errors: TError[] = [];
  const { input, unit, owner, problems } = rowToInput(values);
  for (const p of problems) errors.push({ rowNo, column: columnOf[p.field] ?? null, reason: p.reason });
  const parsed = ZCreateCustomerInput.safeParse({ ...input, unitId: c.job.defaultUnitId });
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const field = String(issue.path[0] ?? '');
      errors.push({ rowNo, column: columnOf[field] ?? field, reason: issue.message });
    }
  }
  const custom = checkCustomValues(c.defs, (input.custom as Record<string, unknown>) ?? {}, { isCreate: true, pathPrefix: 'custom' });
  for (const e of custom.errors) errors.push({ rowNo, column: columnOf[e.path] ?? e.path, reason: e.message });
  let unitId = c.job.defaultUnitId!;
  if (unit) {
    const found = c.units.get(unit);
    if (found) unitId = found;
    else errors.push({ rowNo, column: columnOf.unit ?? null, reason: `找不到单位“${unit}”（或不在您的权限范围内）` });
  }
  let ownerId: string | null = c.scope.dataScope === 'own' ? c.scope.userId : null;
  if (owner) {
    const found = c.owners.get(owner.toLowerCase());
    if (found) ownerId = found;
    else errors.push({ rowNo, column: columnOf.owner ?? null, reason: `找不到员工“${owner}”` });
  }
  if (errors.length || !parsed.success) return { errors };
  const d = parsed.data;
  const key = c.job.upsertKey === 'phone' ? (d.phones[0] ?? null) : c.job.upsertKey === 'idNumber' ? (d.idNumber?.toUpperCase() ?? null) : null;
  if (c.job.upsertKey !== 'none' && !key) return { errors: [{ rowNo, column: columnOf[c.job.upsertKey === 'phone' ? 'phones' : 'idNumber'] ?? null, reason: '更新键为空' }] };
  if (key) {
    const first = c.keysSeen.get(key);
    if (first !== undefined) return { errors: [{ rowNo, column: columnOf[c.job.upsertKey === 'phone' ? 'phones' : 'idNumber'] ?? null, reason: `与第 ${first} 行重复（同一文件内更新键重复）` }] };
    c.keysSeen.set(key, rowNo);
  }
  const { contacts: _c, doNotContactUntil, ...fields } = d;
  return {
    errors: [],
    good: {
      rowNo,
      key,
      values: { ...fields, idNumber: d.idNumber?.toUpperCase() ?? null, unitId, ownerId, tenantId: c.scope.tenantId, custom: custom.values, phoneDigits: phoneDigitsOf(d.phones), doNotContactUntil: doNotContactUntil ? new Date(doNotContactUntil) : null, createdAt: c.now, updatedAt: c.now },
    },
  };
}

/** Write one batch in one transaction: inserts, updates by key, errors and progress together (resumable). */
async function writeBatch(c: TCtx, rows: { rowNo: number; cells: string[] }[]) {
  const goods: TGood[] = [];
  const errors: TError[] = [];
  for (const r of rows) {
    const res = checkRow(c, r.rowNo, r.cells);
    errors.push(...res.errors);
    if (res.good) goods.push(res.good);
  }
  await c.db.transaction(async (tx) => {
    const existing = await findExisting(tx, c, goods.map((g) => g.key).filter((k): k is string => k !== null));
    const inserts: TGood[] = [];
    let updated = 0;
    for (const g of goods) {
      const hit = g.key ? existing.get(g.key) : undefined;
      if (hit === 'hidden') errors.push({ rowNo: g.rowNo, column: null, reason: '已存在相同更新键的客户，但不在您的权限范围内' });
      else if (hit) {
        const { createdAt: _x, tenantId: _t, ...patch } = g.values;
        await tx.update(customers).set(patch).where(and(eq(customers.tenantId, c.scope.tenantId), eq(customers.id, hit)));
        updated++;
      } else inserts.push(g);
    }
    if (inserts.length) await tx.insert(customers).values(inserts.map((g) => g.values));
    if (errors.length) await tx.insert(importErrors).values(errors.map((e) => ({ ...e, tenantId: c.scope.tenantId, jobId: c.job.id })));
    const badRows = new Set(errors.map((e) => e.rowNo)).size;
    await tx
      .update(importJobs)
      .set({
        processedRows: sql`${importJobs.processedRows} + ${rows.length}`,
        insertedRows: sql`${importJobs.insertedRows} + ${inserts.length}`,
        updatedRows: sql`${importJobs.updatedRows} + ${updated}`,
        errorRows: sql`${importJobs.errorRows} + ${badRows}`,
        heartbeatAt: new Date(),
      })
      .where(eq(importJobs.id, c.job.id));
  });
}

/**
 * Existing customers by upsert key: visible ones by id, invisible ones flagged. One GIN probe per key
 * (`phones @> array[key]`, driven from the key list) — an overlap test against 1,000 keys at once makes Postgres
 * scan far more of the index.
 */
async function findExisting(tx: DbOrTx, c: TCtx, keys: string[]): Promise<Map<string, string | 'hidden'>> {
  const out = new Map<string, string | 'hidden'>();
  if (!keys.length || c.job.upsertKey === 'none') return out;
  const match = c.job.upsertKey === 'phone' ? sql`${customers.phones} @> array[k.key]` : sql`${customers.idNumber} = k.key`;
  const res = await tx.execute<{ key: string; id: string; visible: boolean }>(sql`
    select k.key, ${customers.id} as id, (${customerVisible(c.scope)}) as visible
      from unnest(${pgArray(keys, 'text')}) as k(key)
      join ${customers} on ${customers.tenantId} = ${c.scope.tenantId} and ${match}`);
  for (const r of res.rows) if (!out.has(r.key) || r.visible) out.set(r.key, r.visible ? r.id : 'hidden');
  return out;
}

/** The job handler: claim, stream rows in batches (resuming after the last committed batch), finish. Idempotent. */
export async function runImport(deps: { db: Db; clock: TClock }, jobId: string): Promise<void> {
  const [job] = await deps.db.update(importJobs).set({ status: 'running', startedAt: sql`coalesce(${importJobs.startedAt}, now())`, heartbeatAt: new Date() }).where(and(eq(importJobs.id, jobId), eq(importJobs.status, 'queued'))).returning();
  if (!job) return;
  const fail = async (message: string) => {
    await deps.db.update(importJobs).set({ status: 'failed', errorMessage: message, finishedAt: deps.clock.now() }).where(eq(importJobs.id, jobId));
  };
  try {
    const scope = await scopeOf(deps.db, job.tenantId, job.createdBy);
    if (!scope) return await fail('导入人已无导入权限');
    const [defs, unitRows, userRows] = await Promise.all([
      listCustomFields(deps.db, job.tenantId, 'customer'),
      deps.db.select({ id: orgUnits.id, code: orgUnits.code, name: orgUnits.name }).from(orgUnits).where(and(eq(orgUnits.tenantId, job.tenantId), eq(orgUnits.isActive, true), unitVisible(scope, orgUnits.id))),
      deps.db.select({ id: users.id, username: users.username, staffNo: users.staffNo }).from(users).where(and(eq(users.tenantId, job.tenantId), eq(users.isActive, true))),
    ]);
    const units = new Map<string, string>();
    for (const u of unitRows) {
      units.set(u.name, u.id);
      if (u.code) units.set(u.code, u.id);
    }
    const owners = new Map<string, string>();
    for (const u of userRows) {
      owners.set(u.username.toLowerCase(), u.id);
      if (u.staffNo) owners.set(u.staffNo.toLowerCase(), u.id);
    }
    const c: TCtx = { db: deps.db, scope, job, headers: [], defs, units, owners, keysSeen: new Map(), now: deps.clock.now() };
    let rowNo = 0;
    let batch: { rowNo: number; cells: string[] }[] = [];
    for await (const cells of readRows(job.file, job.format, job.encoding)) {
      if (c.headers.length === 0) {
        c.headers = cells.map((h) => h.trim());
        continue;
      }
      rowNo++;
      if (rowNo <= job.processedRows) continue; // committed before a crash
      batch.push({ rowNo, cells });
      if (batch.length >= BATCH) {
        await writeBatch(c, batch);
        batch = [];
      }
    }
    if (batch.length) await writeBatch(c, batch);
    const [done] = await deps.db.update(importJobs).set({ status: 'done', totalRows: rowNo, heartbeatAt: new Date(), finishedAt: deps.clock.now() }).where(eq(importJobs.id, jobId)).returning();
    await insertAuditEvent(
      deps.db,
      { tenantId: job.tenantId, actorId: job.createdBy, actorName: null, ip: null, requestId: null },
      { action: 'customer.imported', entityType: 'import', entityId: jobId, unitId: job.unitId, summary: `导入 ${job.fileName}：新增 ${done!.insertedRows}，更新 ${done!.updatedRows}，错误 ${done!.errorRows} 行`, after: { inserted: done!.insertedRows, updated: done!.updatedRows, errorRows: done!.errorRows } },
      deps.clock.now(),
    );
  } catch (e) {
    await fail(`导入失败：${(e as Error).message}`);
  }
}
