import { z } from 'zod';
import { ZPageQuery } from '../pagination.ts';
import { ZId, ZTimestamp } from './common.ts';
import { ZCustomer } from './customers.ts';
import { ZEvaluation } from './evaluations.ts';
import { ZTask } from './followup.ts';

/**
 * Complaint tickets 工单 (DESIGN §6). The state machine lives here so that the server and the web app agree on which
 * actions a ticket in a given state offers: new → assigned → in progress → waiting for customer → resolved → closed,
 * and reopened from resolved or closed. Escalation does not change the state machine's shape: it moves the ticket one
 * level up the chain 客服 → 主管 → 经理 → 服务监督团队 and hands it to someone at that level (state `assigned`).
 */
export const TICKET_STATUSES = [
  'new',
  'assigned',
  'in_progress',
  'waiting_customer',
  'resolved',
  'closed',
  'reopened',
] as const;
export type TTicketStatus = (typeof TICKET_STATUSES)[number];
export const ZTicketStatus = z.enum(TICKET_STATUSES);

/** States in which the ticket is someone's open work (SLA clocks may run). */
export const OPEN_TICKET_STATUSES: readonly TTicketStatus[] = [
  'new',
  'assigned',
  'in_progress',
  'waiting_customer',
  'reopened',
];

export const TICKET_PRIORITIES = ['urgent', 'high', 'normal', 'low'] as const;
export type TTicketPriority = (typeof TICKET_PRIORITIES)[number];
export const ZTicketPriority = z.enum(TICKET_PRIORITIES);

/** What the complaint is about; the feedback classifier's topics map onto these. */
export const TICKET_CATEGORIES = [
  'service_attitude',
  'waiting_time',
  'business_error',
  'price',
  'quality',
  'logistics',
  'environment',
  'other',
] as const;
export type TTicketCategory = (typeof TICKET_CATEGORIES)[number];
export const ZTicketCategory = z.enum(TICKET_CATEGORIES);

/** Where a ticket came from: a negative evaluation, a complaint-class feedback text, or typed in by hand. */
export const TICKET_SOURCES = ['evaluation', 'feedback', 'manual'] as const;
export type TTicketSource = (typeof TICKET_SOURCES)[number];

/** The escalation chain, index = level (0 = 客服 agent … 3 = 服务监督团队 supervision team). */
export const ESCALATION_LEVELS = ['agent', 'supervisor', 'manager', 'supervision'] as const;
export type TEscalationLevel = (typeof ESCALATION_LEVELS)[number];

/** Actions a person (or a job) takes on a ticket; each becomes one event. */
export const TICKET_ACTIONS = [
  'assign',
  'start',
  'wait_customer',
  'customer_replied',
  'resolve',
  'close',
  'reopen',
  'escalate',
] as const;
export type TTicketAction = (typeof TICKET_ACTIONS)[number];

/**
 * The state machine: for each state, the actions allowed and the state they lead to. `escalate` and `assign` lead to
 * `assigned` (a new person takes the ticket over); `close` from `new` is for duplicates and invalid tickets.
 */
export const TICKET_TRANSITIONS: Record<TTicketStatus, Partial<Record<TTicketAction, TTicketStatus>>> = {
  new: { assign: 'assigned', start: 'in_progress', escalate: 'assigned', close: 'closed' },
  assigned: { assign: 'assigned', start: 'in_progress', escalate: 'assigned' },
  in_progress: { assign: 'assigned', wait_customer: 'waiting_customer', resolve: 'resolved', escalate: 'assigned' },
  waiting_customer: {
    customer_replied: 'in_progress',
    resolve: 'resolved',
    assign: 'assigned',
    escalate: 'assigned',
  },
  resolved: { close: 'closed', reopen: 'reopened' },
  closed: { reopen: 'reopened' },
  reopened: { assign: 'assigned', start: 'in_progress', escalate: 'assigned' },
};

export function ticketNextStatus(status: TTicketStatus, action: TTicketAction): TTicketStatus | null {
  return TICKET_TRANSITIONS[status][action] ?? null;
}

export function allowedTicketActions(status: TTicketStatus): TTicketAction[] {
  return TICKET_ACTIONS.filter((a) => TICKET_TRANSITIONS[status][a] !== undefined);
}

