import { sql } from 'drizzle-orm';
import { check, index, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { customers } from './customers.ts';
import { orgUnits } from './org.ts';
import { tenants } from './tenants.ts';
import { users } from './users.ts';

/**
 * Potential customers 潜力客户 flagged by a teller on the counter page (DESIGN §6): one row per service session at
 * most (a second click does nothing more), naming the customer served, who flagged it and when. The flag also sent
 * the outlet head an SMS (outbox, ref `potential_customer` + this id) and made a follow-up task for the customer's
 * owner (followup, occurrence key `potential:<session>`). Owned by modules/counter.
 */
export const counterPotentialCustomers = pgTable(
  'counter_potential_customers',
  {
    id: uuid('id').notNull().defaultRandom(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id),
    /** The service session during or after which the teller flagged (service_sessions: keyed by tenant + id). */
    sessionId: uuid('session_id').notNull(),
    /** An erased customer takes its flags along; a merge moves them to the kept customer (data-quality). */
    customerId: uuid('customer_id')
      .notNull()
      .references(() => customers.id, { onDelete: 'cascade' }),
    outletId: uuid('outlet_id')
      .notNull()
      .references(() => orgUnits.id),
    counterId: uuid('counter_id')
      .notNull()
      .references(() => orgUnits.id),
    staffId: uuid('staff_id')
      .notNull()
      .references(() => users.id),
    /** linked = the session's customer; matched / created = from the quick form (name + phone). */
    customerSource: text('customer_source').notNull(),
    flaggedAt: timestamp('flagged_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    uniqueIndex('counter_potential_session_uq').on(t.tenantId, t.sessionId),
    index('counter_potential_outlet_idx').on(t.tenantId, t.outletId, t.flaggedAt),
    // customer_id first: the foreign key's check when customers are deleted (erasure, merge) probes it.
    index('counter_potential_customer_idx').on(t.customerId),
    check('counter_potential_source_ck', sql`${t.customerSource} in ('linked', 'matched', 'created')`),
  ],
);
