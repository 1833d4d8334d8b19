import { and, arrayContains, eq, gte, ilike, inArray, lte, or, sql, type SQL } from 'drizzle-orm';
import {
  formatPhone,
  normalizeCardNumber,
  normalizePhone,
  phoneSearchKey,
  type TCustomerListQuery,
} from '@huifang/shared';
import type { Db, DbOrTx } from '../../db/client.ts';
import { customerCards, customerContacts, customerPhones, customers, orgUnits, users } from '../../db/schema/index.ts';
import { invalidField } from '../../lib/app-error.ts';
import { likeEscape, orderBy, pageOffset } from '../../lib/pagination.ts';
import { ownedVisible, type TScope } from '../../lib/scope.ts';
import { heldTaskCustomer } from '../followup/tasks/tasks.repository.ts';
import { valueListCondition } from '../value/value-filter.ts';

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
    units.scopeUnitIds
      ? and(eq(customers.tenantId, scope.tenantId), inArray(customers.unitId, units.scopeUnitIds))
      : customerVisible(scope),
  ];
  if (q.kind) conds.push(eq(customers.kind, q.kind));
  if (q.unitId) conds.push(units.filterUnitIds?.length ? inArray(customers.unitId, units.filterUnitIds) : sql`false`);
  if (q.ownerId) conds.push(eq(customers.ownerId, q.ownerId));
  if (q.tier) conds.push(eq(customers.tier, q.tier));
  if (q.intentLevel) conds.push(eq(customers.intentLevel, q.intentLevel));
  if (q.lifecycleStage) conds.push(eq(customers.lifecycleStage, q.lifecycleStage));
  if (q.source) conds.push(eq(customers.source, q.source));
  if (q.tags)
    conds.push(
      arrayContains(
        customers.tags,
        q.tags
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      ),
    );
  if (q.createdFrom) conds.push(gte(customers.createdAt, new Date(q.createdFrom)));
  if (q.createdTo) conds.push(lte(customers.createdAt, new Date(q.createdTo)));
  const value = valueListCondition(scope.tenantId, q);
  if (value) conds.push(value);
  const custom = parseCustomFilter(q.custom);
  // `custom <> '{}'` lets Postgres use the partial GIN index (a non-empty containment implies it).
  if (custom && Object.keys(custom).length)
    conds.push(sql`${customers.custom} @> ${JSON.stringify(custom)}::jsonb and ${customers.custom} <> '{}'::jsonb`);
  if (q.q) {
    const phone = normalizePhone(q.q);
    const digits = phoneSearchKey(q.q);
    // A whole phone number (+86 138 1234 5678, 021-5555 1234): exact, through customer_phones. Three or more digits
    // with only phone punctuation: a fragment (trigram index on phone_digits). Anything else: a name (trigram index).
    // A whole card number 卡号 (8–19 digits, grouped or not) also finds its holders exactly, through customer_cards:
    // `id = any(array(…))` keeps each side indexable, so Postgres ORs two index scans instead of reading the table.
    const card = PHONE_CHARS.test(q.q) ? normalizeCardNumber(q.q) : null;
    const byCard = card ? sql`${customers.id} = any(array(${customerIdsWithCard(scope.tenantId, card)}))` : null;
    const byPhone = phone
      ? sql`${customers.id} in (${customerIdsWithPhone(scope.tenantId, formatPhone(phone))})`
      : digits.length >= 3 && PHONE_CHARS.test(q.q)
        ? ilike(customers.phoneDigits, `%${digits}%`)
        : null;
    if (byCard && phone)
      conds.push(
        sql`(${customers.id} = any(array(${customerIdsWithPhone(scope.tenantId, formatPhone(phone))})) or ${byCard})`,
      );
    else if (byCard && byPhone) conds.push(or(byPhone, byCard)!);
    else if (byPhone) conds.push(byPhone);
    else conds.push(ilike(customers.name, `%${likeEscape(q.q)}%`));
  }
  return and(...conds)!;
}

