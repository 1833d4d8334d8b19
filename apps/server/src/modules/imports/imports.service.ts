import path from 'node:path';
import type { Readable } from 'node:stream';
import { and, desc, eq, getTableColumns, sql } from 'drizzle-orm';
import ExcelJS from 'exceljs';
import type { TImportJob, TStartImportInput } from '@huifang/shared';
import type { TConfig } from '../../config/env.ts';
import type { Db } from '../../db/client.ts';
import { importErrors, importJobs } from '../../db/schema/index.ts';
import { AppError, invalidField, notFound, unknownRef } from '../../lib/app-error.ts';
import type { TClock } from '../../lib/clock.ts';
import type { TActor, TAuditCtx } from '../../lib/scope.ts';
import { insertAuditEvent } from '../audit/audit.repository.ts';
import { safeCell } from '../customers/lib/spreadsheet-safe.ts';
import { findVisibleUnit } from '../org-units/org-units.repository.ts';
import { listCustomFields } from '../settings/settings.service.ts';
import { IMPORT_FIELDS, suggestMapping } from './mapping.ts';
import { isXlsx, readRowBatches, type TFileSource, type TRow } from './parse.ts';
import { removeFile, saveUpload, UploadTooLarge, type TSavedUpload } from './upload-file.ts';

export type TImportDeps = {
  db: Db;
  clock: TClock;
  config: Pick<TConfig, 'dataDir'>;
  jobs: { send(name: string, data: object): Promise<void> };
};

const toDto = (j: Omit<typeof importJobs.$inferSelect, 'file'>): TImportJob => ({
  id: j.id,
  fileName: j.fileName,
  format: j.format,
  encoding: j.encoding,
  status: j.status as TImportJob['status'],
  upsertKey: j.upsertKey,
  totalRows: j.totalRows,
  processedRows: j.processedRows,
  insertedRows: j.insertedRows,
  updatedRows: j.updatedRows,
  errorRows: j.errorRows,
  errorMessage: j.errorMessage,
  createdAt: j.createdAt.toISOString(),
  finishedAt: j.finishedAt?.toISOString() ?? null,
});

/** The upload limit: a million customer rows of CSV are about 70 MB. */
export const MAX_IMPORT_BYTES = 200 * 1024 * 1024;

/** The first rows of a file (header first) without reading the rest. */
async function headRows(src: TFileSource, format: string, encoding: string, n: number): Promise<TRow[]> {
  const out: TRow[] = [];
  for await (const rows of readRowBatches(src, format, encoding)) {
    out.push(...rows.slice(0, n - out.length));
    if (out.length >= n) break;
  }
  return out;
}

/**
 * Upload: stream the file to disk (DATA_DIR/imports; never whole in memory), detect format and encoding, parse it
 * once through (a malformed file is refused whole, and the progress bar knows the total), and answer headers, a
 * preview of the first rows and a suggested column mapping. Nothing is imported yet.
 */
