import type { TKioskRatingInput } from '@huifang/shared';
import { ApiError } from '../../api/client.ts';
import { sendRating } from './device-api.ts';

/**
 * Ratings are written to localStorage first, with their Idempotency-Key, then delivered; a failed delivery (network
 * down, 5xx, 429) is retried with exponential backoff (1 s … 60 s). The server stores one evaluation per key and per
 * session, so a retry after a lost response never doubles it. A definitive refusal (4xx: already rated, unknown
 * session, revoked device) drops the item.
 */
const STORAGE_KEY = 'hf.kiosk.queue';

export interface TQueued {
  key: string;
  body: TKioskRatingInput;
  attempts: number;
  nextAt: number;
}

const read = (): TQueued[] => {
  try {
    return JSON.parse(localStorage.getItem(STORAGE_KEY) ?? '[]') as TQueued[];
  } catch {
    return [];
  }
};
const write = (items: TQueued[]) => localStorage.setItem(STORAGE_KEY, JSON.stringify(items));

export const queued = () => read();

export function enqueue(body: TKioskRatingInput): TQueued {
  const item = { key: crypto.randomUUID(), body, attempts: 0, nextAt: 0 };
  write([...read(), item]);
  return item;
}

let flushing: Promise<void> | null = null;

/** Deliver every due item once; concurrent calls share one run. */
export function flush(now = () => Date.now()): Promise<void> {
  // Cleared in a .finally() (asynchronous): clearing inside the run would happen before the assignment when the
  // queue is empty, leaving a settled promise that blocks every later flush.
  flushing ??= deliver(now).finally(() => {
    flushing = null;
  });
  return flushing;
}

async function deliver(now: () => number): Promise<void> {
  for (const item of read()) {
    if (item.nextAt > now()) continue;
    let done = false;
    try {
      await sendRating(item.body, item.key);
      done = true;
    } catch (err) {
      done =
        err instanceof ApiError && err.status >= 400 && err.status < 500 && err.status !== 429 && err.status !== 401;
      if (!done) {
        const attempts = item.attempts + 1;
        write(
          read().map((q) =>
            q.key === item.key
              ? { ...q, attempts, nextAt: now() + Math.min(60_000, 1000 * 2 ** Math.min(attempts - 1, 6)) }
              : q,
          ),
        );
        if (!(err instanceof ApiError)) break; // network down: the rest would fail too
      }
    }
    if (done) write(read().filter((q) => q.key !== item.key));
  }
}

/** Make every waiting item due now (the browser says it is back online). */
export function retryNow(): void {
  write(read().map((q) => ({ ...q, nextAt: 0 })));
}
