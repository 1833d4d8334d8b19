import crypto from 'node:crypto';
import { expect } from 'vitest';
import type { TCustomer, TCustomerDetail, TPage } from '@huifang/shared';
import { countRows, unitIdByCode } from './helpers.ts';
import type { TClient, TTestApp } from './test-app.ts';

/** A random token of lowercase letters only: unlike hex it can never read as a phone fragment in `q`. */
export function letters(n = 10): string {
  const abc = 'abcdefghijkmnpqrstuvwxyz';
  return Array.from(crypto.randomBytes(n), (b) => abc[b % abc.length]).join('');
}

export const customerCount = (t: TTestApp) => countRows(t, 'select 1 from customers');

/**
 * Create a customer through the API (must answer 201) in the unit with the given code. Fixtures reuse phone numbers
 * freely, so they confirm a duplicate phone (`allowDuplicatePhone`); the warning itself is tested with explicit
 * requests (customer-validation.test.ts).
 */
export async function createCustomer(
  t: TTestApp,
  by: TClient,
  unitCode: string,
  over: Record<string, unknown> = {},
): Promise<TCustomerDetail> {
  const res = await by.post('/api/customers', {
    name: `客户-${letters()}`,
    unitId: await unitIdByCode(t, unitCode),
    allowDuplicatePhone: true,
    ...over,
  });
  expect({ status: res.statusCode, body: res.body }).toMatchObject({ status: 201 });
  return res.json() as TCustomerDetail;
}

/** GET a customer list (must answer 200). */
export async function listCustomers(by: TClient, query: Record<string, string | number>): Promise<TPage<TCustomer>> {
  const qs = new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)])).toString();
  const res = await by.get(`/api/customers?${qs}`);
  expect({ status: res.statusCode, body: res.body }).toMatchObject({ status: 200 });
  return res.json() as TPage<TCustomer>;
}

export const namesOf = (page: TPage<TCustomer>) => page.items.map((c) => c.name);
export const idsOf = (page: TPage<TCustomer>) => page.items.map((c) => c.id);
