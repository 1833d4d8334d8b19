import type { LoggerOptions } from 'pino';

/**
 * Link tokens in request paths are credentials (whoever has one answers the survey, reviews the order, or posts SMS
 * receipts for the tenant): survey links /s/:token, buyer review links /review-links/:token, receipt webhooks
 * /public/sms-receipts/:provider/:token.
 */
const TOKEN_IN_PATH = /(\/(?:s|review-links|sms-receipts\/[a-z]+)\/)([^/?#]+)/g;
export const maskUrlTokens = (url: string) => url.replace(TOKEN_IN_PATH, '$1[redacted]');

type TLoggedRequest = { method?: string; url?: string; host?: string; hostname?: string; ip?: string; headers?: Record<string, unknown>; socket?: { remotePort?: number } };

/**
 * Pino options. Secrets never reach the log: cookies, auth headers, passwords and CSRF tokens are redacted, and link
 * tokens are cut out of logged URLs (the request serializer is Fastify's default otherwise).
 */
export function loggerOptions(level: string): LoggerOptions {
  return {
    level,
    serializers: {
      req: (req: TLoggedRequest) => ({
        method: req.method,
        url: req.url === undefined ? undefined : maskUrlTokens(req.url),
        host: req.host ?? req.hostname ?? req.headers?.host,
        remoteAddress: req.ip,
        remotePort: req.socket?.remotePort,
      }),
    },
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
