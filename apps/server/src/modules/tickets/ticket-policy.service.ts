import { eq } from 'drizzle-orm';
import { TICKET_AUTO_MAX_SCORE_DEFAULT, type TTicketPolicy, type TTicketPolicyInput } from '@huifang/shared';
import type { Db, DbOrTx } from '../../db/client.ts';
import { tenantTicketPolicies } from '../../db/schema/index.ts';
import type { TClock } from '../../lib/clock.ts';
import type { TAuditCtx, TScope } from '../../lib/scope.ts';
import { insertAuditEvent } from '../audit/audit.repository.ts';

/**
 * The tenant's ticket policy 工单策略: an evaluation scored at or below `autoMaxScore` (of 5) opens a ticket (不满意 and a
 * kiosk's lowest key always do), with priority `autoPriority`. No row = the defaults (2, normal). `close_loop` on the
 * same row belongs to the close-the-loop settings and is left as it is here.
 */
type TRow = typeof tenantTicketPolicies.$inferSelect;
const toDto = (r: TRow | undefined): TTicketPolicy =>
  r
    ? {
        autoMaxScore: r.autoMaxScore,
        autoPriority: r.autoPriority as TTicketPolicy['autoPriority'],
        updatedAt: r.updatedAt.toISOString(),
      }
    : { autoMaxScore: TICKET_AUTO_MAX_SCORE_DEFAULT, autoPriority: 'normal', updatedAt: null };

export async function getTicketPolicy(db: DbOrTx, tenantId: string): Promise<TTicketPolicy> {
  const [r] = await db.select().from(tenantTicketPolicies).where(eq(tenantTicketPolicies.tenantId, tenantId));
  return toDto(r);
}

/** Save (audited with before/after); the auto-creation consumer applies it from the next event it handles. */
export async function saveTicketPolicy(
  deps: { db: Db; clock: TClock },
  scope: TScope,
  ctx: TAuditCtx,
  input: TTicketPolicyInput,
): Promise<TTicketPolicy> {
  const now = deps.clock.now();
  return deps.db.transaction(async (tx) => {
    const [before] = await tx
      .select()
      .from(tenantTicketPolicies)
      .where(eq(tenantTicketPolicies.tenantId, scope.tenantId))
      .for('update');
    const values = {
      autoMaxScore: input.autoMaxScore,
      autoPriority: input.autoPriority,
      updatedAt: now,
      updatedBy: scope.userId,
    };
    const [row] = await tx
      .insert(tenantTicketPolicies)
      .values({ tenantId: scope.tenantId, ...values })
      .onConflictDoUpdate({ target: tenantTicketPolicies.tenantId, set: values })
      .returning();
    const dto = toDto(row);
    await insertAuditEvent(
      tx,
      ctx,
      {
        action: 'ticket_policy.changed',
        entityType: 'ticket_policy',
        entityId: null,
        unitId: scope.unitId,
        summary: `工单策略: 总体评分 ≤ ${input.autoMaxScore} 分自动建单，优先级 ${input.autoPriority}`,
        before: toDto(before),
        after: dto,
      },
      now,
    );
    return dto;
  });
}
