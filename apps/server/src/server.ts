import pino from 'pino';
import { loadConfig } from './config/env.ts';
import { startEmbeddedPostgres, type TEmbeddedPostgres } from './db/embedded.ts';
import { systemClock } from './lib/clock.ts';
import { loggerOptions } from './lib/logger.ts';
import { onUnhandledRejection } from './lib/rejection-guard.ts';

/**
 * Everything else is imported while the bundled Postgres starts: loading and compiling the app's modules is most of
 * a start's time, and a restart after a crash should be back quickly.
 */
const loadAppModules = async () => {
  const [
    app,
    client,
    migrate,
    queue,
    sms,
    bootstrap,
    imports,
    demoCustomers,
    demoSurveys,
    demoKiosk,
    demoFollowup,
    demoPaths,
    demoPlanMessages,
    demoData,
    demoOrderReviews,
    feedbackBackfill,
  ] = await Promise.all([
    import('./app.ts'),
    import('./db/client.ts'),
    import('./db/migrate.ts'),
    import('./jobs/queue.ts'),
    import('./modules/messaging/sms/provider.ts'),
    import('./modules/bootstrap/bootstrap.service.ts'),
    import('./modules/imports/imports.service.ts'),
    import('./modules/bootstrap/demo-customers.ts'),
    import('./modules/bootstrap/demo-surveys.ts'),
    import('./modules/bootstrap/demo-kiosk.ts'),
    import('./modules/bootstrap/demo-followup.ts'),
    import('./modules/bootstrap/demo-paths.ts'),
    import('./modules/bootstrap/demo-plan-messages.ts'),
    import('./modules/bootstrap/demo-data.ts'),
    import('./modules/bootstrap/demo-order-reviews.ts'),
    import('./modules/feedback/feedback-backfill.ts'),
  ]);
  return {
    ...app,
    ...client,
    ...migrate,
    ...queue,
    ...sms,
    ...bootstrap,
    ...imports,
    ...demoCustomers,
    ...demoSurveys,
    ...demoKiosk,
    ...demoFollowup,
    ...demoPaths,
    ...demoPlanMessages,
    ...demoData,
    ...demoOrderReviews,
    ...feedbackBackfill,
  };
};

/** env → database (embedded or external) → migrations → first-run bootstrap → buildApp → listen → graceful stop. */
async function main(): Promise<void> {
  const config = loadConfig(process.env, process.argv.slice(2));
  const log = pino(loggerOptions(config.logLevel));
  process.on(
    'unhandledRejection',
    onUnhandledRejection(log, (code) => process.exit(code)),
  );
  const modules = loadAppModules();
  modules.catch(() => undefined); // awaited below; a failure there stops the start
  let embedded: TEmbeddedPostgres | null = null;

  let connectionString = config.databaseUrl;
  if (!connectionString) {
    embedded = await startEmbeddedPostgres({
      dataDir: config.dataDir,
      port: config.embeddedPgPort,
      log: { info: (m) => log.info(m), warn: (m) => log.warn(m) },
    });
    connectionString = embedded.connectionString;
  }
  const {
    buildApp,
    createDatabase,
    runMigrations,
    jobDefinitions,
    startJobs,
    createSmsFactory,
    bootstrapTenant,
    recoverImports,
    loadDemoCustomers,
    loadDemoSurveys,
    loadDemoKiosk,
    loadDemoFollowup,
    loadDemoPaths,
    loadDemoPlanMessages,
    DEMO_PASSWORD,
    loadDemoData,
    loadDemoOrderReviews,
    classifyLoadedHistory,
  } = await modules;
  const database = createDatabase(connectionString);
  await runMigrations(database.pool);
  log.info('database migrated');

  const sms = createSmsFactory({ log });
  const defs = jobDefinitions({
    db: database.db,
    clock: systemClock,
    log,
    sessionIdleMinutes: config.sessionIdleMinutes,
    mail: config,
    publicBaseUrl: config.publicBaseUrl,
    sms,
  });
  const jobs = await startJobs(connectionString, defs, log, { work: config.jobs });
  const deps = { db: database.db, config, clock: systemClock, jobs, sms };
  const adminPassword = config.adminPassword ?? (config.demo ? DEMO_PASSWORD : undefined);
  const boot = await bootstrapTenant(deps, {
    tenantName: config.tenantName,
    adminPassword,
    timeZone: config.defaultTimeZone,
  });
  if (boot.generatedAdminPassword) {
    // Printed once, on the first start only; it must be changed at first login.
    log.warn(
      `first start: created user admin with password ${boot.generatedAdminPassword} (set HUIFANG_ADMIN_PASSWORD to choose it)`,
    );
  }
  if (config.demo) {
    if (await loadDemoData(deps, boot.tenantId)) log.info(`demo data loaded; demo users' password is ${DEMO_PASSWORD}`);
    const n = await loadDemoCustomers(deps, boot.tenantId);
    if (n) log.info(`demo customers loaded: ${n}`);
    const surveyResponses = await loadDemoSurveys(deps, boot.tenantId);
    if (surveyResponses) log.info(`demo survey responses loaded: ${surveyResponses}`);
    const reviews = await loadDemoOrderReviews(deps, boot.tenantId);
    if (reviews) log.info(`demo shop reviews loaded: ${reviews}`);
    const sessions = await loadDemoKiosk(deps, boot.tenantId);
    if (sessions) log.info(`demo counter service loaded: ${sessions} service sessions with kiosk evaluations`);
    const followupTasks = await loadDemoFollowup(deps, boot.tenantId);
    if (followupTasks) log.info(`demo follow-up loaded: ${followupTasks} tasks`);
    const pathTasks = await loadDemoPaths(deps, boot.tenantId);
    if (pathTasks) log.info(`demo follow-up paths loaded: ${pathTasks} tasks`);
    const smsTasks = await loadDemoPlanMessages(deps, boot.tenantId);
    if (smsTasks) log.info(`demo automatic SMS plan loaded: ${smsTasks} tasks`);
    const feedback = await classifyLoadedHistory(deps, boot.tenantId);
    if (feedback) log.info(`demo feedback classified: ${feedback} texts`);
  }

  const app = await buildApp(deps);
  if (config.jobs) {
    const n = await recoverImports(deps);
    if (n) log.warn(`re-queued ${n} unfinished import(s)`);
  }
  await app.listen({ port: config.port, host: config.host });
  log.info(`Huifang is running at http://localhost:${config.port}`);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info(`${signal}: shutting down`);
    const force = setTimeout(() => process.exit(1), 20_000);
    force.unref();
    await app.close().catch((err) => log.error({ err }, 'closing http'));
    await jobs.stop().catch((err) => log.error({ err }, 'stopping jobs'));
    await database.close().catch(() => undefined);
    await embedded?.stop().catch((err) => log.error({ err }, 'stopping bundled Postgres'));
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
