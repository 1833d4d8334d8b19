/**
 * 18-digit PRC resident identity card number (居民身份证号码, GB 11643-1999): 6-digit region code, birth date
 * YYYYMMDD, 3-digit sequence (odd = male, even = female), and an ISO 7064 MOD 11-2 check character (0–9 or X).
 */
export type TCnIdNumberInfo = {
  /** YYYY-MM-DD */
  birthday: string;
  gender: 'male' | 'female';
};

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
const CHECK = '10X98765432';
/** Region codes start with 1–8 (provinces 11–65, 71 Taiwan, 81–83 HK/Macao/Taiwan residence permits). */
const SHAPE = /^[1-8]\d{5}(\d{4})(\d{2})(\d{2})\d{3}[\dX]$/;
/** Nobody alive was born before this; older dates are typos. */
const MIN_YEAR = 1900;

/** The ISO 7064 MOD 11-2 check character of the first 17 digits. */
export function cnIdCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * (WEIGHTS[i] ?? 0);
  return CHECK[sum % 11] ?? '';
}

/** Calendar date of `at` in a time zone, as YYYY-MM-DD. */
function dateIn(at: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
}

/**
 * Birthday and gender of a valid ID number, or null when the shape, the check character or the birth date is
 * wrong (impossible date, before 1900, or after `today` in `timeZone`). Spaces, full-width digits and a lower-case x
 * are accepted.
 */
export function parseCnIdNumber(s: string, today: Date, timeZone = 'Asia/Shanghai'): TCnIdNumberInfo | null {
  const id = s.normalize('NFKC').replace(/\s/g, '').toUpperCase();
  const m = id.match(SHAPE);
  if (!m) return null;
  if (cnIdCheckChar(id) !== id[17]) return null;
  const [, y = '', mo = '', d = ''] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return null;
  const birthday = `${y}-${mo}-${d}`;
  if (year < MIN_YEAR || birthday > dateIn(today, timeZone)) return null;
  return { birthday, gender: Number(id[16]) % 2 === 1 ? 'male' : 'female' };
}

export function isValidCnIdNumber(s: string, today: Date, timeZone = 'Asia/Shanghai'): boolean {
  return parseCnIdNumber(s, today, timeZone) !== null;
}
