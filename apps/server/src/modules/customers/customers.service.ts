import { and, eq, inArray, sql } from 'drizzle-orm';
import {
  maskAddress,
  maskCardNumber,
  maskEmail,
  maskIdNumber,
  maskName,
  maskPhone,
  type TBulkCustomerInput,
  type TCreateCustomerInput,
  type TCustomer,
  type TCustomerDetail,
  type TCustomerListQuery,
  type TPiiField,
  type TUpdateCustomerInput,
} from '@huifang/shared';
import type { Db, DbOrTx } from '../../db/client.ts';
import { customers, customFieldDefs } from '../../db/schema/index.ts';
import { AppError, invalidField, notFound, unknownRef } from '../../lib/app-error.ts';
import type { TClock } from '../../lib/clock.ts';
import { toPage } from '../../lib/pagination.ts';
import { pgArray, type TAuditCtx, type TScope } from '../../lib/scope.ts';
import { insertAuditEvent } from '../audit/audit.repository.ts';
import { findVisibleUnit, subtreeUnitIds } from '../org-units/org-units.repository.ts';
import { findVisibleUser } from '../users/users.repository.ts';
import { checkCustomValues } from './custom-values.ts';
import {
  contactsOf,
  findReadableCustomer,
  findVisibleCustomer,
  findPhoneHolders,
  findVisibleIds,
  listCustomers,
  phoneDigitsOf,
  replaceContacts,
  type TCustomerJoined,
  type TCustomerRow,
  type TUnitLists,
} from './customers.repository.ts';

type TDeps = { db: Db; clock: TClock };

/** The API never sends personal data in clear: phones, e-mail, address, ID and card numbers are masked here. */
export function toCustomerDto({ c, unitName, ownerName }: TCustomerJoined): TCustomer {
  return {
    id: c.id,
    kind: c.kind as TCustomer['kind'],
    name: c.name,
    gender: c.gender,
    birthday: c.birthday,
    phones: c.phones.map(maskPhone),
    email: c.email ? maskEmail(c.email) : null,
    address: c.address ? maskAddress(c.address) : null,
    idNumber: c.idNumber ? maskIdNumber(c.idNumber) : null,
    cardNumbers: c.cardNumbers.map(maskCardNumber),
    source: c.source,
    ownerId: c.ownerId,
    ownerName,
    unitId: c.unitId,
    unitName,
    tags: c.tags,
    tier: c.tier,
    lifecycleStage: c.lifecycleStage,
    intentLevel: c.intentLevel,
    consentService: c.consentService,
    consentMarketing: c.consentMarketing,
    doNotContactUntil: c.doNotContactUntil?.toISOString() ?? null,
    custom: c.custom,
    createdAt: c.createdAt.toISOString(),
    updatedAt: c.updatedAt.toISOString(),
  };
}

/**
 * What the audit log keeps of a customer: no personal data in clear, not even the name, so that erasing a customer
 * (deletion request) leaves nothing personal in the append-only audit table.
 */
const auditView = (c: TCustomer) => ({ ...c, name: maskName(c.name), updatedAt: undefined });

/** Resolve the subtree scope and the unit filter to literal id lists (see TUnitLists). */
export async function resolveUnitLists(
  db: DbOrTx,
  scope: TScope,
  q: Pick<TCustomerListQuery, 'unitId'>,
): Promise<TUnitLists> {
  const [scopeUnitIds, filterUnitIds] = await Promise.all([
    scope.dataScope === 'subtree' ? subtreeUnitIds(db, scope.tenantId, scope.unitPath) : null,
    q.unitId
      ? findVisibleUnit(db, scope, q.unitId).then((u) => (u ? subtreeUnitIds(db, scope.tenantId, u.path) : null))
      : null,
  ]);
  return { scopeUnitIds, filterUnitIds };
}

export async function findCustomers(deps: TDeps, scope: TScope, q: TCustomerListQuery) {
  const { rows, total, isEstimate } = await listCustomers(deps.db, scope, q, await resolveUnitLists(deps.db, scope, q));
  return { ...toPage(rows.map(toCustomerDto), total, q), ...(isEstimate ? { totalIsEstimate: true } : {}) };
}

export async function getCustomer(deps: TDeps, scope: TScope, id: string): Promise<TCustomerDetail> {
  const row = await findReadableCustomer(deps.db, scope, id, deps.clock.now());
  if (!row) throw notFound('customer');
  const contacts = await contactsOf(deps.db, scope.tenantId, id);
  return {
    ...toCustomerDto(row),
    contacts: contacts.map((k) => ({
      id: k.id,
      name: k.name,
      title: k.title,
      phone: k.phone ? maskPhone(k.phone) : null,
      email: k.email ? maskEmail(k.email) : null,
      isPrimary: k.isPrimary,
    })),
    ...(row.isVisible ? {} : { isReadOnly: true }),
  };
}

