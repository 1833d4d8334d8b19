import type { Readable, Writable } from 'node:stream';
import { maskName, ticketNumber, type TTicketListQuery } from '@huifang/shared';
import type { Db } from '../../db/client.ts';
import { streamThenAudit } from '../../lib/audited-stream.ts';
import { redactPiiText } from '../../lib/redact.ts';
import type { TClock } from '../../lib/clock.ts';
import { createSpreadsheet, EXPORT_CONTENT_TYPE, exportFileName } from '../../lib/export-file.ts';
import type { TActor, TAuditCtx } from '../../lib/scope.ts';
import { tenantTimeZone } from '../../lib/time.ts';
import { insertAuditEvent } from '../audit/audit.repository.ts';
import { ticketRowBatches, type TTicketJoinedRow } from './tickets.repository.ts';

const STATUS: Record<string, string> = {
  new: '新建',
  assigned: '已分派',
  in_progress: '处理中',
  waiting_customer: '待客户回复',
  resolved: '已解决',
  closed: '已关闭',
  reopened: '已重开',
};
const PRIORITY: Record<string, string> = { urgent: '紧急', high: '高', normal: '普通', low: '低' };
const CATEGORY: Record<string, string> = {
  service_attitude: '服务态度',
  waiting_time: '等待时间',
  business_error: '业务差错',
  price: '价格',
  quality: '质量',
  logistics: '物流',
  environment: '环境',
  other: '其他',
};
const SOURCE: Record<string, string> = { evaluation: '评价', feedback: '反馈', manual: '手工' };
const SLA: Record<string, string> = {
  ok: '正常',
  warning: '即将超时',
  breached: '已超时',
  paused: '已暂停',
  met: '已达标',
};
const LEVEL = ['客服', '主管', '经理', '服务监督团队'];
const date = (d: Date | string | null) => (d === null ? null : new Date(d));

const COLUMNS: { header: string; value: (r: TTicketJoinedRow) => unknown }[] = [
  { header: '工单号', value: (r) => ticketNumber(Number(r.seq)) },
  { header: '标题', value: (r) => r.title },
  { header: '状态', value: (r) => STATUS[r.status] ?? r.status },
  { header: '优先级', value: (r) => PRIORITY[r.priority] ?? r.priority },
  { header: '类别', value: (r) => CATEGORY[r.category] ?? r.category },
  { header: '来源', value: (r) => SOURCE[r.source] ?? r.source },
  { header: '网点', value: (r) => r.unit_name },
  { header: '客户', value: (r) => (r.customer_name ? maskName(r.customer_name) : null) },
  { header: '被投诉员工', value: (r) => r.staff_name },
  { header: '处理人', value: (r) => r.assignee_name },
  { header: '处理层级', value: (r) => LEVEL[Number(r.escalation_level)] ?? '' },
  { header: 'SLA 状态', value: (r) => SLA[r.sla_state] ?? r.sla_state },
  { header: '首次响应时限', value: (r) => date(r.first_response_due_at) },
  { header: '解决时限', value: (r) => date(r.resolution_due_at) },
  {
    header: '责任认定',
    value: (r) => (r.fault_decision === 'at_fault' ? '有责' : r.fault_decision === 'no_fault' ? '无责' : ''),
  },
  { header: '创建时间', value: (r) => date(r.created_at) },
  { header: '首次响应', value: (r) => date(r.first_responded_at) },
  { header: '解决时间', value: (r) => date(r.resolved_at) },
  { header: '关闭时间', value: (r) => date(r.closed_at) },
];

/**
 * 导出工单: the filtered, scoped list as xlsx (customer names masked), with a second sheet 筛选条件 listing the
 * filters applied. Audited (filters, row count) before the download completes, like the customer export.
 */
export async function exportTickets(
  deps: { db: Db; clock: TClock },
  actor: TActor,
  ctx: TAuditCtx,
  q: Partial<TTicketListQuery>,
): Promise<{ stream: Readable; fileName: string; contentType: string }> {
  const timeZone = await tenantTimeZone(deps.db, actor.tenantId);
  const filters = Object.entries(q).filter(([k, v]) => v !== undefined && !['page', 'pageSize'].includes(k));
  let rows = 0;
  const produce = async (out: Writable) => {
    const file = createSpreadsheet(out, 'xlsx', timeZone);
    const sheet = file.addSheet('工单', COLUMNS);
    for await (const batch of ticketRowBatches(deps.db, actor, q)) {
      for (const r of batch) sheet.addRow(COLUMNS.map((c) => c.value(r)));
      rows += batch.length;
    }
    const f = file.addSheet('筛选条件', [
      { header: '条件', width: 20 },
      { header: '值', width: 50 },
    ]);
    f.addRow(['导出人', actor.displayName]);
    f.addRow(['导出时间', deps.clock.now()]);
    if (filters.length === 0) f.addRow(['筛选', '（无，全部可见工单）']);
    // The search text may be a phone number or a name typed by the user: redacted like in the audit log.
    for (const [k, v] of filters) f.addRow([k, redactPiiText(Array.isArray(v) ? v.join(', ') : String(v))]);
    await file.finish();
  };
  const audit = () =>
    insertAuditEvent(
      deps.db,
      ctx,
      {
        action: 'ticket.exported',
        entityType: 'ticket',
        entityId: null,
        unitId: actor.unitId,
        summary: `导出工单 ${rows} 条`,
        after: { format: 'xlsx', rows, filters: Object.fromEntries(filters) },
      },
      deps.clock.now(),
    );
  return {
    stream: streamThenAudit(produce, audit),
    fileName: exportFileName('tickets', deps.clock.now(), timeZone, 'xlsx'),
    contentType: EXPORT_CONTENT_TYPE.xlsx,
  };
}
