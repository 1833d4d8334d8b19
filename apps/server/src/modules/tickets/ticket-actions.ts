import { and, eq, sql } from 'drizzle-orm';
import {
  ESCALATION_LEVELS,
  ticketNextStatus,
  type TTicketAction,
  type TTicketCategory,
  type TTicketEventType,
  type TTicketPriority,
  type TTicketSource,
  type TTicketStatus,
} from '@huifang/shared';
import type { DbOrTx } from '../../db/client.ts';
import { ticketEvents, tickets } from '../../db/schema/index.ts';
import { AppError, invalidField, notFound } from '../../lib/app-error.ts';
import { TICKET_LISTENERS } from './ticket-listeners.ts';

/**
 * The one write path of tickets (DESIGN §6): every ticket is opened by `openTicket`, every state change goes through
 * `applyTicketAction`, every other fact (note, attachment, SLA warning, callback, appeal) through `appendTicketEvent`.
 * Each writes the ticket row and its append-only event in the caller's transaction, then runs the listeners
 * (ticket-listeners.ts) in that same transaction, so a notification or a callback exists exactly when its cause does.
 * Callers check the actor's scope and permission first (tickets.repository.ts); these functions only check the
 * tenant, the state machine (packages/shared/src/schemas/tickets.ts) and the version.
 */

export type TTicketRow = typeof tickets.$inferSelect;
export type TTicketEventRow = typeof ticketEvents.$inferSelect;

export interface TOpenTicketInput {
  tenantId: string;
  source: TTicketSource;
  /** The negative evaluation / complaint feedback it comes from: a second open for the same source returns the first. */
  sourceEvaluationId?: string | null;
  sourceFeedbackId?: string | null;
  category: TTicketCategory;
  priority: TTicketPriority;
  title: string;
  description?: string;
  customerId?: string | null;
  staffId?: string | null;
  unitId: string;
  /** Given: the ticket starts `assigned` to this user at level 0. */
  assigneeId?: string | null;
  /** null = opened by the system (a consumer). */
  createdBy: string | null;
  at: Date;
  /** Extra facts for the `created` event (e.g. the evaluation's score, the classifier's keywords). */
  payload?: Record<string, unknown>;
}

/** Opens a ticket, exactly once per source: returns `created: false` and the existing ticket when it already exists. */
export async function openTicket(
  tx: DbOrTx,
  input: TOpenTicketInput,
): Promise<{ ticket: TTicketRow; created: boolean }> {
  const status: TTicketStatus = input.assigneeId ? 'assigned' : 'new';
  const [row] = await tx
    .insert(tickets)
    .values({
      tenantId: input.tenantId,
      source: input.source,
      sourceEvaluationId: input.sourceEvaluationId ?? null,
      sourceFeedbackId: input.sourceFeedbackId ?? null,
      category: input.category,
      priority: input.priority,
      title: input.title,
      description: input.description ?? '',
      customerId: input.customerId ?? null,
      staffId: input.staffId ?? null,
      unitId: input.unitId,
      assigneeId: input.assigneeId ?? null,
      status,
      createdBy: input.createdBy,
      createdAt: input.at,
      updatedAt: input.at,
      slaStale: true, // its 'created' event below makes it stale (see applyTicketAction)
    })
    .onConflictDoNothing()
    .returning();
  if (!row) {
    const existing = await findBySource(tx, input);
    if (!existing) throw new AppError('CONFLICT', 'ticket source already taken');
    return { ticket: existing, created: false };
  }
  const event = await insertEvent(tx, row, {
    type: 'created',
    actorId: input.createdBy,
    at: input.at,
    fromStatus: null,
    toStatus: status,
    payload: { ...(input.payload ?? {}), ...(input.assigneeId ? { assigneeId: input.assigneeId } : {}) },
  });
  await runListeners(tx, row, event);
  return { ticket: row, created: true };
}

async function findBySource(tx: DbOrTx, input: TOpenTicketInput): Promise<TTicketRow | null> {
  const cond = input.sourceEvaluationId
    ? eq(tickets.sourceEvaluationId, input.sourceEvaluationId)
    : input.sourceFeedbackId
      ? eq(tickets.sourceFeedbackId, input.sourceFeedbackId)
      : null;
  if (!cond) return null;
  const [row] = await tx
    .select()
    .from(tickets)
    .where(and(eq(tickets.tenantId, input.tenantId), cond));
  return row ?? null;
}

export interface TTicketActionInput {
  tenantId: string;
  ticketId: string;
  action: TTicketAction;
  /** null = the system (SLA job, close-the-loop job). */
  actorId: string | null;
  at: Date;
  /** The version the client saw; a different current version is a 409 (someone else acted first). */
  expectedVersion?: number;
  /** assign/escalate: the new assignee (required). */
  assigneeId?: string | null;
  /** escalate: the level to go to (default: one up). */
  level?: number;
  /** Free text kept on the event: the resolution, the reason of a reopen/close/escalation, the customer's reply. */
  reason?: string;
  payload?: Record<string, unknown>;
}

