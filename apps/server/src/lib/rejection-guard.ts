import type { Logger } from 'pino';
import { isDbUnavailable } from './db-errors.ts';

/**
 * What the process does with a promise rejection nobody awaited. Libraries start promises of their own: pg-boss
 * completes each job without awaiting it, so a Postgres restart at that moment rejects into the void. Such a
 * "database unavailable" rejection is logged and the process serves on (the next query reconnects, health says
 * degraded meanwhile); any other unhandled rejection is a bug of unknown extent, and the process exits so that its
 * supervisor restarts it clean.
 */
export function onUnhandledRejection(log: Pick<Logger, 'warn' | 'fatal'>, exit: (code: number) => void) {
  return (err: unknown): void => {
    if (isDbUnavailable(err)) {
      log.warn({ err }, 'database unavailable in a background promise; serving on');
      return;
    }
    log.fatal({ err }, 'unhandled promise rejection; exiting');
    exit(1);
  };
}
