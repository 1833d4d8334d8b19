/**
 * Formula-injection-safe export (OWASP "CSV injection"): a text cell that starts with = + - @, a tab, a carriage return
 * (or a line feed) is prefixed with an apostrophe so Excel/WPS/LibreOffice show it as text instead of evaluating it
 * (=HYPERLINK(…), =cmd|…). Decision: real numbers (typeof number) go out as numbers and are never touched; every
 * *string* starting with one of those characters is escaped, even when it looks numeric ('-12.5', '+8613812345678'),
 * because text cells are where user-entered data lives and a look-alike test is exactly what attackers probe.
 */

/** Byte-order mark written first so Excel opens a UTF-8 CSV with Chinese text correctly. */
export const CSV_BOM = '\uFEFF';

/** Dangerous first character, also after leading spaces (some spreadsheet apps trim before parsing). */
const DANGEROUS = /^(?:[=+\-@\t\r\n]|\s+[=+\-@])/;

/** Text made safe to put in a cell. */
export function escapeFormula(s: string): string {
  return DANGEROUS.test(s) ? `'${s}` : s;
}

/**
 * A cell value for xlsx (and, through toCsvLine, CSV): null/undefined → null (empty cell); finite numbers and valid
 * dates as they are; NaN/Infinity and invalid dates → null; booleans → 'true'/'false'; bigint → its digits; arrays →
 * their items joined with '、' (tags); other objects → JSON. Every string result is formula-escaped.
 */
export function safeCell(v: unknown): string | number | Date | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : v;
  if (typeof v === 'bigint') return v.toString(); // digits only (an optional leading minus of a real number)
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'string') return escapeFormula(v);
  if (Array.isArray(v)) return escapeFormula(v.map(plainText).join('、'));
  return escapeFormula(plainText(v));
}

function plainText(x: unknown): string {
  if (x === null || x === undefined) return '';
  if (typeof x === 'string') return x;
  if (x instanceof Date) return Number.isNaN(x.getTime()) ? '' : x.toISOString();
  if (typeof x === 'object') return JSON.stringify(x) ?? '';
  return String(x);
}

/** One RFC 4180 CSV line (no line break): each value made safe, then quoted when it holds a comma, quote, CR or LF. */
export function toCsvLine(values: readonly unknown[]): string {
  return values
    .map((v) => {
      const c = safeCell(v);
      const s = c === null ? '' : c instanceof Date ? c.toISOString() : String(c);
      return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
    })
    .join(',');
}
