import {
  allowedTicketActions,
  TICKET_ACTIONS,
  TICKET_STATUSES,
  ZTicketListQuery,
  type TCreateTicketInput,
  type TTicket,
  type TTicketAction,
  type TTicketActionInput,
  type TTicketBoard,
  type TTicketBoardQuery,
  type TTicketCustomerPanel,
  type TTicketDetail,
  type TTicketListQuery,
  type TTicketNoteInput,
  type TTicketStatus,
  type TUpdateTicketInput,
} from '@huifang/shared';
import type { Db, DbOrTx } from '../../db/client.ts';
import { AppError, invalidField, notFound, unknownRef } from '../../lib/app-error.ts';
import type { TClock } from '../../lib/clock.ts';
import { toPage } from '../../lib/pagination.ts';
import type { TActor } from '../../lib/scope.ts';
import { findReadableCustomer, findVisibleCustomer } from '../customers/customers.repository.ts';
import { toCustomerDto } from '../customers/customers.service.ts';
import { listEvaluations } from '../evaluations/evaluations.repository.ts';
import { listTasks } from '../followup/tasks/tasks.service.ts';
import { findVisibleUnit } from '../org-units/org-units.repository.ts';
import { findVisibleUser } from '../users/users.repository.ts';
import { escalateTicket, levelAssignee } from './escalation.ts';
import { applyTicketAction, appendTicketEvent, openTicket } from './ticket-actions.ts';
import {
  attachmentRowsOf,
  boardRows,
  canTakeTickets,
  findVisibleTicketRow,
  listTicketRows,
  listTicketTakers,
  lockVisibleTicket,
  ticketEventsOf,
  toAttachmentDto,
  toTicketDto,
} from './tickets.repository.ts';

export type TTicketDeps = { db: Db; clock: TClock };

/** What a ticket:work holder may do on a ticket assigned to them or not yet assigned (the rest needs ticket:manage). */
const WORK_ACTIONS: readonly TTicketAction[] = ['start', 'wait_customer', 'customer_replied', 'resolve', 'reopen'];

/**
 * The actions the actor's permissions allow on this ticket, whatever its state: ticket:manage → every action;
 * ticket:work → the working steps, on a ticket assigned to them or unassigned; otherwise (ticket:read) none.
 */
export function permittedTicketActions(
  actor: Pick<TActor, 'userId' | 'permissions'>,
  ticket: { assigneeId: string | null },
): readonly TTicketAction[] {
  if (actor.permissions.has('ticket:manage')) return TICKET_ACTIONS;
  if (actor.permissions.has('ticket:work') && (ticket.assigneeId === null || ticket.assigneeId === actor.userId))
    return WORK_ACTIONS;
  return [];
}

export const canWorkOn = (actor: Pick<TActor, 'userId' | 'permissions'>, ticket: { assigneeId: string | null }) =>
  actor.permissions.has('ticket:manage') ||
  (actor.permissions.has('ticket:work') && (ticket.assigneeId === null || ticket.assigneeId === actor.userId));

/** The state machine's actions now ∩ what the actor may do. */
export function allowedActionsFor(
  actor: Pick<TActor, 'userId' | 'permissions'>,
  ticket: { status: TTicketStatus; assigneeId: string | null },
): TTicketAction[] {
  const permitted = new Set(permittedTicketActions(actor, ticket));
  return allowedTicketActions(ticket.status).filter((a) => permitted.has(a));
}

export async function findTickets(deps: TTicketDeps, actor: TActor, q: TTicketListQuery) {
  const { rows, total } = await listTicketRows(deps.db, actor, q);
  return toPage(rows.map(toTicketDto), total, q);
}

export async function getTicketBoard(deps: TTicketDeps, actor: TActor, q: TTicketBoardQuery): Promise<TTicketBoard> {
  const r = await boardRows(deps.db, actor, q);
  const byStatus = Object.fromEntries(TICKET_STATUSES.map((s) => [s, 0]));
  for (const x of r.byStatus) byStatus[x.status] = Number(x.n);
  const bySlaState: Record<string, number> = { ok: 0, warning: 0, breached: 0, paused: 0, met: 0 };
  for (const x of r.bySla) bySlaState[x.sla_state] = Number(x.n);
  return {
    byStatus,
    bySlaState,
    columns: TICKET_STATUSES.map((status) => ({
      status,
      total: byStatus[status] ?? 0,
      items: r.cards.filter((c) => c.status === status).map(toTicketDto),
    })),
  };
}

