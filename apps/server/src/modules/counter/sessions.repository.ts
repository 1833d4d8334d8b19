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
import { sessionEvaluationMatch } from '../kiosk/kiosk.service.ts';
import { addDays, dayRange, localDays, readEvaluationRollups, type TRollupDim } from '../evaluations/rollups.ts';
import { readSessionRollups } from './session-rollups.ts';

/** Sessions are visible like owned records: tellers (`own`) see theirs, managers those of counters in their subtree. */
const visible = (scope: TScope) =>
  sql`s.tenant_id = ${scope.tenantId} and ${ownedVisible(scope, sql`s.staff_id`, sql`s.counter_id`)}`;

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
  is_potential: boolean;
};
const SELECT = sql`
  select s.id, s.counter_id, c.name as counter_name, s.outlet_id, o.name as outlet_name, s.staff_id, u.display_name as staff_name, s.business_type,
         s.customer_id, s.started_at, s.ended_at, s.handling_seconds, e.score, e.rating_label, e.id as evaluation_id,
         exists (select 1 from counter_potential_customers pc where pc.tenant_id = s.tenant_id and pc.session_id = s.id) as is_potential
  from service_sessions s
  left join org_units c on c.id = s.counter_id
  left join org_units o on o.id = s.outlet_id
  left join users u on u.id = s.staff_id
  left join evaluations e on ${sessionEvaluationMatch('e', sql`s.tenant_id`, sql`s.id`)}`;
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
  isPotentialCustomer: r.is_potential,
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

/** A staff member's own sessions over local days [fromDay, toDay): served and mean handling time (rollups). */
export async function mySessionFigures(db: DbOrTx, scope: TScope, fromDay: string, toDay: string) {
  // His own rows wherever he served: the staff filter, not his unit's scope.
  const [r] = await readSessionRollups(
    db,
    { ...scope, dataScope: 'tenant' },
    { fromDay, toDay, staffId: scope.userId },
  );
  return { served: r?.sessions ?? 0, avgHandlingSeconds: r?.avgHandlingSeconds ?? null };
}

/**
 * 客流量 / 办理时长 / 满意度 per outlet, staff or day (tenant time zone), over whole local days: sessions from the
 * session rollups (readSessionRollups, by the day a session started), satisfaction from the evaluation rollups (kiosk
 * channel, by the day the customer rated). Excluded evaluations do not count (they stay stored); 未评价 apart.
 */
