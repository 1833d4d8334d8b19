/**
 * Validation messages a user reads, in one table for zh-CN and en-US. A failed check is described by a stable machine
 * code (the Zod issue code, with "required" for a missing or empty value) and its params; the sentence is made here,
 * naming the field, in the reader's language: by the web app for form fields and API error details, and by the server
 * for texts it writes itself (the import error report, in the tenant's language).
 */

export const VALIDATION_CODES = [
  'required',
  'too_small',
  'too_big',
  'invalid_format',
  'invalid_type',
  'invalid_value',
  'not_multiple_of',
  'unrecognized_keys',
  'invalid_union',
  'invalid_key',
  'invalid_element',
  'duplicate',
  'not_found',
  'custom',
] as const;
export type TValidationCode = (typeof VALIDATION_CODES)[number];

/** What a message needs besides the field: bounds, the expected format or type, the allowed values. */
export type TValidationParams = {
  minimum?: number;
  maximum?: number;
  inclusive?: boolean;
  /** What was measured: string (characters), number, array / set (items), date… */
  origin?: string;
  format?: string;
  expected?: string;
  values?: string[];
  divisor?: number;
  keys?: string[];
  /** A custom rule's key in CUSTOM_TEXT (e.g. `phone`), set with `params: { key }` on a Zod custom issue. */
  key?: string;
};

export type TLang = 'zh' | 'en';
export const langOf = (language: string | undefined): TLang => (language?.startsWith('en') ? 'en' : 'zh');

/** The minimal shape of a Zod issue (zod 4), or of fastify-type-provider-zod's copy of it (`keyword` + `params`). */
type TIssueLike = { readonly code?: string; readonly message?: string; readonly input?: unknown };

const num = (v: unknown): number | undefined =>
  typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : undefined;
const strs = (v: unknown): string[] | undefined => (Array.isArray(v) ? v.map((x) => String(x)) : undefined);
const isEmpty = (v: unknown) =>
  v === undefined || v === null || (typeof v === 'string' && v.trim() === '') || (Array.isArray(v) && v.length === 0);

/**
 * Code and params of one Zod issue. `value` is the value the field held (when the caller knows it): a missing value
 * that should have been a string, or an empty string / list that should have had at least one, is "required".
 */
export function validationDetail(
  is: TIssueLike,
  value: unknown = is.input,
): { code: TValidationCode; params: TValidationParams } {
  const issue = is as Record<string, unknown>;
  const code = String(issue.code ?? 'custom');
  const params: TValidationParams = {};
  const min = num(issue.minimum);
  const max = num(issue.maximum);
  if (min !== undefined) params.minimum = min;
  if (max !== undefined) params.maximum = max;
  if (typeof issue.inclusive === 'boolean') params.inclusive = issue.inclusive;
  if (typeof issue.origin === 'string') params.origin = issue.origin;
  if (typeof issue.format === 'string') params.format = issue.format;
  if (typeof issue.expected === 'string') params.expected = issue.expected;
  if (issue.values) params.values = strs(issue.values);
  if (num(issue.divisor) !== undefined) params.divisor = num(issue.divisor);
  if (issue.keys) params.keys = strs(issue.keys);
  const custom = issue.params as { key?: unknown } | undefined;
  if (typeof custom?.key === 'string') params.key = custom.key;
  if (code === 'invalid_type' && (value === undefined || value === null)) return { code: 'required', params };
  if (code === 'too_small' && min === 1 && params.origin !== 'number' && isEmpty(value))
    return { code: 'required', params };
  return {
    code: (VALIDATION_CODES as readonly string[]).includes(code) ? (code as TValidationCode) : 'custom',
    params,
  };
}

/** Sentences of custom rules (Zod `custom` issues carrying `params: { key }`). */
export const CUSTOM_TEXT: Record<string, { zh: (l: string) => string; en: (l: string) => string }> = {
  phone: {
    zh: (l) => `${l}须为有效的手机号或带区号的座机号`,
    en: (l) => `${l} must be a valid mobile number or a landline with its area code`,
  },
  idNumber: { zh: (l) => `${l}须为 18 位身份证号`, en: (l) => `${l} must be an 18-character ID card number` },
  cardNumber: { zh: (l) => `${l}须为 8–19 位数字`, en: (l) => `${l} must be a card number of 8–19 digits` },
};

