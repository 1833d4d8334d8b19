import PgBoss from 'pg-boss';
import type { Logger } from 'pino';
import type { Db } from '../db/client.ts';
import type { TClock } from '../lib/clock.ts';
import { purgeExpiredSessions } from '../modules/auth/session.repository.ts';
import { runImport } from '../modules/imports/imports.runner.ts';
import { runFollowupRules } from '../modules/followup/rules/rules.ts';
import { runFollowupReminders } from '../modules/followup/reminders/reminders.ts';
import { runPathCatchUp } from '../modules/followup/paths/paths.service.ts';
import { autoSendGuard, autoSendOutcome, runAutoSends } from '../modules/followup/auto-send/auto-send.ts';
import { sendDueEmails, sendDueSms, type TMailSettings } from '../modules/messaging/outbox.sender.ts';
import type { TSmsFactory } from '../modules/messaging/sms/provider.ts';
import { reminderGuard } from '../modules/surveys/surveys.invitations.ts';
import { sweepKioskTimeouts } from '../modules/kiosk/kiosk.service.ts';
import { sweepQueueAlerts } from '../modules/queue/queue-alerts.ts';
import {
  EVENT_RETENTION_DAYS,
  pruneConsumedEvents,
  runEvaluationConsumers,
} from '../modules/evaluations/evaluation-events.ts';
import { EVALUATION_CONSUMERS } from '../modules/evaluations/evaluation-consumers.ts';
import { runTicketSla } from '../modules/tickets/sla/sla-job.ts';
import { runCloseLoop } from '../modules/tickets/close-loop/close-loop.service.ts';
import { foldSurveyRollups } from '../modules/evaluations/survey-rollups.ts';
import { foldEvaluationRollups } from '../modules/evaluations/rollups.ts';
import { foldSessionRollups } from '../modules/counter/session-rollups.ts';
import { runScheduledRecomputes, runValueRecompute } from '../modules/value/value.runner.ts';
import { runDueReports } from '../modules/reports/schedules.service.ts';

/**
 * The job registry. Each job: a queue name, an optional cron schedule, and an idempotent handler (a job may run
 * twice after a crash; running it again must do no harm). Later issues add rules, reminders, SLA timers, sending.
 */
export interface TJobDef {
  name: string;
  cron?: string;
  /** Also run every N seconds in each working process (in-process ticker, see startJobs) — for prompt consumers. */
  everySeconds?: number;
  handler: (data: Record<string, unknown>) => Promise<void>;
}

/** What services use to queue work. */
export interface TJobSender {
  send(name: string, data: object): Promise<void>;
}

export interface TJobs extends TJobSender {
  stop(): Promise<void>;
}

