import crypto from 'node:crypto';
import { sql } from 'drizzle-orm';
import { DEFAULT_KIOSK_KEYS, DEFAULT_KIOSK_TIMEOUT_SECONDS, type TKioskKey } from '@huifang/shared';
import type { DbOrTx } from '../../db/client.ts';
import { AppError } from '../../lib/app-error.ts';

/** A paired device as the hot path needs it: where it stands and which keys its outlet uses. */
export interface TDeviceCtx {
  id: string;
  tenantId: string;
  counterId: string;
  counterName: string;
  outletId: string;
  outletName: string;
  keys: TKioskKey[];
  timeoutSeconds: number;
}

export const DEVICE_COOKIE = 'hf_kiosk';
export const newDeviceToken = () => crypto.randomBytes(32).toString('base64url');
/** One-shot crypto.hash: about a third of the CPU of createHash().update().digest() for a token (bench/README.md). */
export const sha256 = (s: string) => crypto.hash('sha256', s, 'hex');

/** Pairing codes: 8 characters without look-alikes (0/O, 1/I), ~40 bits, single use, 10 minutes. */
const CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
export function newPairingCode(): string {
  const bytes = crypto.randomBytes(8);
  return [...bytes].map((b) => CODE_ALPHABET[b % 32]).join('');
}
export const normalizeCode = (code: string) => code.toUpperCase().replace(/[^A-Z0-9]/g, '');

const TTL_MS = 10_000;
const MAX_ENTRIES = 10_000;

/**
 * Device-token lookups cached in memory for a few seconds: the rating endpoint must stay one database round trip.
 * Revocation and settings changes clear the cache here at once and in other processes through the kiosk channel,
 * so a revoked token is refused within the TTL at worst (when the LISTEN connection is down).
 */
export function createDeviceCache() {
  const map = new Map<string, { ctx: TDeviceCtx | null; exp: number }>();
  const byHash = async (db: DbOrTx, hash: string): Promise<TDeviceCtx | null> => {
    const hit = map.get(hash);
    const now = Date.now();
    if (hit && hit.exp > now) return hit.ctx;
    const ctx = await loadDevice(db, hash);
    if (map.size >= MAX_ENTRIES) map.clear();
    map.set(hash, { ctx, exp: now + TTL_MS });
    return ctx;
  };
  return {
    get: (db: DbOrTx, token: string) => byHash(db, sha256(token)),
    /** The same by the token's sha256 (a request that has hashed its token already, see kiosk.routes.ts). */
    byHash,
    clear: () => map.clear(),
  };
}
export type TDeviceCache = ReturnType<typeof createDeviceCache>;

async function loadDevice(db: DbOrTx, tokenHash: string): Promise<TDeviceCtx | null> {
  const res = await db.execute<{
    id: string;
    tenant_id: string;
    counter_id: string;
    counter_name: string;
    outlet_id: string;
    outlet_name: string;
    keys: TKioskKey[] | null;
    timeout_seconds: number | null;
  }>(sql`
    select d.id, d.tenant_id, d.counter_id, c.name as counter_name, d.outlet_id, o.name as outlet_name, ks.keys, ks.timeout_seconds
    from kiosk_devices d
    join org_units c on c.id = d.counter_id
    join org_units o on o.id = d.outlet_id
    left join kiosk_settings ks on ks.tenant_id = d.tenant_id and ks.outlet_id = d.outlet_id
    where d.token_hash = ${tokenHash} and d.revoked_at is null and c.is_active`);
  const r = res.rows[0];
  if (!r) return null;
  return {
    id: r.id,
    tenantId: r.tenant_id,
    counterId: r.counter_id,
    counterName: r.counter_name,
    outletId: r.outlet_id,
    outletName: r.outlet_name,
    keys: r.keys ?? DEFAULT_KIOSK_KEYS.map((k) => ({ ...k })),
    timeoutSeconds: r.timeout_seconds ?? DEFAULT_KIOSK_TIMEOUT_SECONDS,
  };
}

/** The device token comes as `Authorization: Bearer …` (API clients, the bench) or the kiosk page's HttpOnly cookie. */
export function tokenFrom(
  headers: Record<string, unknown>,
  cookies: Record<string, string | undefined>,
): string | null {
  const auth = headers.authorization;
  if (typeof auth === 'string' && auth.startsWith('Bearer ')) return auth.slice(7).trim() || null;
  return cookies[DEVICE_COOKIE] ?? null;
}

/** The device of a token, by the token's sha256 (null: no token sent). */
export async function requireDevice(cache: TDeviceCache, db: DbOrTx, tokenHash: string | null): Promise<TDeviceCtx> {
  const ctx = tokenHash ? await cache.byHash(db, tokenHash) : null;
  if (!ctx) throw new AppError('UNAUTHENTICATED', 'unknown or revoked device token');
  return ctx;
}
