import { z } from 'zod';
import { ZId } from './common.ts';
import { END_OF_SURVEY } from '../survey-logic.ts';

/**
 * Surveys 回访问卷 (DESIGN §4.2). One definition schema serves the server (publish, submit) and the web forms
 * (designer, H5 answer page). Scored questions (Likert 李克特, stars, CSAT) are on a 1–5 scale (5 best) and feed the
 * dimension means; NPS (0–10) is reported on its own and never enters the satisfaction index.
 */
export const QUESTION_TYPES = [
  'single',
  'multiple',
  'likert',
  'rating',
  'nps',
  'csat',
  'text',
  'number',
  'date',
] as const;
export type TQuestionType = (typeof QUESTION_TYPES)[number];

/** Types answered on the common 1–5 scale; they belong to a dimension and enter the satisfaction index. */
export const SCORED_TYPES: readonly TQuestionType[] = ['likert', 'rating', 'csat'];
export const isScored = (t: TQuestionType) => SCORED_TYPES.includes(t);

const ZKey = z.string().regex(/^[a-z][a-z0-9_]{0,31}$/, 'lower-case letters, digits and _, starting with a letter');

/** Skip logic 跳题: when the answer of this question equals / is in `values`, continue at `goto` (a later question or 'end'). */
export const ZSkipRule = z.object({
  op: z.enum(['eq', 'in']),
  values: z
    .array(z.union([z.string().max(40), z.number()]))
    .min(1)
    .max(20),
  goto: z.string().max(32),
});
export type TSkipRule = z.infer<typeof ZSkipRule>;

export const ZQuestionOption = z.object({
  value: z.string().trim().min(1).max(40),
  label: z.string().trim().min(1).max(100),
});

export const ZQuestion = z.object({
  key: ZKey,
  type: z.enum(QUESTION_TYPES),
  title: z.string().trim().min(1).max(300),
  description: z.string().max(500).optional(),
  required: z.boolean().default(true),
  /** Choices of single / multiple choice questions. */
  options: z.array(ZQuestionOption).max(30).optional(),
  /** The dimension 维度 a scored question belongs to. */
  dimensionKey: z.string().max(32).nullable().optional(),
  skip: z.array(ZSkipRule).max(20).optional(),
});
export type TQuestion = z.infer<typeof ZQuestion>;

/** A dimension with its weight in whole percent; the weights of a survey sum to 100. */
export const ZDimension = z.object({
  key: ZKey,
  name: z.string().trim().min(1).max(50),
  weight: z.number().int().min(0).max(100),
});
export type TDimension = z.infer<typeof ZDimension>;

const ZDefinitionBase = z.object({
  title: z.string().trim().min(1).max(200),
  description: z.string().max(2000).default(''),
  thankYou: z.string().max(500).optional(),
  dimensions: z.array(ZDimension).max(20).default([]),
  questions: z.array(ZQuestion).min(1).max(100),
});

