import {
  type AnyPgColumn,
  boolean,
  index,
  integer,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { tenants } from './tenants.ts';

/**
 * Org tree 组织架构. `path` is the materialised path of ids from the root, `/<root>/<child>/…/<self>/`, so a
 * subtree is `path LIKE '<unit path>%'` (text_pattern_ops index). Moving a unit rewrites the paths of its subtree
 * in one UPDATE.
 */
export const orgUnits = pgTable(
  'org_units',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id),
    parentId: uuid('parent_id').references((): AnyPgColumn => orgUnits.id),
    type: text('type').notNull(),
    name: text('name').notNull(),
    code: text('code'),
    path: text('path').notNull(),
    depth: integer('depth').notNull(),
    sortOrder: integer('sort_order').notNull().default(0),
    isActive: boolean('is_active').notNull().default(true),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('org_units_tenant_path_idx').on(t.tenantId, t.path.op('text_pattern_ops')),
    index('org_units_parent_idx').on(t.tenantId, t.parentId),
    uniqueIndex('org_units_tenant_code_uq').on(t.tenantId, t.code),
  ],
);