async function customDefs(db: DbOrTx, tenantId: string) {
  return db
    .select()
    .from(customFieldDefs)
    .where(and(eq(customFieldDefs.tenantId, tenantId), eq(customFieldDefs.entity, 'customer')));
}

/** Unit and owner must be visible to the caller (else: field not found); custom values must fit their definitions. */
async function checkRefs(
  db: DbOrTx,
  scope: TScope,
  input: TUpdateCustomerInput,
  isCreate: boolean,
  current?: Record<string, unknown>,
) {
  if (input.unitId && !(await findVisibleUnit(db, scope, input.unitId))) throw unknownRef('body.unitId', 'unit');
  if (input.ownerId && !(await findVisibleUser(db, scope, input.ownerId))) throw unknownRef('body.ownerId', 'owner');
  if (!input.custom) return current ?? {};
  const { values, errors } = checkCustomValues(await customDefs(db, scope.tenantId), input.custom, { isCreate });
  if (errors.length) throw new AppError('VALIDATION_FAILED', 'custom field values are invalid', { details: errors });
  return { ...(current ?? {}), ...values };
}

/**
 * A phone another customer already has: 409 DUPLICATE_PHONE naming the first holder (name, masked phone, unit) when
 * the caller may see it, else only that one exists — unless the caller confirmed with `allowDuplicatePhone`
 * (duplicates stay possible, to be merged on the data-quality page; imports treat the phone as their key).
 */
async function checkDuplicatePhones(
  db: DbOrTx,
  scope: TScope,
  phones: string[] | undefined,
  allow: boolean | undefined,
  self?: TCustomerRow,
) {
  // Only phones the customer does not have yet: an old duplicate does not block editing its other fields.
  const added = phones?.filter((p) => !self?.phones.includes(p));
  if (allow || !phones || !added?.length) return;
  const holders = await findPhoneHolders(db, scope, added, self?.id);
  if (!holders.length) return;
  const shown = holders.find((h) => h.visible);
  const h = shown ?? holders[0]!;
  const index = Math.max(0, phones.indexOf(h.phone));
  throw new AppError('DUPLICATE_PHONE', 'another customer has this phone number', {
    details: [
      {
        path: `body.phones.${index}`,
        message: 'a customer with this phone exists',
        code: 'duplicate',
        existing: shown
          ? { id: shown.id, name: shown.name, phone: maskPhone(shown.phone), unitName: shown.unitName }
          : null,
      },
    ],
  });
}

export async function createCustomer(
  deps: TDeps,
  scope: TScope,
  ctx: TAuditCtx,
  body: TCreateCustomerInput,
): Promise<TCustomerDetail> {
  const { allowDuplicatePhone, ...input } = body;
  const custom = await checkRefs(deps.db, scope, input, true);
  await checkDuplicatePhones(deps.db, scope, input.phones, allowDuplicatePhone);
  // An `own`-scope user (agent) owns what they create, or they could not see it afterwards.
  const ownerId = input.ownerId ?? (scope.dataScope === 'own' ? scope.userId : null);
  const now = deps.clock.now();
  const id = await deps.db.transaction(async (tx) => {
    const { contacts, ...fields } = input;
    const [row] = await tx
      .insert(customers)
      .values({
        ...fields,
        ownerId,
        tenantId: scope.tenantId,
        custom,
        phoneDigits: phoneDigitsOf(input.phones),
        doNotContactUntil: input.doNotContactUntil ? new Date(input.doNotContactUntil) : null,
        createdAt: now,
        updatedAt: now,
      })
      .returning({ id: customers.id });
    if (contacts) await replaceContacts(tx, scope.tenantId, row!.id, contacts);
    const created = await findVisibleCustomer(tx, { ...scope, dataScope: 'tenant' }, row!.id);
    await insertAuditEvent(
      tx,
      ctx,
      {
        action: 'customer.created',
        entityType: 'customer',
        entityId: row!.id,
        unitId: input.unitId,
        summary: `新建客户 ${maskName(input.name)}`,
        after: auditView(toCustomerDto(created!)),
      },
      now,
    );
    return row!.id;
  });
  return getCustomer(deps, { ...scope, dataScope: 'tenant' }, id);
}

