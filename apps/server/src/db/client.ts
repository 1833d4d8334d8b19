import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import type { PgTransaction } from 'drizzle-orm/pg-core';
import type { NodePgQueryResultHKT } from 'drizzle-orm/node-postgres';
import type { ExtractTablesWithRelations } from 'drizzle-orm';
import pg from 'pg';
import * as schema from './schema/index.ts';

export type TSchema = typeof schema;
export type Db = NodePgDatabase<TSchema>;
export type Tx = PgTransaction<NodePgQueryResultHKT, TSchema, ExtractTablesWithRelations<TSchema>>;
/** Repositories take either the pool-backed db or a transaction. */
export type DbOrTx = Db | Tx;

export interface TDatabase {
  db: Db;
  pool: pg.Pool;
  close(): Promise<void>;
}

export function createDatabase(connectionString: string, max = 10): TDatabase {
  const pool = new pg.Pool({ connectionString, max, application_name: 'huifang' });
  // An idle client losing its connection (e.g. Postgres restart) must not crash the process.
  pool.on('error', () => undefined);
  const db = drizzle(pool, { schema });
  let closing: Promise<void> | null = null;
  return { db, pool, close: () => (closing ??= pool.end()) };
}