/** Rules across fields. Paths are relative to the definition (the server prefixes `body.definition`). */
export function definitionProblems(
  d: z.infer<typeof ZDefinitionBase>,
): { path: (string | number)[]; message: string }[] {
  const out: { path: (string | number)[]; message: string }[] = [];
  const dimKeys = new Set<string>();
  d.dimensions.forEach((dim, i) => {
    if (dimKeys.has(dim.key))
      out.push({ path: ['dimensions', i, 'key'], message: `duplicate dimension key ${dim.key}` });
    dimKeys.add(dim.key);
  });
  if (d.dimensions.length > 0) {
    const sum = d.dimensions.reduce((s, x) => s + x.weight, 0);
    if (sum !== 100) out.push({ path: ['dimensions'], message: `dimension weights must sum to 100% (now ${sum}%)` });
  }
  const keys = d.questions.map((q) => q.key);
  d.questions.forEach((q, i) => {
    if (keys.indexOf(q.key) !== i)
      out.push({ path: ['questions', i, 'key'], message: `duplicate question key ${q.key}` });
    if ((q.type === 'single' || q.type === 'multiple') && (!q.options || q.options.length < 2)) {
      out.push({ path: ['questions', i, 'options'], message: 'a choice question needs at least 2 options' });
    }
    if (q.options) {
      const vals = q.options.map((o) => o.value);
      vals.forEach((v, j) => {
        if (vals.indexOf(v) !== j)
          out.push({ path: ['questions', i, 'options', j, 'value'], message: `duplicate option ${v}` });
      });
    }
    if (isScored(q.type) && d.dimensions.length > 0) {
      if (!q.dimensionKey)
        out.push({ path: ['questions', i, 'dimensionKey'], message: 'a scored question belongs to a dimension' });
      else if (!dimKeys.has(q.dimensionKey))
        out.push({ path: ['questions', i, 'dimensionKey'], message: `unknown dimension ${q.dimensionKey}` });
    } else if (q.dimensionKey && !isScored(q.type)) {
      out.push({
        path: ['questions', i, 'dimensionKey'],
        message: 'only Likert, star and CSAT questions belong to a dimension',
      });
    }
    (q.skip ?? []).forEach((r, j) => {
      if (r.goto === END_OF_SURVEY) return;
      const target = keys.indexOf(r.goto);
      if (target < 0) out.push({ path: ['questions', i, 'skip', j, 'goto'], message: `unknown question ${r.goto}` });
      else if (target <= i)
        out.push({ path: ['questions', i, 'skip', j, 'goto'], message: 'skip logic may only jump forward' });
    });
  });
  return out;
}

export const ZSurveyDefinition = ZDefinitionBase.superRefine((d, ctx) => {
  for (const p of definitionProblems(d)) ctx.addIssue({ code: 'custom', path: p.path, message: p.message });
});
export type TSurveyDefinition = z.infer<typeof ZSurveyDefinition>;

/** 从模板新建: consumer goods (the §4.2 default model), bank hall 银行网点, hospital discharge follow-up 出院随访. */
export const SURVEY_TEMPLATES = ['consumer_goods', 'bank_hall', 'hospital_followup'] as const;
export type TSurveyTemplate = (typeof SURVEY_TEMPLATES)[number];

export const ZCreateSurveyInput = z
  .object({
    unitId: ZId.optional(),
    definition: ZSurveyDefinition.optional(),
    template: z.enum(SURVEY_TEMPLATES).optional(),
  })
  .superRefine((v, ctx) => {
    if (!v.definition === !v.template)
      ctx.addIssue({ code: 'custom', path: ['definition'], message: 'give either a definition or a template' });
  });
export type TCreateSurveyInput = z.infer<typeof ZCreateSurveyInput>;
export const ZUpdateSurveyInput = z.object({ definition: ZSurveyDefinition });