/**
 * Event types of the append-only history. The action events carry the state change; the others record what happened
 * without changing the state: notes (internal), attachments, edits of priority/category, SLA warnings and breaches
 * and checkpoints (written by the SLA job), the close-the-loop callback, and the staff appeal.
 */
export const TICKET_EVENT_TYPES = [
  'created',
  ...TICKET_ACTIONS,
  'note',
  'attachment',
  'priority_changed',
  'category_changed',
  'sla_warning',
  'sla_breached',
  /** Written by the SLA job when a clock pauses, stops or changes level: the working minutes used so far, frozen. */
  'sla_checkpoint',
  'callback_sent',
  'callback_answered',
  'appeal_filed',
  'appeal_decided',
] as const;
export type TTicketEventType = (typeof TICKET_EVENT_TYPES)[number];

/** SLA state as derived from the events and the business calendar (cached on the ticket for lists and boards). */
export const TICKET_SLA_STATES = ['ok', 'warning', 'breached', 'paused', 'met'] as const;
export type TTicketSlaState = (typeof TICKET_SLA_STATES)[number];

/** Outcome of a staff appeal against a complaint, decided by the supervision team. */
export const TICKET_FAULT_DECISIONS = ['at_fault', 'no_fault'] as const;
export type TTicketFaultDecision = (typeof TICKET_FAULT_DECISIONS)[number];

/**
 * Closing the loop 回访闭环 (DESIGN §6), stored in tenant_ticket_policies.close_loop: after a ticket is resolved, a share
 * of tickets (sampled deterministically by ticket id) gets, after a delay, either a follow-up call task 回访任务 for an
 * agent ('callback') or a short satisfaction survey by SMS link ('survey'). A score at or below `reopenAtOrBelow`
 * (N of 5) needs a comment and reopens the ticket (escalated one level); a higher score closes it; no answer within
 * `autoCloseWorkingDays` working days of sending (or the link expired) closes it automatically.
 */
export const CLOSE_LOOP_MODES = ['callback', 'survey'] as const;
export type TCloseLoopMode = (typeof CLOSE_LOOP_MODES)[number];
export const ZCloseLoopConfig = z.object({
  mode: z.enum(CLOSE_LOOP_MODES).default('survey'),
  /** Share of resolved tickets that get a callback, in whole percent (0 = none, every resolved ticket closes at once). */
  samplePercent: z.number().int().min(0).max(100).default(100),
  /** Minutes after resolution before the survey is sent / the call task becomes due. */
  delayMinutes: z
    .number()
    .int()
    .min(0)
    .max(7 * 24 * 60)
    .default(60),
  /** Hours the survey link stays valid after sending. */
  expiryHours: z
    .number()
    .int()
    .min(1)
    .max(30 * 24)
    .default(72),
  /** Score (of 5) at or below which a comment is required and the ticket reopens; 0 = never reopens. */
  reopenAtOrBelow: z.number().int().min(0).max(4).default(2),
  /** Unanswered this many working days (business calendar) after sending → closed automatically. */
  autoCloseWorkingDays: z.number().int().min(1).max(10).default(2),
});
export type TCloseLoopConfig = z.infer<typeof ZCloseLoopConfig>;
export const ZCloseLoopSettings = ZCloseLoopConfig.extend({ updatedAt: z.string().nullable() });
export type TCloseLoopSettings = z.infer<typeof ZCloseLoopSettings>;

