/**
 * A server process for bench/evaluations-ingest.ts: `app` = the real Huifang app (as `npm start` builds it) on the
 * given database; `baseline` = a bare Fastify route doing one INSERT and nothing else. Prints "listening <port>".
 * BENCH_LOG=info: the app logs as `npm start` does (LOG_LEVEL=info), into /dev/null; default: no logger.
 */
import Fastify from 'fastify';
import pg from 'pg';
import { buildApp } from '../apps/server/src/app.ts';
import { loadConfig } from '../apps/server/src/config/env.ts';
import { createDatabase } from '../apps/server/src/db/client.ts';
import { systemClock } from '../apps/server/src/lib/clock.ts';
import { inlineJobs, jobDefinitions } from '../apps/server/src/jobs/queue.ts';
import { benchLogger, traceBatches } from './_cpu-prof.ts';

const [mode, url] = [process.argv[2], process.argv[3]!];
const POOL = Number(process.env.BENCH_POOL ?? 10);

if (mode === 'baseline') {
  const pool = new pg.Pool({ connectionString: url, max: POOL });
  const app = Fastify({ logger: false });
  app.post('/insert', async (req) => {
    const body = req.body as { key: string; score: number };
    await pool.query('insert into bench_baseline (idempotency_key, score) values ($1, $2)', [body.key, body.score]);
    return { ok: true };
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  console.log(`listening ${(app.server.address() as { port: number }).port}`);
} else {
  const database = createDatabase(url, POOL);
  if (process.env.BENCH_BATCH_TRACE) traceBatches(database.pool);
  const config = loadConfig({
    LOG_LEVEL: process.env.BENCH_LOG ?? 'silent',
    JOBS: 'false',
    DATABASE_URL: url,
    KIOSK_RATINGS_PER_MINUTE: process.env.KIOSK_RATINGS_PER_MINUTE,
  });
  const jobs = inlineJobs(
    jobDefinitions({
      db: database.db,
      clock: systemClock,
      log: { info: () => undefined, error: () => undefined } as never,
      sessionIdleMinutes: 30,
    }),
  );
  const app = await buildApp({ db: database.db, config, clock: systemClock, jobs }, benchLogger());
  await app.listen({ port: 0, host: '127.0.0.1' });
  console.log(`listening ${(app.server.address() as { port: number }).port}`);
}
process.on('SIGINT', () => process.exit(0));
