import type { Readable, Writable } from 'node:stream';
import type { TAnalysisQuery, TAnalysisRow } from '@huifang/shared';
import type { Db } from '../../db/client.ts';
import { streamThenAudit } from '../../lib/audited-stream.ts';
import type { TClock } from '../../lib/clock.ts';
import { createSpreadsheet, EXPORT_CONTENT_TYPE, exportFileName, type TExportColumn } from '../../lib/export-file.ts';
import type { TActor, TAuditCtx } from '../../lib/scope.ts';
import { tenantTimeZone } from '../../lib/time.ts';
import { insertAuditEvent } from '../audit/audit.repository.ts';
import { CHANNEL_LABELS, filterNames } from '../evaluations/evaluations.export.ts';
import { getAnalysis } from './analysis.service.ts';
import { valueLabel, valueModel } from './analysis-value.ts';

/** `YYYY-MM-DD HH:mm` of an instant in the tenant's zone. */
const formatLocal = (at: Date, timeZone: string) =>
  new Intl.DateTimeFormat('sv-SE', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  }).format(at);

const GROUP_LABELS: Record<TAnalysisQuery['groupBy'], string> = {
  unit: '下级单位',
  staff: '服务人员',
  counter: '窗口',
  channel: '渠道',
  businessType: '业务类型',
  period: '时间',
  hour: '时段',
  dimension: '问卷维度',
  tier: '客户分级',
  lifecycle: '生命周期',
  ruleClass: '规则分类',
};
const GRANULARITY_LABELS: Record<TAnalysisQuery['granularity'], string> = {
  hour: '时',
  day: '日',
  week: '周',
  month: '月',
  quarter: '季',
  year: '年',
};

/** The table's columns (the chart draws the same rows); a figure the cut does not hold stays empty. */
const COLUMNS: (TExportColumn & { value: (r: TAnalysisRow) => unknown })[] = [
  { header: '评价数', value: (r) => r.evaluations },
  { header: '已评价', value: (r) => r.rated },
  { header: '满意', value: (r) => r.satisfied },
  { header: '满意率(%)', value: (r) => r.satisfactionRate },
  { header: '平均分', value: (r) => r.avgScore },
  { header: '不满意', value: (r) => r.unsatisfied },
  { header: '未评价', value: (r) => r.unrated },
  { header: '已剔除', value: (r) => r.excluded },
  { header: '客流量', value: (r) => r.sessions },
  { header: '平均办理时长(秒)', value: (r) => r.avgHandlingSeconds },
  { header: '工单受理', value: (r) => r.ticketsReceived },
  { header: 'SLA 超时', value: (r) => r.slaBreaches },
  { header: '问卷答卷', value: (r) => r.surveyResponses },
  { header: '问卷均分', value: (r) => r.surveyMean },
];

/**
 * The analysis table as xlsx — the rows the page shows in its table and chart, then 合计 — with the filters it was
 * made with written above it. Audited (filters, row count) before the download completes.
 */
export async function exportAnalysis(
  deps: { db: Db; clock: TClock },
  actor: TActor,
  ctx: TAuditCtx,
  q: TAnalysisQuery,
): Promise<{ stream: Readable; fileName: string; contentType: string }> {
  const analysis = await getAnalysis(deps, actor, actor.permissions, q);
  const timeZone = await tenantTimeZone(deps.db, actor.tenantId);
  const names = await filterNames(deps.db, actor, { units: [q.counterId], users: [q.staffId] });
  // The customer-value cut: its filters by the model's labels, and the run it is as of (分级截至, tenant zone).
  const model = analysis.valueCut ? await valueModel(deps.db, actor.tenantId) : null;
  const valueFilter = (f: 'tier' | 'lifecycle' | 'ruleClass') => {
    const v = q[f];
    return v && (model ? valueLabel(model, f, v) : v);
  };
  const filters = (
    [
      ['单位', analysis.unit.name],
      ['服务人员', q.staffId && (names.get(q.staffId) ?? q.staffId)],
      ['窗口', q.counterId && (names.get(q.counterId) ?? q.counterId)],
      ['渠道', q.channel && CHANNEL_LABELS[q.channel]],
      ['业务类型', q.businessType],
      ['问卷', q.surveyId],
      ['维度', q.dimension],
      ['客户分级', valueFilter('tier')],
      ['生命周期', valueFilter('lifecycle')],
      ['规则分类', valueFilter('ruleClass')],
      ['分级截至', analysis.valueCut && formatLocal(new Date(analysis.valueCut.finishedAt), timeZone)],
      ['时间范围', `${analysis.from} ~ ${analysis.to}`],
      ['统计粒度', GRANULARITY_LABELS[q.granularity]],
      ['分组', GROUP_LABELS[q.groupBy]],
    ] as [string, string | undefined][]
  ).filter((r): r is [string, string] => !!r[1]);
  const rows = [...analysis.rows, analysis.total];
  const produce = async (out: Writable) => {
    const file = createSpreadsheet(out, 'xlsx', timeZone);
    const sheet = file.addSheet('统计分析', [{ header: GROUP_LABELS[q.groupBy], width: 24 }, ...COLUMNS], filters);
    for (const r of rows) sheet.addRow([r.label, ...COLUMNS.map((col) => col.value(r))]);
    await file.finish();
  };
  const audit = () =>
    insertAuditEvent(
      deps.db,
      ctx,
      {
        action: 'analysis.exported',
        entityType: 'analysis',
        entityId: null,
        unitId: analysis.unit.id,
        summary: `导出统计分析 ${analysis.rows.length} 行：${analysis.unit.name}，${analysis.from} ~ ${analysis.to}，按${GROUP_LABELS[q.groupBy]}`,
        after: { format: 'xlsx', rows: analysis.rows.length, filters: q },
      },
      deps.clock.now(),
    );
  return {
    stream: streamThenAudit(produce, audit),
    fileName: exportFileName('analysis', deps.clock.now(), timeZone, 'xlsx'),
    contentType: EXPORT_CONTENT_TYPE.xlsx,
  };
}
