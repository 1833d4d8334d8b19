import path from 'node:path';
import { z } from 'zod';

/** The only reader of process.env. Validated at boot; a bad value stops the process with a clear message. */
const ZEnv = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  /** External PostgreSQL. Unset → the bundled embedded Postgres under DATA_DIR/pg. */
  DATABASE_URL: z.string().url().optional(),
  DATA_DIR: z.string().default('./data'),
  /** Port of the bundled Postgres (only when DATABASE_URL is unset). */
  EMBEDDED_PG_PORT: z.coerce.number().int().min(1).max(65535).default(54329),
  HUIFANG_ADMIN_PASSWORD: z.string().min(8).optional(),
  HUIFANG_DEMO: z.enum(['0', '1', 'true', 'false']).optional(),
  HUIFANG_TENANT_NAME: z.string().default('慧访示范银行'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SESSION_IDLE_MINUTES: z.coerce.number().int().min(1).default(30),
  SESSION_MAX_HOURS: z.coerce.number().int().min(1).default(12),
  /** Set when served over HTTPS so the session cookie gets the Secure flag. */
  COOKIE_SECURE: z.enum(['0', '1', 'true', 'false']).default('false'),
  LOGIN_MAX_FAILURES_PER_ACCOUNT: z.coerce.number().int().min(1).default(5),
  LOGIN_MAX_FAILURES_PER_IP: z.coerce.number().int().min(1).default(30),
  LOGIN_LOCK_MINUTES: z.coerce.number().int().min(1).default(15),
  /** Where the built web app lives; served at / when present. */
  WEB_DIST: z.string().optional(),
  DEFAULT_TIME_ZONE: z.string().default('Asia/Shanghai'),
  /** Run pg-boss workers in this process (off in tests that build apps without jobs). */
  JOBS: z.enum(['0', '1', 'true', 'false']).default('true'),
  /** Outbound e-mail (smtp://user:pass@host:587 or smtps://…). Unset → e-mail stays queued in the outbox. */
  SMTP_URL: z.string().url().optional(),
  MAIL_FROM: z.string().default('慧访 Huifang <no-reply@huifang.local>'),
  /** The address customers reach this install at, for links in e-mail (default http://localhost:PORT). */
  PUBLIC_BASE_URL: z.string().url().optional(),
  /** Survey answers accepted per minute from one IP for one link (public submit endpoint). */
  SURVEY_SUBMIT_RATE_PER_MINUTE: z.coerce.number().int().min(1).default(60),
  /** Ratings accepted per minute from one kiosk device (a counter serves a customer every minute or two). */
  KIOSK_RATINGS_PER_MINUTE: z.coerce.number().int().min(1).default(300),
});

export type TEnv = z.infer<typeof ZEnv>;

export interface TConfig {
  env: TEnv['NODE_ENV'];
  port: number;
  host: string;
  databaseUrl: string | undefined;
  dataDir: string;
  embeddedPgPort: number;
  adminPassword: string | undefined;
  demo: boolean;
  tenantName: string;
  logLevel: TEnv['LOG_LEVEL'];
  sessionIdleMinutes: number;
  sessionMaxHours: number;
  cookieSecure: boolean;
  loginMaxFailuresPerAccount: number;
  loginMaxFailuresPerIp: number;
  loginLockMinutes: number;
  webDist: string;
  defaultTimeZone: string;
  jobs: boolean;
  smtpUrl: string | undefined;
  mailFrom: string;
  publicBaseUrl: string;
  surveySubmitRatePerMinute: number;
  kioskRatingsPerMinute: number;
}

const truthy = (v: string | undefined) => v === '1' || v === 'true';

export function loadConfig(source: NodeJS.ProcessEnv = process.env, argv: string[] = []): TConfig {
  const parsed = ZEnv.safeParse(source);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n');
    throw new Error(`Invalid configuration:\n${lines}`);
  }
  const e = parsed.data;
  return {
    env: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    // `npm start` runs the server workspace script inside apps/server; INIT_CWD is where the user typed it.
    dataDir: path.resolve(source.INIT_CWD ?? process.cwd(), e.DATA_DIR),
    embeddedPgPort: e.EMBEDDED_PG_PORT,
    adminPassword: e.HUIFANG_ADMIN_PASSWORD,
    demo: truthy(e.HUIFANG_DEMO) || argv.includes('--demo'),
    tenantName: e.HUIFANG_TENANT_NAME,
    logLevel: e.LOG_LEVEL,
    sessionIdleMinutes: e.SESSION_IDLE_MINUTES,
    sessionMaxHours: e.SESSION_MAX_HOURS,
    cookieSecure: truthy(e.COOKIE_SECURE),
    loginMaxFailuresPerAccount: e.LOGIN_MAX_FAILURES_PER_ACCOUNT,
    loginMaxFailuresPerIp: e.LOGIN_MAX_FAILURES_PER_IP,
    loginLockMinutes: e.LOGIN_LOCK_MINUTES,
    webDist: path.resolve(e.WEB_DIST ?? new URL('../../../web/dist', import.meta.url).pathname),
    defaultTimeZone: e.DEFAULT_TIME_ZONE,
    jobs: truthy(e.JOBS),
    smtpUrl: e.SMTP_URL,
    mailFrom: e.MAIL_FROM,
    publicBaseUrl: (e.PUBLIC_BASE_URL ?? `http://localhost:${e.PORT}`).replace(/\/$/, ''),
    surveySubmitRatePerMinute: e.SURVEY_SUBMIT_RATE_PER_MINUTE,
    kioskRatingsPerMinute: e.KIOSK_RATINGS_PER_MINUTE,
  };
}
