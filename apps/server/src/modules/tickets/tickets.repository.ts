import { sql, type SQL } from 'drizzle-orm';
import {
  maskName,
  OPEN_TICKET_STATUSES,
  ticketNumber,
  type TTicket,
  type TTicketAttachment,
  type TTicketBoardQuery,
  type TTicketEvent,
  type TTicketListQuery,
} from '@huifang/shared';
import type { DbOrTx } from '../../db/client.ts';
import { invalidField } from '../../lib/app-error.ts';
import { likeEscape } from '../../lib/pagination.ts';
import { pgArray, unitVisible, type TScope } from '../../lib/scope.ts';

/**
 * Reads of tickets, always through the caller's scope: the tickets of visible units (unitVisible on tickets.unit_id),
 * and — for every scope — the tickets assigned to the caller, about the caller (staff_id: the teller complained
 * about) or opened by the caller. `own` scope sees only the latter. Writes go through ticket-actions.ts.
 */
export function ticketVisible(scope: TScope, alias = 't'): SQL {
  const t = sql.raw(alias);
  const mine = sql`(${t}.assignee_id = ${scope.userId} or ${t}.staff_id = ${scope.userId} or ${t}.created_by = ${scope.userId})`;
  if (scope.dataScope === 'own') return sql`${t}.tenant_id = ${scope.tenantId} and ${mine}`;
  return sql`${t}.tenant_id = ${scope.tenantId} and (${unitVisible(scope, sql`${t}.unit_id`)} or ${mine})`;
}

export type TTicketJoinedRow = {
  id: string;
  seq: number | string;
  source: TTicket['source'];
  source_evaluation_id: string | null;
  source_feedback_id: string | null;
  category: TTicket['category'];
  priority: TTicket['priority'];
  status: TTicket['status'];
  title: string;
  description: string;
  unit_id: string;
  unit_name: string;
  customer_id: string | null;
  customer_name: string | null;
  staff_id: string | null;
  staff_name: string | null;
  assignee_id: string | null;
  assignee_name: string | null;
  escalation_level: number;
  created_by: string | null;
  created_at: Date | string;
  updated_at: Date | string;
  first_responded_at: Date | string | null;
  resolved_at: Date | string | null;
  closed_at: Date | string | null;
  reopen_count: number;
  first_response_due_at: Date | string | null;
  resolution_due_at: Date | string | null;
  sla_state: TTicket['slaState'];
  fault_decision: TTicket['faultDecision'];
  version: number;
};

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

export function toTicketDto(r: TTicketJoinedRow): TTicket {
  return {
    id: r.id,
    no: ticketNumber(Number(r.seq)),
    source: r.source,
    sourceEvaluationId: r.source_evaluation_id,
    sourceFeedbackId: r.source_feedback_id,
    category: r.category,
    priority: r.priority,
    status: r.status,
    title: r.title,
    description: r.description,
    unitId: r.unit_id,
    unitName: r.unit_name,
    customerId: r.customer_id,
    customerName: r.customer_name === null ? null : maskName(r.customer_name),
    staffId: r.staff_id,
    staffName: r.staff_name,
    assigneeId: r.assignee_id,
    assigneeName: r.assignee_name,
    escalationLevel: Number(r.escalation_level),
    createdBy: r.created_by,
    createdAt: iso(r.created_at)!,
    updatedAt: iso(r.updated_at)!,
    firstRespondedAt: iso(r.first_responded_at),
    resolvedAt: iso(r.resolved_at),
    closedAt: iso(r.closed_at),
    reopenCount: Number(r.reopen_count),
    firstResponseDueAt: iso(r.first_response_due_at),
    resolutionDueAt: iso(r.resolution_due_at),
    slaState: r.sla_state,
    faultDecision: r.fault_decision,
    version: Number(r.version),
  };
}

