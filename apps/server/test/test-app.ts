import crypto from 'node:crypto';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import pg from 'pg';
import { inject } from 'vitest';
import { buildApp } from '../src/app.ts';
import { loadConfig, type TConfig } from '../src/config/env.ts';
import { createDatabase, type TDatabase } from '../src/db/client.ts';
import { createFixedClock } from '../src/lib/clock.ts';
import { inlineJobs, jobDefinitions } from '../src/jobs/queue.ts';
import { EVALUATION_CONSUMERS } from '../src/modules/evaluations/evaluation-consumers.ts';
import { runEvaluationConsumers } from '../src/modules/evaluations/evaluation-events.ts';
import type { TSmsFactory } from '../src/modules/messaging/sms/provider.ts';
import { bootstrapTenant } from '../src/modules/bootstrap/bootstrap.service.ts';
import { DEMO_PASSWORD, loadDemoData } from '../src/modules/bootstrap/demo-data.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Connection string of the test cluster's `postgres` database (template `huifang_template` is migrated). */
    pgAdminUrl: string;
    /** e2e only: the migrated template with the demo data loaded, and the Shanghai day it was loaded on. */
    demoTemplate: { name: string; day: string };
  }
}

import { ADMIN_PASSWORD } from './constants.ts';

export { ADMIN_PASSWORD };
export { DEMO_PASSWORD };

/** A fresh database cloned from the migrated template (or another template database of the run). */
export async function createTestDatabase(
  template = 'huifang_template',
): Promise<{ url: string; database: TDatabase; drop(): Promise<void> }> {
  const adminUrl = inject('pgAdminUrl');
  const name = `t_${crypto.randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name} TEMPLATE ${template}`);
  await admin.end();
  const url = adminUrl.replace(/\/postgres$/, `/${name}`);
  const database = createDatabase(url, 5);
  return {
    url,
    database,
    drop: async () => {
      await database.close();
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

export interface TTestApp {
  app: FastifyInstance;
  db: TDatabase['db'];
  pool: TDatabase['pool'];
  clock: ReturnType<typeof createFixedClock>;
  /**
   * Run the consumers of the evaluation events (what the `evaluation-events` job does every second in a server), e.g.
   * before asserting a negative evaluation's alert. Throws if a consumer failed on an event.
   */
  runEvaluationEvents(): Promise<void>;
  /** Background jobs run inline; await idle() to let queued ones finish. */
  jobs: ReturnType<typeof inlineJobs>;
  config: TConfig;
  tenantId: string;
  /** Log in and get a client that sends the session cookie and the CSRF header. */
  login(username: string, password?: string): Promise<TClient>;
  close(): Promise<void>;
}

export interface TClient {
  me: { user: { id: string; unitId: string }; csrfToken: string; permissions: string[] };
  cookie: string;
  request(opts: InjectOptions): Promise<LightMyRequestResponse>;
  get(url: string): Promise<LightMyRequestResponse>;
  post(url: string, payload?: unknown): Promise<LightMyRequestResponse>;
  patch(url: string, payload?: unknown): Promise<LightMyRequestResponse>;
  del(url: string): Promise<LightMyRequestResponse>;
}

/** 12:00 Asia/Shanghai of the current Shanghai date (UTC+8, no DST): 04:00Z. */
export function testNoon(now = new Date()): Date {
  const day = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Shanghai' }).format(now);
  return new Date(`${day}T04:00:00Z`);
}

/**
 * The real app on its own real database: bootstrapped tenant (admin / ADMIN_PASSWORD), the demo org tree and
 * demo users (password DEMO_PASSWORD), and a settable clock.
 */
export async function createTestApp(
  opts: { env?: Record<string, string>; demo?: boolean; sms?: TSmsFactory; logStream?: NodeJS.WritableStream } = {},
): Promise<TTestApp> {
  const tdb = await createTestDatabase();
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', JOBS: 'false', ...opts.env });
  // Today, at noon in Asia/Shanghai (the tenant's zone): tests that count "today" must not depend on whether the
  // suite runs near midnight there (a kiosk test once failed at 23:59 when its session crossed into the next day).
  const clock = createFixedClock(testNoon());
  const jobs = inlineJobs(
    jobDefinitions({
      db: tdb.database.db,
      clock,
      log: { info: () => undefined, error: () => undefined } as never,
      sessionIdleMinutes: config.sessionIdleMinutes,
      mail: config,
      publicBaseUrl: config.publicBaseUrl,
      sms: opts.sms,
    }),
  );
  const deps = { db: tdb.database.db, config, clock, jobs, sms: opts.sms };
  const boot = await bootstrapTenant(deps, {
    tenantName: '测试银行',
    adminPassword: ADMIN_PASSWORD,
    timeZone: 'Asia/Shanghai',
  });
  if (opts.demo !== false) await loadDemoData(deps, boot.tenantId);
  // With a logStream the app logs as in production (level from env LOG_LEVEL) into it; otherwise not at all.
  const app = await buildApp(deps, opts.logStream ? { logStream: opts.logStream } : { logger: false });
  await app.ready();

  const login = async (
    username: string,
    password = username === 'admin' ? ADMIN_PASSWORD : DEMO_PASSWORD,
  ): Promise<TClient> => {
    const res = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password } });
    if (res.statusCode !== 200) throw new Error(`login ${username} failed: ${res.statusCode} ${res.body}`);
    const cookie = res.cookies.find((c) => c.name === 'hf_sid');
    if (!cookie) throw new Error('no session cookie');
    const me = res.json();
    const request = (o: InjectOptions) =>
      app.inject({
        ...o,
        headers: { cookie: `hf_sid=${cookie.value}`, 'x-csrf-token': me.csrfToken, ...(o.headers ?? {}) },
      });
    return {
      me,
      cookie: cookie.value,
      request,
      get: (url) => request({ method: 'GET', url }),
      post: (url, payload) => request({ method: 'POST', url, payload: payload as InjectOptions['payload'] }),
      patch: (url, payload) => request({ method: 'PATCH', url, payload: payload as InjectOptions['payload'] }),
      del: (url) => request({ method: 'DELETE', url }),
    };
  };

  return {
    app,
    db: tdb.database.db,
    pool: tdb.database.pool,
    clock,
    jobs,
    config,
    tenantId: boot.tenantId,
    login,
    runEvaluationEvents: async () => {
      const failures: unknown[] = [];
      await runEvaluationConsumers(tdb.database.db, EVALUATION_CONSUMERS, { onError: (err) => failures.push(err) });
      if (failures.length) throw failures[0];
    },
    close: async () => {
      await jobs.idle();
      await app.close();
      await tdb.drop();
    },
  };
}
