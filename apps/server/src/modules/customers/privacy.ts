import { and, eq } from 'drizzle-orm';
import { maskName } from '@huifang/shared';
import type { Db } from '../../db/client.ts';
import { customerContacts, customerNotes, customers, serviceRecords, transactions } from '../../db/schema/index.ts';
import { notFound } from '../../lib/app-error.ts';
import type { TClock } from '../../lib/clock.ts';
import type { TAuditCtx, TScope } from '../../lib/scope.ts';
import { insertAuditEvent } from '../audit/audit.repository.ts';
import { relinkEvaluations } from '../evaluations/evaluations.repository.ts';
import { findVisibleCustomer } from './customers.repository.ts';

type TDeps = { db: Db; clock: TClock };

/** Access request 查阅请求: everything Huifang holds about one customer, in clear, as one JSON document. Audited. */
export async function exportCustomerData(deps: TDeps, scope: TScope, ctx: TAuditCtx, id: string) {
  const row = await findVisibleCustomer(deps.db, scope, id);
  if (!row) throw notFound('customer');
  const t = scope.tenantId;
  const [contacts, records, txs, notes] = await Promise.all([
    deps.db
      .select()
      .from(customerContacts)
      .where(and(eq(customerContacts.tenantId, t), eq(customerContacts.customerId, id))),
    deps.db
      .select()
      .from(serviceRecords)
      .where(and(eq(serviceRecords.tenantId, t), eq(serviceRecords.customerId, id))),
    deps.db
      .select()
      .from(transactions)
      .where(and(eq(transactions.tenantId, t), eq(transactions.customerId, id))),
    deps.db
      .select()
      .from(customerNotes)
      .where(and(eq(customerNotes.tenantId, t), eq(customerNotes.customerId, id))),
  ]);
  const { tenantId: _t, phoneDigits: _p, ...profile } = row.c;
  await insertAuditEvent(
    deps.db,
    ctx,
    {
      action: 'customer.data_exported',
      entityType: 'customer',
      entityId: id,
      unitId: row.c.unitId,
      summary: `导出客户 ${maskName(row.c.name)} 的全部个人数据（查阅请求）`,
    },
    deps.clock.now(),
  );
  return {
    exportedAt: deps.clock.now().toISOString(),
    customer: { ...profile, unitName: row.unitName, ownerName: row.ownerName },
    contacts: contacts.map(({ tenantId: _x, ...c }) => c),
    serviceRecords: records.map(({ tenantId: _x, ...r }) => r),
    transactions: txs.map(({ tenantId: _x, ...r }) => r),
    notes: notes.map(({ tenantId: _x, ...n }) => n),
  };
}

/**
 * Deletion request 删除请求: the customer and everything hanging off it are deleted from the tables (not flagged).
 * The audit rows about the customer hold no personal data (names are masked there), so they stay.
 */
export async function eraseCustomer(deps: TDeps, scope: TScope, ctx: TAuditCtx, id: string): Promise<void> {
  const row = await findVisibleCustomer(deps.db, scope, id);
  if (!row) throw notFound('customer');
  await deps.db.transaction(async (tx) => {
    // Evaluations stay for the statistics, without the customer link and their free text.
    await relinkEvaluations(tx, scope.tenantId, [id], null);
    // Contacts, service records, transactions and notes go with it (ON DELETE CASCADE).
    await tx.delete(customers).where(and(eq(customers.tenantId, scope.tenantId), eq(customers.id, id)));
    await insertAuditEvent(
      tx,
      ctx,
      {
        action: 'customer.erased',
        entityType: 'customer',
        entityId: id,
        unitId: row.c.unitId,
        summary: `删除客户 ${maskName(row.c.name)} 的全部数据（删除请求）`,
      },
      deps.clock.now(),
    );
  });
}
