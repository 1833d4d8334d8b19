import { z } from 'zod';
import { ZPageQuery } from '../pagination.ts';
import { ZId } from './common.ts';

/** Follow-up 回访 (DESIGN §5): plans, rules, tasks, attempts, KPIs. */

export const FOLLOWUP_TOPICS = [
  'satisfaction',
  'care',
  'birthday',
  'reminder',
  'complaint_check',
  'churn_save',
  'marketing',
] as const;
/** Topics that are marketing: they reach only customers with marketing consent (contact policy). */
export const MARKETING_TOPICS: readonly (typeof FOLLOWUP_TOPICS)[number][] = ['marketing', 'churn_save'];
export const PLAN_STATUSES = ['draft', 'active', 'paused', 'closed'] as const;
/** path: the plan's tasks come only from its plan templates 回访路径 (followup/paths*), never from a target of its own. */
export const TARGET_KINDS = ['segment', 'list', 'rule', 'path'] as const;
export const ASSIGNMENT_POLICIES = ['owner', 'round_robin', 'fixed'] as const;
/** Default follow-up methods (tenant dictionary `followup_method`, extensible). */
export const DEFAULT_FOLLOWUP_METHODS = [
  { code: 'phone', label: '电话' },
  { code: 'sms', label: '短信' },
  { code: 'email', label: '邮件' },
  { code: 'visit', label: '走访' },
  { code: 'wechat', label: '微信' },
] as const;

export const TASK_STATES = ['pending', 'in_progress', 'follow_up', 'done', 'failed', 'cancelled'] as const;
export type TTaskState = (typeof TASK_STATES)[number];
export const OPEN_TASK_STATES: readonly TTaskState[] = ['pending', 'in_progress', 'follow_up'];
export const ATTEMPT_OUTCOMES = ['reached', 'no_answer', 'busy', 'wrong_number', 'refused', 'replied'] as const;
export type TAttemptOutcome = (typeof ATTEMPT_OUTCOMES)[number];
/** Outcomes the system records for a plan's automatic SMS / e-mail (never picked by an agent). */
export const MESSAGE_ATTEMPT_OUTCOMES = ['sent', 'send_failed'] as const;
/** Outcomes where someone was connected (reach rate). */
export const CONNECTED_OUTCOMES: readonly TAttemptOutcome[] = ['reached', 'refused', 'replied'];
export const REACHED_WHOM = ['customer', 'family', 'contact_person'] as const;
export const NEXT_ACTIONS = ['continue', 'bring_forward', 'escalate', 'close'] as const;
export const TASK_EVENT_KINDS = [
  'created',
  'reminded',
  'escalated',
  'claimed',
  'released',
  'attempted',
  'reassigned',
  'completed',
  'failed',
  'skipped',
  'cancelled',
  'expired',
  'reopened',
  'customer_merged',
  'message_queued',
  'message_delivery',
] as const;

/** Script 话术 placeholders, rendered server-side for each task. */
export const SCRIPT_PLACEHOLDERS = [
  '客户姓名',
  '客户称呼',
  '服务日期',
  '服务类型',
  '坐席姓名',
  '计划名称',
  '网点名称',
  '礼品',
] as const;

/** Placeholders `{…}` in a script that are not known. */
export function unknownPlaceholders(script: string): string[] {
  const known = new Set<string>(SCRIPT_PLACEHOLDERS);
  return [...script.matchAll(/\{([^{}]*)\}/g)].map((m) => m[1] ?? '').filter((p) => !known.has(p));
}

/**
 * The automatic message of a follow-up plan 自动发送: its tasks are sent by the system on `channel` (one of the plan's
 * methods) instead of being worked by an agent. `template` uses the script placeholders ({客户姓名}…).
 */
