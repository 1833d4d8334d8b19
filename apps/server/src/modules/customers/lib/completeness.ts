/**
 * Data completeness (资料完整度) and the tenant's "valid customer" rule (有效客户: which fields must be present),
 * DESIGN §2. A field is a top-level key of the customer (`email`, `phones`) or a custom field as `custom.<key>`.
 */
export type TCustomerLike = { [k: string]: unknown; custom?: Record<string, unknown> | null };

/** One field counted by the completeness score; `weight` ≥ 0 (0 = listed in settings but not counted). */
export type TCompletenessField = { field: string; weight: number };

export type TCompletenessResult = {
  /** 0..100, rounded down so that 100 always means nothing counted is missing. */
  score: number;
  /** Counted fields (weight > 0) that are missing, in the order given. */
  missing: string[];
};

export type TValidCustomerRule = { required: string[] };

const CUSTOM_PREFIX = 'custom.';

/** The value a field path names; `custom.<key>` reads the custom fields. */
export function fieldValue(customer: TCustomerLike, field: string): unknown {
  if (field.startsWith(CUSTOM_PREFIX)) {
    const custom = customer.custom;
    const key = field.slice(CUSTOM_PREFIX.length);
    if (custom === null || typeof custom !== 'object') return undefined;
    return Object.prototype.hasOwnProperty.call(custom, key) ? custom[key] : undefined;
  }
  return Object.prototype.hasOwnProperty.call(customer, field) ? customer[field] : undefined;
}

/**
 * Present: a string with non-space text, a non-empty array, a finite number, a valid date, a boolean (a consent
 * answered "no" is still an answer), or an object with at least one key. null, undefined, '' and NaN are missing.
 */
export function isPresentValue(v: unknown): boolean {
  if (v === null || v === undefined) return false;
  if (typeof v === 'string') return v.trim() !== '';
  if (typeof v === 'number') return Number.isFinite(v);
  if (typeof v === 'boolean' || typeof v === 'bigint') return true;
  if (v instanceof Date) return !Number.isNaN(v.getTime());
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object') return Object.keys(v).length > 0;
  return false;
}

export function isFieldPresent(customer: TCustomerLike, field: string): boolean {
  return isPresentValue(fieldValue(customer, field));
}

/** Weighted share of the counted fields that are present, 0..100; no counted field at all scores 100. */
export function completenessScore(customer: TCustomerLike, fields: readonly TCompletenessField[]): TCompletenessResult {
  let total = 0;
  let present = 0;
  const missing: string[] = [];
  for (const { field, weight } of fields) {
    if (!(Number.isFinite(weight) && weight > 0)) continue;
    total += weight;
    if (isFieldPresent(customer, field)) present += weight;
    else missing.push(field);
  }
  if (total === 0 || missing.length === 0) return { score: 100, missing };
  // floor(+ε): 0.29 × 100 is 28.999…; never 100 while something counted is missing.
  return { score: Math.min(99, Math.floor((present / total) * 100 + 1e-9)), missing };
}

/** 有效客户: valid when every required field is present; `missing` lists the absent ones (each once, in rule order). */
export function isValidCustomer(
  customer: TCustomerLike,
  rule: TValidCustomerRule,
): { valid: boolean; missing: string[] } {
  const missing = [...new Set(rule.required)].filter((f) => !isFieldPresent(customer, f));
  return { valid: missing.length === 0, missing };
}
