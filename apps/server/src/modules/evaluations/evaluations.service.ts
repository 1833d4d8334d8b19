import { sql } from 'drizzle-orm';
import type { TCorrectionKind, TEvaluationDetail } from '@huifang/shared';
import type { Db } from '../../db/client.ts';
import { AppError, notFound } from '../../lib/app-error.ts';
import type { TClock } from '../../lib/clock.ts';
import type { TAuditCtx, TScope } from '../../lib/scope.ts';
import { insertAuditEvent } from '../audit/audit.repository.ts';
import { alertAppeal, alertAppealDecision } from '../notifications/evaluation-alerts.ts';
import { findEvaluation } from './evaluations.repository.ts';
import { recordCorrection } from './evaluations.write.ts';

type TDeps = { db: Db; clock: TClock };

/** What each correction needs to hold beforehand, and the audit action it writes. */
const RULES: Record<
  TCorrectionKind,
  { check: (e: TEvaluationDetail, scope: TScope) => string | null; action: string; summary: string }
> = {
  appeal: {
    // A teller appeals 申诉 ratings of their own service only, once at a time, and not an excluded one.
    check: (e, scope) =>
      e.staffId !== scope.userId
        ? 'only the rated staff member may appeal'
        : e.appealState === 'open'
          ? 'an appeal is already open'
          : e.isExcluded
            ? 'the rating is already excluded'
            : null,
    action: 'evaluation.appealed',
    summary: '对评价提出申诉',
  },
  appeal_rejected: {
    check: (e) => (e.appealState !== 'open' ? 'no open appeal' : null),
    action: 'evaluation.appeal_rejected',
    summary: '驳回评价申诉',
  },
  exclude: {
    check: (e) => (e.isExcluded ? 'already excluded' : null),
    action: 'evaluation.excluded',
    summary: '剔除评价（不计入统计）',
  },
  restore: {
    check: (e) => (!e.isExcluded ? 'not excluded' : null),
    action: 'evaluation.restored',
    summary: '恢复评价（重新计入统计）',
  },
};

/**
 * Add a correction row (evaluations themselves are never edited). Serialised per evaluation so that two managers
 * deciding at once cannot both pass the check.
 */
export async function correctEvaluation(
  deps: TDeps,
  scope: TScope,
  ctx: TAuditCtx,
  id: string,
  kind: TCorrectionKind,
  reason: string,
  canReveal: boolean,
): Promise<TEvaluationDetail> {
  const rule = RULES[kind];
  await deps.db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`evaluation:${id}`}, 0))`);
    const e = await findEvaluation(tx, scope, id, false);
    if (!e) throw notFound('evaluation');
    const problem = rule.check(e, scope);
    if (problem) throw new AppError('CONFLICT', problem, { details: [{ path: 'params.id', message: problem }] });
    const now = deps.clock.now();
    await recordCorrection(tx, {
      tenantId: scope.tenantId,
      evaluationId: id,
      kind,
      reason,
      actorId: scope.userId,
      at: now,
    });
    // An appeal tells the managers who can decide it; the decision (rejected, or upheld by excluding the rating) tells
    // the staff member who appealed.
    if (kind === 'appeal')
      await alertAppeal(tx, {
        tenantId: scope.tenantId,
        evaluationId: id,
        unitId: e.unitId,
        staffId: scope.userId,
        reason,
        at: now,
      });
    else if (e.appealState === 'open' && e.staffId && (kind === 'appeal_rejected' || kind === 'exclude')) {
      await alertAppealDecision(tx, {
        tenantId: scope.tenantId,
        evaluationId: id,
        staffId: e.staffId,
        isUpheld: kind === 'exclude',
        reason,
        at: now,
      });
    }
    await insertAuditEvent(
      tx,
      ctx,
      {
        action: rule.action,
        entityType: 'evaluation',
        entityId: id,
        unitId: e.unitId,
        summary: `${rule.summary}：${reason}`,
        after: { kind, reason },
      },
      now,
    );
  });
  const after = await findEvaluation(deps.db, scope, id, canReveal);
  if (!after) throw notFound('evaluation');
  return after;
}
