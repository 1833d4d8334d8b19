import { z } from 'zod';
import { ZPageQuery } from '../pagination.ts';
import { ZId } from './common.ts';
import { formatPhone, normalizePhone } from '../customers/phone.ts';
import { normalizeCardNumber } from '../customers/card-number.ts';

export const CUSTOMER_KINDS = ['individual', 'company'] as const;
export const GENDERS = ['male', 'female', 'unknown'] as const;
/** Default dictionary 意向级别 (tenant-editable). */
export const DEFAULT_INTENT_LEVELS = ['马上要做', '考虑中', '关注', '一年内不会做', '已做', '尚不了解'] as const;
export const CUSTOM_FIELD_TYPES = ['text', 'number', 'date', 'option'] as const;
/** PII fields that are masked unless revealed (each reveal is audited). */
export const PII_FIELDS = ['phone', 'email', 'address', 'idNumber', 'cardNumber'] as const;
export type TPiiField = (typeof PII_FIELDS)[number];

/**
 * CN mobile `1[3-9]\d{9}` or landline with area code and optional extension (DESIGN §2), normalised by the one rule
 * (normalizePhone): stored as 13812345678, 021-55551234 or 021-55551234-123, whatever spaces, dashes, +86 or
 * full-width digits were typed. The form, the API and the import all go through this.
 */
export const ZPhoneInput = z.string().transform((s, ctx) => {
  const p = normalizePhone(s);
  if (p) return formatPhone(p);
  ctx.addIssue({ code: 'custom', message: '请输入有效的手机号或带区号的座机号', input: s, params: { key: 'phone' } });
  return z.NEVER;
});

/** A customer may hold this many cards 卡号 (debit, credit, member cards…). */
export const MAX_CARD_NUMBERS = 10;
/** 卡号: 8–19 digits, stored as digits only whatever spaces or dashes were typed (normalizeCardNumber). */
export const ZCardNumberInput = z.string().transform((s, ctx) => {
  const d = normalizeCardNumber(s);
  if (d) return d;
  ctx.addIssue({ code: 'custom', message: '卡号须为 8–19 位数字', input: s, params: { key: 'cardNumber' } });
  return z.NEVER;
});

export const ZCustomFieldDef = z.object({
  id: z.string(),
  entity: z.enum(['customer', 'service_record']),
  key: z.string(),
  label: z.string(),
  type: z.enum(CUSTOM_FIELD_TYPES),
  options: z.array(z.string()),
  isRequired: z.boolean(),
  sortOrder: z.number().int(),
});
export type TCustomFieldDef = z.infer<typeof ZCustomFieldDef>;

export const ZCreateCustomFieldInput = z.object({
  entity: z.enum(['customer', 'service_record']).default('customer'),
  key: z
    .string()
    .trim()
    .regex(/^[a-z][a-z0-9_]{0,39}$/, '字段键须以小写字母开头，只含小写字母、数字和下划线'),
  label: z.string().trim().min(1).max(40),
  type: z.enum(CUSTOM_FIELD_TYPES),
  options: z.array(z.string().trim().min(1).max(40)).max(100).default([]),
  isRequired: z.boolean().default(false),
  sortOrder: z.number().int().min(0).max(10000).default(0),
});
export type TCreateCustomFieldInput = z.infer<typeof ZCreateCustomFieldInput>;

export const ZContactInput = z.object({
  name: z.string().trim().min(1).max(64),
  title: z.string().trim().max(64).nullish(),
  phone: ZPhoneInput.nullish(),
  email: z.email().nullish(),
  isPrimary: z.boolean().default(false),
});
export type TContactInput = z.infer<typeof ZContactInput>;

const customerFields = {
  kind: z.enum(CUSTOMER_KINDS),
  name: z.string().trim().min(1, '请输入客户名称').max(100),
  gender: z.enum(GENDERS).nullish(),
  birthday: z.iso.date().nullish(),
  phones: z.array(ZPhoneInput).max(5),
  email: z.email('邮箱格式不正确').nullish(),
  address: z.string().trim().max(200).nullish(),
  idNumber: z
    .string()
    .trim()
    .regex(/^\d{17}[\dXx]$/, '身份证号须为 18 位')
    .nullish(),
  cardNumbers: z.array(ZCardNumberInput).max(MAX_CARD_NUMBERS),
  source: z.string().trim().max(40).nullish(),
  ownerId: ZId.nullish(),
  unitId: ZId,
  tags: z.array(z.string().trim().min(1).max(20)).max(30),
  tier: z.string().trim().max(20).nullish(),
  lifecycleStage: z.string().trim().max(20).nullish(),
  intentLevel: z.string().trim().max(20).nullish(),
  consentService: z.boolean(),
  consentMarketing: z.boolean(),
  doNotContactUntil: z.iso.datetime({ offset: true }).nullish(),
  /** Values of tenant-defined fields, checked against their definitions by the server. */
  custom: z.record(z.string(), z.union([z.string(), z.number(), z.null()])),
  contacts: z.array(ZContactInput).max(20).optional(),
};