async function visibleTicket(db: DbOrTx, actor: TActor, id: string): Promise<TTicket> {
  const row = await findVisibleTicketRow(db, actor, id);
  if (!row) throw notFound('ticket');
  return toTicketDto(row);
}

/**
 * The customer panel: the customer's masked card and history. A ticket in the viewer's scope lets them read its
 * customer's card (masked, like a follow-up task does); revealing stays with the customers module and its scope.
 * The history is what the viewer may see of it: tickets, evaluations and follow-up tasks, each through its module.
 */
async function customerPanel(deps: TTicketDeps, actor: TActor, ticket: TTicket): Promise<TTicketCustomerPanel | null> {
  if (!ticket.customerId) return null;
  const readable = await findReadableCustomer(deps.db, actor, ticket.customerId, deps.clock.now());
  const row = readable ?? (await findVisibleCustomer(deps.db, { ...actor, dataScope: 'tenant' }, ticket.customerId));
  if (!row) return null;
  const [others, evaluations, tasks] = await Promise.all([
    listTicketRows(deps.db, actor, ZTicketListQuery.parse({ customerId: ticket.customerId, pageSize: 10 })),
    listEvaluations(deps.db, actor, { customerId: ticket.customerId, pageSize: 5 }, false),
    listTasks(deps, actor, { customerId: ticket.customerId, pageSize: 5, page: 1, view: 'all', sort: '-createdAt' }),
  ]);
  return {
    customer: toCustomerDto(row),
    isVisible: readable?.isVisible ?? false,
    tickets: others.rows.filter((r) => r.id !== ticket.id).map(toTicketDto),
    evaluations: evaluations.items,
    tasks: tasks.items,
  };
}

export async function getTicketDetail(deps: TTicketDeps, actor: TActor, id: string): Promise<TTicketDetail> {
  const ticket = await visibleTicket(deps.db, actor, id);
  const [events, attachments, customer] = await Promise.all([
    ticketEventsOf(deps.db, actor.tenantId, id),
    attachmentRowsOf(deps.db, actor.tenantId, id),
    customerPanel(deps, actor, ticket),
  ]);
  return {
    ticket,
    events,
    attachments: attachments.map(toAttachmentDto),
    allowedActions: allowedActionsFor(actor, ticket),
    canWork: canWorkOn(actor, ticket),
    canManage: actor.permissions.has('ticket:manage'),
    customer,
  };
}

/**
 * An assignee must be able to take tickets of the unit (active, ticket:work, seeing the unit): else 400 on the field.
 * Someone the caller can neither see nor give the ticket to is a 404 on the field, like every id out of scope.
 */
async function checkAssignee(db: DbOrTx, actor: TActor, userId: string, unitId: string) {
  if (await canTakeTickets(db, actor.tenantId, userId, unitId)) return;
  if (!(await findVisibleUser(db, actor, userId))) throw unknownRef('body.assigneeId', 'assignee');
  throw invalidField('body.assigneeId', '该用户不能处理此网点的工单', { code: 'custom' });
}

/** 新建工单 by hand: the unit, customer and staff member must be in the creator's scope. */
export async function createTicket(deps: TTicketDeps, actor: TActor, input: TCreateTicketInput) {
  const db = deps.db;
  const unit = await findVisibleUnit(db, actor, input.unitId);
  if (!unit) throw unknownRef('body.unitId', 'unit');
  if (input.customerId && !(await findVisibleCustomer(db, actor, input.customerId)))
    throw unknownRef('body.customerId', 'customer');
  if (input.staffId && !(await findVisibleUser(db, actor, input.staffId)))
    throw unknownRef('body.staffId', 'staff member');
  const id = await db.transaction(async (tx) => {
    let assigneeId: string | null;
    if (input.assigneeId === undefined) assigneeId = await levelAssignee(tx, actor.tenantId, unit.id, 0);
    else {
      assigneeId = input.assigneeId;
      if (assigneeId) await checkAssignee(tx, actor, assigneeId, unit.id);
    }
    const { ticket } = await openTicket(tx, {
      tenantId: actor.tenantId,
      source: 'manual',
      category: input.category,
      priority: input.priority,
      title: input.title,
      description: input.description,
      customerId: input.customerId ?? null,
      staffId: input.staffId ?? null,
      unitId: unit.id,
      assigneeId,
      createdBy: actor.userId,
      at: deps.clock.now(),
    });
    return ticket.id;
  });
  return getTicketDetail(deps, actor, id);
}

