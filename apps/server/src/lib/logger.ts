import pino, { type LoggerOptions } from 'pino';
import { redactPiiText } from './redact.ts';

/**
 * Link tokens in request paths are credentials (whoever has one answers the survey, reviews the order, or posts SMS
 * receipts for the tenant): survey links /s/:token, buyer review links /review-links/:token, receipt webhooks
 * /public/sms-receipts/:provider/:token.
 */
const TOKEN_IN_PATH = /(\/(?:s|review-links|sms-receipts\/[a-z]+)\/)([^/?#]+)/g;
export const maskUrlTokens = (url: string) => url.replace(TOKEN_IN_PATH, '$1[redacted]');

/** Query parameters whose values say nothing about a person (paging, sorting, the export format). */
const SAFE_QUERY_KEYS = new Set(['page', 'pageSize', 'sort', 'format']);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The URL as logged: link tokens cut out, and every query value replaced by [redacted] except paging/sorting and
 * ids (a search `q=13528528043`, a name or an address typed into a filter would otherwise sit in the log).
 */
export function maskUrl(url: string): string {
  const qAt = url.indexOf('?');
  const path = maskUrlTokens(qAt < 0 ? url : url.slice(0, qAt));
  if (qAt < 0) return path;
  const query = url
    .slice(qAt + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      if (eq < 0) return pair === '' ? pair : '[redacted]';
      const key = pair.slice(0, eq);
      let value = pair.slice(eq + 1);
      try {
        value = decodeURIComponent(value.replace(/\+/g, ' '));
      } catch {
        return `${key}=[redacted]`;
      }
      return SAFE_QUERY_KEYS.has(key) || UUID.test(value) || value === '' ? pair : `${key}=[redacted]`;
    })
    .join('&');
  return `${path}?${query}`;
}

/**
 * Error properties that carry the data of a failed statement: Drizzle's `params` (and its message, which repeats
 * them), pg's `detail` ("Failing row contains (…)", "Key (phone)=(…) already exists"), `where`, `internalQuery` and
 * `parameters`. The statement text itself (with $1 placeholders) stays: it is what one needs to find the bug.
 */
const DATA_KEYS = ['params', 'parameters', 'detail', 'where', 'internalQuery', 'hint'] as const;

type TSerializedError = Record<string, unknown> & { message?: string; stack?: string };

/** pino's error serializer, minus the data values of failed SQL statements; phones/IDs/e-mail in messages masked. */
export function serializeError(err: unknown): unknown {
  const out = pino.stdSerializers.err(err as Error) as unknown as TSerializedError;
  if (out === null || typeof out !== 'object') return out;
  scrubError(out, 0);
  return out;
}

function scrubError(e: TSerializedError, depth: number): void {
  // Drizzle's message is `Failed query: <sql>\nparams: <params joined by commas>` (then ": <cause>" once pino has
  // appended the causes): cut out exactly the parameter text.
  const raw = (e as { raw?: { params?: unknown } }).raw;
  const paramText = raw && Array.isArray(raw.params) ? `\nparams: ${String(raw.params)}` : null;
  const clean = (s: string) => redactPiiText(paramText ? s.split(paramText).join('') : s);
  for (const k of DATA_KEYS) if (k in e) delete e[k];
  if (typeof e.message === 'string') e.message = clean(e.message);
  if (typeof e.stack === 'string') e.stack = clean(e.stack);
  if (depth > 5) return;
  for (const v of Object.values(e)) {
    if (v && typeof v === 'object' && !Array.isArray(v)) scrubError(v as TSerializedError, depth + 1);
    if (Array.isArray(v))
      for (const x of v) if (x && typeof x === 'object') scrubError(x as TSerializedError, depth + 1);
  }
}

type TLoggedRequest = {
  method?: string;
  url?: string;
  host?: string;
  hostname?: string;
  ip?: string;
  headers?: Record<string, unknown>;
  socket?: { remotePort?: number };
};

/**
 * Pino options. Secrets never reach the log: cookies, auth headers, passwords and CSRF tokens are redacted, and link
 * tokens are cut out of logged URLs (the request serializer is Fastify's default otherwise). Personal data neither:
 * query values are redacted, failed statements lose their parameters, and every line leaves with phone numbers, ID
 * numbers and e-mail addresses masked (the last net, for whatever a message or a library put there).
 */
export function loggerOptions(level: string): LoggerOptions {
  return {
    level,
    serializers: {
      req: (req: TLoggedRequest) => ({
        method: req.method,
        url: req.url === undefined ? undefined : maskUrl(req.url),
        host: req.host ?? req.hostname ?? req.headers?.host,
        remoteAddress: req.ip,
        remotePort: req.socket?.remotePort,
      }),
      err: serializeError,
      error: serializeError,
      cause: serializeError,
    },
    hooks: { streamWrite: redactPiiText },
    redact: {
      paths: [
        'req.headers.cookie',
        'req.headers.authorization',
        'req.headers["x-csrf-token"]',
        'res.headers["set-cookie"]',
        '*.password',
        '*.currentPassword',
        '*.newPassword',
        '*.passwordHash',
        'password',
      ],
      censor: '[redacted]',
    },
  };
}

/**
 * Route options for the ingestion hot paths (kiosk presses, open survey links), which DESIGN sizes at thousands of
 * requests a second: Fastify's two info lines per request ("incoming request", "request completed") cost about a
 * third more server CPU per press (bench/README.md). There the route logs at warn: an accepted request writes
 * nothing, a refused one (4xx) one warn line with its status and masked URL, and errors (5xx) are logged by the
 * error handler as everywhere.
 */
export const hotPathLogging = {
  logLevel: 'warn' as const,
  onResponse: (
    req: { method: string; url: string; log: { warn: (o: object, msg: string) => void } },
    reply: { statusCode: number; elapsedTime: number },
    done: () => void,
  ) => {
    if (reply.statusCode >= 400 && reply.statusCode < 500) {
      req.log.warn(
        {
          req: { method: req.method, url: maskUrl(req.url) },
          res: { statusCode: reply.statusCode },
          responseTime: reply.elapsedTime,
        },
        'request refused',
      );
    }
    done();
  },
};
