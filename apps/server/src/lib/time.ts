import { sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.ts';

/** Midnight of `now`'s calendar day in `timeZone` (e.g. Asia/Shanghai), as an instant. Postgres knows the zones. */
export async function startOfDay(db: DbOrTx, now: Date, timeZone: string): Promise<Date> {
  const res = await db.execute<{ d: Date | string }>(
    sql`select (date_trunc('day', ${now.toISOString()}::timestamptz at time zone ${timeZone}) at time zone ${timeZone}) as d`,
  );
  return new Date(res.rows[0]!.d);
}
