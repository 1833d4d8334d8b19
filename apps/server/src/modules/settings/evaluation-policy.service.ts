import { eq } from 'drizzle-orm';
import {
  NEGATIVE_SCORE_MAX_DEFAULT,
  type TEvaluationPolicyInput,
  type TEvaluationPolicySettings,
} from '@huifang/shared';
import type { Db, DbOrTx } from '../../db/client.ts';
import { tenantEvaluationPolicies } from '../../db/schema/index.ts';
import type { TClock } from '../../lib/clock.ts';
import type { TAuditCtx, TScope } from '../../lib/scope.ts';
import { insertAuditEvent } from '../audit/audit.repository.ts';

/**
 * The tenant's evaluation policy 评价提醒设置: 不满意提醒阈值 (an overall score ≤ N alerts the unit's managers).
 * No row = the default (2). The negative-evaluation alert consumer reads it through `getNegativeScoreMax`.
 */
type TRow = typeof tenantEvaluationPolicies.$inferSelect;
const toDto = (r: TRow | undefined): TEvaluationPolicySettings =>
  r
    ? { negativeScoreMax: r.negativeScoreMax, updatedAt: r.updatedAt.toISOString() }
    : { negativeScoreMax: NEGATIVE_SCORE_MAX_DEFAULT, updatedAt: null };

/** The tenant's evaluation policy as the admin sees it (the default while never saved). */
export async function getEvaluationPolicy(db: DbOrTx, tenantId: string): Promise<TEvaluationPolicySettings> {
  const [r] = await db.select().from(tenantEvaluationPolicies).where(eq(tenantEvaluationPolicies.tenantId, tenantId));
  return toDto(r);
}

/** The tenant's 不满意提醒阈值: scores at most this alert. */
export async function getNegativeScoreMax(db: DbOrTx, tenantId: string): Promise<number> {
  return (await getEvaluationPolicy(db, tenantId)).negativeScoreMax;
}

/** Save the tenant's evaluation policy (audited with before/after). Alerts apply it from the next event handled. */
export async function saveEvaluationPolicy(
  deps: { db: Db; clock: TClock },
  scope: TScope,
  ctx: TAuditCtx,
  input: TEvaluationPolicyInput,
): Promise<TEvaluationPolicySettings> {
  const now = deps.clock.now();
  return deps.db.transaction(async (tx) => {
    const [before] = await tx
      .select()
      .from(tenantEvaluationPolicies)
      .where(eq(tenantEvaluationPolicies.tenantId, scope.tenantId))
      .for('update');
    const values = { negativeScoreMax: input.negativeScoreMax, updatedAt: now, updatedBy: scope.userId };
    const [row] = await tx
      .insert(tenantEvaluationPolicies)
      .values({ tenantId: scope.tenantId, ...values })
      .onConflictDoUpdate({ target: tenantEvaluationPolicies.tenantId, set: values })
      .returning();
    const dto = toDto(row);
    await insertAuditEvent(
      tx,
      ctx,
      {
        action: 'evaluation_policy.changed',
        entityType: 'evaluation_policy',
        entityId: null,
        unitId: scope.unitId,
        summary: `不满意提醒阈值: 总体评分 ≤ ${input.negativeScoreMax} 分提醒`,
        before: toDto(before),
        after: dto,
      },
      now,
    );
    return dto;
  });
}
