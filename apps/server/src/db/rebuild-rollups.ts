import pino from 'pino';
import { loadConfig } from '../config/env.ts';
import { loggerOptions } from '../lib/logger.ts';
import { rebuildDashboardRollups } from '../modules/dashboard/read-model.ts';
import { rebuildEvaluationRollups } from '../modules/evaluations/rollups.ts';
import { rebuildFollowupDoneRollups } from '../modules/followup/figures/staff-done.ts';
import { rebuildSurveyRollups } from '../modules/evaluations/survey-rollups.ts';
import { rebuildTicketRollups } from '../modules/tickets/rollups/ticket-rollups.ts';
import { createDatabase } from './client.ts';
import { startEmbeddedPostgres, type TEmbeddedPostgres } from './embedded.ts';
import { runMigrations } from './migrate.ts';

/**
 * `npm run rollups:rebuild -w @huifang/server [-- <tenant id>]`: recompute every rollup of the read model from the
 * facts (all tenants, or one): evaluation and session rollups (服务统计, dashboard, counter figures), the survey
 * rollups (survey results and index), the complaint rollups (ticket_rollups, from ticket_events) and the 驾驶舱 read
 * model (follow-up task, hourly flow, ticket status, customer tier and churn warning rollups), and the follow-ups done by
 * completion day (followup_done_rollups and its month table). Needed after a tenant changes its time zone (the rollups' local days follow
 * tenants.time_zone at the time of writing); harmless otherwise. Writers wait while it runs. The same database as
 * `npm start` (DATABASE_URL, or the bundled Postgres in ./data/pg — stop the server first in that case).
 */
async function main(): Promise<void> {
  const tenantId = process.argv[2];
  if (tenantId !== undefined && !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(tenantId))
    throw new Error(`not a tenant id: ${tenantId}`);
  const config = loadConfig(process.env, []);
  const log = pino(loggerOptions(config.logLevel));
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
    await runMigrations(database.pool);
    const started = performance.now();
    await rebuildEvaluationRollups(database.db, tenantId);
    log.info(
      { tenantId: tenantId ?? 'all', ms: Math.round(performance.now() - started) },
      'evaluation and session rollups rebuilt from the facts',
    );
    const surveysStarted = performance.now();
    const responses = await rebuildSurveyRollups(database.db, tenantId);
    log.info(
      { tenantId: tenantId ?? 'all', responses, ms: Math.round(performance.now() - surveysStarted) },
      'survey rollups rebuilt from the facts',
    );
    const ticketsStarted = performance.now();
    const tickets = await rebuildTicketRollups(database.db, tenantId);
    log.info(
      { tenantId: tenantId ?? 'all', tickets, ms: Math.round(performance.now() - ticketsStarted) },
      'complaint rollups rebuilt from the ticket events',
    );
    const dashboardStarted = performance.now();
    await rebuildDashboardRollups(database.db, tenantId);
    log.info(
      { tenantId: tenantId ?? 'all', ms: Math.round(performance.now() - dashboardStarted) },
      'dashboard read model (follow-up tasks, hourly flow, tickets, tiers, churn warnings) rebuilt from the facts',
    );
    const doneStarted = performance.now();
    await rebuildFollowupDoneRollups(database.db, tenantId);
    log.info(
      { tenantId: tenantId ?? 'all', ms: Math.round(performance.now() - doneStarted) },
      'follow-ups done by completion day rebuilt from the tasks',
    );
  } finally {
    await database.close();
    await embedded?.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
