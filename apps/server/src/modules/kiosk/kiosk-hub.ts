import pg from 'pg';
import { sql } from 'drizzle-orm';
import type { Db, DbOrTx } from '../../db/client.ts';
import { pgArray } from '../../lib/scope.ts';

/**
 * Live fan-out for kiosks across server processes: a change is announced with `pg_notify` inside the transaction
 * that makes it (Postgres delivers it at commit, to every process LISTENing), and each process pushes the new state
 * to its own SSE subscribers. The payload names only what changed; subscribers re-read the state from the database,
 * which is also what a reconnecting kiosk does (Last-Event-ID or not).
 */
export const KIOSK_CHANNEL = 'huifang_kiosk';

export type TKioskSignal =
  | { k: 'counter'; t: string; c: string }
  /** An outlet's queue changed (a number taken, called, skipped…): hall displays and phone pages re-read (modules/queue). */
  | { k: 'queue'; t: string; o: string }
  /** A device was revoked or an outlet's key settings changed: drop cached device lookups. */
  | { k: 'devices'; t: string };

export async function announce(tx: DbOrTx, signal: TKioskSignal): Promise<void> {
  await tx.execute(sql`select pg_notify(${KIOSK_CHANNEL}, ${JSON.stringify(signal)})`);
}

/**
 * The hot paths' form of `announce`: the signals of a change sent AFTER its transaction committed, in one statement
 * of their own. A pg_notify inside a transaction makes its commit take Postgres' one database-wide notify lock until
 * the commit is flushed, which serialises the commits of every notifying transaction (queue takes and calls at
 * peak: bench/queue-peak.ts). A signal lost here (the database gone right after the commit) only delays a live page
 * until the next change or its reconnect, so a failure is not the request's.
 */
export async function publish(db: DbOrTx, signals: readonly TKioskSignal[]): Promise<void> {
  const payloads = [...new Set(signals.map((s) => JSON.stringify(s)))];
  if (payloads.length === 0) return;
  await db
    .execute(sql`select pg_notify(${KIOSK_CHANNEL}, p) from unnest(${pgArray(payloads, 'text')}) p`)
    .catch(() => undefined);
}

type TListener = (signal: TKioskSignal) => void;

export interface TKioskHub {
  /** Listen to signals for one counter (`tenant:counter`); returns the unsubscribe function. */
  subscribe(key: string, fn: () => void): () => void;
  onSignal(fn: TListener): void;
  /** Signals seen by this process, also called by the process that sent them (no LISTEN round trip needed). */
  dispatch(signal: TKioskSignal): void;
  start(): Promise<void>;
  stop(): Promise<void>;
  subscriberCount(): number;
}

export function createKioskHub(db: Db, log: { warn(o: object, m: string): void }): TKioskHub {
  const subs = new Map<string, Set<() => void>>();
  const listeners: TListener[] = [];
  let client: pg.Client | null = null;
  let stopped = false;
  let retry: NodeJS.Timeout | null = null;

  const dispatch = (s: TKioskSignal) => {
    for (const l of listeners) l(s);
    if (s.k === 'counter') for (const fn of subs.get(`${s.t}:${s.c}`) ?? []) fn();
    if (s.k === 'queue') for (const fn of subs.get(`${s.t}:queue:${s.o}`) ?? []) fn();
  };

  /** After a lost LISTEN connection no signal arrived for a while: on reconnecting, every subscriber re-reads its state. */
  let hasMissedSignals = false;
  const reconnectLater = (ms: number) => {
    if (stopped || retry) return;
    retry = setTimeout(() => {
      retry = null;
      void connect();
    }, ms);
  };
  const connect = async () => {
    if (stopped) return;
    const pool = (db as unknown as { $client: pg.Pool }).$client;
    const c = new pg.Client({ ...(pool.options as pg.ClientConfig), application_name: 'huifang-kiosk-listen' });
    c.on('notification', (msg) => {
      if (msg.channel !== KIOSK_CHANNEL || !msg.payload) return;
      try {
        dispatch(JSON.parse(msg.payload) as TKioskSignal);
      } catch {
        /* not ours */
      }
    });
    // Always listening: an unheard 'error' on a pg Client is an uncaught exception that ends the process.
    c.on('error', (err) => {
      if (client !== c) return; // failed while connecting: handled below
      log.warn({ err }, 'kiosk LISTEN connection lost; reconnecting');
      client = null;
      hasMissedSignals = true;
      void c.end().catch(() => undefined);
      reconnectLater(1000);
    });
    try {
      await c.connect();
      await c.query(`LISTEN ${KIOSK_CHANNEL}`);
      if (stopped) {
        await c.end();
        return;
      }
      client = c;
      if (hasMissedSignals) {
        hasMissedSignals = false;
        dispatchAll();
      }
    } catch (err) {
      log.warn({ err }, 'kiosk LISTEN failed; retrying');
      await c.end().catch(() => undefined);
      reconnectLater(2000);
    }
  };
  const dispatchAll = () => {
    for (const set of subs.values()) for (const fn of set) fn();
    for (const l of listeners) l({ k: 'devices', t: '*' });
  };

  return {
    subscribe(key, fn) {
      let set = subs.get(key);
      if (!set) subs.set(key, (set = new Set()));
      set.add(fn);
      return () => {
        set.delete(fn);
        if (set.size === 0) subs.delete(key);
      };
    },
    onSignal(fn) {
      listeners.push(fn);
    },
    dispatch,
    start: connect,
    async stop() {
      stopped = true;
      if (retry) clearTimeout(retry);
      retry = null;
      const c = client;
      client = null;
      if (c) await c.end().catch(() => undefined);
    },
    subscriberCount: () => [...subs.values()].reduce((n, s) => n + s.size, 0),
  };
}