export async function updateCustomer(
  deps: TDeps,
  scope: TScope,
  ctx: TAuditCtx,
  id: string,
  body: TUpdateCustomerInput,
): Promise<TCustomerDetail> {
  const { allowDuplicatePhone, ...input } = body;
  const before = await findVisibleCustomer(deps.db, scope, id);
  if (!before) throw notFound('customer');
  const custom = await checkRefs(deps.db, scope, input, false, before.c.custom);
  await checkDuplicatePhones(deps.db, scope, input.phones, allowDuplicatePhone, before.c);
  const now = deps.clock.now();
  await deps.db.transaction(async (tx) => {
    const { contacts, doNotContactUntil, ...fields } = input;
    const patch: Partial<TCustomerRow> = { ...fields, custom, updatedAt: now };
    if (input.phones) patch.phoneDigits = phoneDigitsOf(input.phones);
    if (doNotContactUntil !== undefined)
      patch.doNotContactUntil = doNotContactUntil ? new Date(doNotContactUntil) : null;
    await tx
      .update(customers)
      .set(patch)
      .where(and(eq(customers.tenantId, scope.tenantId), eq(customers.id, id)));
    if (contacts) await replaceContacts(tx, scope.tenantId, id, contacts);
    const after = await findVisibleCustomer(tx, { ...scope, dataScope: 'tenant' }, id);
    await insertAuditEvent(
      tx,
      ctx,
      {
        action: 'customer.updated',
        entityType: 'customer',
        entityId: id,
        unitId: after!.c.unitId,
        summary: `修改客户 ${maskName(after!.c.name)}`,
        before: auditView(toCustomerDto(before)),
        after: auditView(toCustomerDto(after!)),
      },
      now,
    );
  });
  return getCustomer(deps, { ...scope, dataScope: 'tenant' }, id);
}

/**
 * Reveal one personal field in clear. Needs pii:reveal; every reveal writes an audit row (which field, whose). A field
 * the customer does not have (no phone at that index, no e-mail / address / ID number) is a 400 and writes nothing.
 */
export async function revealField(
  deps: TDeps,
  scope: TScope,
  ctx: TAuditCtx,
  id: string,
  field: TPiiField,
  index: number,
) {
  const row = await findVisibleCustomer(deps.db, scope, id);
  if (!row) throw notFound('customer');
  // Nothing to reveal at that index: refused, and no audit row claims a reveal that did not happen.
  if (field === 'phone' && index >= row.c.phones.length)
    throw invalidField('body.index', `the customer has ${row.c.phones.length} phone number(s)`);
  if (field === 'cardNumber' && index >= row.c.cardNumbers.length)
    throw invalidField('body.index', `the customer has ${row.c.cardNumbers.length} card number(s)`);
  const value =
    field === 'phone'
      ? (row.c.phones[index] ?? null)
      : field === 'cardNumber'
        ? (row.c.cardNumbers[index] ?? null)
        : field === 'email'
          ? row.c.email
          : field === 'address'
            ? row.c.address
            : row.c.idNumber;
  // An empty e-mail, address or ID number is the same: nothing to reveal, so no audit row either.
  if (!value?.trim()) throw invalidField('body.field', `the customer has no ${field} on record`);
  await insertAuditEvent(
    deps.db,
    ctx,
    {
      action: 'customer.pii_revealed',
      entityType: 'customer',
      entityId: id,
      unitId: row.c.unitId,
      summary: `查看客户 ${maskName(row.c.name)} 的完整${FIELD_LABEL[field]}`,
      after: { field, index },
    },
    deps.clock.now(),
  );
  return { field, value };
}
const FIELD_LABEL: Record<TPiiField, string> = {
  phone: '电话',
  email: '邮箱',
  address: '地址',
  idNumber: '证件号',
  cardNumber: '卡号',
};

/** Bulk tag / reassign owner over visible customers only; ids outside the scope are reported, not touched. */
export async function bulkUpdate(deps: TDeps, scope: TScope, ctx: TAuditCtx, input: TBulkCustomerInput) {
  if (!input.addTags?.length && !input.removeTags?.length && !input.ownerId)
    throw invalidField('body', 'nothing to change');
  if (input.ownerId && !(await findVisibleUser(deps.db, scope, input.ownerId)))
    throw unknownRef('body.ownerId', 'owner');
  const asked = [...new Set(input.ids)];
  const ids = await findVisibleIds(deps.db, scope, asked);
  const now = deps.clock.now();
  await deps.db.transaction(async (tx) => {
    if (ids.length === 0) return;
    const add = input.addTags ?? [];
    const remove = input.removeTags ?? [];
    await tx
      .update(customers)
      .set({
        tags: sql`array(select distinct t from unnest(array_cat(${customers.tags}, ${pgArray(add, 'text')})) t where not (t = any(${pgArray(remove, 'text')})) order by t)`,
        ...(input.ownerId ? { ownerId: input.ownerId } : {}),
        updatedAt: now,
      })
      .where(and(eq(customers.tenantId, scope.tenantId), inArray(customers.id, ids)));
    await insertAuditEvent(
      tx,
      ctx,
      {
        action: 'customer.bulk_updated',
        entityType: 'customer',
        entityId: null,
        unitId: scope.unitId,
        summary: `批量修改 ${ids.length} 个客户`,
        after: { ids, addTags: add, removeTags: remove, ownerId: input.ownerId ?? null },
      },
      now,
    );
  });
  return { updated: ids.length, notFound: asked.length - ids.length };
}
