import { sql } from 'drizzle-orm';
import { maskName } from '@huifang/shared';
import type { DbOrTx } from '../../db/client.ts';
import { customers } from '../../db/schema/index.ts';
import type { TAuditCtx, TScope } from '../../lib/scope.ts';
import { insertAuditEvent } from '../audit/audit.repository.ts';
import { findPhoneHolders, phoneDigitsOf } from './customers.repository.ts';

export interface TQuickCustomer {
  id: string;
  name: string;
  ownerId: string | null;
  /** matched = an existing customer of the outlet with this phone; created = a new one. */
  source: 'matched' | 'created';
}

/**
 * The counter's quick form 快速登记 (name + phone, stored form): the customer of the outlet (its unit subtree) who
 * already has this phone — the oldest, when duplicates exist — or else a new customer of the outlet, without an owner,
 * tagged with `tags`. In the caller's transaction; a creation writes its audit row. The caller decides who may use it
 * (the counter: the teller of the service); customers of other outlets are neither matched nor revealed.
 */
export async function matchOrCreateQuickCustomer(
  tx: DbOrTx,
  ctx: TAuditCtx,
  input: { tenantId: string; outletId: string; name: string; phone: string; tags: string[]; now: Date },
): Promise<TQuickCustomer> {
  const outlet = await tx.execute<{ path: string }>(
    sql`select path from org_units where tenant_id = ${input.tenantId} and id = ${input.outletId}`,
  );
  const outletScope: TScope = {
    tenantId: input.tenantId,
    userId: '00000000-0000-0000-0000-000000000000',
    unitId: input.outletId,
    unitPath: outlet.rows[0]?.path ?? '/-/',
    dataScope: 'subtree',
  };
  const holder = (await findPhoneHolders(tx, outletScope, [input.phone])).find((h) => h.visible);
  if (holder) {
    const owner = await tx.execute<{ owner_id: string | null }>(
      sql`select owner_id from customers where tenant_id = ${input.tenantId} and id = ${holder.id}`,
    );
    return { id: holder.id, name: holder.name, ownerId: owner.rows[0]?.owner_id ?? null, source: 'matched' };
  }
  const [row] = await tx
    .insert(customers)
    .values({
      tenantId: input.tenantId,
      name: input.name,
      phones: [input.phone],
      phoneDigits: phoneDigitsOf([input.phone]),
      unitId: input.outletId,
      tags: input.tags,
      createdAt: input.now,
      updatedAt: input.now,
    })
    .returning({ id: customers.id });
  await insertAuditEvent(
    tx,
    ctx,
    {
      action: 'customer.created',
      entityType: 'customer',
      entityId: row!.id,
      unitId: input.outletId,
      summary: `柜面快速登记客户 ${maskName(input.name)}`,
    },
    input.now,
  );
  return { id: row!.id, name: input.name, ownerId: null, source: 'created' };
}

/** Add a tag to a customer unless it has it (e.g. 潜力客户 from the counter); in the caller's transaction. */
export async function addCustomerTag(
  tx: DbOrTx,
  e: { tenantId: string; customerId: string; tag: string; now: Date },
): Promise<void> {
  await tx.execute(sql`
    update customers set tags = array_append(tags, ${e.tag}::text), updated_at = ${e.now}
    where tenant_id = ${e.tenantId} and id = ${e.customerId} and not (${e.tag}::text = any(tags))`);
}
