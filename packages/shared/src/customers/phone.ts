/**
 * Chinese phone numbers (DESIGN §2 数据质量): mobile `1[3-9]\d{9}`, or a landline with its area code and an optional
 * extension. Accepts what people actually type: spaces, dashes, dots, parentheses, full-width digits and punctuation,
 * a leading +86 / 0086 / 86, and 转 / 分机 / ext / x / # before an extension.
 */
export type TPhoneKind = 'mobile' | 'landline';

export type TPhone = {
  kind: TPhoneKind;
  /** +8613812345678, or +862155551234 for 021-55551234 (the extension is not part of E.164). */
  e164: string;
  /** 13812345678, or 021-55551234. */
  national: string;
  /** Landline extension (1–6 digits), or null. */
  extension: string | null;
};

/** Longest input worth parsing; anything longer is not one phone number. */
const MAX_INPUT = 40;
const MOBILE = /^1[3-9]\d{9}$/;
/** Area code: 010 and 02X are 3 digits, every other (0 + [3-9] + 2 digits) is 4 digits. */
const AREA = /^(010|02\d|0[3-9]\d{2})/;
const LOCAL = /^[2-9]\d{6,7}$/;
const EXTENSION = /^\d{1,6}$/;
/** Extension markers; the first one splits the number from its extension. */
const EXT_MARKER = /转|分机|ext\.?|x|#/;
/** What may remain in the number part once the marker is gone. */
const ALLOWED = /^\+?[\d\s\-.()]+$/;

/** Full-width → half-width (NFKC), the various dashes → '-', lower case. */
function canonical(raw: string): string {
  return raw
    .normalize('NFKC')
    .replace(/[\u2010-\u2015\u2212\u30fc\ufe63]/g, '-')
    .toLowerCase()
    .trim();
}

/**
 * Remove a leading country code (+86, 0086, or a bare 86: no national number starts with 8). `hadCountry` tells that
 * a landline's leading 0 went with it (+86 21 5555 1234).
 */
function stripCountry(main: string): { rest: string; hadCountry: boolean } {
  const m = main.match(/^(?:\+\s*86|0086|86)/);
  return m ? { rest: main.slice(m[0].length), hadCountry: true } : { rest: main, hadCountry: false };
}

function landline(digits: string, extension: string | null): TPhone | null {
  const area = digits.match(AREA)?.[1];
  if (!area) return null;
  const local = digits.slice(area.length);
  if (!LOCAL.test(local)) return null;
  if (extension !== null && !EXTENSION.test(extension)) return null;
  return { kind: 'landline', e164: `+86${area.slice(1)}${local}`, national: `${area}-${local}`, extension };
}

/**
 * Parse a messy phone number; null when it is not a valid CN mobile or landline. Without an explicit marker, a
 * landline extension is recognised only as a last dash-separated group (021-55551234-123): digits run together
 * past a full local number are ambiguous and rejected.
 */
export function normalizePhone(raw: string): TPhone | null {
  if (raw.length > MAX_INPUT * 2) return null;
  const s = canonical(raw);
  if (s.length === 0 || s.length > MAX_INPUT) return null;

  let main = s;
  let extension: string | null = null;
  const marker = s.match(EXT_MARKER);
  if (marker && marker.index !== undefined) {
    main = s.slice(0, marker.index);
    extension = s.slice(marker.index + marker[0].length).replace(/[\s\-.:：]/g, '');
    if (!EXTENSION.test(extension)) return null;
  }
  main = main.trim();
  if (!ALLOWED.test(main)) return null;

  const { rest, hadCountry } = stripCountry(main);
  if (rest.includes('+')) return null;
  let digits = rest.replace(/\D/g, '');
  if (digits.length < 7 || digits.length > 20) return null;

  // An out-of-town 0 dialled before a mobile (013812345678) is still that mobile.
  const mobile = MOBILE.test(digits) ? digits : /^01[3-9]\d{9}$/.test(digits) ? digits.slice(1) : null;
  if (mobile) {
    if (extension !== null) return null;
    return { kind: 'mobile', e164: `+86${mobile}`, national: mobile, extension: null };
  }
  if (digits.startsWith('1') && !hadCountry) return null; // 12…, 10…: not a mobile, not a landline
  if (hadCountry && !digits.startsWith('0')) digits = `0${digits}`;

  if (extension !== null) return landline(digits, extension);
  // A last dash group is the extension when what precedes it is already a complete number (021-55551234-123).
  const groups = rest.split('-');
  const last = groups.length > 1 ? (groups[groups.length - 1] ?? '').replace(/\D/g, '') : '';
  if (EXTENSION.test(last)) {
    const withExt = landline(digits.slice(0, digits.length - last.length), last);
    if (withExt) return withExt;
  }
  return landline(digits, null);
}

export function isValidPhone(raw: string): boolean {
  return normalizePhone(raw) !== null;
}

/** The stored/display form: national number, then `-extension` when there is one (021-55551234-123). */
export function formatPhone(p: TPhone): string {
  return p.extension ? `${p.national}-${p.extension}` : p.national;
}

/**
 * Digits only, for indexing and matching phone fragments: a valid number gives its national digits plus the
 * extension (+86 138-1234-5678 → 13812345678); anything else its digits, less an explicit +86 / 0086.
 */
export function phoneSearchKey(raw: string): string {
  const p = normalizePhone(raw);
  if (p) return `${p.national.replace(/\D/g, '')}${p.extension ?? ''}`;
  return canonical(raw)
    .replace(/^(?:\+\s*86|0086)/, '')
    .replace(/\D/g, '');
}
