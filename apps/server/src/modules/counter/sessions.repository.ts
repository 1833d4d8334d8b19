import { sql, type SQL } from 'drizzle-orm';
import type {
  TPage,
  TServiceSession,
  TSessionListQuery,
  TSessionReport,
  TSessionReportQuery,
  TTopMarkOutlier,
} from '@huifang/shared';
import type { DbOrTx } from '../../db/client.ts';
import { ownedVisible, type TScope } from '../../lib/scope.ts';

/** Sessions are visible like owned records: tellers (`own`) see theirs, managers those of counters in their subtree. */
const visible = (scope: TScope) =>
  sql`s.tenant_id = ${scope.tenantId} and ${ownedVisible(scope, sql`s.staff_id`, sql`s.counter_id`)}`;

/** The session's kiosk evaluation (key shared by the press and the timeout), and whether a manager excluded it. */
const EVAL_JOIN = sql`
  left join evaluations e on e.tenant_id = s.tenant_id and e.idempotency_key = 'kiosk:session:' || s.id::text
  left join lateral (select ec.kind = 'exclude' as excluded from evaluation_corrections ec
                     where ec.tenant_id = e.tenant_id and ec.evaluation_id = e.id and ec.kind in ('exclude', 'restore')
                     order by ec.id desc limit 1) x on true`;

type TRow = {
  id: string;
  counter_id: string;
  counter_name: string | null;
  outlet_id: string;
  outlet_name: string | null;
  staff_id: string;
  staff_name: string | null;
  business_type: string;
  customer_id: string | null;
  started_at: Date | string;
  ended_at: Date | string | null;
  handling_seconds: number | null;
  score: number | null;
  rating_label: string | null;
  evaluation_id: string | null;
};
const SELECT = sql`
  select s.id, s.counter_id, c.name as counter_name, s.outlet_id, o.name as outlet_name, s.staff_id, u.display_name as staff_name, s.business_type,
         s.customer_id, s.started_at, s.ended_at, s.handling_seconds, e.score, e.rating_label, e.id as evaluation_id
  from service_sessions s
  left join org_units c on c.id = s.counter_id
  left join org_units o on o.id = s.outlet_id
  left join users u on u.id = s.staff_id
  left join evaluations e on e.tenant_id = s.tenant_id and e.idempotency_key = 'kiosk:session:' || s.id::text`;
const toSession = (r: TRow): TServiceSession => ({
  id: r.id,
  counterId: r.counter_id,
  counterName: r.counter_name,
  outletId: r.outlet_id,
  outletName: r.outlet_name,
  staffId: r.staff_id,
  staffName: r.staff_name,
  businessType: r.business_type,
  customerId: r.customer_id,
  startedAt: new Date(r.started_at).toISOString(),
  endedAt: r.ended_at ? new Date(r.ended_at).toISOString() : null,
  handlingSeconds: r.handling_seconds,
  score: r.score,
  ratingLabel: r.rating_label,
  evaluationId: r.evaluation_id,
});

export async function findSession(db: DbOrTx, scope: TScope, id: string): Promise<TServiceSession | null> {
  const res = await db.execute<TRow>(sql`${SELECT} where ${visible(scope)} and s.id = ${id}`);
  return res.rows[0] ? toSession(res.rows[0]) : null;
}

const subtreeOf = (scope: TScope, unitId: string, column: SQL) =>
  sql`${column} in (select ou.id from org_units ou where ou.tenant_id = ${scope.tenantId} and ou.path like (select p.path from org_units p where p.id = ${unitId} and p.tenant_id = ${scope.tenantId}) || '%')`;

export async function listSessions(db: DbOrTx, scope: TScope, q: TSessionListQuery): Promise<TPage<TServiceSession>> {
  const conds: SQL[] = [visible(scope)];
  if (q.unitId) conds.push(subtreeOf(scope, q.unitId, sql`s.counter_id`));
  if (q.staffId) conds.push(sql`s.staff_id = ${q.staffId}`);
  if (q.from) conds.push(sql`s.started_at >= ${new Date(q.from)}`);
  if (q.to) conds.push(sql`s.started_at < ${new Date(q.to)}`);
  const where = sql.join(conds, sql` and `);
  const [rows, count] = await Promise.all([
    db.execute<TRow>(
      sql`${SELECT} where ${where} order by s.started_at desc, s.id desc limit ${q.pageSize} offset ${(q.page - 1) * q.pageSize}`,
    ),
    db.execute<{ n: number }>(sql`select count(*)::int as n from service_sessions s where ${where}`),
  ]);
  return { items: rows.rows.map(toSession), total: count.rows[0]?.n ?? 0, page: q.page, pageSize: q.pageSize };
}

/**
 * 客流量 / 办理时长 / 满意度 per outlet, staff or day (tenant time zone). Excluded evaluations do not count towards the
 * scores (they stay stored); 未评价 are counted apart.
 */