const PHONE_CHARS = /^[+\d\s\-()（）]+$/;

/** Ids of the customers holding this (normalised) phone: one btree probe on customer_phones. */
export const customerIdsWithPhone = (tenantId: string, phone: string) =>
  sql`select ${customerPhones.customerId} from ${customerPhones} where ${customerPhones.tenantId} = ${tenantId} and ${customerPhones.phone} = ${phone}`;

/** Ids of the customers holding this card (digits only): one btree probe on customer_cards. */
export const customerIdsWithCard = (tenantId: string, card: string) =>
  sql`select ${customerCards.customerId} from ${customerCards} where ${customerCards.tenantId} = ${tenantId} and ${customerCards.cardNumber} = ${card}`;

/**
 * The list's total (issue 3, 1M customers). Counting every match exactly costs as much as reading every match: a
 * manager's unit + tier + intent + tag filter left the count at 50–200 ms while the page itself took 2–25 ms. So the
 * count is exact up to EXACT_COUNT_CAP and gets COUNT_BUDGET_MS; past the cap, or when the budget runs out, the total
 * is the planner's estimate (flagged, the UI says 约 N 条), never below what the page itself proves. A page that is not
 * full needs no count at all: its total is exact whatever the count did.
 */
export const EXACT_COUNT_CAP = 1_000;
export const COUNT_BUDGET_MS = 20;

export interface TTotal {
  total: number;
  isEstimate: boolean;
}

/**
 * Below this many customers in the table a count is cheap whatever the filter (a scan of all of them takes a few ms),
 * so it is always exact: the budget is for big tables only, and a small one never shows an estimate because the
 * machine was busy for 20 ms.
 */
export const COUNT_BUDGET_FROM_ROWS = 100_000;

/**
 * Exact count up to the cap; on a table of COUNT_BUDGET_FROM_ROWS or more (planner statistics), within the budget,
 * else `null` (Postgres cancelled the count).
 */
export async function cappedCount(
  db: Db,
  where: SQL,
  budget = { ms: COUNT_BUDGET_MS, fromRows: COUNT_BUDGET_FROM_ROWS },
): Promise<number | null> {
  try {
    return await db.transaction(async (tx) => {
      // reltuples: the planner's row count of the table (-1 before its first ANALYZE: small).
      const size =
        budget.fromRows > 0
          ? await tx.execute<{ n: number }>(
              sql`select reltuples::float8 as n from pg_class where oid = 'customers'::regclass`,
            )
          : null;
      // SET LOCAL: the timeout ends with this transaction, so the pooled connection goes back unchanged.
      if (!size || Number(size.rows[0]?.n ?? 0) >= budget.fromRows)
        await tx.execute(sql.raw(`set local statement_timeout = ${Math.max(1, Math.floor(budget.ms))}`));
      const r = await tx.execute<{ n: number }>(
        sql`select count(*)::int as n from (select 1 from ${customers} where ${where} limit ${EXACT_COUNT_CAP + 1}) x`,
      );
      return Number(r.rows[0]?.n ?? 0);
    });
  } catch (e) {
    if (isQueryCanceled(e)) return null;
    throw e;
  }
}

/** 57014 query_canceled: what statement_timeout raises (Drizzle wraps the pg error in `cause`). */
const isQueryCanceled = (e: unknown) =>
  (e as { code?: string }).code === '57014' || (e as { cause?: { code?: string } }).cause?.code === '57014';

async function estimatedCount(db: Db, where: SQL): Promise<number> {
  const plan = await db.execute<{ 'QUERY PLAN': [{ Plan: { 'Plan Rows': number } }] }>(
    sql`explain (format json) select 1 from ${customers} where ${where}`,
  );
  return Math.round(plan.rows[0]?.['QUERY PLAN'][0]?.Plan['Plan Rows'] ?? 0);
}

