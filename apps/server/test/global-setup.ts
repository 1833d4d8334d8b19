import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { runMigrations } from '../src/db/migrate.ts';
import { startPgCluster } from './pg-cluster.ts';

/** One Debian PostgreSQL for the whole run; a migrated template database that each test file clones. */
export default async function setup(project: TestProject) {
  const cluster = await startPgCluster();
  const admin = new pg.Client({ connectionString: cluster.url('postgres') });
  await admin.connect();
  await admin.query('CREATE DATABASE huifang_template');
  await admin.end();
  const pool = new pg.Pool({ connectionString: cluster.url('huifang_template') });
  // Migrating an empty database from zero is itself a test of the migrations.
  await runMigrations(pool);
  await pool.end();
  project.provide('pgAdminUrl', cluster.url('postgres'));
  return async () => cluster.stop();
}