/** Where a callback ended: answered (satisfied / reopened), timed out, cancelled by hand, or nothing was sent. */
export const TICKET_CALLBACK_OUTCOMES = [
  'satisfied',
  'reopened',
  'timeout',
  'cancelled',
  'no_contact',
  'not_sampled',
] as const;
/** Why a callback is not sent (the ticket then closes at once, or after the auto-close period). */
export const TICKET_CALLBACK_SKIP_REASONS = ['not_sampled', 'no_customer', 'no_contact'] as const;
export type TTicketCallbackOutcome = (typeof TICKET_CALLBACK_OUTCOMES)[number];
export const ZTicketCallback = z.object({
  id: z.string(),
  mode: z.enum(CLOSE_LOOP_MODES),
  sendAfter: z.string(),
  sentAt: z.string().nullable(),
  expiresAt: z.string().nullable(),
  autoCloseAt: z.string().nullable(),
  followupTaskId: z.string().nullable(),
  skipReason: z.enum(TICKET_CALLBACK_SKIP_REASONS).nullable(),
  answeredAt: z.string().nullable(),
  score: z.number().nullable(),
  comment: z.string().nullable(),
  outcome: z.enum(TICKET_CALLBACK_OUTCOMES).nullable(),
  createdAt: z.string(),
});
export type TTicketCallback = z.infer<typeof ZTicketCallback>;

/** 处理结果异议申诉: the staff member complained about disputes the complaint; the supervision team decides. */
export const ZTicketAppealInput = z.object({ reason: z.string().trim().min(2).max(2000) });
export type TTicketAppealInput = z.infer<typeof ZTicketAppealInput>;
export const ZTicketFaultDecisionInput = z.object({
  decision: z.enum(TICKET_FAULT_DECISIONS),
  note: z.string().trim().min(1).max(2000),
});
export type TTicketFaultDecisionInput = z.infer<typeof ZTicketFaultDecisionInput>;
export const ZTicketAppealState = z.object({
  ticketId: z.string(),
  /** The viewer is the staff member complained about and may file an appeal now. */
  canAppeal: z.boolean(),
  /** The viewer holds ticket:supervise and may record the decision. */
  canDecide: z.boolean(),
  appeal: z
    .object({
      reason: z.string(),
      filedAt: z.string(),
      filedBy: z.string().nullable(),
      filedByName: z.string().nullable(),
    })
    .nullable(),
  /** The appeal (if any) waits for the supervision team's decision. */
  isPending: z.boolean(),
  faultDecision: z.enum(TICKET_FAULT_DECISIONS).nullable(),
  decision: z
    .object({
      decision: z.enum(TICKET_FAULT_DECISIONS),
      note: z.string(),
      decidedAt: z.string(),
      decidedByName: z.string().nullable(),
    })
    .nullable(),
});
export type TTicketAppealState = z.infer<typeof ZTicketAppealState>;

/** Complaints per staff member for the staff figures: only a supervision team "at fault" decision counts as upheld. */
export const ZStaffComplaintFigures = z.object({
  staffId: z.string(),
  staffName: z.string().nullable(),
  received: z.number(),
  upheld: z.number(),
  noFault: z.number(),
  /** Mean hours (wall clock) from opening to the latest resolution, over the resolved ones; null when none. */
  meanResolutionHours: z.number().nullable(),
  slaBreaches: z.number(),
});
export type TStaffComplaintFigures = z.infer<typeof ZStaffComplaintFigures>;
export const ZStaffComplaintQuery = z.object({
  from: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  to: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
});
// ---------------------------------------------------------------------------------------------------------------------
// API contract of the tickets module (list, board, detail, writes, ticket policy settings).

export const ZTicketAction = z.enum(TICKET_ACTIONS);
export const ZTicketSlaState = z.enum(TICKET_SLA_STATES);
export const ZTicketSource = z.enum(TICKET_SOURCES);

/** The human number of a ticket: GD + the sequence, zero-padded to 6 digits (GD000123). */
export const ticketNumber = (seq: number) => `GD${String(seq).padStart(6, '0')}`;

