import { customType, bigserial, index, integer, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { tenants } from './tenants.ts';
import { users } from './users.ts';

const bytea = customType<{ data: Buffer; driverData: Buffer }>({ dataType: () => 'bytea' });

/**
 * Import jobs 导入任务. The uploaded file is streamed to disk (`file_path`, under DATA_DIR/imports) and read back as a
 * stream by the job, so a million-row file never sits in memory; the API process that took the upload runs the job
 * (or DATA_DIR is shared between processes). `file` holds files of jobs uploaded before that change. Progress and
 * counts are updated per batch so the UI can show a progress bar.
 * status: uploaded → queued → running → done | failed
 */
export const importJobs = pgTable(
  'import_jobs',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id),
    createdBy: uuid('created_by')
      .notNull()
      .references(() => users.id),
    /** The creator's unit, for audit scoping. */
    unitId: uuid('unit_id').notNull(),
    entity: text('entity').notNull().default('customer'),
    fileName: text('file_name').notNull(),
    /** Legacy: the file bytes of jobs uploaded before files went to disk. */
    file: bytea('file'),
    /** Absolute path of the uploaded file; removed when the job ends. */
    filePath: text('file_path'),
    sizeBytes: integer('size_bytes').notNull(),
    format: text('format').notNull(),
    encoding: text('encoding').notNull(),
    status: text('status').notNull().default('uploaded'),
    mapping: jsonb('mapping').$type<Record<string, string>>(),
    upsertKey: text('upsert_key'),
    defaultUnitId: uuid('default_unit_id'),
    totalRows: integer('total_rows').notNull().default(0),
    processedRows: integer('processed_rows').notNull().default(0),
    insertedRows: integer('inserted_rows').notNull().default(0),
    updatedRows: integer('updated_rows').notNull().default(0),
    errorRows: integer('error_rows').notNull().default(0),
    errorMessage: text('error_message'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    startedAt: timestamp('started_at', { withTimezone: true }),
    /** Touched with every committed batch: a `running` job silent for minutes has lost its worker. */
    heartbeatAt: timestamp('heartbeat_at', { withTimezone: true }),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
  },
  (t) => [index('import_jobs_tenant_created_idx').on(t.tenantId, t.createdAt)],
);

/** Row-level problems of an import: row number (1 = first data row), column header, reason. */
export const importErrors = pgTable(
  'import_errors',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    tenantId: uuid('tenant_id').notNull(),
    jobId: uuid('job_id')
      .notNull()
      .references(() => importJobs.id, { onDelete: 'cascade' }),
    rowNo: integer('row_no').notNull(),
    column: text('column'),
    reason: text('reason').notNull(),
  },
  (t) => [index('import_errors_job_idx').on(t.jobId, t.rowNo)],
);
