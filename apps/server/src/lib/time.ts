import { inArray, sql, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.ts';
import { tenants } from '../db/schema/index.ts';

/** Midnight of `now`'s calendar day in `timeZone` (e.g. Asia/Shanghai), as an instant. Postgres knows the zones. */
export async function startOfDay(db: DbOrTx, now: Date, timeZone: string): Promise<Date> {
  const res = await db.execute<{ d: Date | string }>(
    sql`select (date_trunc('day', ${now.toISOString()}::timestamptz at time zone ${timeZone}) at time zone ${timeZone}) as d`,
  );
  return new Date(res.rows[0]!.d);
}

/** A tenant's time zone when tenants.time_zone is unset (and the demo's). */
export const DEFAULT_TIME_ZONE = 'Asia/Shanghai';

/**
 * The one reader of tenants.time_zone: every "local day", business-calendar step and export time of a tenant uses the
 * zone this returns (DEFAULT_TIME_ZONE when unset). Batch form for jobs that handle several tenants at once.
 */
export async function tenantTimeZones(db: DbOrTx, tenantIds: readonly string[]): Promise<Map<string, string>> {
  const ids = [...new Set(tenantIds)];
  const rows = ids.length
    ? await db.select({ id: tenants.id, tz: tenants.timeZone }).from(tenants).where(inArray(tenants.id, ids))
    : [];
  const found = new Map(rows.map((r) => [r.id, r.tz]));
  return new Map(ids.map((id) => [id, found.get(id) ?? DEFAULT_TIME_ZONE]));
}

/** The tenant's time zone (see tenantTimeZones). */
export async function tenantTimeZone(db: DbOrTx, tenantId: string): Promise<string> {
  return (await tenantTimeZones(db, [tenantId])).get(tenantId) ?? DEFAULT_TIME_ZONE;
}

/** tenantTimeZone as an SQL expression, for a hot path that reads it in the same statement as other things. */
export function tenantTimeZoneSql(tenantId: SQL): SQL {
  return sql`coalesce((select tn.time_zone from tenants tn where tn.id = ${tenantId}), ${DEFAULT_TIME_ZONE})`;
}
