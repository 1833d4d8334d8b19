import { sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.ts';
import type { TScope } from '../../lib/scope.ts';

/** A teller's own counter figures for the dashboard 工作台: customers served today (service sessions started since midnight). */
export async function myCounterFigures(db: DbOrTx, scope: TScope, todayStart: Date) {
  const res = await db.execute<{ served: number; handling: number | null }>(sql`
    select count(*)::int as served, round(avg(s.handling_seconds))::int as handling
    from service_sessions s where s.tenant_id = ${scope.tenantId} and s.staff_id = ${scope.userId} and s.started_at >= ${todayStart}`);
  const r = res.rows[0];
  return {
    servedToday: Number(r?.served ?? 0),
    avgHandlingSecondsToday: r?.handling === null || r?.handling === undefined ? null : Number(r.handling),
  };
}
