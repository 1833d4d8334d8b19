import { z } from 'zod';

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