export const ZPlanMessage = z
  .object({
    channel: z.enum(['sms', 'email']),
    template: z
      .string()
      .trim()
      .min(1, '请填写消息模板')
      .max(1000)
      .refine((s) => unknownPlaceholders(s).length === 0, {
        message: `未知的占位符; 可用: ${SCRIPT_PLACEHOLDERS.map((p) => `{${p}}`).join(' ')}`,
      }),
    /** SMS: the provider's approved template code (Aliyun SMS_xxx / Tencent template id); needed by those providers. */
    templateCode: z.string().trim().min(1).max(64).nullish(),
    /** E-mail subject. */
    subject: z
      .string()
      .trim()
      .min(1)
      .max(200)
      .refine((s) => unknownPlaceholders(s).length === 0, { message: '未知的占位符' })
      .nullish(),
  })
  .superRefine((m, ctx) => {
    if (m.channel === 'email' && !m.subject)
      ctx.addIssue({ code: 'custom', path: ['subject'], message: '请填写邮件主题' });
  });
export type TPlanMessage = z.infer<typeof ZPlanMessage>;

const ZMonthDay = z.string().regex(/^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, '日期格式 MM-DD');

/** Rules that create tasks by themselves (DESIGN §5). */
export const ZFollowupRule = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('after_service'),
      serviceTypeId: ZId,
      afterDays: z.number().int().min(0).max(365),
      /** A record older than this many days no longer generates (default: within one month of delivery). */
      withinDays: z.number().int().min(1).max(366).default(30),
    })
    .refine((r) => r.afterDays < r.withinDays, { path: ['withinDays'], message: '有效期须大于间隔天数' }),
  z.object({
    kind: z.literal('periodic'),
    /** Every N months per tier, e.g. { VIP: 1 } (monthly); others use defaultMonths (null = only listed tiers). */
    monthsByTier: z.record(z.string().min(1).max(20), z.number().int().min(1).max(12)).default({}),
    defaultMonths: z.number().int().min(1).max(12).nullable().default(3),
  }),
  z.object({ kind: z.literal('birthday'), leadDays: z.number().int().min(0).max(30).default(0) }),
  z.object({
    kind: z.literal('holiday'),
    name: z.string().trim().min(1).max(40),
    dates: z.array(ZMonthDay).min(1).max(30),
    leadDays: z.number().int().min(0).max(30).default(0),
  }),
  z.object({ kind: z.literal('complaint_resolved'), withinDays: z.number().int().min(1).max(30).default(2) }),
  z.object({ kind: z.literal('churn_warning'), withinDays: z.number().int().min(1).max(30).default(3) }),
  /** A teller flagged a potential customer 潜力客户 on the counter page: one task per flagged service session. */
  z.object({ kind: z.literal('potential_customer'), withinDays: z.number().int().min(1).max(30).default(3) }),
]);
export type TFollowupRule = z.infer<typeof ZFollowupRule>;
export const RULE_KINDS = [
  'after_service',
  'periodic',
  'birthday',
  'holiday',
  'complaint_resolved',
  'churn_warning',
  'potential_customer',
] as const;

/** Field schemas, reused one by one by the web form (zodRule). */
export const followupPlanFields = {
  name: z.string().trim().min(1, '请输入计划名称').max(100),
  topic: z.enum(FOLLOWUP_TOPICS),
  methods: z.array(z.string().min(1).max(40)).min(1, '请至少选择一种回访方式').max(10),
  targetKind: z.enum(TARGET_KINDS),
  savedFilterId: ZId.nullish(),
  customerIds: z.array(ZId).max(10_000),
  rule: ZFollowupRule.nullish(),
  script: z
    .string()
    .max(4000)
    .refine((s) => unknownPlaceholders(s).length === 0, {
      message: `未知的占位符; 可用: ${SCRIPT_PLACEHOLDERS.map((p) => `{${p}}`).join(' ')}`,
    }),
  surveyId: ZId.nullish(),
  startDate: z.iso.date('请选择开始日期'),
  dueDays: z.number().int().min(1).max(90),
  assignment: z.enum(ASSIGNMENT_POLICIES),
  assignUnitId: ZId.nullish(),
  assigneeId: ZId.nullish(),
  maxAttempts: z.number().int().min(1).max(10),
  retryHours: z.number().int().min(1).max(168),
  contactFromHour: z.number().int().min(0).max(23),
  contactToHour: z.number().int().min(1).max(24),
  minGapDays: z.number().int().min(0).max(90),
  budgetFen: z.number().int().min(0).max(1e13).nullish(),
  giftName: z.string().trim().max(100).nullish(),
  giftFen: z.number().int().min(0).max(1e11).nullish(),
  nextFollowupDays: z.number().int().min(1).max(365).nullish(),
  /** Reminders also by e-mail to the assignee (in-app always). */
  remindByEmail: z.boolean(),
  /** Overdue by more than this many days → escalated to the supervisor. */
  escalateAfterDays: z.number().int().min(0).max(90),
  /** 自动发送: the plan's tasks are sent as SMS / e-mail by the system (null = worked by agents). */
  message: ZPlanMessage.nullish(),
};

