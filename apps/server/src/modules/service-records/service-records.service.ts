import { and, eq } from 'drizzle-orm';
import { maskName, type TCreateServiceRecordInput, type TCreateTransactionInput } from '@huifang/shared';
import type { Db } from '../../db/client.ts';
import { customFieldDefs, serviceRecords, serviceTypes, transactions } from '../../db/schema/index.ts';
import { AppError, notFound, unknownRef } from '../../lib/app-error.ts';
import type { TClock } from '../../lib/clock.ts';
import type { TAuditCtx, TScope } from '../../lib/scope.ts';
import { insertAuditEvent } from '../audit/audit.repository.ts';
import { checkCustomValues } from '../customers/custom-values.ts';
import { findVisibleCustomer } from '../customers/customers.repository.ts';
import { findVisibleUnit } from '../org-units/org-units.repository.ts';
import { findVisibleUser } from '../users/users.repository.ts';
import { onServiceRecordCreated } from '../followup/paths/paths.service.ts';

type TDeps = { db: Db; clock: TClock };

/** Record a service (counter visit, delivery, repair, discharge…) for a visible customer. */
export async function addServiceRecord(
  deps: TDeps,
  scope: TScope,
  ctx: TAuditCtx,
  customerId: string,
  input: TCreateServiceRecordInput,
) {
  const customer = await findVisibleCustomer(deps.db, scope, customerId);
  if (!customer) throw notFound('customer');
  const [type] = await deps.db
    .select()
    .from(serviceTypes)
    .where(and(eq(serviceTypes.tenantId, scope.tenantId), eq(serviceTypes.id, input.serviceTypeId)));
  if (!type) throw unknownRef('body.serviceTypeId', 'service type');
  const unitId = input.unitId ?? customer.c.unitId;
  if (input.unitId && !(await findVisibleUnit(deps.db, scope, input.unitId))) throw unknownRef('body.unitId', 'unit');
  // The staff member who served must be someone the caller can see (their own scope), not anyone in the tenant.
  if (input.staffId && !(await findVisibleUser(deps.db, scope, input.staffId)))
    throw unknownRef('body.staffId', 'staff member');
  const defs = (
    await deps.db
      .select()
      .from(customFieldDefs)
      .where(and(eq(customFieldDefs.tenantId, scope.tenantId), eq(customFieldDefs.entity, 'service_record')))
  ).filter((d) => d.serviceTypeId === null || d.serviceTypeId === type.id);
  const { values, errors } = checkCustomValues(defs, input.custom, { isCreate: true });
  if (errors.length) throw new AppError('VALIDATION_FAILED', 'custom field values are invalid', { details: errors });
  const now = deps.clock.now();
  return deps.db.transaction(async (tx) => {
    const [row] = await tx
      .insert(serviceRecords)
      .values({
        tenantId: scope.tenantId,
        customerId,
        serviceTypeId: type.id,
        unitId,
        staffId: input.staffId ?? null,
        occurredAt: new Date(input.occurredAt),
        summary: input.summary ?? null,
        custom: values,
        createdAt: now,
      })
      .returning();
    // Plan templates 回访路径: the winning template's time points become tasks in the same transaction.
    await onServiceRecordCreated(deps, tx, {
      tenantId: scope.tenantId,
      serviceRecordId: row!.id,
      actorId: scope.userId,
    });
    await insertAuditEvent(
      tx,
      ctx,
      {
        action: 'service_record.created',
        entityType: 'service_record',
        entityId: row!.id,
        unitId,
        summary: `${type.name} · ${maskName(customer.c.name)}`,
      },
      now,
    );
    return { id: row!.id };
  });
}

export async function addTransaction(
  deps: TDeps,
  scope: TScope,
  ctx: TAuditCtx,
  customerId: string,
  input: TCreateTransactionInput,
) {
  const customer = await findVisibleCustomer(deps.db, scope, customerId);
  if (!customer) throw notFound('customer');
  const now = deps.clock.now();
  return deps.db.transaction(async (tx) => {
    const [row] = await tx
      .insert(transactions)
      .values({
        tenantId: scope.tenantId,
        customerId,
        unitId: customer.c.unitId,
        kind: input.kind,
        amountFen: input.amountFen,
        occurredAt: new Date(input.occurredAt),
        orderNo: input.orderNo ?? null,
        note: input.note ?? null,
        createdAt: now,
      })
      .returning();
    await insertAuditEvent(
      tx,
      ctx,
      {
        action: 'transaction.created',
        entityType: 'transaction',
        entityId: row!.id,
        unitId: customer.c.unitId,
        summary: `${input.kind} ${(input.amountFen / 100).toFixed(2)} · ${maskName(customer.c.name)}`,
      },
      now,
    );
    return { id: row!.id };
  });
}
