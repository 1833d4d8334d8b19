import net from 'node:net';
import path from 'node:path';
import { z } from 'zod';

/** Named address ranges proxy-addr (Fastify's trustProxy) understands. */
const PROXY_KEYWORDS = new Set(['loopback', 'linklocal', 'uniquelocal']);
const isProxyEntry = (s: string) => {
  if (PROXY_KEYWORDS.has(s)) return true;
  const [addr = '', bits, ...rest] = s.split('/');
  const family = net.isIP(addr);
  if (!family || rest.length > 0) return false;
  if (bits === undefined) return true;
  const n = Number(bits);
  return /^[0-9]{1,3}$/.test(bits) && n <= (family === 4 ? 32 : 128);
};

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
  /**
   * Reverse proxies whose X-Forwarded-For / -Proto / -Host are believed: comma-separated addresses or CIDRs, or
   * loopback / linklocal / uniquelocal. Unset → the headers are ignored and the client is the TCP peer. `true` is
   * refused: it would let any client choose its own IP (and so its own login and rate-limit buckets).
   */
  TRUST_PROXY: z
    .string()
    .default('')
    .transform((v) =>
      v
        .split(',')
        .map((x) => x.trim())
        .filter((x) => x && x !== 'false' && x !== '0'),
    )
    .refine(
      (list) => list.every(isProxyEntry),
      'list the proxy addresses or CIDRs (e.g. 127.0.0.1,10.0.0.0/8) or loopback; true is not accepted',
    ),
  /** Force the Secure flag on cookies even on requests that look like plain HTTP (a TLS proxy not listed in TRUST_PROXY). */
  COOKIE_SECURE: z.enum(['0', '1', 'true', 'false']).default('false'),
  /** Strict-Transport-Security max-age, sent when the install is configured for HTTPS (https PUBLIC_BASE_URL or COOKIE_SECURE); 0 turns it off. */
  HSTS_MAX_AGE: z.coerce.number().int().min(0).default(31_536_000),
  /** Free failed logins per account and source before each further failure makes that source wait. */
  LOGIN_MAX_FAILURES_PER_ACCOUNT: z.coerce.number().int().min(1).default(5),
  /** Free failed logins from one source (any account) before that source must wait. */
  LOGIN_MAX_FAILURES_PER_IP: z.coerce.number().int().min(1).default(30),
  /** First wait after the free failures; it doubles with every further failure. */
  LOGIN_BACKOFF_SECONDS: z.coerce.number().int().min(1).default(30),
  /** Longest wait; the counter resets after twice this long without a failure. */
  LOGIN_LOCK_MINUTES: z.coerce.number().int().min(1).default(15),
  /** Login requests accepted per minute from one source (in memory, per process), failed or not. */
  LOGIN_RATE_PER_MINUTE: z.coerce.number().int().min(1).default(60),
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
  /** Trusted reverse proxies (Fastify trustProxy list); empty → forwarded headers ignored. */
  trustProxy: string[];
  cookieSecure: boolean;
  /** Strict-Transport-Security max-age in seconds; 0 → no header. */
  hstsMaxAge: number;
  loginMaxFailuresPerAccount: number;
  loginMaxFailuresPerIp: number;
  loginBackoffSeconds: number;
  loginLockMinutes: number;
  loginRatePerMinute: number;
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
    trustProxy: e.TRUST_PROXY,
    cookieSecure: truthy(e.COOKIE_SECURE),
    hstsMaxAge: (e.PUBLIC_BASE_URL ?? '').startsWith('https://') || truthy(e.COOKIE_SECURE) ? e.HSTS_MAX_AGE : 0,
    loginMaxFailuresPerAccount: e.LOGIN_MAX_FAILURES_PER_ACCOUNT,
    loginMaxFailuresPerIp: e.LOGIN_MAX_FAILURES_PER_IP,
    loginBackoffSeconds: e.LOGIN_BACKOFF_SECONDS,
    loginLockMinutes: e.LOGIN_LOCK_MINUTES,
    loginRatePerMinute: e.LOGIN_RATE_PER_MINUTE,
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
