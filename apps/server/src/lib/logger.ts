import type { LoggerOptions } from 'pino';

/** Pino options. Secrets never reach the log: cookies, auth headers, passwords and CSRF tokens are redacted. */
export function loggerOptions(level: string): LoggerOptions {
  return {
    level,
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
