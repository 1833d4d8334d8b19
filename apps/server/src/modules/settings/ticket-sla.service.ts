import { sql } from 'drizzle-orm';
import { TICKET_PRIORITIES, type TTicketSlaSettings, type TTicketSlaSettingsInput } from '@huifang/shared';
import type { Db, DbOrTx } from '../../db/client.ts';
import { ticketSlaPolicies } from '../../db/schema/index.ts';
import type { TJobSender } from '../../jobs/queue.ts';
import type { TClock } from '../../lib/clock.ts';
import type { TAuditCtx, TScope } from '../../lib/scope.ts';
import { insertAuditEvent } from '../audit/audit.repository.ts';
import { DEFAULT_WORKING_HOURS } from '../policy/working-hours.ts';
import { invalidateOpenTicketSla, loadSlaPolicies } from '../tickets/sla/sla-job.ts';

/**
 * The tenant's ticket SLA settings 工单时限: per priority, the first-response and resolution targets in working
 * minutes, the warning ratio and the OLA of each escalation level (modules/tickets/sla). No row = the default.
 */
export async function getTicketSlaSettings(db: DbOrTx, tenantId: string): Promise<TTicketSlaSettings> {
  const policies = await loadSlaPolicies(db, tenantId);
  return {
    policies: TICKET_PRIORITIES.map((priority) => {
      const p = policies[priority];
      return {
        priority,
        firstResponseMinutes: p.firstResponseMinutes,
        resolutionMinutes: p.resolutionMinutes,
        warnRatio: p.warnRatio,
        levelMinutes: p.levelMinutes,
        isDefault: p.updatedAt === null,
        updatedAt: p.updatedAt?.toISOString() ?? null,
      };
    }),
    workingHours: { start: DEFAULT_WORKING_HOURS.start, end: DEFAULT_WORKING_HOURS.end },
  };
}

/**
 * Save all four priorities at once (audited with before/after). Open tickets are re-derived with the new targets:
 * their deadlines move, the time they used does not.
 */
export async function saveTicketSlaSettings(
  deps: { db: Db; clock: TClock; jobs?: TJobSender },
  scope: TScope,
  ctx: TAuditCtx,
  input: TTicketSlaSettingsInput,
): Promise<TTicketSlaSettings> {
  const now = deps.clock.now();
  const dto = await deps.db.transaction(async (tx) => {
    // Serialises concurrent saves of the tenant (the rows may not exist yet to lock).
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext('ticket_sla:' || ${scope.tenantId}))`);
    const before = await getTicketSlaSettings(tx, scope.tenantId);
    for (const p of input.policies) {
      const values = {
        firstResponseMinutes: p.firstResponseMinutes,
        resolutionMinutes: p.resolutionMinutes,
        warnRatio: Math.round(p.warnRatio * 100) / 100,
        levelMinutes: p.levelMinutes,
        updatedAt: now,
        updatedBy: scope.userId,
      };
      await tx
        .insert(ticketSlaPolicies)
        .values({ tenantId: scope.tenantId, priority: p.priority, ...values })
        .onConflictDoUpdate({ target: [ticketSlaPolicies.tenantId, ticketSlaPolicies.priority], set: values });
    }
    const after = await getTicketSlaSettings(tx, scope.tenantId);
    const hours = (m: number) => `${Math.round((m / 60) * 10) / 10}h`;
    await insertAuditEvent(
      tx,
      ctx,
      {
        action: 'ticket_sla.changed',
        entityType: 'ticket_sla',
        entityId: null,
        unitId: scope.unitId,
        summary: `工单时限: ${after.policies
          .map((p) => `${p.priority} ${hours(p.firstResponseMinutes)}/${hours(p.resolutionMinutes)}`)
          .join(', ')}`,
        before: { policies: before.policies },
        after: { policies: after.policies },
      },
      now,
    );
    await invalidateOpenTicketSla(tx, scope.tenantId, now);
    return after;
  });
  await deps.jobs?.send('ticket-sla', { tenantId: scope.tenantId });
  return dto;
}