/** One ticket as lists, boards and the detail header show it (the SLA cache and the fault decision as stored). */
export const ZTicket = z.object({
  id: ZId,
  no: z.string(),
  source: ZTicketSource,
  sourceEvaluationId: z.string().nullable(),
  sourceFeedbackId: z.string().nullable(),
  category: ZTicketCategory,
  priority: ZTicketPriority,
  status: ZTicketStatus,
  title: z.string(),
  description: z.string(),
  unitId: z.string(),
  unitName: z.string(),
  customerId: z.string().nullable(),
  /** Masked (maskName) like every list of customers. */
  customerName: z.string().nullable(),
  staffId: z.string().nullable(),
  staffName: z.string().nullable(),
  assigneeId: z.string().nullable(),
  assigneeName: z.string().nullable(),
  escalationLevel: z.number().int(),
  createdBy: z.string().nullable(),
  createdAt: ZTimestamp,
  updatedAt: ZTimestamp,
  firstRespondedAt: ZTimestamp.nullable(),
  resolvedAt: ZTimestamp.nullable(),
  closedAt: ZTimestamp.nullable(),
  reopenCount: z.number().int(),
  firstResponseDueAt: ZTimestamp.nullable(),
  resolutionDueAt: ZTimestamp.nullable(),
  slaState: ZTicketSlaState,
  faultDecision: z.enum(TICKET_FAULT_DECISIONS).nullable(),
  version: z.number().int(),
});
export type TTicket = z.infer<typeof ZTicket>;

const csv = <T extends readonly [string, ...string[]]>(values: T) =>
  z
    .union([z.enum(values), z.array(z.enum(values))])
    .transform((v) => (Array.isArray(v) ? v : [v]))
    .optional();

/** 工单列表 filters (GET /api/tickets and its export). `status` and `slaState` take several values (repeat the key). */
export const ZTicketListQuery = ZPageQuery.extend({
  status: csv(TICKET_STATUSES),
  /** open = every status still someone's work (OPEN_TICKET_STATUSES). */
  open: z.enum(['true']).optional(),
  priority: ZTicketPriority.optional(),
  category: ZTicketCategory.optional(),
  slaState: csv(TICKET_SLA_STATES),
  assignee: z.enum(['me']).optional(),
  /** The unit and every unit below it. */
  unitId: ZId.optional(),
  staffId: ZId.optional(),
  customerId: ZId.optional(),
  source: ZTicketSource.optional(),
  createdFrom: z.iso.datetime({ offset: true }).optional(),
  createdTo: z.iso.datetime({ offset: true }).optional(),
});
export type TTicketListQuery = z.infer<typeof ZTicketListQuery>;
export const TICKET_SORTS = ['createdAt', 'updatedAt', 'resolutionDueAt'] as const;

/** 工单看板: counts per status and per SLA state of my scope, and each status column's first cards by due time. */
export const ZTicketBoard = z.object({
  byStatus: z.record(z.string(), z.number().int()),
  bySlaState: z.record(z.string(), z.number().int()),
  columns: z.array(z.object({ status: ZTicketStatus, total: z.number().int(), items: z.array(ZTicket) })),
});
export type TTicketBoard = z.infer<typeof ZTicketBoard>;
export const ZTicketBoardQuery = z.object({
  perColumn: z.coerce.number().int().min(1).max(50).default(10),
  assignee: z.enum(['me']).optional(),
  unitId: ZId.optional(),
});
export type TTicketBoardQuery = z.infer<typeof ZTicketBoardQuery>;

export const ZTicketEvent = z.object({
  id: z.number().int(),
  type: z.enum(TICKET_EVENT_TYPES),
  actorId: z.string().nullable(),
  /** null = the system (a job). */
  actorName: z.string().nullable(),
  at: ZTimestamp,
  fromStatus: ZTicketStatus.nullable(),
  toStatus: ZTicketStatus.nullable(),
  payload: z.record(z.string(), z.unknown()),
});
export type TTicketEvent = z.infer<typeof ZTicketEvent>;

export const ZTicketAttachment = z.object({
  id: ZId,
  fileName: z.string(),
  mimeType: z.string(),
  sizeBytes: z.number().int(),
  uploadedBy: z.string().nullable(),
  uploadedByName: z.string().nullable(),
  uploadedAt: ZTimestamp,
});
export type TTicketAttachment = z.infer<typeof ZTicketAttachment>;

/** The customer panel of a ticket: the masked card and the customer's history as the viewer may see it. */
export const ZTicketCustomerPanel = z.object({
  customer: ZCustomer,
  /** The viewer may open the 客户360 page and reveal fields (the customer is in their customer scope). */
  isVisible: z.boolean(),
  tickets: z.array(ZTicket),
  evaluations: z.array(ZEvaluation),
  tasks: z.array(ZTask),
});
export type TTicketCustomerPanel = z.infer<typeof ZTicketCustomerPanel>;

