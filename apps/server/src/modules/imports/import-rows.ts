import { validationDetail, validationText, ZCreateCustomerInput, type TCustomFieldDef } from '@huifang/shared';
import type { importJobs } from '../../db/schema/index.ts';
import type { TScope } from '../../lib/scope.ts';
import { checkCustomValues } from '../customers/custom-values.ts';
import { phoneDigitsOf } from '../customers/customers.repository.ts';
import type { KeyIndex } from './key-index.ts';
import { fieldLabelZh, rowToInput } from './mapping.ts';

export type TImportError = { rowNo: number; column: string | null; reason: string };

/**
 * A checked row, as the columns it writes. On insert every column is used (defaults included); on update only the
 * columns the row gave a value for (see updateColumns: an empty or unmapped cell wipes nothing).
 */
export type TImportRow = {
  rowNo: number;
  key: string | null;
  insert: TCustomerColumns;
  /** Bit set of DEFAULTED columns the row itself held (the others are null when not given). */
  given: number;
};

/** Columns the shared schema fills with a default: on update they change only when the row held them. */
const DEFAULTED = ['kind', 'phones', 'tags', 'consent_service', 'consent_marketing', 'card_numbers'] as const;
const INPUT_FIELD: Record<(typeof DEFAULTED)[number], string> = {
  kind: 'kind',
  phones: 'phones',
  card_numbers: 'cardNumbers',
  tags: 'tags',
  consent_service: 'consentService',
  consent_marketing: 'consentMarketing',
};

/** The row as an update: null = keep the customer's value (name and unit are always set, custom values merged). */
export function updateColumns(row: TImportRow): Record<keyof TCustomerColumns, unknown> {
  const out: Record<string, unknown> = { ...row.insert };
  DEFAULTED.forEach((col, i) => {
    if (!(row.given & (1 << i))) out[col] = null;
  });
  if (out.phones === null) out.phone_digits = null;
  return out as Record<keyof TCustomerColumns, unknown>;
}

/** customers columns an import writes (snake_case: they go to Postgres as one JSON document per batch). */
export type TCustomerColumns = {
  kind: string;
  name: string;
  gender: string | null;
  birthday: string | null;
  phones: string[];
  phone_digits: string;
  email: string | null;
  address: string | null;
  id_number: string | null;
  card_numbers: string[];
  source: string | null;
  owner_id: string | null;
  unit_id: string;
  tags: string[];
  tier: string | null;
  lifecycle_stage: string | null;
  intent_level: string | null;
  consent_service: boolean;
  consent_marketing: boolean;
  custom: Record<string, unknown>;
};

export interface TRowContext {
  scope: TScope;
  job: Pick<typeof importJobs.$inferSelect, 'mapping' | 'defaultUnitId' | 'upsertKey'>;
  headers: string[];
  defs: TCustomFieldDef[];
  /** Visible active units by name and code. */
  units: Map<string, string>;
  /** Active users by username and 工号 (lower case). */
  owners: Map<string, string>;
  /** Upsert keys met so far in the file → first row number (duplicates inside one file are errors). */
  keysSeen: KeyIndex;
}

const keyColumn = (c: TRowContext, columnOf: Record<string, string>) =>
  columnOf[c.job.upsertKey === 'phone' ? 'phones' : 'idNumber'] ?? null;

