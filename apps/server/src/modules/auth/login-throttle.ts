import { eq, inArray, like, sql } from 'drizzle-orm';
import type { Db, DbOrTx } from '../../db/client.ts';
import { loginThrottle } from '../../db/schema/index.ts';

/**
 * Failed-login slow-down (登录失败限速). Each key counts consecutive failed attempts; the first `freeFailures` cost
 * nothing, then every failure makes the key wait `backoffSeconds · 2^(n − free)`, capped at `maxWaitSeconds`.
 * A key forgets its count after twice the cap without an attempt.
 *
 * Keys are per account *and source* (`acct:<tenant>:<username>:src:<ip>`) and per source over all accounts
 * (`ip:<ip>`): a stranger failing against an account slows only himself, never the account holder on his own
 * network. Rows: `failures` = consecutive counted attempts, `window_started_at` = the last counted attempt,
 * `locked_until` = when the key may try again.
 */
export interface TBackoffPolicy {
  freeFailures: number;
  backoffSeconds: number;
  maxWaitSeconds: number;
}

/** Seconds a key must wait after its `failures`-th consecutive failure (0 while failures are still free). */
export function waitAfter(failures: number, p: TBackoffPolicy): number {
  if (failures < p.freeFailures) return 0;
  return Math.min(p.backoffSeconds * 2 ** Math.min(failures - p.freeFailures, 30), p.maxWaitSeconds);
}

export const accountSourceKey = (tenantId: string, username: string, ip: string | null) =>
  `acct:${tenantId}:${username}:src:${ip ?? 'unknown'}`;
export const sourceKey = (ip: string | null) => `ip:${ip ?? 'unknown'}`;

export interface TClaim {
  key: string;
  /** Consecutive attempts counted so far, this one included. */
  failures: number;
  /** Wait this attempt's failure imposes (0 = none). */
  waitSeconds: number;
}

export type TClaimResult = { isAllowed: true; claims: TClaim[] } | { isAllowed: false; retryAfterSeconds: number };

/**
 * Claim one login attempt on every key at once, before the password is checked. The attempt is counted as a failure
 * up front (a success refunds it), in one transaction holding the keys' rows, so N concurrent attempts against a key
 * with N free failures let exactly N through. If any key is waiting, nothing is counted and the attempt is refused.
 */
export async function claimAttempt(
  db: Db,
  keys: { key: string; policy: TBackoffPolicy }[],
  now: Date,
): Promise<TClaimResult> {
  const sorted = [...keys].sort((a, b) => a.key.localeCompare(b.key)); // one lock order: no deadlocks
  return db.transaction(async (tx) => {
    await tx
      .insert(loginThrottle)
      .values(sorted.map(({ key }) => ({ key, failures: 0, windowStartedAt: now })))
      .onConflictDoNothing();
    const rows = await tx
      .select()
      .from(loginThrottle)
      .where(
        inArray(
          loginThrottle.key,
          sorted.map((k) => k.key),
        ),
      )
      .for('update');
    const byKey = new Map(rows.map((r) => [r.key, r]));
    let retryAfter = 0;
    for (const { key } of sorted) {
      const lockedUntil = byKey.get(key)?.lockedUntil;
      if (lockedUntil && lockedUntil > now)
        retryAfter = Math.max(retryAfter, Math.ceil((lockedUntil.getTime() - now.getTime()) / 1000));
    }
    if (retryAfter > 0) return { isAllowed: false as const, retryAfterSeconds: retryAfter };
    const claims: TClaim[] = [];
    for (const { key, policy } of sorted) {
      const row = byKey.get(key);
      const isStale = !row || row.windowStartedAt.getTime() < now.getTime() - 2 * policy.maxWaitSeconds * 1000;
      const failures = (isStale ? 0 : row.failures) + 1;
      const waitSeconds = waitAfter(failures, policy);
      await tx
        .update(loginThrottle)
        .set({
          failures,
          windowStartedAt: now,
          lockedUntil: waitSeconds > 0 ? new Date(now.getTime() + waitSeconds * 1000) : null,
        })
        .where(eq(loginThrottle.key, key));
      claims.push({ key, failures, waitSeconds });
    }
    return { isAllowed: true as const, claims };
  });
}

/** After a successful login: the account-and-source count starts over. */
export async function clearKey(db: DbOrTx, key: string): Promise<void> {
  await db.delete(loginThrottle).where(eq(loginThrottle.key, key));
}

/**
 * After a successful login: give back the attempt claimed on a shared key (a source where many people log in, such
 * as an office behind one address), lifting the wait this attempt may have started.
 */
export async function refundAttempt(db: DbOrTx, key: string, policy: TBackoffPolicy): Promise<void> {
  await db
    .update(loginThrottle)
    .set({
      failures: sql`greatest(${loginThrottle.failures} - 1, 0)`,
      lockedUntil: sql`case when ${loginThrottle.failures} - 1 < ${policy.freeFailures} then null else ${loginThrottle.lockedUntil} end`,
    })
    .where(eq(loginThrottle.key, key));
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/** Lift every wait on an account, from every source (the admin's 解除锁定). Returns how many sources were waiting. */
export async function clearAccountThrottle(db: DbOrTx, tenantId: string, username: string, now: Date): Promise<number> {
  const prefix = `acct:${tenantId}:${username.toLowerCase()}:src:`;
  const rows = await db
    .delete(loginThrottle)
    .where(like(loginThrottle.key, `${escapeLike(prefix)}%`))
    .returning({ lockedUntil: loginThrottle.lockedUntil });
  return rows.filter((r) => r.lockedUntil && r.lockedUntil > now).length;
}