const SELECT = sql`select t.id, t.seq, t.source, t.source_evaluation_id, t.source_feedback_id, t.category, t.priority, t.status,
    t.title, t.description, t.unit_id, ou.name as unit_name, t.customer_id, c.name as customer_name, t.staff_id,
    s.display_name as staff_name, t.assignee_id, a.display_name as assignee_name, t.escalation_level, t.created_by,
    t.created_at, t.updated_at, t.first_responded_at, t.resolved_at, t.closed_at, t.reopen_count,
    t.first_response_due_at, t.resolution_due_at, t.sla_state, t.fault_decision, t.version
  from tickets t
  join org_units ou on ou.id = t.unit_id
  left join customers c on c.id = t.customer_id
  left join users s on s.id = t.staff_id
  left join users a on a.id = t.assignee_id`;

const SORTS: Record<string, string> = {
  createdAt: 't.created_at',
  updatedAt: 't.updated_at',
  resolutionDueAt: 't.resolution_due_at',
};

/** The unit and every unit below it (an unknown unit matches nothing; visibility is checked by ticketVisible). */
const inSubtree = (scope: TScope, unitId: string) =>
  sql`t.unit_id in (select ou2.id from org_units ou2 where ou2.tenant_id = ${scope.tenantId}
    and ou2.path like (select p.path from org_units p where p.tenant_id = ${scope.tenantId} and p.id = ${unitId}) || '%')`;

export function ticketConditions(scope: TScope, q: Partial<TTicketListQuery>): SQL {
  const conds: SQL[] = [ticketVisible(scope)];
  if (q.status?.length) conds.push(sql`t.status = any(${pgArray(q.status, 'text')})`);
  if (q.open) conds.push(sql`t.status = any(${pgArray(OPEN_TICKET_STATUSES, 'text')})`);
  if (q.priority) conds.push(sql`t.priority = ${q.priority}`);
  if (q.category) conds.push(sql`t.category = ${q.category}`);
  if (q.slaState?.length) conds.push(sql`t.sla_state = any(${pgArray(q.slaState, 'text')})`);
  if (q.assignee === 'me') conds.push(sql`t.assignee_id = ${scope.userId}`);
  if (q.unitId) conds.push(inSubtree(scope, q.unitId));
  if (q.staffId) conds.push(sql`t.staff_id = ${q.staffId}`);
  if (q.customerId) conds.push(sql`t.customer_id = ${q.customerId}`);
  if (q.source) conds.push(sql`t.source = ${q.source}`);
  if (q.createdFrom) conds.push(sql`t.created_at >= ${new Date(q.createdFrom)}`);
  if (q.createdTo) conds.push(sql`t.created_at <= ${new Date(q.createdTo)}`);
  if (q.q) {
    // A ticket number (GD000123, or its digits) finds that ticket; anything else searches the title.
    const no = /^(?:gd)?0*(\d{1,15})$/i.exec(q.q.trim());
    const title = sql`t.title ilike ${'%' + likeEscape(q.q) + '%'}`;
    conds.push(no ? sql`(t.seq = ${Number(no[1])} or ${title})` : title);
  }
  return sql.join(conds, sql` and `);
}

export function ticketOrder(sort: string | undefined): SQL {
  if (!sort) return sql`t.created_at desc, t.id desc`;
  const isDesc = sort.startsWith('-');
  const col = SORTS[isDesc ? sort.slice(1) : sort];
  if (!col) throw invalidField('querystring.sort', `cannot sort by ${sort}; allowed: ${Object.keys(SORTS).join(', ')}`);
  return sql`${sql.raw(col)} ${sql.raw(isDesc ? 'desc nulls last' : 'asc nulls last')}, t.id desc`;
}

export async function listTicketRows(db: DbOrTx, scope: TScope, q: TTicketListQuery) {
  const where = ticketConditions(scope, q);
  const [rows, count] = await Promise.all([
    db.execute<TTicketJoinedRow>(
      sql`${SELECT} where ${where} order by ${ticketOrder(q.sort)} limit ${q.pageSize} offset ${(q.page - 1) * q.pageSize}`,
    ),
    db.execute<{ n: number }>(sql`select count(*)::int as n from tickets t where ${where}`),
  ]);
  return { rows: rows.rows, total: Number(count.rows[0]?.n ?? 0) };
}