/** Check and convert one row with the shared customer schema (one phone rule everywhere); the column at fault is named by its header. */
export function checkRow(c: TRowContext, rowNo: number, cells: string[]): { row?: TImportRow; errors: TImportError[] } {
  const mapping = c.job.mapping ?? {};
  const values: Record<string, string> = {};
  const columnOf: Record<string, string> = {};
  c.headers.forEach((h, i) => {
    const field = mapping[h];
    if (field) {
      values[field] = cells[i] ?? '';
      columnOf[field] = h;
    }
  });
  const errors: TImportError[] = [];
  const { input, unit, owner, problems } = rowToInput(values);
  for (const p of problems) errors.push({ rowNo, column: columnOf[p.field] ?? null, reason: p.reason });
  const parsed = ZCreateCustomerInput.safeParse({ ...input, unitId: c.job.defaultUnitId });
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const field = String(issue.path[0] ?? '');
      const column = columnOf[field] ?? null;
      // The report is read by the tenant's staff: a Chinese sentence naming the column ("姓名不能为空"), not Zod's text.
      const value = issue.path.reduce<unknown>(
        (v, k) => (v && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[k] : undefined),
        input,
      );
      errors.push({
        rowNo,
        column,
        reason: validationText(
          { ...validationDetail(issue, value), message: issue.message },
          column ?? fieldLabelZh(field),
          'zh',
        ),
      });
    }
  }
  const custom = checkCustomValues(c.defs, (input.custom as Record<string, unknown>) ?? {}, {
    isCreate: true,
    pathPrefix: 'custom',
  });
  for (const e of custom.errors) {
    const def = c.defs.find((d) => `custom.${d.key}` === e.path);
    const column = columnOf[e.path] ?? null;
    errors.push({ rowNo, column, reason: validationText(e, column ?? def?.label ?? e.path, 'zh') });
  }
  let unitId = c.job.defaultUnitId!;
  if (unit) {
    const found = c.units.get(unit);
    if (found) unitId = found;
    else errors.push({ rowNo, column: columnOf.unit ?? null, reason: `找不到单位“${unit}”（或不在您的权限范围内）` });
  }
  let ownerId: string | null = c.scope.dataScope === 'own' ? c.scope.userId : null;
  if (owner) {
    const found = c.owners.get(owner.toLowerCase());
    if (found) ownerId = found;
    else errors.push({ rowNo, column: columnOf.owner ?? null, reason: `找不到员工“${owner}”` });
  }
  if (errors.length || !parsed.success) return { errors };
  const d = parsed.data;
  const idNumber = d.idNumber?.toUpperCase() ?? null;
  const key = c.job.upsertKey === 'phone' ? (d.phones[0] ?? null) : c.job.upsertKey === 'idNumber' ? idNumber : null;
  if (c.job.upsertKey !== 'none' && !key)
    return { errors: [{ rowNo, column: keyColumn(c, columnOf), reason: '更新键为空' }] };
  if (key) {
    const first = c.keysSeen.firstOrAdd(key, rowNo);
    if (first !== undefined)
      return {
        errors: [{ rowNo, column: keyColumn(c, columnOf), reason: `与第 ${first} 行重复（同一文件内更新键重复）` }],
      };
    // Keyed by phone, a row's other phones count as met too: a later row keyed by one of them is a duplicate of this
    // one. So no key of a later batch can be written (inserted, or added to a customer) by an earlier batch of the
    // same file, and a batch's key lookup may run before the previous batch commits (see imports.runner.ts).
    if (c.job.upsertKey === 'phone') for (const p of d.phones) if (p !== key) c.keysSeen.firstOrAdd(p, rowNo);
  }
  const insert: TCustomerColumns = {
    kind: d.kind,
    name: d.name,
    gender: d.gender ?? null,
    birthday: d.birthday ?? null,
    phones: d.phones,
    phone_digits: phoneDigitsOf(d.phones),
    email: d.email ?? null,
    address: d.address ?? null,
    id_number: idNumber,
    card_numbers: [...new Set(d.cardNumbers)],
    source: d.source ?? null,
    owner_id: ownerId,
    unit_id: unitId,
    tags: d.tags,
    tier: d.tier ?? null,
    lifecycle_stage: d.lifecycleStage ?? null,
    intent_level: d.intentLevel ?? null,
    consent_service: d.consentService,
    consent_marketing: d.consentMarketing,
    custom: custom.values,
  };
  let given = 0;
  DEFAULTED.forEach((col, i) => {
    if (INPUT_FIELD[col] in input) given |= 1 << i;
  });
  return { errors: [], row: { rowNo, key, insert, given } };
}