export async function uploadImport(
  deps: TImportDeps,
  actor: TActor,
  input: { fileName: string; body: Readable; declaredBytes?: number; encoding?: 'utf-8' | 'gb18030' },
) {
  const tooLarge = () =>
    new AppError('PAYLOAD_TOO_LARGE', `文件超过 ${MAX_IMPORT_BYTES / 1024 / 1024}MB，请拆分后导入`);
  if ((input.declaredBytes ?? 0) > MAX_IMPORT_BYTES) {
    input.body.resume();
    throw tooLarge();
  }
  let saved: TSavedUpload;
  try {
    saved = await saveUpload(input.body, path.join(deps.config.dataDir, 'imports'), MAX_IMPORT_BYTES);
  } catch (e) {
    if (e instanceof UploadTooLarge) throw tooLarge();
    throw e;
  }
  try {
    if (saved.bytes === 0) throw invalidField('body', '文件为空');
    const format = isXlsx(saved.head) ? 'xlsx' : 'csv';
    if (format === 'csv' && saved.head.subarray(0, 1024).includes(0))
      throw invalidField('body', '无法识别的文件：请上传 CSV 或 xlsx');
    const encoding = format === 'xlsx' ? 'utf-8' : (input.encoding ?? saved.encoding);
    const src = { path: saved.path };
    let preview: TRow[];
    let totalRows = -1;
    try {
      preview = await headRows(src, format, encoding, 21);
      const headers = preview[0]?.map((h) => h.trim()) ?? [];
      if (headers.length === 0 || headers.every((h) => h === '')) throw invalidField('body', '文件没有表头');
      if (new Set(headers).size !== headers.length) throw invalidField('body', '表头有重复的列名');
      if (preview.length < 2) throw invalidField('body', '文件没有数据行');
      for await (const rows of readRowBatches(src, format, encoding)) totalRows += rows.length;
    } catch (e) {
      if (e instanceof AppError) throw e;
      throw invalidField('body', `文件无法解析：${(e as Error).message}`);
    }
    const headers = preview[0]!.map((h) => h.trim());
    const defs = await listCustomFields(deps.db, actor.tenantId, 'customer');
    const [job] = await deps.db
      .insert(importJobs)
      .values({
        tenantId: actor.tenantId,
        createdBy: actor.userId,
        unitId: actor.unitId,
        fileName: input.fileName.slice(0, 200),
        filePath: saved.path,
        sizeBytes: saved.bytes,
        format,
        encoding,
        totalRows,
        createdAt: deps.clock.now(),
      })
      .returning();
    return {
      job: toDto(job!),
      headers,
      preview: preview.slice(1),
      suggestedMapping: suggestMapping(headers, defs),
      fields: [...IMPORT_FIELDS, ...defs.map((d) => `custom.${d.key}`)],
    };
  } catch (e) {
    removeFile(saved.path);
    throw e;
  }
}

/** Every column but the legacy file bytes. */
const { file: _legacyFile, ...jobColumns } = getTableColumns(importJobs);

async function loadJob(db: Db, actor: TActor, id: string) {
  // Import jobs are private to the user who uploaded them (their file holds personal data).
  const [job] = await db
    .select(jobColumns)
    .from(importJobs)
    .where(and(eq(importJobs.tenantId, actor.tenantId), eq(importJobs.id, id), eq(importJobs.createdBy, actor.userId)));
  if (!job) throw notFound('import');
  return job;
}

export async function getImport(deps: Pick<TImportDeps, 'db'>, actor: TActor, id: string): Promise<TImportJob> {
  return toDto(await loadJob(deps.db, actor, id));
}

export async function listImports(deps: Pick<TImportDeps, 'db'>, actor: TActor) {
  const rows = await deps.db
    .select(jobColumns)
    .from(importJobs)
    .where(and(eq(importJobs.tenantId, actor.tenantId), eq(importJobs.createdBy, actor.userId)))
    .orderBy(desc(importJobs.createdAt))
    .limit(50);
  return rows.map(toDto);
}

