import { maskEmail, maskIdNumber, maskPhone } from '@huifang/shared';

/**
 * Personal data found in free text (DESIGN §1: phones, ID numbers and e-mail are shown masked unless revealed). Used
 * where text written by users can end up in a store that roles without pii:reveal read: audit rows (an export's
 * `q=13528528043` filter) and log lines. Addresses have no recognisable shape; they are kept out by not writing the
 * values that carry them (customer rows are masked before auditing, SQL parameters are dropped from logs).
 */

/** Not part of a longer run of letters or digits (a UUID's last group, an order number). */
const B = '(?<![0-9A-Za-z])';
const E = '(?![0-9A-Za-z])';
/** Mobile 1[3-9]xxxxxxxxx, optionally +86/0086, written as one run or in 3-4-4 groups (space, dash or dot). */
const MOBILE = new RegExp(`${B}(?:(?:\\+|00)?86[\\s-]?)?1[3-9]\\d(?:[\\s.-]?\\d{4}){2}${E}`, 'g');
/** Landline with its area code: 021-55551234, 0571 8888 1234, (010)12345678. */
const LANDLINE = new RegExp(`${B}\\(?0\\d{2,3}\\)?[\\s-]?[2-9]\\d{2,3}[\\s-]?\\d{4}${E}`, 'g');
/** 18-character resident ID: region, a birth date 18xx–20xx, sequence, check digit (may be X). */
const ID_NUMBER = new RegExp(
  `${B}\\d{6}(?:18|19|20)\\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\\d|3[01])\\d{3}[\\dXx]${E}`,
  'g',
);
const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+/g;

/** UUIDs are ids, never personal data, but a group of digits in one can look like a landline (…-0981-4472-9791-…). */
const UUID = /([0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12})/;

/** Mask every phone number, ID number and e-mail address in a text; anything else (UUIDs included) is left as it is. */
export function redactPiiText(text: string): string {
  if (!/\d{4}|@/.test(text)) return text;
  // split with a capturing group: the UUIDs are the odd parts, kept as they are.
  return text
    .split(UUID)
    .map((part, i) => (i % 2 === 1 ? part : redactPart(part)))
    .join('');
}

function redactPart(text: string): string {
  if (!/\d{4}|@/.test(text)) return text;
  return text
    .replace(ID_NUMBER, (m) => maskIdNumber(m))
    .replace(MOBILE, (m) => maskPhone(m.replace(/[\s.-]/g, '')))
    .replace(LANDLINE, (m) => maskPhone(m))
    .replace(EMAIL, (m) => maskEmail(m));
}

/** The same for every string (and object key) inside a JSON-like value; numbers are checked as their digits. */
export function redactPii<T>(value: T): T {
  return walk(value, 0) as T;
}

function walk(v: unknown, depth: number): unknown {
  if (typeof v === 'string') return redactPiiText(v);
  if (typeof v === 'number' || typeof v === 'bigint') {
    const s = String(v);
    return redactPiiText(s) === s ? v : redactPiiText(s);
  }
  if (v === null || typeof v !== 'object' || depth > 20) return v;
  if (v instanceof Date) return v;
  if (Array.isArray(v)) return v.map((x) => walk(x, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) out[redactPiiText(k)] = walk(x, depth + 1);
  return out;
}