/**
 * The total shown for one page: `shown` rows came back at `offset` for a page of `pageSize`. An exact count within the
 * cap wins. A page that is not full is exact too (an empty first page is 0). Otherwise the planner's estimate, kept
 * within what is known: at least cap + 1 when the count reached the cap, at least the rows up to this page (and one
 * more when it is full), at most `offset` when the page lies past the end.
 */
export async function pageTotal(
  counted: number | null,
  estimate: () => Promise<number>,
  page: { offset: number; shown: number; pageSize: number },
): Promise<TTotal> {
  const { offset, shown, pageSize } = page;
  if (counted !== null && counted <= EXACT_COUNT_CAP) return { total: counted, isEstimate: false };
  if (shown < pageSize && (shown > 0 || offset === 0)) return { total: offset + shown, isEstimate: false };
  const n = await estimate();
  if (shown === 0) return { total: Math.min(n, offset), isEstimate: true };
  const atLeast = Math.max(counted !== null ? EXACT_COUNT_CAP + 1 : 0, offset + shown + 1);
  return { total: Math.max(n, atLeast), isEstimate: true };
}

export async function listCustomers(db: Db, scope: TScope, q: TCustomerListQuery, units: TUnitLists) {
  const where = listConditions(scope, q, units);
  const offset = pageOffset(q);
  // Page and count side by side on two pooled connections: the count's budget bounds the whole request.
  // The estimate is only planned, not run (about a millisecond): asked for at once so that a count over budget does
  // not add another round trip; used only when the total cannot be exact.
  const estimate = estimatedCount(db, where);
  estimate.catch(() => undefined);
  const [rows, counted] = await Promise.all([
    db
      .select({ c: customers, unitName: orgUnits.name, ownerName: users.displayName })
      .from(customers)
      .innerJoin(orgUnits, eq(orgUnits.id, customers.unitId))
      .leftJoin(users, eq(users.id, customers.ownerId))
      .where(where)
      .orderBy(orderBy(q.sort, SORTS, sql`${customers.createdAt} desc`), sql`${customers.id} desc`)
      .limit(q.pageSize)
      .offset(offset),
    cappedCount(db, where),
  ]);
  const count = await pageTotal(counted, () => estimate, { offset, shown: rows.length, pageSize: q.pageSize });
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

/**
 * The customer as the caller may READ it (card, timeline): a visible customer, or the customer of a follow-up task the
 * caller holds (followup's heldTaskCustomer). Writes, reveals and exports keep to findVisibleCustomer.
 */
export async function findReadableCustomer(
  db: DbOrTx,
  scope: TScope,
  id: string,
  now: Date,
): Promise<(TCustomerJoined & { isVisible: boolean }) | null> {
  const [row] = await db
    .select({
      c: customers,
      unitName: orgUnits.name,
      ownerName: users.displayName,
      isVisible: sql<boolean>`coalesce(${customerVisible(scope)}, false)`,
    })
    .from(customers)
    .innerJoin(orgUnits, eq(orgUnits.id, customers.unitId))
    .leftJoin(users, eq(users.id, customers.ownerId))
    .where(
      and(
        eq(customers.tenantId, scope.tenantId),
        eq(customers.id, id),
        or(customerVisible(scope), heldTaskCustomer(scope, sql`${customers.id}`, now)),
      ),
    );
  return (row as (TCustomerJoined & { isVisible: boolean }) | undefined) ?? null;
}

export async function findVisibleIds(db: DbOrTx, scope: TScope, ids: string[]): Promise<string[]> {
  const rows = await db
    .select({ id: customers.id })
    .from(customers)
    .where(and(customerVisible(scope), inArray(customers.id, ids)));
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
  await db
    .delete(customerContacts)
    .where(and(eq(customerContacts.tenantId, tenantId), eq(customerContacts.customerId, customerId)));
  if (!contacts.length) return;
  // Exactly one primary: the first one flagged, else the first one.
  const primary = Math.max(
    0,
    contacts.findIndex((c) => c.isPrimary),
  );
  await db.insert(customerContacts).values(
    contacts.map((c, i) => ({
      tenantId,
      customerId,
      name: c.name,
      title: c.title ?? null,
      phone: c.phone ?? null,
      email: c.email ?? null,
      isPrimary: i === primary,
    })),
  );
}

export const phoneDigitsOf = (phones: string[]) => phones.map((p) => p.replace(/\D/g, '')).join(' ');

/**
 * Other customers holding one of these phones (stored form, as in customers.phones), one probe of customer_phones
 * per phone; `visible` says whether the caller may see the holder (an invisible one may only be said to exist).
 */
export async function findPhoneHolders(db: DbOrTx, scope: TScope, phones: string[], exceptId?: string) {
  if (!phones.length) return [];
  const rows = await db
    .select({
      phone: customerPhones.phone,
      id: customers.id,
      name: customers.name,
      unitName: orgUnits.name,
      visible: sql<boolean>`(${customerVisible(scope)})`,
    })
    .from(customerPhones)
    .innerJoin(
      customers,
      and(eq(customers.tenantId, customerPhones.tenantId), eq(customers.id, customerPhones.customerId)),
    )
    .innerJoin(orgUnits, eq(orgUnits.id, customers.unitId))
    .where(
      and(
        eq(customerPhones.tenantId, scope.tenantId),
        inArray(customerPhones.phone, phones),
        exceptId ? sql`${customers.id} <> ${exceptId}` : undefined,
      ),
    )
    .orderBy(sql`${customers.createdAt} asc`);
  return rows;
}

/**
 * The customer holding a phone (stored form, as in customers.phones; the oldest if several) and their tier 客户等级,
 * tenant-wide: a customer taking a queue number at an outlet is recognised without any user session (modules/queue).
 */
export async function findCustomerTierByPhone(
  db: DbOrTx,
  tenantId: string,
  phone: string,
): Promise<{ id: string; tier: string | null } | null> {
  const res = await db.execute<{ id: string; tier: string | null }>(sql`
    select c.id, c.tier from customer_phones p join customers c on c.tenant_id = p.tenant_id and c.id = p.customer_id
    where p.tenant_id = ${tenantId} and p.phone = ${phone} order by c.created_at limit 1`);
  return res.rows[0] ?? null;
}

/**
 * The customer holding a card 卡号 (digits only, as in customers.card_numbers; the oldest if several) and their tier,
 * tenant-wide, as findCustomerTierByPhone: a customer taking a queue number is recognised by the card they give.
 */
export async function findCustomerTierByCard(
  db: DbOrTx,
  tenantId: string,
  card: string,
): Promise<{ id: string; tier: string | null } | null> {
  const res = await db.execute<{ id: string; tier: string | null }>(sql`
    select c.id, c.tier from customer_cards k join customers c on c.tenant_id = k.tenant_id and c.id = k.customer_id
    where k.tenant_id = ${tenantId} and k.card_number = ${card} order by c.created_at limit 1`);
  return res.rows[0] ?? null;
}

/**
 * The customer with this 18-character ID number 身份证号 (upper-case X; a form may have stored a lower-case x) and
 * their tier, tenant-wide, through customers_id_number_idx.
 */
export async function findCustomerTierByIdNumber(
  db: DbOrTx,
  tenantId: string,
  idNumber: string,
): Promise<{ id: string; tier: string | null } | null> {
  const res = await db.execute<{ id: string; tier: string | null }>(sql`
    select c.id, c.tier from customers c
    where c.tenant_id = ${tenantId} and c.id_number in (${idNumber}, ${idNumber.toLowerCase()})
    order by c.created_at limit 1`);
  return res.rows[0] ?? null;
}
