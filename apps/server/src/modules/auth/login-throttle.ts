import { eq, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.ts';
import { loginThrottle } from '../../db/schema/index.ts';

export interface TThrottlePolicy {
  maxFailures: number;
  windowMinutes: number;
  lockMinutes: number;
}

/** Seconds until `key` may try again, or 0 when it is not locked. */
export async function lockedForSeconds(db: DbOrTx, key: string, now: Date): Promise<number> {
  const [row] = await db.select({ lockedUntil: loginThrottle.lockedUntil }).from(loginThrottle).where(eq(loginThrottle.key, key));
  if (!row?.lockedUntil || row.lockedUntil <= now) return 0;
  return Math.ceil((row.lockedUntil.getTime() - now.getTime()) / 1000);
}

/**
 * Count one failure for `key` inside a sliding window; at `maxFailures` the key is locked for `lockMinutes`.
 * A single upsert, so concurrent failures from many processes are all counted.
 */
export async function recordFailure(db: DbOrTx, key: string, now: Date, p: TThrottlePolicy): Promise<void> {
  const windowStart = new Date(now.getTime() - p.windowMinutes * 60_000);
  const lockUntil = new Date(now.getTime() + p.lockMinutes * 60_000);
  await db.execute(sql`
    insert into login_throttle (key, failures, window_started_at, locked_until)
    values (${key}, 1, ${now}, ${p.maxFailures <= 1 ? lockUntil : null})
    on conflict (key) do update set
      failures = case when login_throttle.window_started_at < ${windowStart} then 1 else login_throttle.failures + 1 end,
      window_started_at = case when login_throttle.window_started_at < ${windowStart} then ${now} else login_throttle.window_started_at end,
      locked_until = case
        when (case when login_throttle.window_started_at < ${windowStart} then 1 else login_throttle.failures + 1 end) >= ${p.maxFailures}
        then ${lockUntil} else login_throttle.locked_until end`);
}

export async function clearFailures(db: DbOrTx, key: string): Promise<void> {
  await db.delete(loginThrottle).where(eq(loginThrottle.key, key));
}
