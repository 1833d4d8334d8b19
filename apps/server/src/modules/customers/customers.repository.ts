import { and, arrayContains, eq, gte, ilike, inArray, lte, sql, type SQL } from 'drizzle-orm';
import { formatPhone, normalizePhone, phoneSearchKey, type TCustomerListQuery } from '@huifang/shared';
import type { DbOrTx } from '../../db/client.ts';
import { customerContacts, customerPhones, customers, orgUnits, users } from '../../db/schema/index.ts';
import { invalidField } from '../../lib/app-error.ts';
import { likeEscape, orderBy, pageOffset } from '../../lib/pagination.ts';
import { ownedVisible, type TScope } from '../../lib/scope.ts';

export type TCustomerRow = typeof customers.$inferSelect;
export interface TCustomerJoined {
  c: TCustomerRow;
  unitName: string;
  ownerName: string | null;
}

/** `own` scope sees the customers it owns; wider scopes see customers of visible units. */
export const customerVisible = (scope: TScope) =>
  and(eq(customers.tenantId, scope.tenantId), ownedVisible(scope, customers.ownerId, customers.unitId));

const SORTS = { createdAt: customers.createdAt, updatedAt: customers.updatedAt, name: customers.name };

function parseCustomFilter(raw: string | undefined): Record<string, string | number> | null {
  if (!raw) return null;
  try {
    const v: unknown = JSON.parse(raw);
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const ok = Object.entries(v).every(([, x]) => typeof x === 'string' || typeof x === 'number');
      if (ok) return v as Record<string, string | number>;
    }
  } catch {
    /* fall through */
  }
  throw invalidField('querystring.custom', 'custom must be a JSON object of field → value');
}

/**
 * Unit lists resolved before the query: `scopeUnitIds` for a subtree scope, `filterUnitIds` for the unit filter.
 * As literal lists (not a sub-select) they let Postgres walk a (tenant, filter, created_at) index newest-first and
 * stop after one page, instead of collecting every row of the subtree and sorting it.
 */
export interface TUnitLists {
  scopeUnitIds: string[] | null;
  filterUnitIds: string[] | null;
}

export function listConditions(scope: TScope, q: TCustomerListQuery, units: TUnitLists): SQL {
  const conds: (SQL | undefined)[] = [
    units.scopeUnitIds ? and(eq(customers.tenantId, scope.tenantId), inArray(customers.unitId, units.scopeUnitIds)) : customerVisible(scope),
  ];
  if (q.kind) conds.push(eq(customers.kind, q.kind));
  if (q.unitId) conds.push(units.filterUnitIds?.length ? inArray(customers.unitId, units.filterUnitIds) : sql`false`);
  if (q.ownerId) conds.push(eq(customers.ownerId, q.ownerId));
  if (q.tier) conds.push(eq(customers.tier, q.tier));
  if (q.intentLevel) conds.push(eq(customers.intentLevel, q.intentLevel));
  if (q.lifecycleStage) conds.push(eq(customers.lifecycleStage, q.lifecycleStage));
  if (q.source) conds.push(eq(customers.source, q.source));
  if (q.tags) conds.push(arrayContains(customers.tags, q.tags.split(',').map((s) => s.trim()).filter(Boolean)));
  if (q.createdFrom) conds.push(gte(customers.createdAt, new Date(q.createdFrom)));
  if (q.createdTo) conds.push(lte(customers.createdAt, new Date(q.createdTo)));
  const custom = parseCustomFilter(q.custom);
  // `custom <> '{}'` lets Postgres use the partial GIN index (a non-empty containment implies it).
  if (custom && Object.keys(custom).length) conds.push(sql`${customers.custom} @> ${JSON.stringify(custom)}::jsonb and ${customers.custom} <> '{}'::jsonb`);
  if (q.q) {
    const phone = normalizePhone(q.q);
    const digits = phoneSearchKey(q.q);
    // A whole phone number (+86 138 1234 5678, 021-5555 1234): exact, through customer_phones. Three or more digits
    // with only phone punctuation: a fragment (trigram index on phone_digits). Anything else: a name (trigram index).
    if (phone) conds.push(sql`${customers.id} in (${customerIdsWithPhone(scope.tenantId, formatPhone(phone))})`);
    else if (digits.length >= 3 && PHONE_CHARS.test(q.q)) conds.push(ilike(customers.phoneDigits, `%${digits}%`));
    else conds.push(ilike(customers.name, `%${likeEscape(q.q)}%`));
  }
  return and(...conds)!;
}

