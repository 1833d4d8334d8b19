import { bigserial, index, jsonb, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { tenants } from './tenants.ts';

/**
 * Audit log: every write and every login. Append-only — a trigger (migration 0001) rejects UPDATE and DELETE.
 * `unit_id` is the org unit the event belongs to (of the entity, or of the actor), used for subtree scoping.
 */
export const auditEvents = pgTable(
  'audit_events',
  {
    id: bigserial('id', { mode: 'number' }).notNull(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
    actorId: uuid('actor_id'),
    actorName: text('actor_name'),
    action: text('action').notNull(),
    entityType: text('entity_type').notNull(),
    entityId: text('entity_id'),
    unitId: uuid('unit_id'),
    summary: text('summary'),
    before: jsonb('before'),
    after: jsonb('after'),
    ip: text('ip'),
    requestId: text('request_id'),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    index('audit_events_at_idx').on(t.tenantId, t.at),
    index('audit_events_entity_idx').on(t.tenantId, t.entityType, t.entityId),
    index('audit_events_actor_idx').on(t.tenantId, t.actorId, t.at),
    index('audit_events_unit_idx').on(t.tenantId, t.unitId, t.at),
  ],
);
