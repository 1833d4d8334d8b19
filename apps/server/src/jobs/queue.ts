import PgBoss from 'pg-boss';
import type { Logger } from 'pino';
import type { Db } from '../db/client.ts';
import type { TClock } from '../lib/clock.ts';
import { purgeExpiredSessions } from '../modules/auth/session.repository.ts';

/**
 * The job registry. Each job: a queue name, an optional cron schedule, and an idempotent handler (a job may run
 * twice after a crash; running it again must do no harm). Later issues add rules, reminders, SLA timers, sending.
 */
interface TJobDef {
  name: string;
  cron?: string;
  handler: () => Promise<void>;
}

export interface TJobs {
  boss: PgBoss;
  stop(): Promise<void>;
}

export function jobDefinitions(deps: { db: Db; clock: TClock; log: Logger; sessionIdleMinutes: number }): TJobDef[] {
  return [
    {
      name: 'session-purge',
      cron: '*/15 * * * *',
      handler: async () => {
        const n = await purgeExpiredSessions(deps.db, deps.clock.now(), deps.sessionIdleMinutes);
        if (n) deps.log.info({ purged: n }, 'expired sessions purged');
      },
    },
  ];
}

export async function startJobs(connectionString: string, defs: TJobDef[], log: Logger): Promise<TJobs> {
  const boss = new PgBoss({ connectionString, schema: 'pgboss', application_name: 'huifang-jobs' });
  boss.on('error', (err) => log.error({ err }, 'job queue error'));
  await boss.start();
  for (const def of defs) {
    await boss.createQueue(def.name);
    if (def.cron) await boss.schedule(def.name, def.cron, undefined, { tz: 'Asia/Shanghai' });
    await boss.work(def.name, async () => def.handler());
  }
  return { boss, stop: () => boss.stop({ graceful: true, timeout: 10_000 }) };
}