/** Start: check the mapping (name is required, fields known, none twice), then queue the job. */
export async function startImport(
  deps: TImportDeps,
  actor: TActor,
  ctx: TAuditCtx,
  id: string,
  input: TStartImportInput,
): Promise<TImportJob> {
  const job = await loadJob(deps.db, actor, id);
  if (job.status !== 'uploaded') throw new AppError('CONFLICT', 'this import has already been started');
  const defs = await listCustomFields(deps.db, actor.tenantId, 'customer');
  const known = new Set<string>([...IMPORT_FIELDS, ...defs.map((d) => `custom.${d.key}`)]);
  const targets = Object.values(input.mapping).filter(Boolean);
  for (const [col, field] of Object.entries(input.mapping))
    if (field && !known.has(field)) throw invalidField(`body.mapping.${col}`, `unknown field ${field}`);
  if (new Set(targets).size !== targets.length) throw invalidField('body.mapping', '同一字段只能对应一列');
  if (!targets.includes('name')) throw invalidField('body.mapping', '必须指定“客户名称”列');
  if (input.upsertKey === 'phone' && !targets.includes('phones'))
    throw invalidField('body.upsertKey', '按电话更新需要映射电话列');
  if (input.upsertKey === 'idNumber' && !targets.includes('idNumber'))
    throw invalidField('body.upsertKey', '按证件号更新需要映射证件号列');
  const unit = await findVisibleUnit(deps.db, actor, input.defaultUnitId);
  if (!unit) throw unknownRef('body.defaultUnitId', 'unit');
  if (!unit.isActive) throw invalidField('body.defaultUnitId', 'unit is disabled');
  const now = deps.clock.now();
  const [updated] = await deps.db
    .update(importJobs)
    .set({
      status: 'queued',
      mapping: input.mapping,
      upsertKey: input.upsertKey,
      defaultUnitId: input.defaultUnitId,
      encoding: input.encoding ?? job.encoding,
    })
    .where(and(eq(importJobs.id, id), eq(importJobs.status, 'uploaded')))
    .returning();
  if (!updated) throw new AppError('CONFLICT', 'this import has already been started');
  await insertAuditEvent(
    deps.db,
    ctx,
    {
      action: 'customer.import_started',
      entityType: 'import',
      entityId: id,
      unitId: actor.unitId,
      summary: `开始导入 ${job.fileName}`,
    },
    now,
  );
  // If this send is lost (crash right here) the job stays `queued`; recoverImports() re-sends it at the next start.
  await deps.jobs.send('customer-import', { jobId: id });
  return toDto(updated);
}

/** The downloadable error report: row, column, reason. */
export async function errorReport(deps: Pick<TImportDeps, 'db'>, actor: TActor, id: string): Promise<Buffer> {
  const job = await loadJob(deps.db, actor, id);
  const rows = await deps.db
    .select()
    .from(importErrors)
    .where(and(eq(importErrors.tenantId, actor.tenantId), eq(importErrors.jobId, id)))
    .orderBy(importErrors.rowNo, importErrors.id);
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('错误报告');
  ws.columns = [
    { header: '行号', key: 'row', width: 8 },
    { header: '列', key: 'column', width: 16 },
    { header: '原因', key: 'reason', width: 60 },
  ];
  for (const r of rows) ws.addRow({ row: r.rowNo, column: safeCell(r.column ?? ''), reason: safeCell(r.reason) });
  ws.addRow([]);
  ws.addRow([safeCell(`文件：${job.fileName}（行号从表头下第一行记为 1；对应 Excel 行号 = 行号 + 1）`)]);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/**
 * Jobs left `queued` (a lost send) or `running` without a heartbeat for 5 minutes (a crashed worker) are sent
 * again; the runner resumes after the last committed batch. Uploads left unstarted for a day are dropped.
 */
export async function recoverImports(deps: TImportDeps): Promise<number> {
  const stale = new Date(deps.clock.now().getTime() - 5 * 60_000);
  const rows = await deps.db
    .update(importJobs)
    .set({ status: 'queued' })
    .where(
      sql`${importJobs.status} = 'queued' or (${importJobs.status} = 'running' and coalesce(${importJobs.heartbeatAt}, ${importJobs.createdAt}) < ${stale})`,
    )
    .returning({ id: importJobs.id });
  for (const r of rows) await deps.jobs.send('customer-import', { jobId: r.id });
  // Uploads never started within a day: their files (personal data) leave the disk.
  const abandoned = await deps.db
    .update(importJobs)
    .set({ status: 'failed', errorMessage: '上传后 24 小时内未开始导入，文件已删除', finishedAt: deps.clock.now() })
    .where(
      and(
        eq(importJobs.status, 'uploaded'),
        sql`${importJobs.createdAt} < ${new Date(deps.clock.now().getTime() - 24 * 3_600_000)}`,
      ),
    )
    .returning({ filePath: importJobs.filePath });
  for (const r of abandoned) removeFile(r.filePath);
  return rows.length;
}