export const SURVEY_STATUSES = ['draft', 'published', 'closed'] as const;
export const ZSurvey = z.object({
  id: z.string(),
  title: z.string(),
  unitId: z.string(),
  unitName: z.string().nullable(),
  status: z.enum(SURVEY_STATUSES),
  latestVersion: z.number(),
  publishedVersion: z.number().nullable(),
  /** The latest version differs from the published one (or nothing is published yet). */
  hasUnpublishedChanges: z.boolean(),
  responseCount: z.number(),
  invitationCount: z.number(),
  /** Token of the open link, if one was created (the open link is public by nature). */
  openToken: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type TSurvey = z.infer<typeof ZSurvey>;

export const ZSurveyVersion = z.object({
  version: z.number(),
  publishedAt: z.string().nullable(),
  responseCount: z.number(),
  createdAt: z.string(),
});
export const ZSurveyDetail = ZSurvey.extend({ definition: ZDefinitionBase, versions: z.array(ZSurveyVersion) });
export type TSurveyDetail = z.infer<typeof ZSurveyDetail>;
export const ZSurveyVersionDetail = ZSurveyVersion.extend({ definition: ZDefinitionBase });

export const ZSurveyListQuery = z.object({
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(20),
  q: z.string().max(100).optional(),
  status: z.enum(SURVEY_STATUSES).optional(),
});

/** One answer: a choice value, several, a number (scale, NPS, number), a text or an ISO date. */
export const ZAnswerValue = z.union([z.string().max(2000), z.number(), z.array(z.string().max(40)).max(30)]);
export type TAnswerValue = z.infer<typeof ZAnswerValue>;
export const ZSubmitSurveyInput = z.object({ answers: z.record(z.string().max(32), ZAnswerValue) });
export type TSubmitSurveyInput = z.infer<typeof ZSubmitSurveyInput>;

/** Staff entry on a customer's behalf (e.g. during a phone call). */
export const ZStaffResponseInput = ZSubmitSurveyInput.extend({ customerId: ZId });

export const ZCreatePersonalLinkInput = z.object({
  customerId: ZId,
  expiresInDays: z.number().int().min(1).max(365).default(30),
});
export const ZPersonalLink = z.object({
  linkId: z.string(),
  token: z.string(),
  url: z.string(),
  expiresAt: z.string().nullable(),
});

export const ZCreateInvitationsInput = z
  .object({
    customerIds: z.array(ZId).min(1).max(5000).optional(),
    savedFilterId: ZId.optional(),
    subject: z.string().trim().min(1).max(200).optional(),
    expiresInDays: z.number().int().min(1).max(365).default(30),
    /** Remind the customers who have not answered after this many days; null = no reminder. */
    remindAfterDays: z.number().int().min(1).max(60).nullable().default(3),
  })
  .superRefine((v, ctx) => {
    if (!v.customerIds === !v.savedFilterId)
      ctx.addIssue({ code: 'custom', path: ['customerIds'], message: 'give either customerIds or savedFilterId' });
    if (v.remindAfterDays && v.remindAfterDays >= v.expiresInDays)
      ctx.addIssue({
        code: 'custom',
        path: ['remindAfterDays'],
        message: 'the reminder must come before the link expires',
      });
  });
export type TCreateInvitationsInput = z.infer<typeof ZCreateInvitationsInput>;
export const ZInvitationResult = z.object({
  invited: z.number(),
  /** Customers skipped because they have no e-mail address. */
  skippedNoEmail: z.number(),
  smtpConfigured: z.boolean(),
});

/** What the public H5 page gets: the published definition, never any customer data. */
/** `answered`: this browser (the device key sent as Idempotency-Key) has already answered this open link. */
export const ZPublicSurvey = z.object({
  surveyId: z.string(),
  version: z.number(),
  definition: ZDefinitionBase,
  kind: z.enum(['open', 'personal']),
  answered: z.boolean(),
});
export const ZSubmitResult = z.object({ responseId: z.string(), isDuplicate: z.boolean() });

export const ZSurveyResultsQuery = z.object({
  from: z.string().date().optional(),
  to: z.string().date().optional(),
  version: z.coerce.number().int().min(1).optional(),
});
export type TSurveyResultsQuery = z.infer<typeof ZSurveyResultsQuery>;

export const ZSurveyResults = z.object({
  responses: z.number(),
  invitations: z.number(),
  invitedResponses: z.number(),
  /** invited customers who answered ÷ invitations, percent, 1 decimal; null without invitations. */
  responseRate: z.number().nullable(),
  satisfactionIndex: z.number().nullable(),
  csat: z.number().nullable(),
  nps: z.number().nullable(),
  dimensions: z.array(
    z.object({ key: z.string(), name: z.string(), weight: z.number(), mean: z.number().nullable(), count: z.number() }),
  ),
  questions: z.array(
    z.object({
      key: z.string(),
      title: z.string(),
      type: z.enum(QUESTION_TYPES),
      count: z.number(),
      mean: z.number().nullable(),
      distribution: z.array(z.object({ value: z.string(), label: z.string(), count: z.number() })),
    }),
  ),
  texts: z.array(z.object({ questionKey: z.string(), text: z.string(), at: z.string() })),
  trend: z.array(z.object({ month: z.string(), responses: z.number(), index: z.number().nullable() })),
});
export type TSurveyResults = z.infer<typeof ZSurveyResults>;
