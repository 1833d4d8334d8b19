import pino from 'pino';
import { loadConfig } from '../../config/env.ts';
import { createDatabase } from '../../db/client.ts';
import { startEmbeddedPostgres, type TEmbeddedPostgres } from '../../db/embedded.ts';
import { loggerOptions } from '../../lib/logger.ts';
import { rebuildSurveyRollups } from './survey-rollups.ts';

/**
 * `npm run rollups:rebuild-surveys -w @huifang/server [-- <tenant id>]`: recompute the survey rollups from the facts
 * (one tenant, or all). The database is DATABASE_URL's, else the bundled Postgres under DATA_DIR — which only one
 * process may run: while the server runs on it, pass DATABASE_URL instead. Safe while the app serves (writers wait).
 */
async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const log = pino(loggerOptions(config.logLevel));
  const tenantId = process.argv[2];
  if (tenantId !== undefined && !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(tenantId))
    throw new Error(`not a tenant id: ${tenantId}`);
  let embedded: TEmbeddedPostgres | null = null;
  let url = config.databaseUrl;
  if (!url) {
    embedded = await startEmbeddedPostgres({
      dataDir: config.dataDir,
      port: config.embeddedPgPort,
      log: { info: (m) => log.info(m), warn: (m) => log.warn(m) },
    });
    url = embedded.connectionString;
  }
  const database = createDatabase(url, 1);
  try {
    const started = Date.now();
    const responses = await rebuildSurveyRollups(database.db, tenantId);
    log.info({ tenantId: tenantId ?? 'all', responses, ms: Date.now() - started }, 'survey rollups rebuilt');
  } finally {
    await database.close();
    await embedded?.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
