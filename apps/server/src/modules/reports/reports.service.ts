import { PassThrough } from 'node:stream';
import type {
  TAnalyticsDashboard,
  TAnalyticsTileKey,
  TPermission,
  TReportKind,
  TReportSummary,
  TReportSummaryQuery,
  TStaffPerformance,
  TStaffPerformanceQuery,
} from '@huifang/shared';
import type { Db } from '../../db/client.ts';
import type { TClock } from '../../lib/clock.ts';
import {
  createSpreadsheet,
  exportFileName,
  formatLocalDateTime,
  type TSheetFilters,
  type TSpreadsheetWriter,
} from '../../lib/export-file.ts';
import type { TActor, TAuditCtx, TScope } from '../../lib/scope.ts';
import { tenantTimeZone } from '../../lib/time.ts';
import { insertAuditEvent } from '../audit/audit.repository.ts';
import { getAnalyticsDashboard } from '../dashboard/analytics.service.ts';
import type { TPeriod } from '../dashboard/periods.ts';
import { addDays } from '../evaluations/rollups.ts';
import { reportScope } from './report-scope.ts';
import { addStaffPerformanceSheet, computeStaffPerformance } from './staff-performance.ts';

type TDeps = { db: Db; clock: TClock };

export async function getStaffPerformance(deps: TDeps, scope: TScope, q: TStaffPerformanceQuery) {
  const { scope: s, unit } = await reportScope(deps.db, scope, q.unitId);
  return computeStaffPerformance(deps.db, s, unit, q);
}

/** Collect a spreadsheet into memory (reports are one row per staff member: small). */
async function xlsxBuffer(timeZone: string, write: (file: TSpreadsheetWriter) => void): Promise<Buffer> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<void>((resolve, reject) => {
    out.on('end', resolve);
    out.on('error', reject);
  });
  const file = createSpreadsheet(out, 'xlsx', timeZone);
  write(file);
  await file.finish();
  await done;
  return Buffer.concat(chunks);
}

const staffFilters = (perf: TStaffPerformance, by: string, at: string): TSheetFilters => [
  ['报表', '员工绩效'],
  ['机构', perf.unitName],
  ['开始日期', perf.from],
  ['结束日期', perf.to],
  ['导出人', by],
  ['导出时间', at],
];

/** 员工绩效 as xlsx, with its filters on the sheet; audited like every export. */
export async function exportStaffPerformance(
  deps: TDeps,
  actor: TActor,
  ctx: TAuditCtx,
  q: TStaffPerformanceQuery,
): Promise<{ content: Buffer; fileName: string }> {
  const tz = await tenantTimeZone(deps.db, actor.tenantId);
  const perf = await getStaffPerformance(deps, actor, q);
  const now = deps.clock.now();
  await insertAuditEvent(
    deps.db,
    ctx,
    {
      action: 'report.staff_performance.exported',
      entityType: 'report',
      unitId: perf.unitId,
      summary: `导出员工绩效 ${perf.unitName} ${perf.from}～${perf.to}（${perf.rows.length} 人）`,
      after: { unitId: perf.unitId, from: perf.from, to: perf.to, rows: perf.rows.length },
    },
    now,
  );
  const content = await xlsxBuffer(tz, (file) =>
    addStaffPerformanceSheet(file, perf, staffFilters(perf, actor.displayName, formatLocalDateTime(now, tz))),
  );
  return { content, fileName: exportFileName('staff-performance', now, tz, 'xlsx') };
}

/** The printable report 报表打印: the 驾驶舱 of the unit for the period, and its staff performance table. */
export async function getReportSummary(
  deps: TDeps,
  scope: TScope,
  perms: ReadonlySet<TPermission>,
  q: TReportSummaryQuery,
): Promise<TReportSummary> {
  const { scope: s, unit } = await reportScope(deps.db, scope, q.unitId);
  const dashboard = await getAnalyticsDashboard(deps, s, perms, { period: q.period, date: q.date });
  const staff = await computeStaffPerformance(deps.db, s, unit, {
    from: dashboard.current.fromDay,
    to: addDays(dashboard.current.toDay, -1),
  });
  return { unitId: unit.id, unitName: unit.name, dashboard, staff };
}