export const ZCreateCustomerInput = z.object({
  ...customerFields,
  kind: customerFields.kind.default('individual'),
  phones: customerFields.phones.default([]),
  cardNumbers: customerFields.cardNumbers.default([]),
  tags: customerFields.tags.default([]),
  consentService: customerFields.consentService.default(true),
  consentMarketing: customerFields.consentMarketing.default(false),
  custom: customerFields.custom.default({}),
  /** Save even though another customer has one of these phones (the user saw the DUPLICATE_PHONE warning). */
  allowDuplicatePhone: z.boolean().optional(),
});
export type TCreateCustomerInput = z.infer<typeof ZCreateCustomerInput>;
/** No defaults here: a field left out of a patch stays as it is (a default would silently reset it). */
export const ZUpdateCustomerInput = z.object({ ...customerFields, allowDuplicatePhone: z.boolean() }).partial();
export type TUpdateCustomerInput = z.infer<typeof ZUpdateCustomerInput>;

export const ZContact = z.object({
  id: z.string(),
  name: z.string(),
  title: z.string().nullable(),
  phone: z.string().nullable(),
  email: z.string().nullable(),
  isPrimary: z.boolean(),
});

/** A customer as the API shows it: PII masked (`138****5678`) unless revealed one field at a time. */
export const ZCustomer = z.object({
  id: z.string(),
  kind: z.enum(CUSTOMER_KINDS),
  name: z.string(),
  gender: z.string().nullable(),
  birthday: z.string().nullable(),
  phones: z.array(z.string()),
  email: z.string().nullable(),
  address: z.string().nullable(),
  idNumber: z.string().nullable(),
  /** Masked (6222****7890) unless revealed, one card at a time. */
  cardNumbers: z.array(z.string()),
  source: z.string().nullable(),
  ownerId: z.string().nullable(),
  ownerName: z.string().nullable(),
  unitId: z.string(),
  unitName: z.string(),
  tags: z.array(z.string()),
  tier: z.string().nullable(),
  lifecycleStage: z.string().nullable(),
  intentLevel: z.string().nullable(),
  consentService: z.boolean(),
  consentMarketing: z.boolean(),
  doNotContactUntil: z.string().nullable(),
  custom: z.record(z.string(), z.unknown()),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type TCustomer = z.infer<typeof ZCustomer>;
export const ZCustomerDetail = ZCustomer.extend({
  contacts: z.array(ZContact),
  /** Readable only as the customer of the caller's follow-up task: no edits, notes or entries (they answer 404). */
  isReadOnly: z.boolean().optional(),
});
export type TCustomerDetail = z.infer<typeof ZCustomerDetail>;

export const ZCustomerListQuery = ZPageQuery.extend({
  /** Name, a fragment of any phone number (≥ 3 digits), or a whole card number 卡号. */
  q: z.string().trim().max(50).optional(),
  kind: z.enum(CUSTOMER_KINDS).optional(),
  unitId: ZId.optional(),
  ownerId: ZId.optional(),
  tier: z.string().max(20).optional(),
  intentLevel: z.string().max(20).optional(),
  lifecycleStage: z.string().max(20).optional(),
  source: z.string().max(40).optional(),
  /** Comma-separated; a customer must carry all of them. */
  tags: z.string().max(300).optional(),
  createdFrom: z.iso.datetime({ offset: true }).optional(),
  createdTo: z.iso.datetime({ offset: true }).optional(),
  /** JSON object of custom-field equality filters, e.g. {"vip_level":"金卡"}. */
  custom: z.string().max(1000).optional(),
  /** Customer value 客户分级 of the latest finished recompute run (modules/value): percentile tier, rule class… */
  valueTier: z.string().max(40).optional(),
  valueClass: z.string().max(40).optional(),
  valueLifecycle: z.enum(['high_value', 'potential', 'ordinary', 'churned']).optional(),
  valueStarsMin: z.coerce.number().int().min(0).max(5).optional(),
  valueScoreMin: z.coerce.number().min(0).max(100).optional(),
});
export type TCustomerListQuery = z.infer<typeof ZCustomerListQuery>;

/** `index`: which phone or card (the others have one value). */
export const ZRevealInput = z.object({
  field: z.enum(PII_FIELDS),
  index: z
    .number()
    .int()
    .min(0)
    .max(MAX_CARD_NUMBERS - 1)
    .default(0),
});
export const ZRevealResult = z.object({ field: z.enum(PII_FIELDS), value: z.string().nullable() });

export const ZBulkCustomerInput = z.object({
  ids: z.array(ZId).min(1).max(1000),
  addTags: z.array(z.string().trim().min(1).max(20)).max(10).optional(),
  removeTags: z.array(z.string().trim().min(1).max(20)).max(10).optional(),
  ownerId: ZId.optional(),
});
export type TBulkCustomerInput = z.infer<typeof ZBulkCustomerInput>;

export const ZNoteInput = z.object({ body: z.string().trim().min(1, '请输入内容').max(2000) });
/**
 * One timeline entry. `params` carries what the title is made of (codes and data, see timeline.ts), so the web app
 * renders the title in the user's language; `title` (and the follow-up task's `detail`) are the same in Chinese for
 * API clients.
 */
export const ZTimelineItem = z.object({
  id: z.string(),
  kind: z.enum(['service_record', 'transaction', 'note', 'evaluation', 'followup_task', 'followup_attempt']),
  at: z.string(),
  title: z.string(),
  params: z.record(z.string(), z.union([z.string(), z.number(), z.null()])),
  detail: z.string().nullable(),
  actorName: z.string().nullable(),
  amountFen: z.number().nullable(),
  /** An evaluation that holds questionnaire answers (survey, follow-up call): each question with its answer. */
  answers: z.array(z.object({ question: z.string(), answer: z.string() })).optional(),
});
export type TTimelineItem = z.infer<typeof ZTimelineItem>;

export const TRANSACTION_KINDS = ['order', 'return', 'payment'] as const;

export const ZServiceType = z.object({ id: z.string(), key: z.string(), name: z.string(), isActive: z.boolean() });
export type TServiceType = z.infer<typeof ZServiceType>;
export const ZCreateServiceTypeInput = z.object({
  key: z
    .string()
    .trim()
    .regex(/^[a-z][a-z0-9_]{0,39}$/, '键须以小写字母开头，只含小写字母、数字和下划线'),
  name: z.string().trim().min(1).max(40),
});

export const ZCreateServiceRecordInput = z.object({
  serviceTypeId: ZId,
  occurredAt: z.iso.datetime({ offset: true }),
  /** Defaults to the customer's unit. */
  unitId: ZId.optional(),
  staffId: ZId.nullish(),
  summary: z.string().trim().max(500).nullish(),
  custom: z.record(z.string(), z.union([z.string(), z.number(), z.null()])).default({}),
});
export type TCreateServiceRecordInput = z.infer<typeof ZCreateServiceRecordInput>;

export const ZCreateTransactionInput = z.object({
  kind: z.enum(TRANSACTION_KINDS),
  /** Integer fen (分); positive. */
  amountFen: z.number().int().positive().max(1e13),
  occurredAt: z.iso.datetime({ offset: true }),
  orderNo: z.string().trim().max(64).nullish(),
  note: z.string().trim().max(500).nullish(),
});
export type TCreateTransactionInput = z.infer<typeof ZCreateTransactionInput>;

export const ZDictionaryItem = z.object({ code: z.string(), label: z.string(), sortOrder: z.number().int() });
export const DICTIONARIES = ['intent_level', 'customer_source', 'tier', 'lifecycle_stage'] as const;

/** Fields a 有效客户 rule or the completeness score can require (custom fields as `custom.<key>`). */
export const DQ_FIELDS = [
  'name',
  'phones',
  'email',
  'address',
  'idNumber',
  'gender',
  'birthday',
  'source',
  'tier',
  'lifecycleStage',
  'intentLevel',
  'ownerId',
  'tags',
] as const;
export const ZDataQualitySettings = z.object({
  validRequired: z
    .array(z.string().regex(/^([a-zA-Z]+|custom\.[a-z][a-z0-9_]*)$/))
    .min(1)
    .max(30),
  completenessFields: z
    .array(z.string().regex(/^([a-zA-Z]+|custom\.[a-z][a-z0-9_]*)$/))
    .min(1)
    .max(30),
});
export type TDataQualitySettings = z.infer<typeof ZDataQualitySettings>;
export const ZDataQualitySummary = z.object({
  total: z.number().int(),
  valid: z.number().int(),
  invalidPhones: z.number().int(),
  avgCompleteness: z.number(),
  missing: z.array(z.object({ field: z.string(), count: z.number().int() })),
  duplicateGroups: z.number().int(),
  toFix: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      unitName: z.string(),
      completeness: z.number().int(),
      missing: z.array(z.string()),
      isValid: z.boolean(),
    }),
  ),
});
export type TDataQualitySummary = z.infer<typeof ZDataQualitySummary>;
export const ZDuplicateGroup = z.object({
  reason: z.enum(['same_phone', 'same_card', 'same_id_number', 'same_name_similar_address']),
  key: z.string(),
  customers: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      phones: z.array(z.string()),
      address: z.string().nullable(),
      unitName: z.string(),
      createdAt: z.string(),
    }),
  ),
});
export type TDuplicateGroup = z.infer<typeof ZDuplicateGroup>;
export const ZMergeInput = z.object({ keepId: ZId, mergeIds: z.array(ZId).min(1).max(20) });

/** A saved list filter (later a segment feeding follow-up plans): the list query minus paging. */
export const ZSavedFilter = z.object({
  id: z.string(),
  entity: z.string(),
  name: z.string(),
  filter: z.record(z.string(), z.string()),
  isShared: z.boolean(),
  isMine: z.boolean(),
  createdAt: z.string(),
});
export type TSavedFilter = z.infer<typeof ZSavedFilter>;
export const ZCreateSavedFilterInput = z.object({
  entity: z.enum(['customer']).default('customer'),
  name: z.string().trim().min(1, '请输入名称').max(40),
  filter: z
    .record(z.string().max(40), z.string().max(1000))
    .refine((f) => Object.keys(f).length <= 20, 'too many conditions'),
  isShared: z.boolean().default(false),
});