export async function sessionReport(
  db: DbOrTx,
  scope: TScope,
  q: TSessionReportQuery,
  timeZone: string,
): Promise<TSessionReport> {
  const conds: SQL[] = [
    visible(scope),
    sql`s.started_at >= ${new Date(q.from)}`,
    sql`s.started_at < ${new Date(q.to)}`,
  ];
  if (q.unitId) conds.push(subtreeOf(scope, q.unitId, sql`s.counter_id`));
  const group =
    q.groupBy === 'outlet'
      ? { key: sql`s.outlet_id::text`, label: sql`max(o.name)`, unit: sql`s.outlet_id::text`, order: sql`max(o.path)` }
      : q.groupBy === 'staff'
        ? {
            key: sql`s.staff_id::text`,
            label: sql`max(u.display_name) || coalesce('（' || max(u.staff_no) || '）', '')`,
            unit: sql`max(s.outlet_id::text)`,
            order: sql`max(o.path), max(u.staff_no)`,
          }
        : { key: sql`d.day`, label: sql`d.day`, unit: sql`null::text`, order: sql`d.day` };
  const scored = sql`(case when coalesce(x.excluded, false) then null else e.score end)`;
  const res = await db.execute<{
    key: string;
    label: string;
    unit_id: string | null;
    sessions: number;
    avg_handling: number | null;
    rated: number;
    unrated: number;
    avg_score: number | null;
    satisfied: number;
    unsatisfied: number;
  }>(sql`
    select ${group.key} as key, ${group.label} as label, ${group.unit} as unit_id, count(*)::int as sessions,
           round(avg(s.handling_seconds))::int as avg_handling,
           count(${scored})::int as rated,
           count(*) filter (where e.id is not null and e.score is null)::int as unrated,
           round(avg(${scored})::numeric, 2)::float8 as avg_score,
           count(*) filter (where ${scored} >= 4)::int as satisfied,
           count(*) filter (where ${scored} <= 2)::int as unsatisfied
    from service_sessions s
    left join org_units o on o.id = s.outlet_id
    left join users u on u.id = s.staff_id
    -- The local day is computed once here: the same expression written twice (select and group by) carries two
    -- separate parameters for the time zone, and Postgres then refuses it as "must appear in the GROUP BY clause".
    cross join lateral (select to_char(s.started_at at time zone ${timeZone}, 'YYYY-MM-DD') as day) d
    ${EVAL_JOIN}
    where ${sql.join(conds, sql` and `)}
    group by ${group.key}
    order by ${group.order}
    limit 2000`);
  return {
    rows: res.rows.map((r) => ({
      key: r.key,
      label: r.label,
      unitId: r.unit_id,
      sessions: r.sessions,
      avgHandlingSeconds: r.avg_handling,
      rated: r.rated,
      unrated: r.unrated,
      avgScore: r.avg_score,
      satisfaction: r.rated ? Math.round((r.satisfied / r.rated) * 10000) / 10000 : null,
      unsatisfied: r.unsatisfied,
    })),
  };
}

/**
 * Staff whose share of top marks (the best score, 5) over the last 30 days is an outlier: above mean + 2σ of their
 * peers. Peers = the other staff of the same outlet with ≥ 20 ratings (leave-one-out, so one inflated teller does not
 * hide behind their own numbers); when an outlet has fewer than 3 such peers, the branch above it is the peer group.
 * σ is floored at 0.05 so that identical peers do not flag noise. Read-only: evaluations are never edited.
 */
export async function topMarkOutliers(
  db: DbOrTx,
  scope: TScope,
  now: Date,
  minRatings = 20,
): Promise<TTopMarkOutlier[]> {
  const since = new Date(now.getTime() - 30 * 86400_000);
  const res = await db.execute<{
    staff_id: string;
    staff_name: string;
    outlet_id: string;
    outlet_name: string;
    ratings: number;
    top_share: number;
    peer_mean: number;
    peer_sd: number;
  }>(sql`
    with per_staff as (
      select e.staff_id, e.unit_id as outlet_id, count(*)::int as ratings, avg((e.score = 5)::int)::float8 as top_share
      from evaluations e
      where e.tenant_id = ${scope.tenantId} and e.channel = 'kiosk' and e.score is not null and e.staff_id is not null
        and e.occurred_at >= ${since} and e.occurred_at < ${now}
        and ${ownedVisible(scope, sql`e.staff_id`, sql`e.unit_id`)}
      group by e.staff_id, e.unit_id having count(*) >= ${minRatings}
    ),
    placed as (
      select p.*, o.name as outlet_name, o.parent_id,
             count(*) over (partition by p.outlet_id) as n_outlet
      from per_staff p join org_units o on o.id = p.outlet_id
    ),
    grouped as (
      select pl.*, case when pl.n_outlet - 1 >= 3 then pl.outlet_id else pl.parent_id end as peer_group from placed pl
    ),
    stats as (
      select g.*, count(*) over w as n, sum(g.top_share) over w as s1, sum(g.top_share * g.top_share) over w as s2
      from grouped g window w as (partition by g.peer_group)
    )
    select st.staff_id, u.display_name as staff_name, st.outlet_id, st.outlet_name, st.ratings, st.top_share,
           (st.s1 - st.top_share) / (st.n - 1) as peer_mean,
           sqrt(greatest((st.s2 - st.top_share * st.top_share) / (st.n - 1) - power((st.s1 - st.top_share) / (st.n - 1), 2), 0)) as peer_sd
    from stats st join users u on u.id = st.staff_id
    where st.n >= 3
      and st.top_share > (st.s1 - st.top_share) / (st.n - 1)
                         + 2 * greatest(sqrt(greatest((st.s2 - st.top_share * st.top_share) / (st.n - 1) - power((st.s1 - st.top_share) / (st.n - 1), 2), 0)), 0.05)
    order by st.top_share desc`);
  return res.rows.map((r) => ({
    staffId: r.staff_id,
    staffName: r.staff_name,
    outletId: r.outlet_id,
    outletName: r.outlet_name,
    ratings: r.ratings,
    topShare: Math.round(r.top_share * 10000) / 10000,
    outletMean: Math.round(r.peer_mean * 10000) / 10000,
    outletStddev: Math.round(r.peer_sd * 10000) / 10000,
  }));
}
