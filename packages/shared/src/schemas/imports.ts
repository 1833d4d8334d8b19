import { z } from 'zod';

export const IMPORT_STATUSES = ['uploaded', 'queued', 'running', 'done', 'failed'] as const;
export const ZImportJob = z.object({
  id: z.string(),
  fileName: z.string(),
  format: z.string(),
  encoding: z.string(),
  status: z.enum(IMPORT_STATUSES),
  upsertKey: z.string().nullable(),
  totalRows: z.number().int(),
  processedRows: z.number().int(),
  insertedRows: z.number().int(),
  updatedRows: z.number().int(),
  errorRows: z.number().int(),
  errorMessage: z.string().nullable(),
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
});
export type TImportJob = z.infer<typeof ZImportJob>;
export const ZImportEncoding = z.enum(['utf-8', 'gb18030']);
export const ZStartImportInput = z.object({
  /** header → field (`name`, `phones`, …, `unit`, `owner`, `custom.<key>`); unmapped columns are ignored. */
  mapping: z.record(z.string(), z.string()),
  upsertKey: z.enum(['phone', 'idNumber', 'none']),
  defaultUnitId: z.uuid(),
  encoding: ZImportEncoding.optional(),
});
export type TStartImportInput = z.infer<typeof ZStartImportInput>;
export const ZImportUpload = z.object({
  job: ZImportJob,
  headers: z.array(z.string()),
  preview: z.array(z.array(z.string())),
  suggestedMapping: z.record(z.string(), z.string()),
  fields: z.array(z.string()),
});
export type TImportUpload = z.infer<typeof ZImportUpload>;
