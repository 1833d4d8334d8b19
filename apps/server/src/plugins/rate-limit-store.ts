/**
 * In-memory store for @fastify/rate-limit (fixed window per key, per process).
 *
 * Why not the plugin's own LocalStore: it hands every caller the *same* mutable counter object and the plugin reads
 * it a microtask later, so N concurrent requests all read the count after the last increment — 50 concurrent logins
 * against a limit of 9 were all refused. This store answers each request with a snapshot of its own count, so
 * exactly `max` pass in a window however many arrive at once.
 */
type TEntry = { current: number; windowStartMs: number };
type TCallback = (err: Error | null, res: { current: number; ttl: number }) => void;

const MAX_KEYS = 5000;

export class SnapshotRateLimitStore {
  private readonly entries = new Map<string, TEntry>();

  incr(key: string, cb: TCallback, timeWindow: number): void {
    const now = Date.now();
    let e = this.entries.get(key);
    if (!e || e.windowStartMs + timeWindow <= now) {
      e = { current: 0, windowStartMs: now };
    }
    e.current += 1;
    // Re-insert so the Map's order is least-recently-used first; drop the oldest keys past the cap.
    this.entries.delete(key);
    this.entries.set(key, e);
    if (this.entries.size > MAX_KEYS) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    cb(null, { current: e.current, ttl: e.windowStartMs + timeWindow - now });
  }

  read(key: string, cb: TCallback, timeWindow: number): void {
    const now = Date.now();
    const e = this.entries.get(key);
    if (!e || e.windowStartMs + timeWindow <= now) cb(null, { current: 0, ttl: 0 });
    else cb(null, { current: e.current, ttl: e.windowStartMs + timeWindow - now });
  }

  /** One store per rate-limited route, as the plugin expects. */
  child(): SnapshotRateLimitStore {
    return new SnapshotRateLimitStore();
  }
}
