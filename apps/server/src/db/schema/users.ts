import { boolean, index, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { orgUnits } from './org.ts';
import { tenants } from './tenants.ts';

export const users = pgTable(
  'users',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id),
    unitId: uuid('unit_id')
      .notNull()
      .references(() => orgUnits.id),
    username: text('username').notNull(),
    displayName: text('display_name').notNull(),
    passwordHash: text('password_hash').notNull(),
    /** 工号 */
    staffNo: text('staff_no'),
    /** 职务 */
    title: text('title'),
    /** 办理业务 — shown on the kiosk staff card. */
    businessHandled: text('business_handled').array().notNull().default([]),
    phone: text('phone'),
    email: text('email'),
    /** data: URL; served by GET /api/users/:id/photo. */
    photo: text('photo'),
    isActive: boolean('is_active').notNull().default(true),
    mustChangePassword: boolean('must_change_password').notNull().default(false),
    passwordChangedAt: timestamp('password_changed_at', { withTimezone: true }).notNull().defaultNow(),
    lastLoginAt: timestamp('last_login_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    // Usernames are stored lower-cased (the service normalises them), unique per tenant.
    uniqueIndex('users_tenant_username_uq').on(t.tenantId, t.username),
    index('users_unit_idx').on(t.tenantId, t.unitId),
  ],
);

export const roles = pgTable(
  'roles',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id),
    /** Built-in role key (admin, manager, …); null for tenant-defined roles. */
    key: text('key'),
    name: text('name').notNull(),
    description: text('description'),
    permissions: text('permissions').array().notNull().default([]),
    dataScope: text('data_scope').notNull(),
    isBuiltin: boolean('is_builtin').notNull().default(false),
    /**
     * Built-in roles: the default permissions already offered to this role. A release that adds a permission to a
     * built-in role's defaults grants it once at start; a permission the tenant removed stays removed.
     */
    defaultsSeen: text('defaults_seen').array().notNull().default([]),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('roles_tenant_key_uq').on(t.tenantId, t.key),
    uniqueIndex('roles_tenant_name_uq').on(t.tenantId, t.name),
  ],
);

export const userRoles = pgTable(
  'user_roles',
  {
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    roleId: uuid('role_id')
      .notNull()
      .references(() => roles.id),
  },
  (t) => [primaryKey({ columns: [t.userId, t.roleId] }), index('user_roles_role_idx').on(t.tenantId, t.roleId)],
);