const planBase = z.object({
  ...followupPlanFields,
  customerIds: followupPlanFields.customerIds.default([]),
  script: followupPlanFields.script.default(''),
  dueDays: followupPlanFields.dueDays.default(7),
  maxAttempts: followupPlanFields.maxAttempts.default(3),
  retryHours: followupPlanFields.retryHours.default(4),
  contactFromHour: followupPlanFields.contactFromHour.default(9),
  contactToHour: followupPlanFields.contactToHour.default(21),
  minGapDays: followupPlanFields.minGapDays.default(7),
  remindByEmail: followupPlanFields.remindByEmail.default(false),
  escalateAfterDays: followupPlanFields.escalateAfterDays.default(2),
});

type TPlanShape = Pick<
  z.infer<typeof planBase>,
  | 'targetKind'
  | 'savedFilterId'
  | 'customerIds'
  | 'rule'
  | 'assignment'
  | 'assignUnitId'
  | 'assigneeId'
  | 'contactFromHour'
  | 'contactToHour'
>;

/** Cross-field rules of a plan, each reported on its field. */
function checkPlan(p: TPlanShape, ctx: z.RefinementCtx) {
  if (p.targetKind === 'segment' && !p.savedFilterId)
    ctx.addIssue({ code: 'custom', path: ['savedFilterId'], message: '请选择客户分群 (保存的筛选)' });
  if (p.targetKind === 'list' && p.customerIds.length === 0)
    ctx.addIssue({ code: 'custom', path: ['customerIds'], message: '请至少选择一位客户' });
  if (p.targetKind === 'rule' && !p.rule) ctx.addIssue({ code: 'custom', path: ['rule'], message: '请设置规则' });
  if (p.assignment === 'fixed' && !p.assigneeId)
    ctx.addIssue({ code: 'custom', path: ['assigneeId'], message: '请选择负责人' });
  if (p.assignment === 'round_robin' && !p.assignUnitId)
    ctx.addIssue({ code: 'custom', path: ['assignUnitId'], message: '请选择轮流分配的单位' });
  if (p.contactFromHour >= p.contactToHour)
    ctx.addIssue({ code: 'custom', path: ['contactToHour'], message: '联系时段结束须晚于开始' });
}

export const ZCreatePlanInput = planBase.superRefine(checkPlan);
export type TCreatePlanInput = z.infer<typeof ZCreatePlanInput>;
/** Editing sends the whole plan again (a draft or paused plan). */
export const ZUpdatePlanInput = ZCreatePlanInput;
export type TUpdatePlanInput = TCreatePlanInput;

export const ZPlanStatusInput = z.object({ status: z.enum(['active', 'paused', 'closed']) });

