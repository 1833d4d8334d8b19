import { sql, type SQL } from 'drizzle-orm';
import type { TQueueFigures, TQueueFiguresQuery } from '@huifang/shared';
import type { DbOrTx } from '../../db/client.ts';
import { unitVisible, type TScope } from '../../lib/scope.ts';
import { localDayTime } from './queue-rules.ts';
import { sessionEvaluationMatch } from '../kiosk/kiosk.service.ts';

/** Wait bands 等候时长 for the rating comparison (minutes, lower bound inclusive). */
export const WAIT_BANDS = [
  { band: '<5', from: 0, to: 5 },
  { band: '5-15', from: 5, to: 15 },
  { band: '15-30', from: 15, to: 30 },
  { band: '>=30', from: 30, to: null },
] as const;

const num = (v: unknown) => (v === null || v === undefined ? null : Math.round(Number(v)));

/**
 * 排队统计 over tickets taken in [from, to): taken, served (called to a counter), abandoned (no-show, or never called
 * by the end of their day), wait (take → first call) and handling (the visit's service session) mean and p90, per
 * outlet / type / counter / local hour; the hour × weekday heat map; kiosk ratings by wait band. Tickets of the
 * outlets the caller sees.
 */
export async function queueFigures(
  db: DbOrTx,
  scope: TScope,
  q: TQueueFiguresQuery,
  timeZone: string,
  now: Date,
): Promise<TQueueFigures> {
  const today = localDayTime(now, timeZone).day;
  const conds: SQL[] = [
    sql`q.tenant_id = ${scope.tenantId}`,
    unitVisible(scope, sql`q.outlet_id`),
    sql`q.taken_at >= ${new Date(q.from)}`,
    sql`q.taken_at < ${new Date(q.to)}`,
  ];
  if (q.unitId)
    conds.push(sql`q.outlet_id in (select ou.id from org_units ou where ou.tenant_id = ${scope.tenantId}
      and ou.path like (select p.path from org_units p where p.id = ${q.unitId} and p.tenant_id = ${scope.tenantId}) || '%')`);
  const base = sql`
    with t as (
      select q.*, s.handling_seconds,
             extract(epoch from (q.first_called_at - q.taken_at)) as wait_s,
             (q.taken_at at time zone ${timeZone}) as local_taken,
             (q.status = 'no_show' or (q.status = 'waiting' and q.day < ${today}::date)) as is_abandoned
      from queue_tickets q
      left join service_sessions s on s.tenant_id = q.tenant_id and s.id = q.session_id
      where ${sql.join(conds, sql` and `)}
    )`;
  const key =
    q.groupBy === 'outlet'
      ? sql`t.outlet_id::text`
      : q.groupBy === 'type'
        ? sql`t.taken_type_id::text`
        : q.groupBy === 'counter'
          ? sql`coalesce(t.counter_id::text, '')`
          : sql`extract(hour from t.local_taken)::int::text`;
  const label =
    q.groupBy === 'hour'
      ? sql`lpad(g.key, 2, '0') || ':00'`
      : q.groupBy === 'type'
        ? sql`(select o.name || ' ' || b.name from queue_business_types b join org_units o on o.id = b.outlet_id where b.id::text = g.key)`
        : sql`(select u.name from org_units u where u.id::text = nullif(g.key, ''))`;
  const [rows, heat, bands] = await Promise.all([
    db.execute<Record<string, unknown>>(sql`${base},
      g as (
        select ${key} as key, count(*)::int as taken,
               count(*) filter (where t.status = 'called')::int as served,
               count(*) filter (where t.is_abandoned)::int as abandoned,
               avg(t.wait_s) as avg_wait, percentile_cont(0.9) within group (order by t.wait_s) as p90_wait,
               avg(t.handling_seconds) as avg_handling,
               percentile_cont(0.9) within group (order by t.handling_seconds) as p90_handling
        from t group by 1
      )
      select g.*, coalesce(${label}, '—') as label from g order by ${q.groupBy === 'hour' ? sql`g.key::int` : sql`label`}`),
    db.execute<Record<string, unknown>>(sql`${base}
      select extract(isodow from t.local_taken)::int as weekday, extract(hour from t.local_taken)::int as hour,
             count(*)::int as taken, avg(t.wait_s) as avg_wait
      from t group by 1, 2 order by 1, 2`),
    db.execute<Record<string, unknown>>(sql`${base}
      select case ${sql.join(
        WAIT_BANDS.map((b) => (b.to === null ? sql`else ${b.band}` : sql`when t.wait_s < ${b.to * 60} then ${b.band}`)),
        sql` `,
      )} end as band,
             count(e.id)::int as rated, avg(e.score) as avg_score,
             (count(*) filter (where e.score >= 4))::float / nullif(count(e.id), 0) as satisfaction
      from t join evaluations e on ${sessionEvaluationMatch('e', sql`t.tenant_id`, sql`t.session_id`)}
      where t.wait_s is not null and e.score is not null and not evaluation_is_excluded(e.tenant_id, e.id)
      group by 1`),
  ]);
  const byBand = new Map(bands.rows.map((r) => [String(r.band), r]));
  return {
    rows: rows.rows.map((r) => ({
      key: String(r.key),
      label: String(r.label),
      taken: Number(r.taken),
      served: Number(r.served),
      abandoned: Number(r.abandoned),
      avgWaitSeconds: num(r.avg_wait),
      p90WaitSeconds: num(r.p90_wait),
      avgHandlingSeconds: num(r.avg_handling),
      p90HandlingSeconds: num(r.p90_handling),
    })),
    heatmap: heat.rows.map((r) => ({
      weekday: Number(r.weekday),
      hour: Number(r.hour),
      taken: Number(r.taken),
      avgWaitSeconds: num(r.avg_wait),
    })),
    waitBands: WAIT_BANDS.map(({ band }) => {
      const r = byBand.get(band);
      return {
        band,
        rated: Number(r?.rated ?? 0),
        avgScore: r?.avg_score == null ? null : Math.round(Number(r.avg_score) * 100) / 100,
        satisfaction: r?.satisfaction == null ? null : Number(r.satisfaction),
      };
    }),
  };
}