export const TILE_LABELS: Record<TAnalyticsTileKey, string> = {
  satisfactionRate: '满意率(%)',
  unsatisfied: '不满意数',
  evaluations: '评价数',
  sessions: '客流量',
  avgHandlingSeconds: '平均办理时长(秒)',
  ticketsReceived: '投诉工单',
  slaBreaches: '超时工单(SLA)',
  satisfactionIndex: '满意度指数',
  csat: 'CSAT(%)',
  nps: 'NPS',
  followupDue: '应回访',
  followupCoverage: '回访覆盖率(%)',
  followupReach: '回访接通率(%)',
  followupCompletion: '回访完成率(%)',
  appealsDecided: '已处理申诉',
  followupOverdue: '逾期未回访(当前)',
  openTickets: '未结工单(当前)',
  churnWarnings: '流失预警(当前)',
  appealsPending: '待处理申诉(当前)',
};

function addDashboardSheets(file: TSpreadsheetWriter, d: TAnalyticsDashboard, filters: TSheetFilters) {
  const tiles = file.addSheet(
    '驾驶舱',
    ['指标', '本期', '上期', '环比(%)', '去年同期', '同比(%)'].map((header) => ({ header, width: 14 })),
    filters,
  );
  for (const t of d.tiles) tiles.addRow([TILE_LABELS[t.key], t.value, t.previous, t.changePct, t.lastYear, t.yoyPct]);
  const rank = file.addSheet(
    '满意度排名',
    ['名次', '机构', '有效评分', '满意率(%)', '不满意'].map((header) => ({ header, width: 14 })),
    filters,
  );
  d.ranking.forEach((r, i) => rank.addRow([i + 1, r.name, r.rated, r.satisfactionRate, r.unsatisfied]));
}

const PERIOD_LABEL: Record<TPeriod['kind'], string> = {
  day: '日',
  week: '周',
  month: '月',
  quarter: '季',
  year: '年',
};

/**
 * A scheduled report's file for one recipient: computed with the given scope (the recipient's, intersected with the
 * schedule's unit here: a unit outside it throws the 404 of reportScope) over the period.
 */
export async function buildReportFile(
  deps: TDeps,
  scope: TScope,
  perms: ReadonlySet<TPermission>,
  kind: TReportKind,
  unitId: string,
  period: TPeriod,
  meta: { scheduleName: string; recipientName: string },
): Promise<{ content: Buffer; fileName: string }> {
  const tz = await tenantTimeZone(deps.db, scope.tenantId);
  const now = deps.clock.now();
  const { scope: s, unit } = await reportScope(deps.db, scope, unitId, 'unitId');
  const to = addDays(period.toDay, -1);
  const base: TSheetFilters = [
    ['定时报表', meta.scheduleName],
    ['机构', unit.name],
    ['周期', `${PERIOD_LABEL[period.kind]} ${period.fromDay}～${to}`],
    ['收件人', meta.recipientName],
    ['生成时间', formatLocalDateTime(now, tz)],
  ];
  if (kind === 'staff_performance') {
    const perf = await computeStaffPerformance(deps.db, s, unit, { from: period.fromDay, to });
    const content = await xlsxBuffer(tz, (file) => addStaffPerformanceSheet(file, perf, base));
    return { content, fileName: `staff-performance-${period.fromDay}.xlsx` };
  }
  const d = await getAnalyticsDashboard(deps, s, perms, { period: period.kind, date: period.fromDay });
  const content = await xlsxBuffer(tz, (file) => addDashboardSheets(file, d, base));
  return { content, fileName: `dashboard-${period.fromDay}.xlsx` };
}