export const ZTicketDetail = z.object({
  ticket: ZTicket,
  events: z.array(ZTicketEvent),
  attachments: z.array(ZTicketAttachment),
  /** What the viewer may do now: the state machine's actions ∩ the viewer's permissions on this ticket. */
  allowedActions: z.array(ZTicketAction),
  /** The viewer may add notes and attachments. */
  canWork: z.boolean(),
  /** The viewer may change priority and category. */
  canManage: z.boolean(),
  customer: ZTicketCustomerPanel.nullable(),
});
export type TTicketDetail = z.infer<typeof ZTicketDetail>;

export const ZCreateTicketInput = z.object({
  title: z.string().trim().min(2).max(200),
  description: z.string().trim().max(5000).default(''),
  category: ZTicketCategory,
  priority: ZTicketPriority.default('normal'),
  unitId: ZId,
  customerId: ZId.nullable().optional(),
  staffId: ZId.nullable().optional(),
  /** Omitted: the level-0 person of the unit's chain (客服); null: leave it unassigned. */
  assigneeId: ZId.nullable().optional(),
});
export type TCreateTicketInput = z.infer<typeof ZCreateTicketInput>;

/** Actions that need a reason: the resolution text, or why it is closed/reopened/escalated. */
export const TICKET_ACTIONS_WITH_REASON: readonly TTicketAction[] = ['resolve', 'close', 'reopen', 'escalate'];

export const ZTicketActionInput = z
  .object({
    action: ZTicketAction,
    version: z.number().int().min(1),
    assigneeId: ZId.optional(),
    reason: z.string().trim().max(2000).optional(),
  })
  .superRefine((v, ctx) => {
    if (v.action === 'resolve' && !v.reason)
      ctx.addIssue({ code: 'custom', path: ['reason'], message: '请填写处理结果' });
    if (v.action === 'assign' && !v.assigneeId)
      ctx.addIssue({ code: 'custom', path: ['assigneeId'], message: '请选择处理人' });
  });
export type TTicketActionInput = z.infer<typeof ZTicketActionInput>;

export const ZTicketNoteInput = z.object({
  text: z.string().trim().min(1).max(5000),
  /** Internal 内部备注: staff only, never shown to the customer. */
  internal: z.boolean().default(true),
});
export type TTicketNoteInput = z.infer<typeof ZTicketNoteInput>;

export const ZUpdateTicketInput = z
  .object({
    version: z.number().int().min(1),
    priority: ZTicketPriority.optional(),
    category: ZTicketCategory.optional(),
  })
  .refine((v) => v.priority !== undefined || v.category !== undefined, {
    message: 'nothing to change',
    path: ['priority'],
  });
export type TUpdateTicketInput = z.infer<typeof ZUpdateTicketInput>;

export const TICKET_ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024;
/** What may be attached: images, PDF and office documents (checked by the file's first bytes too). */
export const TICKET_ATTACHMENT_TYPES = [
  'image/png',
  'image/jpeg',
  'image/webp',
  'image/gif',
  'application/pdf',
  'application/msword',
  'application/vnd.ms-excel',
  'application/vnd.ms-powerpoint',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation',
] as const;
/** The file's name as the user's computer called it (raw body uploads carry no name of their own). */
export const ZTicketAttachmentQuery = z.object({ fileName: z.string().trim().min(1).max(200).default('附件') });
export const ZTicketAttachmentParams = z.object({ id: ZId, aid: ZId });

/** 工单策略: when a negative evaluation opens a ticket, and the priority it gets. */
export const ZTicketPolicyInput = z.object({
  /** An overall score at or below this (of 5) opens a ticket; 不满意 and the kiosk's lowest key always do. */
  autoMaxScore: z.number().int().min(0).max(4),
  autoPriority: ZTicketPriority,
});
export type TTicketPolicyInput = z.infer<typeof ZTicketPolicyInput>;
export const ZTicketPolicy = ZTicketPolicyInput.extend({ updatedAt: z.string().nullable() });
export type TTicketPolicy = z.infer<typeof ZTicketPolicy>;
export const TICKET_AUTO_MAX_SCORE_DEFAULT = 2;
