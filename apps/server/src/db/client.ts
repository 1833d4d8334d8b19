import { sql } from 'drizzle-orm';
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
  // jit=off for the app's sessions: JIT compiles a query whose estimated cost is high (a survey's answer distribution
  // over months of answers), and that compile alone took 0.9–1.3 s on Postgres 15 for queries that run in tens of ms.
  // No parallel workers either: the app's reads are rollup reads of tens of thousands of rows, issued several at a
  // time per request; a Gather starting two workers per read cost more than it saved (HQ's staff-grain reads at 10 M,
  // bench/README.md 2026-12-06). Batch work over whole tables opts back in for its transaction (PARALLEL_BATCH_WORK).
  const pool = new pg.Pool({
    connectionString,
    max,
    application_name: 'huifang',
    options: '-c jit=off -c max_parallel_workers_per_gather=0',
  });
  // A client losing its connection (Postgres restarted, pg_terminate_backend) must not crash the process. pg-pool
  // listens only to idle clients; a client checked out for a transaction emits 'error' with nobody listening, which
  // Node turns into an uncaught exception. So every client gets its own listener for its whole life: the query in
  // flight fails (→ 503 DB_UNAVAILABLE), the broken client is discarded on release, and the next one reconnects.
  pool.on('error', () => undefined);
  pool.on('connect', (client) => {
    client.on('error', () => undefined);
  });
  const db = drizzle(pool, { schema });
  let closing: Promise<void> | null = null;
  return { db, pool, close: () => (closing ??= pool.end()) };
}

/**
 * For a transaction of batch work over whole tables (the value run, follow-up generation): parallel workers back on
 * (the pool's sessions run without them), Postgres' default of two per Gather, reset at commit.
 */
export const PARALLEL_BATCH_WORK = sql`set local max_parallel_workers_per_gather = 2`;