const FORMAT_ZH: Record<string, string> = {
  email: '邮箱地址',
  url: '网址',
  uuid: '编号',
  guid: '编号',
  date: '日期（YYYY-MM-DD）',
  datetime: '日期时间',
  time: '时间',
};
const FORMAT_EN: Record<string, string> = {
  email: 'e-mail address',
  url: 'URL',
  uuid: 'identifier',
  guid: 'identifier',
  date: 'date (YYYY-MM-DD)',
  datetime: 'date and time',
  time: 'time',
};
const TYPE_ZH: Record<string, string> = {
  number: '数字',
  string: '文字',
  boolean: '是/否',
  array: '列表',
  object: '对象',
  date: '日期',
  int: '整数',
};
const UNIT_ZH = (origin?: string) =>
  origin === 'string' ? ' 个字符' : origin === 'array' || origin === 'set' ? ' 项' : '';
const UNIT_EN = (origin: string | undefined, n: number) =>
  origin === 'string'
    ? ` character${n === 1 ? '' : 's'}`
    : origin === 'array' || origin === 'set'
      ? ` item${n === 1 ? '' : 's'}`
      : '';

/**
 * One translated sentence naming the field (`label`). `fallback` is the message to show for a custom rule without a
 * key (the schema's own sentence) — and for a detail that has no code at all.
 */
export function validationText(
  d: { code?: string; params?: TValidationParams; message?: string },
  label: string,
  lang: TLang,
): string {
  const p = d.params ?? {};
  const zh = lang === 'zh';
  const lbl = label || (zh ? '此项' : 'This field');
  const min = p.minimum ?? 0;
  const max = p.maximum ?? 0;
  const isNumber = p.origin === 'number' || p.origin === 'bigint' || p.origin === 'int';
  const isDate = p.origin === 'date';
  switch (d.code) {
    case 'required':
      return zh ? `${lbl}不能为空` : `${lbl} is required`;
    case 'too_small':
      if (isNumber || isDate) {
        if (zh) return `${lbl}${p.inclusive === false ? '须大于' : '不能小于'} ${min}`;
        return `${lbl} must be ${p.inclusive === false ? 'greater than' : 'at least'} ${min}`;
      }
      return zh ? `${lbl}至少 ${min}${UNIT_ZH(p.origin)}` : `${lbl} needs at least ${min}${UNIT_EN(p.origin, min)}`;
    case 'too_big':
      if (isNumber || isDate) {
        if (zh) return `${lbl}${p.inclusive === false ? '须小于' : '不能大于'} ${max}`;
        return `${lbl} must be ${p.inclusive === false ? 'less than' : 'at most'} ${max}`;
      }
      return zh ? `${lbl}最多 ${max}${UNIT_ZH(p.origin)}` : `${lbl} allows at most ${max}${UNIT_EN(p.origin, max)}`;
    case 'invalid_format': {
      const f = p.format ?? '';
      if (zh) return FORMAT_ZH[f] ? `${lbl}须为有效的${FORMAT_ZH[f]}` : `${lbl}格式不正确`;
      return FORMAT_EN[f] ? `${lbl} must be a valid ${FORMAT_EN[f]}` : `${lbl} has an invalid format`;
    }
    case 'invalid_type':
      if (zh) return p.expected && TYPE_ZH[p.expected] ? `${lbl}须为${TYPE_ZH[p.expected]}` : `${lbl}类型不正确`;
      return p.expected
        ? `${lbl} must be a ${p.expected === 'int' ? 'whole number' : p.expected}`
        : `${lbl} has the wrong type`;
    case 'invalid_value':
      return zh
        ? `${lbl}须为以下之一：${(p.values ?? []).join('、')}`
        : `${lbl} must be one of: ${(p.values ?? []).join(', ')}`;
    case 'not_multiple_of':
      return zh ? `${lbl}须为 ${p.divisor ?? 1} 的倍数` : `${lbl} must be a multiple of ${p.divisor ?? 1}`;
    case 'unrecognized_keys':
      return zh
        ? `${lbl}含有不认识的字段：${(p.keys ?? []).join('、')}`
        : `${lbl} has unknown fields: ${(p.keys ?? []).join(', ')}`;
    case 'invalid_union':
    case 'invalid_key':
    case 'invalid_element':
      return zh ? `${lbl}的值无效` : `${lbl} is not valid`;
    case 'duplicate':
      return zh ? `${lbl}已存在` : `${lbl} already exists`;
    case 'not_found':
      return zh ? `找不到${lbl}的值（或不在您的权限范围内）` : `${lbl}: no such value (or not visible to you)`;
    default: {
      const c = p.key ? CUSTOM_TEXT[p.key] : undefined;
      if (c) return zh ? c.zh(lbl) : c.en(lbl);
      // A rule's own sentence: Chinese ones already say what the field needs (请选择负责人); none reaches an English reader.
      const m = d.message?.trim() ?? '';
      const isChinese = /[\u4e00-\u9fff]/.test(m);
      if (zh) return isChinese ? m : `${lbl}的值无效`;
      return m && !isChinese ? `${lbl}: ${m}` : `${lbl} is not valid`;
    }
  }
}