export const ZFollowupPlan = z.object({
  id: z.string(),
  unitId: z.string(),
  unitName: z.string(),
  name: z.string(),
  topic: z.enum(FOLLOWUP_TOPICS),
  methods: z.array(z.string()),
  targetKind: z.enum(TARGET_KINDS),
  savedFilterId: z.string().nullable(),
  customerIds: z.array(z.string()),
  rule: ZFollowupRule.nullable(),
  script: z.string(),
  surveyId: z.string().nullable(),
  startDate: z.string(),
  dueDays: z.number(),
  assignment: z.enum(ASSIGNMENT_POLICIES),
  assignUnitId: z.string().nullable(),
  assigneeId: z.string().nullable(),
  maxAttempts: z.number(),
  retryHours: z.number(),
  contactFromHour: z.number(),
  contactToHour: z.number(),
  minGapDays: z.number(),
  budgetFen: z.number().nullable(),
  giftName: z.string().nullable(),
  giftFen: z.number().nullable(),
  nextFollowupDays: z.number().nullable(),
  remindByEmail: z.boolean(),
  escalateAfterDays: z.number(),
  message: ZPlanMessage.nullable(),
  status: z.enum(PLAN_STATUSES),
  activatedAt: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  taskCounts: z.record(z.string(), z.number()),
});
export type TFollowupPlan = z.infer<typeof ZFollowupPlan>;

export const ZPlanListQuery = ZPageQuery.extend({ status: z.enum(PLAN_STATUSES).optional() });

export const CONTACT_EXCLUSION_REASONS = [
  'do_not_contact',
  'no_service_consent',
  'no_marketing_consent',
  'recent_contact',
] as const;
export type TContactExclusionReason = (typeof CONTACT_EXCLUSION_REASONS)[number];

/** What activation (or today's rule run) would create. */
export const ZPlanPreview = z.object({
  /** Customers the target matches (for a rule: today's occurrence). */
  matched: z.number(),
  /** Tasks that would be created now. */
  willCreate: z.number(),
  /** Already have this occurrence's task. */
  alreadyExists: z.number(),
  /** Excluded by the contact policy, per reason (a customer counts under its first reason). */
  excluded: z.record(z.enum(CONTACT_EXCLUSION_REASONS), z.number()),
  /** Of the tasks to create, those without an individual assignee (go to the team). */
  toTeam: z.number(),
});
export type TPlanPreview = z.infer<typeof ZPlanPreview>;

export const ZTask = z.object({
  id: z.string(),
  planId: z.string(),
  planName: z.string(),
  topic: z.enum(FOLLOWUP_TOPICS),
  customerId: z.string(),
  customerName: z.string(),
  /** Masked (138****5678). */
  customerPhone: z.string().nullable(),
  unitId: z.string(),
  unitName: z.string(),
  assigneeId: z.string().nullable(),
  assigneeName: z.string().nullable(),
  teamUnitId: z.string().nullable(),
  claimedBy: z.string().nullable(),
  claimedByName: z.string().nullable(),
  executedBy: z.string().nullable(),
  state: z.enum(TASK_STATES),
  dueFrom: z.string(),
  dueUntil: z.string(),
  nextAttemptAt: z.string().nullable(),
  attempts: z.number(),
  maxAttempts: z.number(),
  lastOutcome: z.string().nullable(),
  satisfaction: z.number().nullable(),
  isOverdue: z.boolean(),
  /** When the task was last escalated to a supervisor (automatically when overdue past the plan's threshold, or by an agent); null = never. */
  escalatedAt: z.string().nullable(),
  occurrenceKey: z.string(),
  /** A path task's time-point priority (1 = most urgent … 5); null for other tasks. */
  priority: z.number().nullable(),
  completedAt: z.string().nullable(),
  createdAt: z.string(),
});
export type TTask = z.infer<typeof ZTask>;

export const ZAttempt = z.object({
  id: z.string(),
  at: z.string(),
  channel: z.string(),
  byUserId: z.string().nullable(),
  byUserName: z.string().nullable(),
  reachedWhom: z.enum(REACHED_WHOM).nullable(),
  contactName: z.string().nullable(),
  outcome: z.enum([...ATTEMPT_OUTCOMES, ...MESSAGE_ATTEMPT_OUTCOMES]),
  notes: z.string().nullable(),
  satisfaction: z.number().nullable(),
  answers: z.unknown().nullable(),
  isAbnormal: z.boolean(),
  abnormalNote: z.string().nullable(),
  nextAction: z.enum(NEXT_ACTIONS).nullable(),
  nextFollowupDate: z.string().nullable(),
});
export type TAttempt = z.infer<typeof ZAttempt>;

