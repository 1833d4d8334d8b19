import { and, eq, sql } from 'drizzle-orm';
import type { TDataScope } from '@huifang/shared';
import type { Db } from '../../db/client.ts';
import { importJobs, orgUnits, users } from '../../db/schema/index.ts';
import type { TClock } from '../../lib/clock.ts';
import { type TScope, unitVisible } from '../../lib/scope.ts';
import { insertAuditEvent } from '../audit/audit.repository.ts';
import { combineRoles } from '../auth/auth.service.ts';
import { findUserRoles } from '../auth/session.repository.ts';
import { listCustomFields } from '../settings/settings.service.ts';
import { checkRow, type TRowContext } from './import-rows.ts';
import { batchKeys, findExisting, importTimings, type TCheckedBatch, writeBatch } from './import-write.ts';
import { KeyIndex } from './key-index.ts';
import { readRowBatches, type TFileSource } from './parse.ts';
import { removeFile } from './upload-file.ts';

/** Rows per transaction: big enough that set-based writes pay off, small enough that progress moves every second. */
export const IMPORT_BATCH_ROWS = 5000;
const YIELD_EVERY_ROWS = 200;
/**
 * Batches written at once. Two: on a 2-core server Postgres inserts one batch's customers (index maintenance is most
 * of an import's time) while the next batch's insert runs on the other core; more only adds waiting.
 */
const WRITES_IN_FLIGHT = 2;

/** The uploader's scope as it is now (their roles may have changed since the upload). */
async function scopeOf(db: Db, tenantId: string, userId: string): Promise<TScope | null> {
  const [u] = await db
    .select({ unitId: users.unitId, path: orgUnits.path, isActive: users.isActive })
    .from(users)
    .innerJoin(orgUnits, eq(orgUnits.id, users.unitId))
    .where(and(eq(users.tenantId, tenantId), eq(users.id, userId)));
  if (!u?.isActive) return null;
  const { dataScope, permissions } = combineRoles(await findUserRoles(db, tenantId, userId));
  if (!permissions.has('customer:import')) return null;
  return { tenantId, userId, unitId: u.unitId, unitPath: u.path, dataScope: dataScope as TDataScope };
}

async function rowContext(db: Db, job: typeof importJobs.$inferSelect, scope: TScope): Promise<TRowContext> {
  const [defs, unitRows, userRows] = await Promise.all([
    listCustomFields(db, job.tenantId, 'customer'),
    db
      .select({ id: orgUnits.id, code: orgUnits.code, name: orgUnits.name })
      .from(orgUnits)
      .where(and(eq(orgUnits.tenantId, job.tenantId), eq(orgUnits.isActive, true), unitVisible(scope, orgUnits.id))),
    db
      .select({ id: users.id, username: users.username, staffNo: users.staffNo })
      .from(users)
      .where(and(eq(users.tenantId, job.tenantId), eq(users.isActive, true))),
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
  return { scope, job, headers: [], defs, units, owners, keysSeen: new KeyIndex() };
}

/**
 * The job handler: claim, stream the file in batches of IMPORT_BATCH_ROWS (resuming after the last committed batch),
 * finish. Checking batch n+2 (CPU, here) and looking up its keys (another connection) overlap writing batches n and
 * n+1 (Postgres, see writeBatch), which commit in file order. Idempotent.
 */
export async function runImport(deps: { db: Db; clock: TClock }, jobId: string): Promise<void> {
  const [job] = await deps.db
    .update(importJobs)
    .set({ status: 'running', startedAt: sql`coalesce(${importJobs.startedAt}, now())`, heartbeatAt: new Date() })
    .where(and(eq(importJobs.id, jobId), eq(importJobs.status, 'queued')))
    .returning();
  if (!job) return;
  const fail = async (message: string) => {
    await deps.db
      .update(importJobs)
      .set({ status: 'failed', errorMessage: message, finishedAt: deps.clock.now() })
      .where(eq(importJobs.id, jobId));
    removeFile(job.filePath);
  };
  const src: TFileSource | null = job.filePath ? { path: job.filePath } : job.file ? { bytes: job.file } : null;
  try {
    const scope = await scopeOf(deps.db, job.tenantId, job.createdBy);
    if (!scope) return await fail('导入人已无导入权限');
    if (!src) return await fail('导入文件已不存在，请重新上传');
    const c = await rowContext(deps.db, job, scope);
    const w = { scope, jobId, upsertKey: job.upsertKey, now: deps.clock.now() };
    // Up to WRITES_IN_FLIGHT batches are written at once, each in its own transaction; they commit in file order.
    const writes: Promise<void>[] = [];
    let lastCommit: Promise<void> = Promise.resolve();
    let writeError: unknown = null;
    const flush = async (batch: TCheckedBatch) => {
      // The batch's key lookup starts now, on its own connection, while earlier batches are still being written.
      const existing = findExisting(deps.db, scope, job.upsertKey, batchKeys(batch.goods));
      existing.catch(() => undefined); // awaited in writeBatch; an early failure must not be an unhandled rejection
      const t0 = performance.now();
      while (writes.length >= WRITES_IN_FLIGHT) await writes.shift();
      importTimings.waitForWrite += performance.now() - t0;
      if (writeError) throw writeError;
      const commit = writeBatch(deps.db, w, batch, existing, lastCommit);
      lastCommit = commit;
      writes.push(
        commit.catch((e: unknown) => {
          writeError ??= e; // the first failure in file order; the batches after it roll back
        }),
      );
    };
    let rowNo = 0;
    let batch: TCheckedBatch = { rows: 0, goods: [], errors: [] };
    for await (const rows of readRowBatches(src, job.format, job.encoding)) {
      for (const cells of rows) {
        if (c.headers.length === 0) {
          c.headers = cells.map((h) => h.trim());
          continue;
        }
        rowNo++;
        if (rowNo <= job.processedRows) continue; // committed before a crash
        // Let the write in flight go on: each of its statements is sent from this event loop, and a parsed chunk
        // takes ~10 ms to check, which the write would otherwise wait for at every step of its transaction.
        if (rowNo % YIELD_EVERY_ROWS === 0) await new Promise(setImmediate);
        const t0 = performance.now();
        const res = checkRow(c, rowNo, cells);
        importTimings.check += performance.now() - t0;
        batch.rows++;
        if (res.row) batch.goods.push(res.row);
        batch.errors.push(...res.errors);
        if (batch.rows >= IMPORT_BATCH_ROWS) {
          await flush(batch);
          batch = { rows: 0, goods: [], errors: [] };
        }
      }
    }
    if (batch.rows) await flush(batch);
    await Promise.all(writes);
    if (writeError) throw writeError;
    const [done] = await deps.db
      .update(importJobs)
      .set({ status: 'done', totalRows: rowNo, heartbeatAt: new Date(), finishedAt: deps.clock.now() })
      .where(eq(importJobs.id, jobId))
      .returning();
    removeFile(job.filePath);
    await insertAuditEvent(
      deps.db,
      { tenantId: job.tenantId, actorId: job.createdBy, actorName: null, ip: null, requestId: null },
      {
        action: 'customer.imported',
        entityType: 'import',
        entityId: jobId,
        unitId: job.unitId,
        summary: `导入 ${job.fileName}：新增 ${done!.insertedRows}，更新 ${done!.updatedRows}，错误 ${done!.errorRows} 行`,
        after: { inserted: done!.insertedRows, updated: done!.updatedRows, errorRows: done!.errorRows },
      },
      deps.clock.now(),
    );
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    await fail(code === 'ENOENT' ? '导入文件已不存在，请重新上传' : `导入失败：${(e as Error).message}`);
  }
}
