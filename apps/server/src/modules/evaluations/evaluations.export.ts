import type { Readable, Writable } from 'node:stream';
import { sql } from 'drizzle-orm';
import type { TEvaluationChannel, TEvaluationListQuery } from '@huifang/shared';
import type { Db, DbOrTx } from '../../db/client.ts';
import { streamThenAudit } from '../../lib/audited-stream.ts';
import type { TClock } from '../../lib/clock.ts';
import {
  createSpreadsheet,
  EXPORT_CONTENT_TYPE,
  exportFileName,
  formatLocalDateTime,
  type TSheetFilters,
} from '../../lib/export-file.ts';
import { pgArray, type TActor, type TAuditCtx, type TScope } from '../../lib/scope.ts';
import { tenantTimeZone } from '../../lib/time.ts';
import { insertAuditEvent } from '../audit/audit.repository.ts';
import { listEvaluations } from './evaluations.repository.ts';

export const CHANNEL_LABELS: Record<TEvaluationChannel, string> = {
  kiosk: '窗口评价器',
  survey: '问卷',
  order_review: '订单评价',
  followup: '回访',
  staff: '人工录入',
};
const SENTIMENT_LABELS = { satisfied: '满意（4–5 分）', neutral: '一般（3 分）', unsatisfied: '不满意（1–2 分）' };
const BATCH = 500;

/** Names of the units and users a filter names (only those of the tenant), for the filter rows of a sheet. */
export async function filterNames(
  db: DbOrTx,
  scope: TScope,
  ids: { units: (string | undefined)[]; users: (string | undefined)[] },
): Promise<Map<string, string>> {
  const units = ids.units.filter((x): x is string => !!x);
  const people = ids.users.filter((x): x is string => !!x);
  const out = new Map<string, string>();
  if (units.length) {
    const res = await db.execute<{ id: string; name: string }>(sql`
      select id, name from org_units where tenant_id = ${scope.tenantId} and id = any(${pgArray(units, 'uuid')})`);
    for (const r of res.rows) out.set(r.id, r.name);
  }
  if (people.length) {
    const res = await db.execute<{ id: string; name: string }>(sql`
      select id, display_name as name from users where tenant_id = ${scope.tenantId} and id = any(${pgArray(people, 'uuid')})`);
    for (const r of res.rows) out.set(r.id, r.name);
  }
  return out;
}

/** The list's filters as `label | value` rows (only those set). */
async function sheetFilters(db: DbOrTx, scope: TScope, q: TEvaluationListQuery, timeZone: string) {
  const names = await filterNames(db, scope, { units: [q.unitId, q.counterId], users: [q.staffId] });
  const when = (v: string) => (/^\d{4}-\d{2}-\d{2}$/.test(v) ? v : formatLocalDateTime(new Date(v), timeZone));
  const rows: [string, string | undefined][] = [
    ['单位', q.unitId && (names.get(q.unitId) ?? q.unitId)],
    ['窗口', q.counterId && (names.get(q.counterId) ?? q.counterId)],
    ['服务人员', q.staffId && (names.get(q.staffId) ?? q.staffId)],
    ['渠道', q.channel && CHANNEL_LABELS[q.channel]],
    ['满意度', q.sentiment && SENTIMENT_LABELS[q.sentiment]],
    ['评分', q.score === undefined ? undefined : q.score === 'unrated' ? '未评价' : `${q.score} 分`],
    ['开始', q.from && when(q.from)],
    ['结束', q.to && when(q.to)],
    ['标记', q.flag],
    ['状态', q.excluded === 'true' ? '已剔除' : q.excluded === 'false' ? '计入统计' : undefined],
    ['申诉', q.appeal === 'open' ? '申诉中' : undefined],
  ];
  return rows.filter((r): r is [string, string] => !!r[1]);
}

const COLUMNS = [
  { header: '评价时间', width: 20 },
  { header: '渠道' },
  { header: '评分' },
  { header: '评价' },
  { header: '单位', width: 20 },
  { header: '窗口' },
  { header: '服务人员' },
  { header: '客户' },
  { header: '文字评价', width: 40 },
  { header: '状态' },
  { header: '申诉' },
];

/**
 * The evaluations list as xlsx with its current filters written above the table: the caller's scope, newest first,
 * the customer's name masked exactly as the list shows it (clear only with pii:reveal). Every export is audited
 * (filters, row count) before the download completes.
 */
export async function exportEvaluations(
  deps: { db: Db; clock: TClock },
  actor: TActor,
  ctx: TAuditCtx,
  q: Omit<TEvaluationListQuery, 'cursor' | 'pageSize'>,
): Promise<{ stream: Readable; fileName: string; contentType: string }> {
  const clear = actor.permissions.has('pii:reveal');
  const timeZone = await tenantTimeZone(deps.db, actor.tenantId);
  const filters: TSheetFilters = await sheetFilters(deps.db, actor, { ...q, pageSize: BATCH }, timeZone);
  let rows = 0;
  const produce = async (out: Writable) => {
    const file = createSpreadsheet(out, 'xlsx', timeZone);
    const sheet = file.addSheet('评价记录', COLUMNS, filters);
    let cursor: string | undefined;
    do {
      const page = await listEvaluations(deps.db, actor, { ...q, pageSize: BATCH, cursor }, clear);
      for (const e of page.items)
        sheet.addRow([
          new Date(e.occurredAt),
          CHANNEL_LABELS[e.channel],
          e.score,
          e.score === null ? '未评价' : e.ratingLabel,
          e.unitName,
          e.counterName,
          e.staffName,
          e.customerName,
          e.text,
          e.isExcluded ? '已剔除' : '计入统计',
          e.appealState === 'open' ? '申诉中' : e.appealState === 'decided' ? '申诉已处理' : '',
        ]);
      rows += page.items.length;
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    await file.finish();
  };
  const audit = () =>
    insertAuditEvent(
      deps.db,
      ctx,
      {
        action: 'evaluation.exported',
        entityType: 'evaluation',
        entityId: null,
        unitId: actor.unitId,
        summary: `导出评价 ${rows} 条（xlsx，${clear ? '含完整个人信息' : '个人信息已脱敏'}）`,
        after: { format: 'xlsx', rows, pii: clear ? 'clear' : 'masked', filters: q },
      },
      deps.clock.now(),
    );
  return {
    stream: streamThenAudit(produce, audit),
    fileName: exportFileName('evaluations', deps.clock.now(), timeZone, 'xlsx'),
    contentType: EXPORT_CONTENT_TYPE.xlsx,
  };
}
