import { and, eq, inArray, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.ts';
import { contactEvents, customers, outboxMessages } from '../../db/schema/index.ts';
import { decideContact, type TContactPolicy } from '../policy/contact-policy.ts';
import { loadContactPolicies } from '../settings/contact-policy.service.ts';
import type { TOutboxRow } from './outbox.repository.ts';
import { DEFAULT_TIME_ZONE, tenantTimeZones } from '../../lib/time.ts';

export type TPolicyDecision =
  { kind: 'send' } | { kind: 'defer'; until: Date; reason: string } | { kind: 'block'; reason: string };

/**
 * The contact policy in the sender (DESIGN §5): decided inside the claim transaction, for each claimed message that
 * goes to a customer, from the customer row as it is now (no cache: an opt-out a minute ago counts), with the
 * TENANT's policy (settings → contact policy: quiet hours, gap; defaults 21:00–09:00, 7 days):
 * - missing consent (service, or marketing for marketing messages; an opt-out withdraws consent) → blocked:
 *   cancelled, never sent;
 * - do_not_contact_until in the future → deferred to the first contact hour on or after it (the customer asked not
 *   to be contacted BEFORE that date; the message is not dropped);
 * - at most one contact per customer per `minGapDays` across channels → deferred until the gap has passed. A contact
 *   is a contact_event, or a message of this customer that is `sending` now or ended "delivery unknown" (it may
 *   have reached the customer), or one claimed earlier in the same batch;
 * - quiet hours in the tenant's time zone → deferred to the next contact hour.
 * The customer rows are locked (`for update`, in id order) so two senders cannot both pass the gap check for one
 * customer: the second waits for the first's claim to commit and then sees its `sending` row.
 * `policy` overrides the tenant policies (one policy for all tenants); omitted = each tenant's own.
 */
export async function decideContacts(
  tx: DbOrTx,
  rows: TOutboxRow[],
  now: Date,
  policy?: TContactPolicy,
): Promise<Map<string, TPolicyDecision>> {
  const out = new Map<string, TPolicyDecision>();
  const withCustomer = rows.filter((r) => r.customerId);
  for (const r of rows) if (!r.customerId) out.set(r.id, { kind: 'send' });
  if (withCustomer.length === 0) return out;
  const tenantIds = [...new Set(withCustomer.map((r) => r.tenantId))];
  const zones = await tenantTimeZones(tx, tenantIds);
  const policies = policy ? new Map(tenantIds.map((id) => [id, policy])) : await loadContactPolicies(tx, tenantIds);
  const customerIds = [...new Set(withCustomer.map((r) => r.customerId!))].sort();
  const custs = new Map(
    (
      await tx
        .select({
          id: customers.id,
          tenantId: customers.tenantId,
          doNotContactUntil: customers.doNotContactUntil,
          consentService: customers.consentService,
          consentMarketing: customers.consentMarketing,
        })
        .from(customers)
        .where(inArray(customers.id, customerIds))
        .orderBy(customers.id)
        .for('update')
    ).map((c) => [c.id, c]),
  );
  const last = new Map<string, Date>();
  const bump = (id: string, at: Date | null) => {
    if (!at) return;
    const prev = last.get(id);
    if (!prev || prev < at) last.set(id, at);
  };
  for (const tenantId of tenantIds) {
    const ids = customerIds.filter((id) => custs.get(id)?.tenantId === tenantId);
    if (ids.length === 0) continue;
    const events = await tx
      .select({
        customerId: contactEvents.customerId,
        at: sql<Date>`max(${contactEvents.at})`.mapWith((v: string) => new Date(v)),
      })
      .from(contactEvents)
      .where(and(eq(contactEvents.tenantId, tenantId), inArray(contactEvents.customerId, ids)))
      .groupBy(contactEvents.customerId);
    for (const e of events) bump(e.customerId, e.at);
    const inFlight = await tx
      .select({
        customerId: outboxMessages.customerId,
        at: sql<Date>`max(${outboxMessages.claimedAt})`.mapWith((v: string) => new Date(v)),
      })
      .from(outboxMessages)
      .where(
        and(
          eq(outboxMessages.tenantId, tenantId),
          inArray(outboxMessages.customerId, ids),
          sql`(${outboxMessages.status} = 'sending' or (${outboxMessages.status} = 'failed' and ${outboxMessages.lastError} like 'interrupted%'))`,
        ),
      )
      .groupBy(outboxMessages.customerId);
    for (const e of inFlight) bump(e.customerId!, e.at);
  }
  for (const r of withCustomer) {
    const c = custs.get(r.customerId!);
    if (!c || c.tenantId !== r.tenantId) {
      out.set(r.id, { kind: 'block', reason: 'customer_gone' });
      continue;
    }
    const tz = zones.get(r.tenantId) ?? DEFAULT_TIME_ZONE;
    const d = decideContact(
      { ...c, lastContactAt: last.get(c.id) ?? null },
      { isMarketing: r.isMarketing },
      policies.get(r.tenantId)!,
      now,
      tz,
    );
    if (d.kind !== 'send') {
      out.set(r.id, d);
      continue;
    }
    out.set(r.id, { kind: 'send' });
    // A later message to the same customer in this batch sees this one as the latest contact.
    last.set(c.id, now);
  }
  return out;
}