export async function sessionReport(
  db: DbOrTx,
  scope: TScope,
  q: TSessionReportQuery,
  timeZone: string,
): Promise<TSessionReport> {
  const { fromDay, toDay } = dayRange(timeZone, new Date(q.from), new Date(q.to));
  const dim: TRollupDim = q.groupBy === 'outlet' ? 'unit' : q.groupBy;
  const [sessions, figures] = await Promise.all([
    readSessionRollups(
      db,
      scope,
      { fromDay, toDay, ...(q.unitId ? { counterIn: q.unitId } : {}) },
      q.groupBy === 'staff' ? ['staff', 'outlet'] : [q.groupBy],
    ),
    readEvaluationRollups(
      db,
      scope,
      { fromDay, toDay, channel: 'kiosk', counterIn: q.unitId, scopeBy: 'counter' },
      q.groupBy === 'staff' ? ['staff', 'unit'] : [dim],
    ),
  ]);
  type TAcc = { key: string; unitId: string | null; sessions: number; avgHandling: number | null };
  const byKey = new Map<string, TAcc & { f: (typeof figures)[number][] }>();
  const labels = new Map<string, { label: string; order: string }>();
  // By staff the rows come per staff × outlet: summed per staff member, listed under the greatest outlet id.
  const handling = new Map<string, { handled: number; sum: number }>();
  for (const r of sessions) {
    const key = r.keys[q.groupBy] ?? '';
    const outletId = q.groupBy === 'day' ? null : (r.keys.outlet ?? null);
    const acc = byKey.get(key);
    if (acc && q.groupBy === 'staff') {
      acc.sessions += r.sessions;
      if (outletId !== null && (acc.unitId === null || outletId > acc.unitId)) acc.unitId = outletId;
      const h = handling.get(key)!;
      h.handled += r.handled;
      h.sum += r.handlingSum;
      // Whole seconds, rounded half up like the SQL of the single-row case (sums of integers: exact in a double).
      acc.avgHandling = h.handled ? Math.round(h.sum / h.handled) : null;
    } else {
      byKey.set(key, { key, unitId: outletId, sessions: r.sessions, avgHandling: r.avgHandlingSeconds, f: [] });
      handling.set(key, { handled: r.handled, sum: r.handlingSum });
    }
  }
  for (const f of figures) {
    const k = f.keys[dim];
    if (!k) continue;
    const acc = byKey.get(k) ?? { key: k, unitId: f.keys.unit ?? null, sessions: 0, avgHandling: null, f: [] };
    acc.f.push(f);
    byKey.set(k, acc);
  }
  const unlabelled = [...byKey.values()].filter((a) => !labels.has(a.key));
  if (unlabelled.length)
    for (const [k, v] of await reportLabels(
      db,
      scope,
      q.groupBy,
      unlabelled.map((a) => a.key),
      unlabelled.map((a) => a.unitId),
    ))
      labels.set(k, v);
  const rows = [...byKey.values()].map((a) => {
    const rated = a.f.reduce((n, f) => n + f.rated, 0);
    const scoreSum = a.f.reduce((n, f) => n + f.scoreSum, 0);
    const satisfied = a.f.reduce((n, f) => n + f.satisfied, 0);
    const label = labels.get(a.key);
    return {
      order: label?.order ?? a.key,
      row: {
        key: a.key,
        label: label?.label ?? a.key,
        unitId: q.groupBy === 'outlet' ? a.key : q.groupBy === 'staff' ? a.unitId : null,
        sessions: a.sessions,
        avgHandlingSeconds: a.avgHandling,
        rated,
        unrated: a.f.reduce((n, f) => n + f.unrated, 0),
        // One key's figures come from one row (or, for staff in two outlets, are summed): the mean of the sums.
        avgScore: a.f.length === 1 ? a.f[0]!.avgScore : rated ? Math.round((scoreSum / rated) * 100) / 100 : null,
        satisfaction: rated ? Math.round((satisfied / rated) * 10000) / 10000 : null,
        unsatisfied: a.f.reduce((n, f) => n + f.unsatisfied, 0),
      },
    };
  });
  rows.sort((x, y) => (x.order < y.order ? -1 : x.order > y.order ? 1 : 0));
  return { rows: rows.slice(0, 2000).map((r) => r.row) };
}

/** Labels (outlet name; staff name（工号）; the day itself) and the sort order of the report's keys. */
async function reportLabels(
  db: DbOrTx,
  scope: TScope,
  groupBy: TSessionReportQuery['groupBy'],
  keys: string[],
  outletIds: (string | null)[],
): Promise<Map<string, { label: string; order: string }>> {
  if (groupBy === 'day' || keys.length === 0) return new Map(keys.map((k) => [k, { label: k, order: k }]));
  if (groupBy === 'outlet') {
    const res = await db.execute<{ id: string; name: string; path: string }>(sql`
      select id::text, name, path from org_units where tenant_id = ${scope.tenantId} and id::text in (${sql.join(
        keys.map((k) => sql`${k}`),
        sql`, `,
      )})`);
    return new Map(res.rows.map((r) => [r.id, { label: r.name, order: r.path }]));
  }
  const res = await db.execute<{ id: string; label: string; staff_no: string | null }>(sql`
    select u.id::text, u.display_name || coalesce('（' || u.staff_no || '）', '') as label, u.staff_no
    from users u where u.tenant_id = ${scope.tenantId} and u.id::text in (${sql.join(
      keys.map((k) => sql`${k}`),
      sql`, `,
    )})`);
  const paths = await db.execute<{ id: string; path: string }>(sql`
    select id::text, path from org_units where tenant_id = ${scope.tenantId} and id::text in (${sql.join(
      [...new Set(outletIds.filter((o): o is string => o !== null)), ''].map((k) => sql`${k}`),
      sql`, `,
    )})`);
  const pathOf = new Map(paths.rows.map((p) => [p.id, p.path]));
  const order = new Map(keys.map((k, i) => [k, pathOf.get(outletIds[i] ?? '') ?? '']));
  return new Map(
    res.rows.map((r) => [r.id, { label: r.label, order: `${order.get(r.id) ?? ''}\u0001${r.staff_no ?? ''}` }]),
  );
}

