import { and, eq, sql } from 'drizzle-orm';
import { ESCALATION_LEVELS, OPEN_TICKET_STATUSES } from '@huifang/shared';
import type { DbOrTx } from '../../db/client.ts';
import { tickets } from '../../db/schema/index.ts';
import { pgArray } from '../../lib/scope.ts';
import { applyTicketAction, type TTicketEventRow, type TTicketRow } from './ticket-actions.ts';

/**
 * Who works a ticket at each level of the escalation chain 客服 → 主管 → 经理 → 服务监督团队 (DESIGN §6): active users
 * holding the built-in role of that level (agent, supervisor, manager, supervision; for the top level also a tenant's
 * own role with `ticket:supervise`), whose unit is the ticket's unit or one of its ancestors — the nearest such unit that has any
 * (an outlet's own supervisor before the branch's). Among them, the one with the fewest open tickets (then by id), so
 * work spreads evenly.
 */
export async function levelAssignee(
  db: DbOrTx,
  tenantId: string,
  unitId: string,
  level: number,
): Promise<string | null> {
  const key = ESCALATION_LEVELS[level];
  if (!key) return null;
  // The admin holds every permission but is not part of the chain; a tenant's own roles join the top level by
  // holding ticket:supervise.
  const holds =
    key === 'supervision'
      ? sql`((r.key = 'supervision' and r.is_builtin) or (not r.is_builtin and 'ticket:supervise' = any(r.permissions)))`
      : sql`(r.key = ${key} and r.is_builtin)`;
  const res = await db.execute<{ id: string }>(sql`
    with target as (select path from org_units where tenant_id = ${tenantId} and id = ${unitId}),
    cand as (
      select distinct u.id, ou.depth
      from users u
      join org_units ou on ou.id = u.unit_id
      join user_roles ur on ur.user_id = u.id
      join roles r on r.id = ur.role_id
      where u.tenant_id = ${tenantId} and u.is_active and ${holds}
        and (select path from target) like ou.path || '%'
    ),
    nearest as (select id from cand where depth = (select max(depth) from cand))
    select n.id
    from nearest n
    left join lateral (
      select count(*) as open from tickets tk
      where tk.tenant_id = ${tenantId} and tk.assignee_id = n.id
        and tk.status = any(${pgArray(OPEN_TICKET_STATUSES, 'text')})
    ) o on true
    order by o.open, n.id
    limit 1`);
  return res.rows[0]?.id ?? null;
}

/**
 * Moves a ticket to the next level of the chain that has someone to take it (levels with nobody are skipped), e.g.
 * when its SLA is about to breach or the customer does not accept the answer. Returns null when it is already at
 * the top, or nobody above can take it; the caller decides what that means (the SLA job marks the breach anyway).
 */
export async function escalateTicket(
  tx: DbOrTx,
  input: { tenantId: string; ticketId: string; actorId: string | null; at: Date; reason: string },
): Promise<{ ticket: TTicketRow; event: TTicketEventRow } | null> {
  const [ticket] = await tx
    .select()
    .from(tickets)
    .where(and(eq(tickets.tenantId, input.tenantId), eq(tickets.id, input.ticketId)));
  if (!ticket) return null;
  for (let level = ticket.escalationLevel + 1; level < ESCALATION_LEVELS.length; level++) {
    const assigneeId = await levelAssignee(tx, input.tenantId, ticket.unitId, level);
    if (!assigneeId) continue;
    return applyTicketAction(tx, {
      tenantId: input.tenantId,
      ticketId: input.ticketId,
      action: 'escalate',
      actorId: input.actorId,
      at: input.at,
      level,
      assigneeId,
      reason: input.reason,
      expectedVersion: ticket.version,
    });
  }
  return null;
}