/** Applies one action of the state machine: locks the ticket, checks the transition, writes row + event. */
export async function applyTicketAction(
  tx: DbOrTx,
  input: TTicketActionInput,
): Promise<{ ticket: TTicketRow; event: TTicketEventRow }> {
  const [current] = await tx
    .select()
    .from(tickets)
    .where(and(eq(tickets.tenantId, input.tenantId), eq(tickets.id, input.ticketId)))
    .for('update');
  if (!current) throw notFound('ticket');
  if (input.expectedVersion !== undefined && input.expectedVersion !== current.version) {
    throw new AppError('CONFLICT', 'the ticket was changed by someone else; reload it', {
      details: [{ path: 'body.version', message: `current version is ${current.version}`, code: 'custom' }],
    });
  }
  const from = current.status as TTicketStatus;
  const to = ticketNextStatus(from, input.action);
  if (!to) {
    throw new AppError('TICKET_ACTION_NOT_ALLOWED', `a ${from} ticket cannot ${input.action}`, {
      details: [{ path: 'body.action', message: `not allowed in state ${from}`, code: 'custom' }],
    });
  }
  const set: Partial<typeof tickets.$inferInsert> = {
    status: to,
    updatedAt: input.at,
    version: current.version + 1,
  };
  const payload: Record<string, unknown> = { ...(input.payload ?? {}) };
  if (input.reason !== undefined) payload.reason = input.reason;
  switch (input.action) {
    case 'assign':
      if (!input.assigneeId) throw invalidField('body.assigneeId', 'an assignee is required');
      set.assigneeId = input.assigneeId;
      payload.assigneeId = input.assigneeId;
      payload.previousAssigneeId = current.assigneeId;
      break;
    case 'escalate': {
      const level = input.level ?? current.escalationLevel + 1;
      if (!Number.isInteger(level) || level <= current.escalationLevel || level >= ESCALATION_LEVELS.length) {
        throw invalidField('body.level', `cannot escalate from level ${current.escalationLevel} to ${level}`);
      }
      if (!input.assigneeId) throw invalidField('body.assigneeId', 'nobody to escalate to at that level');
      set.assigneeId = input.assigneeId;
      set.escalationLevel = level;
      payload.assigneeId = input.assigneeId;
      payload.previousAssigneeId = current.assigneeId;
      payload.fromLevel = current.escalationLevel;
      payload.level = level;
      break;
    }
    case 'start':
    case 'wait_customer':
      if (!current.firstRespondedAt) set.firstRespondedAt = input.at;
      if (input.action === 'start' && !current.assigneeId && input.actorId) {
        set.assigneeId = input.actorId; // taking a new ticket makes it one's own
        payload.assigneeId = input.actorId;
      }
      break;
    case 'resolve':
      if (!current.firstRespondedAt) set.firstRespondedAt = input.at;
      set.resolvedAt = input.at;
      break;
    case 'close':
      set.closedAt = input.at;
      break;
    case 'reopen':
      set.reopenCount = current.reopenCount + 1;
      set.resolvedAt = null;
      set.closedAt = null;
      break;
    case 'customer_replied':
      break;
  }
  // slaStale: the event below makes the ticket stale for the SLA job (the trigger on ticket_events would set it too,
  // in a second update of the row; set here, in the update the action makes anyway, the trigger finds it set).
  const [ticket] = await tx
    .update(tickets)
    .set({ ...set, slaStale: true })
    .where(and(eq(tickets.tenantId, input.tenantId), eq(tickets.id, input.ticketId)))
    .returning();
  const event = await insertEvent(tx, ticket!, {
    type: input.action,
    actorId: input.actorId,
    at: input.at,
    fromStatus: from,
    toStatus: to,
    payload,
  });
  await runListeners(tx, ticket!, event);
  return { ticket: ticket!, event };
}

/** Appends an event that does not change the state (note, attachment, priority/category change, SLA mark, …). */
export async function appendTicketEvent(
  tx: DbOrTx,
  input: {
    tenantId: string;
    ticketId: string;
    type: Exclude<TTicketEventType, TTicketAction | 'created'>;
    actorId: string | null;
    at: Date;
    payload?: Record<string, unknown>;
    /** Columns that change with the event (priority, category, fault decision); they bump the version. */
    set?: Partial<Pick<typeof tickets.$inferInsert, 'priority' | 'category' | 'faultDecision'>>;
  },
): Promise<{ ticket: TTicketRow; event: TTicketEventRow }> {
  const changes = input.set && Object.keys(input.set).length > 0;
  const [ticket] = await tx
    .update(tickets)
    .set({
      ...(input.set ?? {}),
      updatedAt: input.at,
      slaStale: true, // as in applyTicketAction: the event below makes it stale, in this update rather than a second
      ...(changes ? { version: sql`${tickets.version} + 1` } : {}),
    })
    .where(and(eq(tickets.tenantId, input.tenantId), eq(tickets.id, input.ticketId)))
    .returning();
  if (!ticket) throw notFound('ticket');
  const event = await insertEvent(tx, ticket, {
    type: input.type,
    actorId: input.actorId,
    at: input.at,
    fromStatus: null,
    toStatus: null,
    payload: input.payload ?? {},
  });
  await runListeners(tx, ticket, event);
  return { ticket, event };
}

async function insertEvent(
  tx: DbOrTx,
  ticket: TTicketRow,
  e: Pick<TTicketEventRow, 'actorId' | 'at' | 'fromStatus' | 'toStatus' | 'payload'> & { type: TTicketEventType },
): Promise<TTicketEventRow> {
  const [event] = await tx
    .insert(ticketEvents)
    .values({ tenantId: ticket.tenantId, ticketId: ticket.id, ...e })
    .returning();
  return event!;
}

async function runListeners(tx: DbOrTx, ticket: TTicketRow, event: TTicketEventRow): Promise<void> {
  for (const listener of TICKET_LISTENERS) await listener(tx, ticket, event);
}
