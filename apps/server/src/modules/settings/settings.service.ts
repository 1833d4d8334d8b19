import { and, asc, eq } from 'drizzle-orm';
import {
  DEFAULT_INTENT_LEVELS,
  type TCreateCustomFieldInput,
  type TCustomFieldDef,
  type TServiceType,
} from '@huifang/shared';
import type { Db, DbOrTx } from '../../db/client.ts';
import { customFieldDefs, dictionaryItems, serviceTypes } from '../../db/schema/index.ts';
import { AppError } from '../../lib/app-error.ts';
import type { TClock } from '../../lib/clock.ts';
import type { TAuditCtx, TScope } from '../../lib/scope.ts';
import { insertAuditEvent } from '../audit/audit.repository.ts';
import { ensureCalendarDefaults } from '../policy/business-calendar.service.ts';

type TDeps = { db: Db; clock: TClock };
const isUnique = (e: unknown) => (e as { cause?: { code?: string } }).cause?.code === '23505';

/** Default dictionaries and service types of a tenant; topped up at every start, never overwriting edits. */
export async function ensureTenantDefaults(db: DbOrTx, tenantId: string): Promise<void> {
  const dict = (name: string, labels: readonly string[]) =>
    labels.map((label, i) => ({ tenantId, dict: name, code: label, label, sortOrder: i }));
  await db
    .insert(dictionaryItems)
    .values([
      ...dict('intent_level', DEFAULT_INTENT_LEVELS),
      ...dict('customer_source', ['网点到访', '电话咨询', '线上渠道', '转介绍', '活动', '其他']),
      ...dict('tier', ['VIP', '重要', '普通']),
      ...dict('lifecycle_stage', ['潜在', '新客户', '活跃', '沉睡', '流失']),
    ])
    .onConflictDoNothing();
  await db
    .insert(serviceTypes)
    .values([
      { tenantId, key: 'counter_visit', name: '柜面业务' },
      { tenantId, key: 'sale', name: '销售/交付' },
      { tenantId, key: 'repair', name: '维修保养' },
      { tenantId, key: 'outpatient', name: '门诊' },
      { tenantId, key: 'discharge', name: '出院' },
      { tenantId, key: 'order', name: '订单' },
    ])
    .onConflictDoNothing();
  await ensureCalendarDefaults(db, tenantId);
}

export async function listDictionary(db: DbOrTx, tenantId: string, dict: string) {
  return db
    .select({ code: dictionaryItems.code, label: dictionaryItems.label, sortOrder: dictionaryItems.sortOrder })
    .from(dictionaryItems)
    .where(
      and(eq(dictionaryItems.tenantId, tenantId), eq(dictionaryItems.dict, dict), eq(dictionaryItems.isActive, true)),
    )
    .orderBy(asc(dictionaryItems.sortOrder));
}

export async function listCustomFields(db: DbOrTx, tenantId: string, entity: string): Promise<TCustomFieldDef[]> {
  const rows = await db
    .select()
    .from(customFieldDefs)
    .where(and(eq(customFieldDefs.tenantId, tenantId), eq(customFieldDefs.entity, entity)))
    .orderBy(asc(customFieldDefs.sortOrder), asc(customFieldDefs.createdAt));
  return rows.map((r) => ({
    id: r.id,
    entity: r.entity as TCustomFieldDef['entity'],
    key: r.key,
    label: r.label,
    type: r.type,
    options: r.options,
    isRequired: r.isRequired,
    sortOrder: r.sortOrder,
  }));
}

export async function createCustomField(
  deps: TDeps,
  scope: TScope,
  ctx: TAuditCtx,
  input: TCreateCustomFieldInput,
): Promise<TCustomFieldDef> {
  if (input.type === 'option' && input.options.length === 0) {
    throw new AppError('VALIDATION_FAILED', 'an option field needs options', {
      details: [{ path: 'body.options', message: '请至少填写一个选项' }],
    });
  }
  const now = deps.clock.now();
  try {
    return await deps.db.transaction(async (tx) => {
      const [r] = await tx
        .insert(customFieldDefs)
        .values({ ...input, tenantId: scope.tenantId, createdAt: now })
        .returning();
      const dto: TCustomFieldDef = {
        id: r!.id,
        entity: input.entity,
        key: r!.key,
        label: r!.label,
        type: r!.type,
        options: r!.options,
        isRequired: r!.isRequired,
        sortOrder: r!.sortOrder,
      };
      await insertAuditEvent(
        tx,
        ctx,
        {
          action: 'custom_field.created',
          entityType: 'custom_field',
          entityId: r!.id,
          unitId: scope.unitId,
          summary: `新建自定义字段 ${input.label}`,
          after: dto,
        },
        now,
      );
      return dto;
    });
  } catch (e) {
    if (isUnique(e))
      throw new AppError('CONFLICT', 'a field with this key exists', {
        details: [{ path: 'body.key', message: '字段键已存在' }],
      });
    throw e;
  }
}

export async function listServiceTypes(db: DbOrTx, tenantId: string): Promise<TServiceType[]> {
  const rows = await db
    .select()
    .from(serviceTypes)
    .where(eq(serviceTypes.tenantId, tenantId))
    .orderBy(asc(serviceTypes.createdAt), asc(serviceTypes.key));
  return rows.map(({ id, key, name, isActive }) => ({ id, key, name, isActive }));
}

export async function createServiceType(
  deps: TDeps,
  scope: TScope,
  ctx: TAuditCtx,
  input: { key: string; name: string },
): Promise<TServiceType> {
  const now = deps.clock.now();
  try {
    return await deps.db.transaction(async (tx) => {
      const [r] = await tx
        .insert(serviceTypes)
        .values({ ...input, tenantId: scope.tenantId, createdAt: now })
        .returning();
      await insertAuditEvent(
        tx,
        ctx,
        {
          action: 'service_type.created',
          entityType: 'service_type',
          entityId: r!.id,
          unitId: scope.unitId,
          summary: `新建服务类型 ${input.name}`,
        },
        now,
      );
      return { id: r!.id, key: r!.key, name: r!.name, isActive: r!.isActive };
    });
  } catch (e) {
    if (isUnique(e))
      throw new AppError('CONFLICT', 'a service type with this key exists', {
        details: [{ path: 'body.key', message: '键已存在' }],
      });
    throw e;
  }
}
