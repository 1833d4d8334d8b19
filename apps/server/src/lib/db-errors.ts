/**
 * Is this error "the database cannot be reached right now" (Postgres restarting, a connection killed, refused or
 * timed out) rather than a fault of the request or the code? Such errors answer 503 DB_UNAVAILABLE and the next
 * request, on a fresh connection, succeeds once Postgres is back. Drizzle wraps driver errors, so the cause chain
 * is followed.
 */
const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
const MESSAGES = [
  'Connection terminated',
  'connection error and is not queryable',
  'timeout exceeded when trying to connect',
  'the database system is starting up',
  'the database system is shutting down',
  'the database system is in recovery mode',
  'terminating connection due to',
];

export function isDbUnavailable(err: unknown): boolean {
  let e: unknown = err;
  for (let depth = 0; e && depth < 5; depth++) {
    if (typeof e !== 'object') return false;
    const { code, message, cause } = e as { code?: unknown; message?: unknown; cause?: unknown };
    if (typeof code === 'string') {
      // SQLSTATE class 08 (connection exception), 57P01–57P03 (admin / crash shutdown, cannot connect now).
      if (/^08...$/.test(code) || code === '57P01' || code === '57P02' || code === '57P03' || SOCKET_CODES.has(code))
        return true;
    }
    if (typeof message === 'string' && MESSAGES.some((m) => message.includes(m))) return true;
    e = cause;
  }
  return false;
}