/** One action of the state machine, by a person: scope (404), permission (403), version (409), state (409). */
export async function actOnTicket(deps: TTicketDeps, actor: TActor, id: string, input: TTicketActionInput) {
  await deps.db.transaction(async (tx) => {
    const row = await lockVisibleTicket(tx, actor, id);
    if (!row) throw notFound('ticket');
    if (!permittedTicketActions(actor, { assigneeId: row.assignee_id }).includes(input.action))
      throw new AppError('FORBIDDEN', `you may not ${input.action} this ticket`);
    if (row.version !== input.version)
      throw new AppError('CONFLICT', 'the ticket was changed by someone else; reload it', {
        details: [{ path: 'body.version', message: `current version is ${row.version}`, code: 'custom' }],
      });
    const base = { tenantId: actor.tenantId, ticketId: id, actorId: actor.userId, at: deps.clock.now() };
    if (input.action === 'escalate' && !input.assigneeId) {
      if (!allowedTicketActions(row.status as TTicketStatus).includes('escalate'))
        throw new AppError('TICKET_ACTION_NOT_ALLOWED', `a ${row.status} ticket cannot escalate`, {
          details: [{ path: 'body.action', message: `not allowed in state ${row.status}`, code: 'custom' }],
        });
      const done = await escalateTicket(tx, { ...base, reason: input.reason ?? '' });
      if (!done)
        throw new AppError('TICKET_ACTION_NOT_ALLOWED', 'nobody above to escalate to', {
          details: [{ path: 'body.action', message: 'nobody at a higher level', code: 'custom' }],
        });
      return;
    }
    if (input.assigneeId && (input.action === 'assign' || input.action === 'escalate'))
      await checkAssignee(tx, actor, input.assigneeId, row.unit_id);
    await applyTicketAction(tx, {
      ...base,
      action: input.action,
      expectedVersion: input.version,
      ...(input.assigneeId ? { assigneeId: input.assigneeId } : {}),
      ...(input.reason !== undefined ? { reason: input.reason } : {}),
    });
  });
  return getTicketDetail(deps, actor, id);
}

/** A note 备注 (internal or not) on a ticket one may work. */
export async function addTicketNote(deps: TTicketDeps, actor: TActor, id: string, input: TTicketNoteInput) {
  await deps.db.transaction(async (tx) => {
    const row = await lockVisibleTicket(tx, actor, id);
    if (!row) throw notFound('ticket');
    if (!canWorkOn(actor, { assigneeId: row.assignee_id }))
      throw new AppError('FORBIDDEN', 'you may not add notes to this ticket');
    await appendTicketEvent(tx, {
      tenantId: actor.tenantId,
      ticketId: id,
      type: 'note',
      actorId: actor.userId,
      at: deps.clock.now(),
      payload: { text: input.text, internal: input.internal },
    });
  });
  return getTicketDetail(deps, actor, id);
}

/** Change priority and/or category (ticket:manage): one event per changed field, version checked. */
export async function updateTicket(deps: TTicketDeps, actor: TActor, id: string, input: TUpdateTicketInput) {
  await deps.db.transaction(async (tx) => {
    const row = await lockVisibleTicket(tx, actor, id);
    if (!row) throw notFound('ticket');
    if (row.version !== input.version)
      throw new AppError('CONFLICT', 'the ticket was changed by someone else; reload it', {
        details: [{ path: 'body.version', message: `current version is ${row.version}`, code: 'custom' }],
      });
    const base = { tenantId: actor.tenantId, ticketId: id, actorId: actor.userId, at: deps.clock.now() };
    if (input.priority && input.priority !== row.priority)
      await appendTicketEvent(tx, {
        ...base,
        type: 'priority_changed',
        payload: { from: row.priority, to: input.priority },
        set: { priority: input.priority },
      });
    if (input.category && input.category !== row.category)
      await appendTicketEvent(tx, {
        ...base,
        type: 'category_changed',
        payload: { from: row.category, to: input.category },
        set: { category: input.category },
      });
  });
  return getTicketDetail(deps, actor, id);
}

/** Who the viewer may hand this ticket to (assign dialog). */
export async function ticketAssignees(deps: TTicketDeps, actor: TActor, id: string) {
  const ticket = await visibleTicket(deps.db, actor, id);
  return { items: await listTicketTakers(deps.db, actor.tenantId, ticket.unitId) };
}