export function jobDefinitions(deps: {
  db: Db;
  clock: TClock;
  log: Pick<Logger, 'info' | 'error'>;
  sessionIdleMinutes: number;
  mail?: TMailSettings;
  sms?: TSmsFactory;
  /** Base of links sent to customers (ticket callback surveys); default the local server. */
  publicBaseUrl?: string;
}): TJobDef[] {
  return [
    {
      name: 'session-purge',
      cron: '*/15 * * * *',
      handler: async () => {
        const n = await purgeExpiredSessions(deps.db, deps.clock.now(), deps.sessionIdleMinutes);
        if (n) deps.log.info({ purged: n }, 'expired sessions purged');
      },
    },
    { name: 'customer-import', handler: async (data) => runImport(deps, String(data.jobId)) },
    // Follow-up rules (birthdays, N days after service, every N months per tier, holidays): hourly, idempotent.
    {
      name: 'followup-rules',
      cron: '7 * * * *',
      handler: async (data) => {
        const r = await runFollowupRules(deps, typeof data.tenantId === 'string' ? { tenantId: data.tenantId } : {});
        if (r.created) deps.log.info(r, 'follow-up rules created tasks');
      },
    },
    // Plan templates 回访路径: catch up recent service records without a path (imports, templates activated later); hourly, idempotent.
    {
      name: 'followup-paths',
      cron: '23 * * * *',
      handler: async (data) => {
        const r = await runPathCatchUp(deps, typeof data.tenantId === 'string' ? { tenantId: data.tenantId } : {});
        if (r.tasks) deps.log.info(r, 'follow-up paths created tasks');
      },
    },
    // Follow-up reminders (due / overdue, once each) and escalations to the supervisor: every 15 minutes, idempotent.
    {
      name: 'followup-reminders',
      cron: '*/15 * * * *',
      handler: async (data) => {
        const r = await runFollowupReminders(
          deps,
          typeof data.tenantId === 'string' ? { tenantId: data.tenantId } : {},
        );
        if (r.due || r.overdue || r.escalated) deps.log.info(r, 'follow-up reminders');
      },
    },
    {
      // The outbox (modules/messaging): due e-mail, every minute and right after a business write queues some.
      name: 'outbox-send',
      cron: '* * * * *',
      handler: async () => {
        const outcomes = { followup_task: autoSendOutcome };
        const r = await sendDueEmails({
          db: deps.db,
          clock: deps.clock,
          mail: deps.mail,
          guards: { survey_reminder: reminderGuard, followup_task: autoSendGuard },
          outcomes,
        });
        if (r.sent || r.failed || r.cancelled || r.deferred) deps.log.info(r, 'outbox e-mail');
        const s = await sendDueSms({
          db: deps.db,
          clock: deps.clock,
          mail: deps.mail,
          sms: deps.sms,
          guards: { followup_task: autoSendGuard },
          outcomes,
        });
        if (s.sent || s.failed || s.cancelled || s.deferred) deps.log.info(s, 'outbox sms');
      },
    },
    {
      // Plans with an automatic SMS / e-mail 自动发送: due tasks are queued in the outbox (idempotent, every 5 minutes).
      name: 'followup-auto-send',
      cron: '*/5 * * * *',
      handler: async (data) => {
        const r = await runAutoSends(deps, typeof data.tenantId === 'string' ? { tenantId: data.tenantId } : {});
        if (r.queued || r.noAddress) deps.log.info(r, 'follow-up automatic messages queued');
      },
    },
    // Customer value 客户分级: one recompute run (queued by POST /value/runs or the schedule below).
    { name: 'value-recompute', handler: async (data) => runValueRecompute(deps, String(data.runId)) },
    {
      // Monthly recompute on the tenant's day of the month (checked daily at 02:17; one run per tenant and month).
      name: 'value-schedule',
      cron: '17 2 * * *',
      handler: async () => {
        const runs: string[] = [];
        const n = await runScheduledRecomputes({ ...deps, enqueue: async (id) => void runs.push(id) });
        // One after another in this handler: a recompute is a whole-tenant pass; the runs are already recorded as queued.
        for (const id of runs) await runValueRecompute(deps, id);
        if (n) deps.log.info({ runs: n }, 'scheduled value recomputes');
      },
    },
    {
      // 未评价: kiosk sessions whose rating window has passed (see sweepKioskTimeouts).
      name: 'kiosk-timeouts',
      cron: '* * * * *',
      handler: async () => {
        const n = await sweepKioskTimeouts(deps);
        if (n) deps.log.info({ unrated: n }, 'kiosk timeouts recorded');
      },
    },
    {
      // 排队预警: a wait grows while nothing happens; takes and calls check at once (modules/queue/queue-alerts.ts).
      name: 'queue-alerts',
      cron: '* * * * *',
      handler: async () => {
        const n = await sweepQueueAlerts(deps.db, deps.clock.now());
        if (n) deps.log.info({ told: n }, 'queue alerts sent');
      },
    },
    {
      // The evaluation events (modules/evaluations/evaluation-events.ts): every consumer of EVALUATION_CONSUMERS
      // (negative-evaluation alerts, …) handles each event once; an event a consumer failed on is retried next run.
      name: 'evaluation-events',
      cron: '* * * * *',
      everySeconds: 1,
      handler: async () => {
        const r = await runEvaluationConsumers(deps.db, EVALUATION_CONSUMERS, {
          onError: (err, consumer, event) =>
            deps.log.error({ err, consumer, eventId: event.id }, 'evaluation event consumer failed; retried next run'),
        });
        for (const [consumer, c] of Object.entries(r))
          if (c.processed || c.failed) deps.log.info({ consumer, ...c }, 'evaluation events');
      },
    },
    {
      // The outbox's old end: events every consumer is done with leave it after EVENT_RETENTION_DAYS (their markers
      // with them); an event a consumer has not processed stays. Daily, idempotent.
      name: 'evaluation-events-prune',
      cron: '41 3 * * *',
      handler: async () => {
        const before = new Date(deps.clock.now().getTime() - EVENT_RETENTION_DAYS * 86_400_000);
        const n = await pruneConsumedEvents(deps.db, EVALUATION_CONSUMERS, before);
        if (n) deps.log.info({ pruned: n }, 'consumed evaluation events pruned');
      },
    },
    {
      // Ticket SLA (modules/tickets/sla): warnings, breaches and escalations at their time, and the cached deadlines
      // of tickets whose events changed — every minute, and every 5 s in-process so a new ticket shows its due times
      // at once. Idempotent; `{ tenantId }` limits a run to one tenant (after a calendar or SLA policy edit).
      name: 'ticket-sla',
      cron: '* * * * *',
      everySeconds: 5,
      handler: async (data) => {
        const r = await runTicketSla(deps, {
          ...(typeof data.tenantId === 'string' ? { tenantId: data.tenantId } : {}),
          onError: (err, ticketId) => deps.log.error({ err, ticketId }, 'ticket SLA failed; tried again next run'),
        });
        if (r.warnings || r.breaches || r.escalations) deps.log.info(r, 'ticket SLA');
      },
    },
    {
      // Ticket close-the-loop 回访闭环: send due callbacks (survey SMS / call task), auto-close unanswered ones; idempotent.
      name: 'ticket-close-loop',
      cron: '* * * * *',
      handler: async () => {
        const r = await runCloseLoop({
          db: deps.db,
          clock: deps.clock,
          config: { publicBaseUrl: deps.publicBaseUrl ?? 'http://localhost:3000' },
        });
        if (r.sent || r.closed) deps.log.info(r, 'ticket callbacks');
      },
    },
    {
      // The survey responses queued by the write path (survey_rollup_pending) into the survey rollups, in bulk; readers
      // fold their own tenant before reading, this keeps the queue short (modules/evaluations/survey-rollups.ts).
      name: 'survey-rollups-fold',
      cron: '* * * * *',
      everySeconds: 5,
      handler: async () => {
        await foldSurveyRollups(deps.db);
      },
    },
    {
      // The evaluation rollups' queues (evaluation_rollup_new and evaluation_rollup_pending, appended by the write
      // path) into the rollup tables, in bulk; readers fold their own tenant before reading (modules/evaluations/rollups.ts).
      name: 'evaluation-rollups-fold',
      cron: '* * * * *',
      everySeconds: 5,
      handler: async () => {
        await foldEvaluationRollups(deps.db);
        // The session rollups' queue (service_session_rollup_pending) likewise (modules/counter/session-rollups.ts).
        await foldSessionRollups(deps.db);
      },
    },
    {
      // Scheduled reports 定时报表 (modules/reports): due schedules e-mail their xlsx through the outbox, each recipient
      // with his own scope; once per schedule × period × recipient (report_deliveries), so a re-run sends nothing twice.
      name: 'report-schedules',
      cron: '*/5 * * * *',
      handler: async (data) => {
        const r = await runDueReports(deps, typeof data.tenantId === 'string' ? { tenantId: data.tenantId } : {});
        if (r.queued) deps.log.info(r, 'scheduled reports queued');
      },
    },
  ];
}

