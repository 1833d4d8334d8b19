import { sql } from 'drizzle-orm';
import type { TStaffPerformance, TStaffPerformanceQuery, TStaffPerformanceRow } from '@huifang/shared';
import type { DbOrTx } from '../../db/client.ts';
import { type TExportColumn, type TSheetFilters, type TSpreadsheetWriter } from '../../lib/export-file.ts';
import { allConcurrent, REQUEST_READ_LANES } from '../../lib/concurrent.ts';
import { seesWholeTenant } from '../../lib/rollup-tables.ts';
import { pgArray, type TScope } from '../../lib/scope.ts';
import { readSessionRollups } from '../counter/session-rollups.ts';
import { addDays, readEvaluationRollups } from '../evaluations/rollups.ts';
import { followupsDoneByStaff } from '../followup/figures/staff-done.ts';
import { readTicketRollups } from '../tickets/rollups/ticket-rollups.ts';
import type { TReportUnit } from './report-scope.ts';

/**
 * Staff performance 员工绩效 (DESIGN §7): per staff member of a report scope (see report-scope.ts) over local days
 * [from, to]. Every figure comes from its owner's read model or function: evaluations from evaluation_rollups
 * (readEvaluationRollups: ratings excluded on appeal are counted apart, never in the figures), customers served and
 * handling time from the session rollups (readSessionRollups), follow-ups done from modules/followup
 * (followupsDoneByStaff), complaints at fault from the complaint rollups (readTicketRollups: fault decision 有责). A staff member is listed when he has
 * any figure in the range; an `own` scope (a teller) gets exactly his own row.
 */

const pct1 = (num: number, den: number) => (den === 0 ? null : Math.round((num * 1000) / den) / 10);

async function sessionsByStaff(db: DbOrTx, scope: TScope, fromDay: string, toDay: string) {
  const rows = await readSessionRollups(db, scope, { fromDay, toDay }, ['staff']);
  return new Map(
    rows.map((r) => [
      r.keys.staff ?? '',
      { staff_id: r.keys.staff ?? '', sessions: r.sessions, avg_handling: r.avgHandlingSeconds },
    ]),
  );
}

/**
 * Complaints at fault per staff member, from the complaint read model (readTicketRollups: at_fault is counted on the
 * day the complaint was received, under its current staff member and fault decision). `own` reads the complaints about
 * the caller only (they may be filed at his outlet), as ownedVisible does.
 */
async function faultsByStaff(db: DbOrTx, scope: TScope, from: string, to: string): Promise<Map<string, number>> {
  const rows = await readTicketRollups(db, scope, { fromDay: from, toDay: addDays(to, 1), groupBy: ['staff'] });
  // Listed like before: a staff member with a complaint received in the range, at fault or not.
  return new Map(
    rows.filter((r) => r.keys.staff && (r.received > 0 || r.atFault > 0)).map((r) => [r.keys.staff!, r.atFault]),
  );
}

