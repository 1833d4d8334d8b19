import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { runMigrations } from '../src/db/migrate.ts';
import { ADMIN_PASSWORD, demoDay } from './constants.ts';
import { freePort, startPgCluster } from './pg-cluster.ts';
import { startServerProcess } from './server-process.ts';

/**
 * One Debian PostgreSQL for the whole run; a migrated template database that each test file clones. For the e2e
 * project also `huifang_demo`: the template after one real server boot with `--demo` (every demo loader is
 * idempotent), so that each journey's own `--demo` boot finds its data loaded instead of writing ~100,000 rows again
 * (17 s per spec file on the 2-core machine).
 */
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
  if (project.name === 'e2e') {
    const c = new pg.Client({ connectionString: cluster.url('postgres') });
    await c.connect();
    await c.query('CREATE DATABASE huifang_demo TEMPLATE huifang_template');
    await c.end();
    const day = demoDay();
    const server = await startServerProcess(
      {
        DATABASE_URL: cluster.url('huifang_demo'),
        PORT: String(await freePort()),
        HUIFANG_ADMIN_PASSWORD: ADMIN_PASSWORD,
        JOBS: 'false',
        LOG_LEVEL: 'warn',
      },
      ['--demo'],
      300_000,
    );
    // Healthy means every demo loader has finished (they run before the server listens); only its exit is awaited,
    // so that no connection to huifang_demo is left when the spec files clone it.
    server.proc.kill('SIGTERM');
    await server.waitForExit();
    project.provide('demoTemplate', { name: 'huifang_demo', day });
  }
  return async () => cluster.stop();
}