/**
 * pg-boss in the app's database. Every process can send; only processes with JOBS=true work the queues.
 */
export async function startJobs(
  connectionString: string,
  defs: TJobDef[],
  log: Logger,
  opts: { work: boolean },
): Promise<TJobs> {
  const boss = new PgBoss({ connectionString, schema: 'pgboss', application_name: 'huifang-jobs' });
  boss.on('error', (err) => log.error({ err }, 'job queue error'));
  await boss.start();
  const ticks: { timer: NodeJS.Timeout; idle: () => Promise<void> }[] = [];
  for (const def of defs) {
    await boss.createQueue(def.name);
    if (!opts.work) continue;
    if (def.cron) await boss.schedule(def.name, def.cron, undefined, { tz: 'Asia/Shanghai' });
    await boss.work<Record<string, unknown>>(def.name, async (jobs) => {
      for (const job of jobs) await def.handler(job.data ?? {});
    });
    if (def.everySeconds) {
      // Between the cron runs, a ticker in each working process runs the handler itself (never two at once here;
      // the handler is safe to run in several processes). Not through pg-boss: its worker completes each job without
      // awaiting it, so a connection killed during that completion (pg_terminate_backend, a Postgres restart) is an
      // unhandled rejection that ends the process — once a minute is the risk the other jobs take, once a second is not.
      let running: Promise<void> | null = null;
      const tick = setInterval(() => {
        if (running) return;
        running = def
          .handler({})
          .catch((err: unknown) => log.error({ err, job: def.name }, 'job failed; runs again on the next tick'))
          .finally(() => {
            running = null;
          });
      }, def.everySeconds * 1000);
      ticks.push({ timer: tick, idle: () => running ?? Promise.resolve() });
      tick.unref();
    }
  }
  return {
    send: async (name, data) => {
      await boss.send(name, data as object);
    },
    stop: async () => {
      for (const t of ticks) clearInterval(t.timer);
      await Promise.all(ticks.map((t) => t.idle()));
      await boss.stop({ graceful: true, timeout: 10_000 });
    },
  };
}

/** For tests and tools: run each sent job in this process right away (after the caller's await returns). */
export function inlineJobs(
  defs: TJobDef[],
  onError: (err: unknown) => void = () => undefined,
): TJobs & { idle(): Promise<void> } {
  const running = new Set<Promise<void>>();
  return {
    send: async (name, data) => {
      const def = defs.find((d) => d.name === name);
      if (!def) throw new Error(`unknown job ${name}`);
      const p = new Promise<void>((resolve) => setImmediate(resolve))
        .then(() => def.handler(data as Record<string, unknown>))
        .catch(onError);
      running.add(p);
      void p.finally(() => running.delete(p));
    },
    stop: async () => {
      await Promise.all(running);
    },
    idle: async () => {
      while (running.size) await Promise.all(running);
    },
  };
}