export const ZTaskEvent = z.object({
  id: z.string(),
  kind: z.string(),
  at: z.string(),
  actorName: z.string().nullable(),
  fromState: z.string().nullable(),
  toState: z.string().nullable(),
  data: z.unknown().nullable(),
});

export const ZTaskDetail = ZTask.extend({
  /** The script with its placeholders filled in for this customer. */
  script: z.string(),
  surveyId: z.string().nullable(),
  methods: z.array(z.string()),
  customer: z.object({
    id: z.string(),
    name: z.string(),
    gender: z.string().nullable(),
    tier: z.string().nullable(),
    phones: z.array(z.string()),
    tags: z.array(z.string()),
    ownerName: z.string().nullable(),
    consentMarketing: z.boolean(),
    doNotContactUntil: z.string().nullable(),
  }),
  attemptsList: z.array(ZAttempt),
  events: z.array(ZTaskEvent),
  /** The plan's questionnaire (its published version, else the latest), for answering beside the script. */
  questionnaire: z
    .object({
      title: z.string(),
      questions: z.array(
        z.object({
          key: z.string(),
          type: z.string(),
          title: z.string(),
          required: z.boolean(),
          options: z.array(z.object({ value: z.string(), label: z.string() })),
        }),
      ),
    })
    .nullable(),
  /** Earlier follow-ups of this customer (other tasks), newest first. */
  history: z.array(
    z.object({
      id: z.string(),
      planName: z.string(),
      state: z.enum(TASK_STATES),
      dueFrom: z.string(),
      lastOutcome: z.string().nullable(),
      satisfaction: z.number().nullable(),
    }),
  ),
});
export type TTaskDetail = z.infer<typeof ZTaskDetail>;

/** `q`: a customer name fragment, or a phone fragment (3+ digits). */
export const ZTaskListQuery = ZPageQuery.extend({
  /** mine = assigned to me (or claimed by me); team = unassigned tasks of my unit; all = my scope */
  view: z.enum(['mine', 'all']).default('all'),
  bucket: z.enum(['today', 'overdue', 'upcoming', 'open']).optional(),
  state: z.enum(TASK_STATES).optional(),
  planId: ZId.optional(),
  assigneeId: ZId.optional(),
  customerId: ZId.optional(),
  /** Contact method code: a path task's time-point method, otherwise one of its plan's methods. */
  method: z.string().trim().min(1).max(40).optional(),
  /** Tasks of this unit's subtree (outside the caller's scope → 404). */
  unitId: ZId.optional(),
  /**
   * Local days (tenant zone), both inclusive, of the day a task's due window opens — the day the follow-up figures
   * (驾驶舱, 统计分析) count it on.
   */
  from: z.iso.date().optional(),
  to: z.iso.date().optional(),
});
export type TTaskListQuery = z.infer<typeof ZTaskListQuery>;

/** Supervisor view: counts of the filtered tasks by state and by assignee (same filters as the list). */
export const ZTaskSummary = z.object({
  total: z.number(),
  overdue: z.number(),
  byState: z.record(z.string(), z.number()),
  byAssignee: z.array(
    z.object({
      assigneeId: z.string().nullable(),
      assigneeName: z.string().nullable(),
      total: z.number(),
      open: z.number(),
      overdue: z.number(),
      done: z.number(),
    }),
  ),
});
export type TTaskSummary = z.infer<typeof ZTaskSummary>;