/**
 * Staff whose share of top marks (the best score, 5) over the last 30 local days (today included) is an outlier:
 * above mean + 2σ of their peers. Peers = the other staff of the same outlet with ≥ 20 counted ratings
 * (leave-one-out, so one inflated teller does not hide behind their own numbers); when an outlet has fewer than 3 such
 * peers, the branch above it is the peer group. σ is floored at 0.05 so that identical peers do not flag noise.
 * Reads the evaluation rollups: ratings a manager excluded do not count.
 */
export async function topMarkOutliers(
  db: DbOrTx,
  scope: TScope,
  now: Date,
  timeZone: string,
  minRatings = 20,
): Promise<{ since: string; items: TTopMarkOutlier[] }> {
  const days = localDays(timeZone, now);
  const fromDay = days.plus(-29);
  const sinceRes = await db.execute<{ at: Date | string }>(
    sql`select (${fromDay}::date::timestamp at time zone ${timeZone}) as at`,
  );
  const since = new Date(sinceRes.rows[0]!.at).toISOString();
  const figures = await readEvaluationRollups(
    db,
    scope,
    { fromDay, toDay: addDays(days.today, 1), channel: 'kiosk', hasStaff: true },
    ['staff', 'unit'],
  );
  const perStaff = figures
    .filter((f) => f.rated >= minRatings)
    .map((f) => ({
      staffId: f.keys.staff!,
      outletId: f.keys.unit!,
      ratings: f.rated,
      topShare: f.scores[4] / f.rated,
    }));
  if (perStaff.length === 0) return { since, items: [] };
  const ids = (xs: string[]) =>
    sql.join(
      [...new Set(xs)].map((x) => sql`${x}::uuid`),
      sql`, `,
    );
  const [units, users] = await Promise.all([
    db.execute<{ id: string; name: string; parent_id: string | null }>(
      sql`select id, name, parent_id from org_units where tenant_id = ${scope.tenantId} and id in (${ids(perStaff.map((p) => p.outletId))})`,
    ),
    db.execute<{ id: string; display_name: string }>(
      sql`select id, display_name from users where tenant_id = ${scope.tenantId} and id in (${ids(perStaff.map((p) => p.staffId))})`,
    ),
  ]);
  const unit = new Map(units.rows.map((u) => [u.id, u]));
  const nameOf = new Map(users.rows.map((u) => [u.id, u.display_name]));
  const perOutlet = new Map<string, number>();
  for (const p of perStaff) perOutlet.set(p.outletId, (perOutlet.get(p.outletId) ?? 0) + 1);
  const placed = perStaff
    .filter((p) => unit.has(p.outletId) && nameOf.has(p.staffId))
    .map((p) => ({
      ...p,
      group: (perOutlet.get(p.outletId)! - 1 >= 3 ? p.outletId : unit.get(p.outletId)!.parent_id) ?? '',
    }));
  const groups = new Map<string, { n: number; s1: number; s2: number }>();
  for (const p of placed) {
    const g = groups.get(p.group) ?? { n: 0, s1: 0, s2: 0 };
    groups.set(p.group, { n: g.n + 1, s1: g.s1 + p.topShare, s2: g.s2 + p.topShare * p.topShare });
  }
  const round4 = (x: number) => Math.round(x * 10000) / 10000;
  const items = placed.flatMap((p) => {
    const g = groups.get(p.group)!;
    if (g.n < 3) return [];
    const mean = (g.s1 - p.topShare) / (g.n - 1);
    const sd = Math.sqrt(Math.max((g.s2 - p.topShare * p.topShare) / (g.n - 1) - mean * mean, 0));
    if (!(p.topShare > mean + 2 * Math.max(sd, 0.05))) return [];
    return [
      {
        staffId: p.staffId,
        staffName: nameOf.get(p.staffId)!,
        outletId: p.outletId,
        outletName: unit.get(p.outletId)!.name,
        ratings: p.ratings,
        topShare: round4(p.topShare),
        outletMean: round4(mean),
        outletStddev: round4(sd),
      },
    ];
  });
  items.sort((x, y) => y.topShare - x.topShare);
  return { since, items };
}
