import { z } from 'zod';
import { ZPageQuery } from '../pagination.ts';
import { ZId } from './common.ts';

/**
 * Plan templates 回访路径 (DESIGN §5): versioned lists of time points relative to an anchor date of a service record,
 * matched to service records by weighted rules. E.g. 出院 + 7 天 ± 2 电话 (问卷), + 30 天 ± 5 电话, + 90 天 短信 (可跳过).
 */
export const PATH_STATUSES = ['draft', 'active', 'retired'] as const;
export type TPathStatus = (typeof PATH_STATUSES)[number];
export const PATH_RULE_KINDS = ['service_type', 'field_equals', 'field_contains'] as const;

/** The anchor of a time point: the record's service time, or a date custom field of its type (出院日期, 交车日期…). */
export const ZPathAnchor = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('occurred_at') }),
  z.object({ kind: z.literal('field'), key: z.string().trim().min(1).max(60) }),
]);
export type TPathAnchor = z.infer<typeof ZPathAnchor>;

export const ZPathPoint = z.object({
  /** Shown to the agent, e.g. "出院一周回访". */
  label: z.string().trim().min(1).max(60),
  anchor: ZPathAnchor,
  offsetDays: z.number().int().min(-365).max(3650),
  windowDays: z.number().int().min(0).max(365),
  /** A code of the tenant dictionary followup_method. */
  method: z.string().trim().min(1).max(40),
  script: z.string().max(4000).default(''),
  surveyId: ZId.nullish(),
  /** 1 (highest) … 5. */
  priority: z.number().int().min(1).max(5).default(3),
  /** The agent may skip this point with a reason (task event 'skipped'). */
  skippable: z.boolean().default(false),
});
export type TPathPoint = z.infer<typeof ZPathPoint>;

const ruleBase = { weight: z.number().int().min(1).max(1000).default(10), negative: z.boolean().default(false) };
export const ZPathRule = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('service_type'), serviceTypeId: ZId, ...ruleBase }),
  z.object({
    kind: z.literal('field_equals'),
    key: z.string().trim().min(1).max(60),
    value: z.string().trim().min(1).max(200),
    ...ruleBase,
  }),
  z.object({
    kind: z.literal('field_contains'),
    key: z.string().trim().min(1).max(60),
    value: z.string().trim().min(1).max(200),
    ...ruleBase,
  }),
]);
export type TPathRule = z.infer<typeof ZPathRule>;

export const ZPathTemplateInput = z.object({
  name: z.string().trim().min(1).max(80),
  /** The follow-up plan the path's tasks belong to (assignment, retry, contact hours come from it). */
  planId: ZId,
  rules: z.array(ZPathRule).max(30).default([]),
  points: z.array(ZPathPoint).min(1).max(30),
});
export type TPathTemplateInput = z.input<typeof ZPathTemplateInput>;
export const pathTemplateFields = ZPathTemplateInput.shape;

export const ZPathStatusInput = z.object({ status: z.enum(['active', 'retired']) });

export const ZPathVersion = z.object({
  id: z.string(),
  version: z.number(),
  points: z.array(ZPathPoint),
  createdAt: z.string(),
  isInUse: z.boolean(),
  tasks: z.number(),
});
export type TPathVersion = z.infer<typeof ZPathVersion>;

export const ZPathTemplate = z.object({
  id: z.string(),
  unitId: z.string(),
  unitName: z.string(),
  planId: z.string(),
  planName: z.string(),
  planStatus: z.string(),
  name: z.string(),
  status: z.enum(PATH_STATUSES),
  currentVersion: z.number(),
  rules: z.array(ZPathRule),
  points: z.array(ZPathPoint),
  /** Service records that got this template, and the tasks they made. */
  instances: z.number(),
  tasks: z.number(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type TPathTemplate = z.infer<typeof ZPathTemplate>;
export const ZPathTemplateDetail = ZPathTemplate.extend({ versions: z.array(ZPathVersion) });
export type TPathTemplateDetail = z.infer<typeof ZPathTemplateDetail>;

export const ZPathListQuery = ZPageQuery.extend({ status: z.enum(PATH_STATUSES).optional() });

/** Why a point of a record makes no task. */
export const PATH_POINT_SKIPS = [
  'anchor_empty',
  'anchor_invalid',
  'expired',
  'do_not_contact',
  'no_service_consent',
  'no_marketing_consent',
] as const;

export const ZPathPointPreview = z.object({
  no: z.number(),
  label: z.string(),
  method: z.string(),
  priority: z.number(),
  skippable: z.boolean(),
  anchorDate: z.string().nullable(),
  dueFromDate: z.string().nullable(),
  dueUntilDate: z.string().nullable(),
  dueFrom: z.string().nullable(),
  dueUntil: z.string().nullable(),
  /** Null: a task is (or would be) created. */
  noTaskReason: z.enum(PATH_POINT_SKIPS).nullable(),
  /** The task this point made, when the record is instantiated. */
  taskId: z.string().nullable(),
  taskState: z.string().nullable(),
});
export type TPathPointPreview = z.infer<typeof ZPathPointPreview>;

export const ZPathCandidate = z.object({
  templateId: z.string(),
  name: z.string(),
  status: z.enum(PATH_STATUSES),
  planStatus: z.string(),
  score: z.number(),
  excluded: z.boolean(),
  /** Indexes of the template's rules that matched the record (positive and negative). */
  matchedRules: z.array(z.number()),
  /** Active, plan active, at least one positive rule matched, no negative one. */
  isEligible: z.boolean(),
});
export type TPathCandidate = z.infer<typeof ZPathCandidate>;

export const ZPathExplainQuery = z.object({ serviceRecordId: ZId, templateId: ZId.optional() });
export const ZPathExplain = z.object({
  serviceRecordId: z.string(),
  serviceTypeName: z.string(),
  occurredAt: z.string(),
  customerId: z.string(),
  /** Candidates best first: score desc, then the older template (created first), then id — the documented tie order. */
  candidates: z.array(ZPathCandidate),
  /** The template the record got (instantiated) or would get now; or the one asked for (templateId). */
  templateId: z.string().nullable(),
  versionId: z.string().nullable(),
  version: z.number().nullable(),
  isInstantiated: z.boolean(),
  points: z.array(ZPathPointPreview),
});
export type TPathExplain = z.infer<typeof ZPathExplain>;

export const ZPathSkipInput = z.object({ reason: z.string().trim().min(1).max(500) });
export const ZPathRunResult = z.object({ records: z.number(), tasks: z.number() });
