import { sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.ts';
import { unitVisible, type TScope } from '../../lib/scope.ts';
import { readEvaluationHourRollups, type THourRollupFigures } from '../evaluations/hour-rollups.ts';
import type { TRollupFilter } from '../evaluations/rollups.ts';
import { hourKey } from './analysis-range.ts';

/**
 * The hour cuts of 统计分析 — by hour of day (时段, 0–23 summed over the range) or by local day × hour (the hour
 * granularity of the period cut) — from the hour read models only: evaluation_hour_rollups (hour-rollups.ts) and
 * session_hour_rollups (客流量 by outlet; it has no staff, counter or business type, so `sessions` is null when the
 * caller filters by one of those or is scoped to his own rows).
 */
export interface THourCutRow {
  key: string;
  evaluations: Omit<THourRollupFigures, 'keys'> | null;
  sessions: number;
}

export async function readHourCut(
  db: DbOrTx,
  scope: TScope,
  filter: TRollupFilter,
  opts: { byHourOfDay: boolean; sessionsOfUnitPath: string | null },
): Promise<Map<string, THourCutRow>> {
  const out = new Map<string, THourCutRow>();
  const row = (key: string) => {
    let r = out.get(key);
    if (!r) out.set(key, (r = { key, evaluations: null, sessions: 0 }));
    return r;
  };
  const keyOf = (day: string | undefined, hour: number) => (opts.byHourOfDay ? String(hour) : hourKey(day ?? '', hour));
  const figures = await readEvaluationHourRollups(db, scope, filter, opts.byHourOfDay ? ['hour'] : ['day', 'hour']);
  for (const f of figures) {
    const { keys, ...rest } = f;
    row(keyOf(keys.day, Number(keys.hour))).evaluations = rest;
  }
  if (opts.sessionsOfUnitPath !== null) {
    const res = await db.execute<{ day: string; hour: number; sessions: number }>(sql`
      select ${opts.byHourOfDay ? sql`''` : sql`to_char(h.day, 'YYYY-MM-DD')`} as day, h.hour::int as hour,
             sum(h.sessions)::int as sessions
      from session_hour_rollups h
      where h.tenant_id = ${scope.tenantId} and ${unitVisible(scope, sql`h.outlet_id`)}
        and h.outlet_id in (select ou.id from org_units ou where ou.tenant_id = ${scope.tenantId} and ou.path like ${opts.sessionsOfUnitPath + '%'})
        and h.day >= ${filter.fromDay}::date and h.day < ${filter.toDay}::date
      group by 1, 2`);
    for (const s of res.rows) row(keyOf(s.day, Number(s.hour))).sessions += Number(s.sessions);
  }
  return out;
}
