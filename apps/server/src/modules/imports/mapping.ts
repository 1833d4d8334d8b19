import { normalizePhone, type TCustomFieldDef } from '@huifang/shared';

/** Import targets: customer fields, `unit` (code or name), `owner` (username or 工号), and `custom.<key>`. */
export const IMPORT_FIELDS = [
  'name',
  'kind',
  'phones',
  'email',
  'address',
  'idNumber',
  'cardNumbers',
  'gender',
  'birthday',
  'source',
  'tier',
  'lifecycleStage',
  'intentLevel',
  'tags',
  'unit',
  'owner',
  'consentService',
  'consentMarketing',
] as const;

const SYNONYMS: Record<(typeof IMPORT_FIELDS)[number], string[]> = {
  name: ['姓名', '客户名称', '客户姓名', '名称', '客户', 'name'],
  kind: ['类型', '客户类型', 'kind'],
  phones: ['手机', '手机号', '手机号码', '电话', '联系电话', '电话号码', 'phone', 'mobile', 'phones'],
  email: ['邮箱', '电子邮箱', 'email', 'e-mail'],
  address: ['地址', '联系地址', '住址', 'address'],
  idNumber: ['身份证', '身份证号', '证件号', '证件号码', 'idnumber', 'id number'],
  cardNumbers: ['卡号', '银行卡号', '会员卡号', '卡号码', 'card number', 'card numbers', 'cardnumber'],
  gender: ['性别', 'gender', 'sex'],
  birthday: ['生日', '出生日期', 'birthday', 'birth date'],
  source: ['来源', '信息来源', 'source'],
  tier: ['等级', '客户等级', 'tier'],
  lifecycleStage: ['生命周期', '阶段', 'lifecycle'],
  intentLevel: ['意向', '意向级别', 'intent'],
  tags: ['标签', 'tags'],
  unit: ['网点', '所属单位', '机构', '单位', '单位编码', '所属网点', 'unit'],
  owner: ['归属员工', '客户经理', '负责人', '归属人', 'owner'],
  consentService: ['同意服务回访', '同意回访', 'consent service'],
  consentMarketing: ['同意营销', '营销许可', 'consent marketing'],
};

/** The field's Chinese name (for the error report when the file has no column for it, e.g. 姓名 never mapped). */
export const fieldLabelZh = (field: string): string => SYNONYMS[field as (typeof IMPORT_FIELDS)[number]]?.[0] ?? field;

const norm = (s: string) =>
  s
    .trim()
    .toLowerCase()
    .replace(/[\s_（）()]/g, '');

/** Suggest header → field by the usual Chinese and English column names and custom-field labels. */
export function suggestMapping(
  headers: string[],
  defs: Pick<TCustomFieldDef, 'key' | 'label'>[],
): Record<string, string> {
  const out: Record<string, string> = {};
  const taken = new Set<string>();
  for (const h of headers) {
    const n = norm(h);
    const field =
      (Object.entries(SYNONYMS).find(([, names]) => names.some((x) => norm(x) === n))?.[0] as string | undefined) ??
      (defs.find((d) => norm(d.label) === n || norm(d.key) === n)
        ? `custom.${defs.find((d) => norm(d.label) === n || norm(d.key) === n)!.key}`
        : undefined);
    if (field && !taken.has(field)) {
      out[h] = field;
      taken.add(field);
    }
  }
  return out;
}

const YES = new Set(['是', 'y', 'yes', 'true', '1', '同意']);
const NO = new Set(['否', 'n', 'no', 'false', '0', '不同意']);
const split = (s: string) =>
  s
    .split(/[,，;；、/|\s]+/)
    .map((x) => x.trim())
    .filter(Boolean);
const splitCards = (s: string) =>
  s
    .split(/[,，;；、/|]+/)
    .map((x) => x.trim())
    .filter(Boolean);
/**
 * Several phones in one cell: split at , ; 、 / |, then read each part as the longest runs of space-separated pieces
 * that make one phone: "138 1234 5678" is one, "13812345678 021-5555 1234" is two.
 */
function splitPhones(s: string): string[] {
  const out: string[] = [];
  for (const part of s.split(/[,，;；、/|]+/)) {
    const pieces = part.trim().split(/\s+/).filter(Boolean);
    let i = 0;
    while (i < pieces.length) {
      let j = pieces.length;
      while (j > i + 1 && !normalizePhone(pieces.slice(i, j).join(' '))) j--;
      out.push(pieces.slice(i, j).join(' '));
      i = j;
    }
  }
  return out;
}

/** Turn one row's mapped texts into a customer input candidate (validated afterwards by the shared Zod schema). */
export function rowToInput(values: Record<string, string>): {
  input: Record<string, unknown>;
  unit?: string;
  owner?: string;
  problems: { field: string; reason: string }[];
} {
  const input: Record<string, unknown> = { custom: {} };
  const problems: { field: string; reason: string }[] = [];
  for (const [field, raw] of Object.entries(values)) {
    const v = raw.trim();
    if (v === '') continue;
    if (field.startsWith('custom.')) (input.custom as Record<string, string>)[field.slice(7)] = v;
    else if (field === 'phones') input.phones = splitPhones(v);
    else if (field === 'tags') input.tags = split(v);
    // Several cards in one cell are separated like tags; spaces and dashes inside one card are its grouping.
    else if (field === 'cardNumbers') input.cardNumbers = splitCards(v);
    else if (field === 'gender') {
      const g = { 男: 'male', 女: 'female', male: 'male', female: 'female', m: 'male', f: 'female', 未知: 'unknown' }[
        v.toLowerCase()
      ];
      if (g) input.gender = g;
      else problems.push({ field, reason: '性别须为 男/女' });
    } else if (field === 'kind') {
      const k = { 个人: 'individual', 企业: 'company', 公司: 'company', individual: 'individual', company: 'company' }[
        v.toLowerCase()
      ];
      if (k) input.kind = k;
      else problems.push({ field, reason: '类型须为 个人/企业' });
    } else if (field === 'birthday') {
      const m = v.match(/^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$/);
      if (m) input.birthday = `${m[1]}-${m[2]!.padStart(2, '0')}-${m[3]!.padStart(2, '0')}`;
      else problems.push({ field, reason: '日期格式须为 YYYY-MM-DD' });
    } else if (field === 'consentService' || field === 'consentMarketing') {
      if (YES.has(v.toLowerCase())) input[field] = true;
      else if (NO.has(v.toLowerCase())) input[field] = false;
      else problems.push({ field, reason: '须为 是/否' });
    } else if (field === 'unit' || field === 'owner') continue;
    else input[field] = v;
  }
  return { input, unit: values.unit?.trim() || undefined, owner: values.owner?.trim() || undefined, problems };
}
