/**
 * Display masking of personal data (DESIGN §1): shown masked unless a user with pii:reveal reveals it. Every function
 * takes what is stored (or typed) and never shows more than it should, even for short or odd input; '' stays ''.
 */
import { normalizePhone } from './phone.ts';

const STARS = '****';

/** Characters, not UTF-16 units, so a rare CJK character outside the BMP is one character. */
const chars = (s: string): string[] => Array.from(s);

/**
 * 138****5678; a landline keeps its area code and last 4 digits (021-****1234) and drops its extension. Anything
 * that is not a valid phone keeps at most its first 3 and last 4 characters when long, less when short.
 */
export function maskPhone(phone: string): string {
  const s = phone.trim();
  if (s === '') return '';
  const p = normalizePhone(s);
  if (p?.kind === 'mobile') return `${p.national.slice(0, 3)}${STARS}${p.national.slice(-4)}`;
  if (p?.kind === 'landline') {
    const [area = '', local = ''] = p.national.split('-');
    return `${area}-${STARS}${local.slice(-4)}`;
  }
  const c = chars(s);
  if (c.length >= 11) return `${c.slice(0, 3).join('')}${STARS}${c.slice(-4).join('')}`;
  if (c.length >= 8) return `${STARS}${c.slice(-4).join('')}`;
  if (c.length >= 5) return `${STARS}${c.slice(-2).join('')}`;
  return STARS;
}

/**
 * 18-character resident ID (last may be X): first 6 (region) and last 4, 110101********1234. Other lengths keep the
 * first and last 2 when at least 8 long; shorter ones are fully hidden.
 */
export function maskIdNumber(id: string): string {
  const c = chars(id.trim().toUpperCase());
  if (c.length === 0) return '';
  if (c.length === 18) return `${c.slice(0, 6).join('')}********${c.slice(-4).join('')}`;
  if (c.length >= 8) return `${c.slice(0, 2).join('')}${'*'.repeat(c.length - 4)}${c.slice(-2).join('')}`;
  return STARS;
}

/**
 * 卡号: a card of 12 digits or more keeps its first 4 (the issuer) and last 4, 6222****7890, as bank statements print
 * it; a shorter one keeps only its last 4; fewer than 8 characters are fully hidden.
 */
export function maskCardNumber(card: string): string {
  const c = chars(card.trim());
  if (c.length === 0) return '';
  if (c.length >= 12) return `${c.slice(0, 4).join('')}${STARS}${c.slice(-4).join('')}`;
  if (c.length >= 8) return `${STARS}${c.slice(-4).join('')}`;
  return STARS;
}

const PROVINCE_NAMES =
  '北京|天津|上海|重庆|河北|山西|辽宁|吉林|黑龙江|江苏|浙江|安徽|福建|江西|山东|河南|湖北|湖南|广东|海南|四川|贵州|云南|陕西|甘肃|青海|台湾|内蒙古|广西|西藏|宁夏|新疆|香港|澳门';
/** A place name: CJK characters that are not themselves an administrative or street suffix. */
const NAME = '(?:(?![省市区县旗盟路街道巷弄号镇乡村楼栋室])[\\u3400-\\u9fff])';
const PROVINCE = new RegExp(
  `^(?:(${PROVINCE_NAMES})(?:省|市|壮族自治区|回族自治区|维吾尔自治区|自治区|特别行政区)|(${NAME}{2,3})省)`,
  'u',
);
/** A province written without its suffix (浙江杭州市…) counts only when a city or district follows: not 四川北路. */
const BARE_PROVINCE = new RegExp(`^(${PROVINCE_NAMES})`, 'u');
const CITY = new RegExp(`^(${NAME}{1,7}?)(?:市|自治州|地区|盟)`, 'u');
/** District level; 小区/社区/校区/景区/厂区 are places below it, not districts. */
const DISTRICT = new RegExp(`^${NAME}{1,8}?(?<![小社校景厂超])(?:区|县|市|旗)`, 'u');

export type TAddressRegion = {
  /** Province-level name without suffix (浙江, 上海), or null. */
  province: string | null;
  /** Prefecture-level name without suffix (杭州), or null. */
  city: string | null;
  /** The leading province + city text as written (浙江省杭州市), '' when none. */
  prefix: string;
  /** The district/county part as written (西湖区), or null. */
  district: string | null;
  /** Everything after the prefix, district included. */
  body: string;
};

/** Split a Chinese address into its province/city prefix, district and the rest. Pure text rules, no gazetteer. */
export function splitAddressRegion(address: string): TAddressRegion {
  let rest = address;
  let province: string | null = null;
  let city: string | null = null;
  const p = rest.match(PROVINCE) ?? rest.match(BARE_PROVINCE);
  if (p) {
    const after = rest.slice(p[0].length);
    if (p[0] !== p[1] || CITY.test(after) || DISTRICT.test(after)) {
      province = p[1] ?? p[2] ?? null;
      rest = after;
    }
  }
  const c = rest.match(CITY);
  if (c) {
    city = c[1] ?? null;
    rest = rest.slice(c[0].length);
  }
  const prefix = address.slice(0, address.length - rest.length);
  const d = rest.match(DISTRICT);
  return { province, city, prefix, district: d ? d[0] : null, body: rest };
}

/**
 * Keep the address down to the district/county level and hide the rest: 上海市浦东新区世纪大道100号 → 上海市浦东新区****.
 * Without a recognisable region, keep the first 6 characters (at most half of a short address).
 */
export function maskAddress(address: string): string {
  const s = address.trim();
  if (s === '') return '';
  const r = splitAddressRegion(s);
  const kept = r.prefix + (r.district ?? '');
  if (kept !== '') return `${kept}${STARS}`;
  const c = chars(s);
  return `${c.slice(0, Math.min(6, Math.floor(c.length / 2))).join('')}${STARS}`;
}

/** zhangsan@example.com → zh***@example.com; a short local part shows less (a***@…, ***@…). */
export function maskEmail(email: string): string {
  const s = email.trim();
  if (s === '') return '';
  const at = s.lastIndexOf('@');
  if (at <= 0 || at === s.length - 1) return STARS;
  const local = chars(s.slice(0, at));
  const keep = local.length >= 4 ? 2 : local.length >= 2 ? 1 : 0;
  return `${local.slice(0, keep).join('')}***@${s.slice(at + 1)}`;
}

/** 张三 → 张*, 张小明 → 张*明, 欧阳小明 → 欧**明; a one-character name is shown as is. */
export function maskName(name: string): string {
  const c = chars(name.trim());
  if (c.length <= 1) return c.join('');
  if (c.length === 2) return `${c[0]}*`;
  return `${c[0]}${'*'.repeat(c.length - 2)}${c[c.length - 1]}`;
}
