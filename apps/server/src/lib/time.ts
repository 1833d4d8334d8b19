import { sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.ts';

/** Midnight of `now`'s calendar day in `timeZone` (e.g. Asia/Shanghai), as an instant. Postgres knows the zones. */
export async function startOfDay(db: DbOrTx, now: Date, timeZone: string): Promise<Date> {
  const res = await db.execute<{ d: Date | string }>(
    sql`select (date_trunc('day', ${now.toISOString()}::timestamptz at time zone ${timeZone}) at time zone ${timeZone}) as d`,
  );
  return new Date(res.rows[0]!.d);
}

/** The tenant's time zone (tenants.time_zone; Asia/Shanghai when unset): every "local day" and export time uses it. */
export async function tenantTimeZone(db: DbOrTx, tenantId: string): Promise<string> {
  const res = await db.execute<{ time_zone: string | null }>(sql`select time_zone from tenants where id = ${tenantId}`);
  return res.rows[0]?.time_zone ?? 'Asia/Shanghai';
}