export const ZAttemptInput = z
  .object({
    channel: z.string().min(1).max(40),
    reachedWhom: z.enum(REACHED_WHOM).nullish(),
    contactName: z.string().trim().max(50).nullish(),
    outcome: z.enum(ATTEMPT_OUTCOMES),
    notes: z.string().max(2000).nullish(),
    satisfaction: z.number().int().min(1).max(5).nullish(),
    /** Questionnaire answers keyed by question id. */
    answers: z
      .record(
        z.string().max(64),
        z.union([z.string().max(2000), z.number(), z.array(z.string().max(200)).max(50), z.null()]),
      )
      .nullish(),
    isAbnormal: z.boolean().default(false),
    abnormalNote: z.string().max(1000).nullish(),
    nextAction: z.enum(NEXT_ACTIONS).default('close'),
    nextFollowupDate: z.iso.date().nullish(),
    /** Client key: a retried submission records one attempt. */
    idempotencyKey: z.string().min(8).max(100).optional(),
  })
  .superRefine((a, ctx) => {
    const connected = (CONNECTED_OUTCOMES as readonly string[]).includes(a.outcome);
    if (connected && !a.reachedWhom)
      ctx.addIssue({ code: 'custom', path: ['reachedWhom'], message: '请选择联系到的人' });
    if (!connected && a.satisfaction != null)
      ctx.addIssue({ code: 'custom', path: ['satisfaction'], message: '未联系上不能填写满意度' });
    if (a.isAbnormal && !a.abnormalNote)
      ctx.addIssue({ code: 'custom', path: ['abnormalNote'], message: '请说明异常情况' });
    if (a.nextAction === 'bring_forward' && !a.nextFollowupDate)
      ctx.addIssue({ code: 'custom', path: ['nextFollowupDate'], message: '请填写下次回访日期' });
  });
export type TAttemptInput = z.infer<typeof ZAttemptInput>;

export const ZReassignInput = z.object({
  taskIds: z.array(ZId).min(1).max(1000),
  assigneeId: ZId,
});
export const ZReassignResult = z.object({ reassigned: z.number(), notFound: z.number(), skipped: z.number() });

export const ZTaskActionInput = z.object({ reason: z.string().trim().max(500).nullish() });

export const ZAbsenceInput = z
  .object({
    userId: ZId,
    delegateId: ZId,
    startsOn: z.iso.date(),
    endsOn: z.iso.date(),
    note: z.string().max(200).nullish(),
  })
  .refine((a) => a.startsOn <= a.endsOn, { path: ['endsOn'], message: '结束日期不能早于开始日期' })
  .refine((a) => a.userId !== a.delegateId, { path: ['delegateId'], message: '代理人不能是本人' });
export const ZAbsence = z.object({
  id: z.string(),
  userId: z.string(),
  userName: z.string(),
  delegateId: z.string(),
  delegateName: z.string(),
  startsOn: z.string(),
  endsOn: z.string(),
  note: z.string().nullable(),
});

export const ZKpiQuery = z.object({
  from: z.iso.date().optional(),
  to: z.iso.date().optional(),
  planId: ZId.optional(),
});
export type TKpiQuery = z.infer<typeof ZKpiQuery>;

/** Follow-up KPIs: coverage = attempted ÷ due, reach = connected ÷ attempts, completion = done ÷ due, on-time = done in window ÷ done. */
export const ZKpiRow = z.object({
  key: z.string(),
  label: z.string(),
  due: z.number(),
  attempted: z.number(),
  attempts: z.number(),
  connected: z.number(),
  done: z.number(),
  onTime: z.number(),
  failed: z.number(),
  satisfactionCount: z.number(),
  /** Ratios in [0, 1] rounded to 4 decimals (null when the denominator is 0). */
  coverage: z.number().nullable(),
  reachRate: z.number().nullable(),
  completion: z.number().nullable(),
  onTimeRate: z.number().nullable(),
  avgSatisfaction: z.number().nullable(),
});
export type TKpiRow = z.infer<typeof ZKpiRow>;
export const ZKpis = z.object({ total: ZKpiRow, byPlan: z.array(ZKpiRow), byAgent: z.array(ZKpiRow) });
export type TKpis = z.infer<typeof ZKpis>;

export const ZMethodInput = z.object({
  code: z
    .string()
    .trim()
    .regex(/^[a-z][a-z0-9_]{1,30}$/, '编码: 小写字母、数字、下划线'),
  label: z.string().trim().min(1).max(20),
});
export const ZMethod = z.object({ code: z.string(), label: z.string() });