const PHONE_CHARS = /^[+\d\s\-()（）]+$/;

/** Ids of the customers holding this (normalised) phone: one btree probe on customer_phones. */
export const customerIdsWithPhone = (tenantId: string, phone: string) =>
  sql`select ${customerPhones.customerId} from ${customerPhones} where ${customerPhones.tenantId} = ${tenantId} and ${customerPhones.phone} = ${phone}`;

/** Past this many matches the list shows an estimate: counting a million rows exactly on every page costs too much. */
export const EXACT_COUNT_CAP = 1_000;

/** Exact count up to the cap; beyond it the planner's row estimate (never below the cap). */
async function cappedCount(db: DbOrTx, where: SQL): Promise<{ total: number; isEstimate: boolean }> {
  const capped = await db.execute<{ n: number }>(sql`select count(*)::int as n from (select 1 from ${customers} where ${where} limit ${EXACT_COUNT_CAP + 1}) x`);
  const n = Number(capped.rows[0]?.n ?? 0);
  if (n <= EXACT_COUNT_CAP) return { total: n, isEstimate: false };
  const plan = await db.execute<{ 'QUERY PLAN': [{ Plan: { 'Plan Rows': number } }] }>(sql`explain (format json) select 1 from ${customers} where ${where}`);
  const estimate = Math.round(plan.rows[0]?.['QUERY PLAN'][0]?.Plan['Plan Rows'] ?? n);
  return { total: Math.max(estimate, n), isEstimate: true };
}

export async function listCustomers(db: DbOrTx, scope: TScope, q: TCustomerListQuery, units: TUnitLists) {
  const where = listConditions(scope, q, units);
  const [rows, count] = await Promise.all([
    db
      .select({ c: customers, unitName: orgUnits.name, ownerName: users.displayName })
      .from(customers)
      .innerJoin(orgUnits, eq(orgUnits.id, customers.unitId))
      .leftJoin(users, eq(users.id, customers.ownerId))
      .where(where)
      .orderBy(orderBy(q.sort, SORTS, sql`${customers.createdAt} desc`), sql`${customers.id} desc`)
      .limit(q.pageSize)
      .offset(pageOffset(q)),
    cappedCount(db, where),
  ]);
  return { rows: rows as TCustomerJoined[], total: count.total, isEstimate: count.isEstimate };
}

export async function findVisibleCustomer(db: DbOrTx, scope: TScope, id: string): Promise<TCustomerJoined | null> {
  const [row] = await db
    .select({ c: customers, unitName: orgUnits.name, ownerName: users.displayName })
    .from(customers)
    .innerJoin(orgUnits, eq(orgUnits.id, customers.unitId))
    .leftJoin(users, eq(users.id, customers.ownerId))
    .where(and(customerVisible(scope), eq(customers.id, id)));
  return (row as TCustomerJoined | undefined) ?? null;
}

export async function findVisibleIds(db: DbOrTx, scope: TScope, ids: string[]): Promise<string[]> {
  const rows = await db.select({ id: customers.id }).from(customers).where(and(customerVisible(scope), inArray(customers.id, ids)));
  return rows.map((r) => r.id);
}

export const contactsOf = (db: DbOrTx, tenantId: string, customerId: string) =>
  db
    .select()
    .from(customerContacts)
    .where(and(eq(customerContacts.tenantId, tenantId), eq(customerContacts.customerId, customerId)))
    .orderBy(sql`${customerContacts.isPrimary} desc, ${customerContacts.createdAt} asc`);

export async function replaceContacts(
  db: DbOrTx,
  tenantId: string,
  customerId: string,
  contacts: { name: string; title?: string | null; phone?: string | null; email?: string | null; isPrimary: boolean }[],
) {
  await db.delete(customerContacts).where(and(eq(customerContacts.tenantId, tenantId), eq(customerContacts.customerId, customerId)));
  if (!contacts.length) return;
  // Exactly one primary: the first one flagged, else the first one.
  const primary = Math.max(0, contacts.findIndex((c) => c.isPrimary));
  await db.insert(customerContacts).values(
    contacts.map((c, i) => ({ tenantId, customerId, name: c.name, title: c.title ?? null, phone: c.phone ?? null, email: c.email ?? null, isPrimary: i === primary })),
  );
}

export const phoneDigitsOf = (phones: string[]) => phones.map((p) => p.replace(/\D/g, '')).join(' ');

