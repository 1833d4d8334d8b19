import type { Readable, Writable } from 'node:stream';
import { and, eq, lt, or, sql } from 'drizzle-orm';
import type { TCustomerListQuery, TCustomFieldDef } from '@huifang/shared';
import type { Db } from '../../db/client.ts';
import { customers, orgUnits, users } from '../../db/schema/index.ts';
import { streamThenAudit } from '../../lib/audited-stream.ts';
import {
  createSpreadsheet,
  EXPORT_CONTENT_TYPE,
  exportFileName,
  localDay,
  type TExportFormat,
} from '../../lib/export-file.ts';
import type { TClock } from '../../lib/clock.ts';
import type { TActor, TAuditCtx } from '../../lib/scope.ts';
import { insertAuditEvent } from '../audit/audit.repository.ts';
import { listCustomFields } from '../settings/settings.service.ts';
import { listConditions, type TCustomerJoined } from './customers.repository.ts';
import { resolveUnitLists, toCustomerDto } from './customers.service.ts';
import { tenantTimeZone } from '../../lib/time.ts';
import { exportValues, type TExportValue } from '../value/value-filter.ts';

export type { TExportFormat };
const BATCH = 2000;

/** Columns of the export, in order; custom fields follow. `clear` rows carry personal data in clear. */
function columns(defs: TCustomFieldDef[]) {
  const base: { header: string; value: (r: TCustomerJoined, clear: boolean, v?: TExportValue) => unknown }[] = [
    { header: '客户名称', value: (r) => r.c.name },
    { header: '类型', value: (r) => (r.c.kind === 'company' ? '企业' : '个人') },
    { header: '电话', value: (r, clear) => (clear ? r.c.phones : toCustomerDto(r).phones).join(', ') },
    { header: '邮箱', value: (r, clear) => (clear ? r.c.email : toCustomerDto(r).email) },
    { header: '地址', value: (r, clear) => (clear ? r.c.address : toCustomerDto(r).address) },
    { header: '证件号', value: (r, clear) => (clear ? r.c.idNumber : toCustomerDto(r).idNumber) },
    { header: '卡号', value: (r, clear) => (clear ? r.c.cardNumbers : toCustomerDto(r).cardNumbers).join(', ') },
    { header: '性别', value: (r) => ({ male: '男', female: '女', unknown: '未知' })[r.c.gender ?? ''] ?? '' },
    { header: '生日', value: (r) => localDay(r.c.birthday) },
    { header: '所属单位', value: (r) => r.unitName },
    { header: '归属员工', value: (r) => r.ownerName },
    { header: '等级', value: (r) => r.c.tier },
    { header: '生命周期', value: (r) => r.c.lifecycleStage },
    { header: '意向级别', value: (r) => r.c.intentLevel },
    { header: '信息来源', value: (r) => r.c.source },
    { header: '标签', value: (r) => r.c.tags.join(', ') },
    { header: '同意服务回访', value: (r) => (r.c.consentService ? '是' : '否') },
    { header: '同意营销', value: (r) => (r.c.consentMarketing ? '是' : '否') },
    { header: '创建时间', value: (r) => r.c.createdAt },
    // Customer value 客户分级: the latest recompute run (modules/value).
    { header: '价值得分', value: (_r, _c, v) => v?.score ?? null },
    { header: '价值分层', value: (_r, _c, v) => v?.tier ?? null },
    { header: '客户分类', value: (_r, _c, v) => v?.ruleClass ?? null },
    { header: '价值生命周期', value: (_r, _c, v) => v?.lifecycle ?? null },
    { header: '星级', value: (_r, _c, v) => v?.stars ?? null },
  ];
  const custom = (d: TCustomFieldDef, v: unknown) =>
    d.type === 'date' && typeof v === 'string' && /^\d{4}-\d{2}-\d{2}/.test(v) ? localDay(v) : (v ?? null);
  return [
    ...base,
    ...defs.map((d) => ({ header: d.label, value: (r: TCustomerJoined) => custom(d, r.c.custom[d.key]) })),
  ];
}

/** Keyset batches over the filtered, scoped list (newest first), so memory stays flat for a million rows. */
async function* batches(db: Db, where: ReturnType<typeof listConditions>): AsyncGenerator<TCustomerJoined[]> {
  let after: { at: Date; id: string } | null = null;
  for (;;) {
    const cursor = after
      ? or(lt(customers.createdAt, after.at), and(eq(customers.createdAt, after.at), lt(customers.id, after.id)))
      : undefined;
    const rows = (await db
      .select({ c: customers, unitName: orgUnits.name, ownerName: users.displayName })
      .from(customers)
      .innerJoin(orgUnits, eq(orgUnits.id, customers.unitId))
      .leftJoin(users, eq(users.id, customers.ownerId))
      .where(and(where, cursor))
      .orderBy(sql`${customers.createdAt} desc, ${customers.id} desc`)
      .limit(BATCH)) as TCustomerJoined[];
    if (rows.length === 0) return;
    yield rows;
    const last = rows[rows.length - 1]!;
    after = { at: last.c.createdAt, id: last.c.id };
    if (rows.length < BATCH) return;
  }
}

/**
 * Export the filtered list as CSV (UTF-8 with BOM, for Excel) or xlsx, formula-injection safe. Personal data is
 * exported in clear only for users holding pii:reveal; every export writes an audit row (filters, row count).
 */
export async function exportCustomers(
  deps: { db: Db; clock: TClock },
  actor: TActor,
  ctx: TAuditCtx,
  q: TCustomerListQuery,
  format: TExportFormat,
): Promise<{ stream: Readable; fileName: string; contentType: string }> {
  const where = listConditions(actor, q, await resolveUnitLists(deps.db, actor, q));
  const clear = actor.permissions.has('pii:reveal');
  const cols = columns(await listCustomFields(deps.db, actor.tenantId, 'customer'));
  const timeZone = await tenantTimeZone(deps.db, actor.tenantId);
  let rows = 0;

  const produce = async (out: Writable) => {
    const file = createSpreadsheet(out, format, timeZone);
    const sheet = file.addSheet('客户', cols);
    for await (const batch of batches(deps.db, where)) {
      const values = await exportValues(
        deps.db,
        actor.tenantId,
        batch.map((r) => r.c.id),
      );
      for (const r of batch) sheet.addRow(cols.map((c) => c.value(r, clear, values.get(r.c.id))));
      rows += batch.length;
    }
    await file.finish();
  };
  const audit = () =>
    insertAuditEvent(
      deps.db,
      ctx,
      {
        action: 'customer.exported',
        entityType: 'customer',
        entityId: null,
        unitId: actor.unitId,
        summary: `导出客户 ${rows} 条（${format}，${clear ? '含完整个人信息' : '个人信息已脱敏'}）`,
        after: { format, rows, pii: clear ? 'clear' : 'masked', filters: q },
      },
      deps.clock.now(),
    );
  const out = streamThenAudit(produce, audit);
  return {
    stream: out,
    fileName: exportFileName('customers', deps.clock.now(), timeZone, format),
    contentType: EXPORT_CONTENT_TYPE[format],
  };
}
