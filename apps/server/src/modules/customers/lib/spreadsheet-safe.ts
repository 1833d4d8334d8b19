/**
 * Formula-injection-safe export (OWASP CSV injection): a text cell starting with = + - @ tab or CR is prefixed
 * with an apostrophe so Excel/WPS show it as text instead of evaluating it. Real numbers stay numbers.
 */
export const CSV_BOM = '\uFEFF';
const DANGEROUS = /^[=+\-@\t\r]/;

export function safeCell(v: unknown): string | number | Date | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (v instanceof Date) return v;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return DANGEROUS.test(s) ? `'${s}` : s;
}

/** One RFC 4180 CSV line (no line break), every cell made safe first. */
export function toCsvLine(values: unknown[]): string {
  return values
    .map((v) => {
      const c = safeCell(v);
      const s = c === null ? '' : c instanceof Date ? c.toISOString() : String(c);
      return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
    })
    .join(',');
}