/** Keyset batches (newest first) of the filtered list, for the export. */
export async function* ticketRowBatches(
  db: DbOrTx,
  scope: TScope,
  q: Partial<TTicketListQuery>,
  size = 2000,
): AsyncGenerator<TTicketJoinedRow[]> {
  const where = ticketConditions(scope, q);
  let after: { at: Date; id: string } | null = null;
  for (;;) {
    const cursor: SQL = after ? sql` and (t.created_at, t.id) < (${after.at}, ${after.id}::uuid)` : sql``;
    const res = await db.execute<TTicketJoinedRow>(
      sql`${SELECT} where ${where}${cursor} order by t.created_at desc, t.id desc limit ${size}`,
    );
    if (res.rows.length === 0) return;
    yield res.rows;
    const last = res.rows[res.rows.length - 1]!;
    after = { at: new Date(last.created_at), id: last.id };
    if (res.rows.length < size) return;
  }
}

/** The board: counts per status, per SLA state (open tickets), and each status column's first `perColumn` cards. */
export async function boardRows(db: DbOrTx, scope: TScope, q: TTicketBoardQuery) {
  const where = ticketConditions(scope, { assignee: q.assignee, unitId: q.unitId });
  const open = pgArray(OPEN_TICKET_STATUSES, 'text');
  const [byStatus, bySla, cards] = await Promise.all([
    db.execute<{ status: string; n: number }>(
      sql`select t.status, count(*)::int as n from tickets t where ${where} group by t.status`,
    ),
    db.execute<{ sla_state: string; n: number }>(
      sql`select t.sla_state, count(*)::int as n from tickets t where ${where} and t.status = any(${open}) group by t.sla_state`,
    ),
    // Open columns: the most urgent first (due time, then oldest); resolved/closed: the latest first.
    db.execute<TTicketJoinedRow>(sql`
      select * from (
        select x.*, row_number() over (partition by x.status order by
          case when x.status = any(${open}) then x.resolution_due_at end asc nulls last,
          case when x.status = any(${open}) then x.created_at end asc,
          x.updated_at desc, x.id) as rn
        from (${SELECT} where ${where}) x
      ) y where y.rn <= ${q.perColumn} order by y.status, y.rn`),
  ]);
  return { byStatus: byStatus.rows, bySla: bySla.rows, cards: cards.rows };
}

export async function findVisibleTicketRow(db: DbOrTx, scope: TScope, id: string): Promise<TTicketJoinedRow | null> {
  const res = await db.execute<TTicketJoinedRow>(sql`${SELECT} where ${ticketVisible(scope)} and t.id = ${id}`);
  return res.rows[0] ?? null;
}

/** Lock a visible ticket for the rest of the transaction (the version check and the permission check see it stable). */
export async function lockVisibleTicket(db: DbOrTx, scope: TScope, id: string) {
  const res = await db.execute<{
    id: string;
    status: string;
    assignee_id: string | null;
    version: number;
    unit_id: string;
    escalation_level: number;
    priority: string;
    category: string;
  }>(
    sql`select t.id, t.status, t.assignee_id, t.version, t.unit_id, t.escalation_level, t.priority, t.category
        from tickets t where ${ticketVisible(scope)} and t.id = ${id} for update`,
  );
  return res.rows[0] ?? null;
}

/** The history, oldest first, with the actors' names and the names of the people the payloads mention. */
export async function ticketEventsOf(db: DbOrTx, tenantId: string, ticketId: string): Promise<TTicketEvent[]> {
  const res = await db.execute<{
    id: string;
    type: TTicketEvent['type'];
    actor_id: string | null;
    actor_name: string | null;
    at: Date | string;
    from_status: TTicketEvent['fromStatus'];
    to_status: TTicketEvent['toStatus'];
    payload: Record<string, unknown>;
  }>(sql`
    select e.id::text, e.type, e.actor_id, u.display_name as actor_name, e.at, e.from_status, e.to_status, e.payload
    from ticket_events e left join users u on u.id = e.actor_id
    where e.tenant_id = ${tenantId} and e.ticket_id = ${ticketId} order by e.id`);
  const mentioned = new Set<string>();
  for (const r of res.rows)
    for (const k of ['assigneeId', 'previousAssigneeId'])
      if (typeof r.payload[k] === 'string') mentioned.add(r.payload[k] as string);
  const names = await userNames(db, tenantId, [...mentioned]);
  return res.rows.map((r) => {
    const payload = { ...r.payload };
    for (const k of ['assigneeId', 'previousAssigneeId'] as const) {
      const id = payload[k];
      if (typeof id === 'string') payload[k.replace('Id', 'Name')] = names.get(id) ?? null;
    }
    return {
      id: Number(r.id),
      type: r.type,
      actorId: r.actor_id,
      actorName: r.actor_name,
      at: iso(r.at)!,
      fromStatus: r.from_status,
      toStatus: r.to_status,
      payload,
    };
  });
}