export async function computeStaffPerformance(
  db: DbOrTx,
  scope: TScope,
  unit: TReportUnit,
  q: Pick<TStaffPerformanceQuery, 'from' | 'to'>,
): Promise<TStaffPerformance> {
  const toDay = addDays(q.to, 1);
  // The largest reads first: the others take the lane that frees first.
  type TPerson = { id: string; display_name: string; staff_no: string | null; unit_name: string | null };
  const peopleOf = async (ids: string[] | 'all') =>
    (
      await db.execute<TPerson>(sql`
        select u.id, u.display_name, u.staff_no, ou.name as unit_name
        from users u left join org_units ou on ou.id = u.unit_id
        where u.tenant_id = ${scope.tenantId} ${ids === 'all' ? sql`` : sql`and u.id = any(${pgArray(ids, 'uuid')})`}`)
    ).rows;
  // A caller who sees the whole tenant reads every user's name in a lane beside the figures (the tenant's users are
  // a few thousand rows); the others read the names of the staff listed, afterwards.
  const wholeTenant = seesWholeTenant(scope);
  const [evals, sessions, faults, followups, everyone] = await allConcurrent(REQUEST_READ_LANES, [
    () => readEvaluationRollups(db, scope, { fromDay: q.from, toDay, hasStaff: true }, ['staff']),
    () => sessionsByStaff(db, scope, q.from, toDay),
    () => faultsByStaff(db, scope, q.from, q.to),
    () => followupsDoneByStaff(db, scope, { fromDay: q.from, toDay }),
    () => (wholeTenant ? peopleOf('all') : Promise.resolve([])),
  ] as const);
  const byStaff = new Map(evals.filter((f) => f.keys.staff).map((f) => [f.keys.staff!, f]));
  const ids = new Set<string>([...byStaff.keys(), ...sessions.keys(), ...followups.keys(), ...faults.keys()]);
  if (scope.dataScope === 'own') {
    for (const id of ids) if (id !== scope.userId) ids.delete(id);
    ids.add(scope.userId);
  }
  const people = new Map<string, TPerson>();
  for (const r of wholeTenant ? everyone : ids.size ? await peopleOf([...ids]) : []) people.set(r.id, r);
  const rows: TStaffPerformanceRow[] = [...ids].map((id) => {
    const e = byStaff.get(id);
    const s = sessions.get(id);
    const p = people.get(id);
    return {
      staffId: id,
      staffName: p?.display_name ?? null,
      staffNo: p?.staff_no ?? null,
      unitName: p?.unit_name ?? null,
      evaluations: e?.total ?? 0,
      rated: e?.rated ?? 0,
      satisfactionRate: e ? pct1(e.satisfied, e.rated) : null,
      avgScore: e?.avgScore ?? null,
      unsatisfied: e?.unsatisfied ?? 0,
      excluded: e?.excluded ?? 0,
      sessions: s ? Number(s.sessions) : 0,
      avgHandlingSeconds: s?.avg_handling ?? null,
      followupsDone: followups.get(id) ?? 0,
      complaintsAtFault: faults.get(id) ?? 0,
    };
  });
  // Most evaluations first, then by staff number / name (a stable order for the sheet; the page sorts as it likes).
  rows.sort(
    (a, b) =>
      b.evaluations - a.evaluations ||
      (a.staffNo ?? '').localeCompare(b.staffNo ?? '') ||
      a.staffId.localeCompare(b.staffId),
  );
  return { unitId: unit.id, unitName: unit.name, from: q.from, to: q.to, rows };
}

export const STAFF_PERFORMANCE_COLUMNS: TExportColumn[] = [
  { header: '工号', width: 10 },
  { header: '姓名', width: 12 },
  { header: '所属机构', width: 16 },
  { header: '评价数', width: 10 },
  { header: '有效评分', width: 10 },
  { header: '满意率(%)', width: 10 },
  { header: '平均分', width: 10 },
  { header: '不满意', width: 10 },
  { header: '申诉剔除', width: 10 },
  { header: '服务客户数', width: 12 },
  { header: '平均办理时长(秒)', width: 16 },
  { header: '完成回访', width: 10 },
  { header: '有责投诉', width: 10 },
];

export const staffPerformanceCells = (r: TStaffPerformanceRow): unknown[] => [
  r.staffNo,
  r.staffName,
  r.unitName,
  r.evaluations,
  r.rated,
  r.satisfactionRate,
  r.avgScore,
  r.unsatisfied,
  r.excluded,
  r.sessions,
  r.avgHandlingSeconds,
  r.followupsDone,
  r.complaintsAtFault,
];

/** The 员工绩效 sheet, with the filters the report was made with above the table. */
export function addStaffPerformanceSheet(file: TSpreadsheetWriter, perf: TStaffPerformance, filters: TSheetFilters) {
  const ws = file.addSheet('员工绩效', STAFF_PERFORMANCE_COLUMNS, filters);
  for (const r of perf.rows) ws.addRow(staffPerformanceCells(r));
}