async function userNames(db: DbOrTx, tenantId: string, ids: string[]) {
  if (ids.length === 0) return new Map<string, string>();
  const res = await db.execute<{ id: string; display_name: string }>(
    sql`select id, display_name from users where tenant_id = ${tenantId} and id = any(${pgArray(ids, 'uuid')})`,
  );
  return new Map(res.rows.map((r) => [r.id, r.display_name]));
}

export type TAttachmentRow = {
  id: string;
  file_name: string;
  mime_type: string;
  size_bytes: number;
  storage_path: string;
  uploaded_by: string | null;
  uploaded_by_name: string | null;
  uploaded_at: Date | string;
};

export async function attachmentRowsOf(db: DbOrTx, tenantId: string, ticketId: string, attachmentId?: string) {
  const res = await db.execute<TAttachmentRow>(sql`
    select a.id, a.file_name, a.mime_type, a.size_bytes, a.storage_path, a.uploaded_by,
           u.display_name as uploaded_by_name, a.uploaded_at
    from ticket_attachments a left join users u on u.id = a.uploaded_by
    where a.tenant_id = ${tenantId} and a.ticket_id = ${ticketId}
      ${attachmentId ? sql`and a.id = ${attachmentId}` : sql``}
    order by a.uploaded_at, a.id`);
  return res.rows;
}

export const toAttachmentDto = (r: TAttachmentRow): TTicketAttachment => ({
  id: r.id,
  fileName: r.file_name,
  mimeType: r.mime_type,
  sizeBytes: Number(r.size_bytes),
  uploadedBy: r.uploaded_by,
  uploadedByName: r.uploaded_by_name,
  uploadedAt: iso(r.uploaded_at)!,
});

/**
 * May this user be given tickets of this unit: active, holding ticket:work through a role, and seeing the unit — a
 * tenant-wide role, or their own unit is the ticket's unit or one above it (agents sit at the branch, with own scope).
 */
export async function canTakeTickets(db: DbOrTx, tenantId: string, userId: string, unitId: string): Promise<boolean> {
  const res = await db.execute<{ ok: boolean }>(sql`
    select exists (
      select 1 from users u
      join org_units ou on ou.id = u.unit_id
      join user_roles ur on ur.user_id = u.id
      join roles r on r.id = ur.role_id
      where u.tenant_id = ${tenantId} and u.id = ${userId} and u.is_active
        and 'ticket:work' = any(r.permissions)
        and (r.data_scope = 'tenant'
             or (select path from org_units where tenant_id = ${tenantId} and id = ${unitId}) like ou.path || '%')
    ) as ok`);
  return res.rows[0]?.ok === true;
}

/** The people who may be given tickets of a unit (see canTakeTickets), for the assign dialog. */
export async function listTicketTakers(db: DbOrTx, tenantId: string, unitId: string) {
  const res = await db.execute<{ id: string; display_name: string; unit_name: string }>(sql`
    select distinct u.id, u.display_name, ou.name as unit_name
    from users u
    join org_units ou on ou.id = u.unit_id
    join user_roles ur on ur.user_id = u.id
    join roles r on r.id = ur.role_id
    where u.tenant_id = ${tenantId} and u.is_active
      and 'ticket:work' = any(r.permissions)
      and (r.data_scope = 'tenant'
           or (select path from org_units where tenant_id = ${tenantId} and id = ${unitId}) like ou.path || '%')
    order by u.display_name`);
  return res.rows.map((r) => ({ id: r.id, displayName: r.display_name, unitName: r.unit_name }));
}
