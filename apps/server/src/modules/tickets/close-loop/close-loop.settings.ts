import { eq, sql } from 'drizzle-orm';
import { ZCloseLoopConfig, type TCloseLoopConfig, type TCloseLoopSettings } from '@huifang/shared';
import type { Db, DbOrTx } from '../../../db/client.ts';
import { tenantTicketPolicies } from '../../../db/schema/index.ts';
import type { TClock } from '../../../lib/clock.ts';
import type { TAuditCtx, TScope } from '../../../lib/scope.ts';
import { insertAuditEvent } from '../../audit/audit.repository.ts';

/**
 * The close-the-loop settings 回访闭环设置 live in tenant_ticket_policies.close_loop (shape: ZCloseLoopConfig in
 * packages/shared). Beside the admin's settings the jsonb keeps `survey`: the system 处理满意度 survey made for the
 * current threshold (close-loop.service.ts), which the admin never edits. No row / missing keys = the defaults.
 */
type TRaw = Record<string, unknown> & { survey?: { id: string; threshold: number } };

export async function readCloseLoopRaw(
  db: DbOrTx,
  tenantId: string,
  lock = false,
): Promise<{ raw: TRaw; updatedAt: Date | null }> {
  const q = db
    .select({ closeLoop: tenantTicketPolicies.closeLoop, updatedAt: tenantTicketPolicies.updatedAt })
    .from(tenantTicketPolicies)
    .where(eq(tenantTicketPolicies.tenantId, tenantId));
  const [row] = lock ? await q.for('update') : await q;
  return { raw: (row?.closeLoop ?? {}) as TRaw, updatedAt: row?.updatedAt ?? null };
}

/** The tenant's close-the-loop config; a stored value that no longer parses falls back to the defaults key by key. */
export function parseCloseLoop(raw: Record<string, unknown>): TCloseLoopConfig {
  const parsed = ZCloseLoopConfig.safeParse(raw);
  if (parsed.success) return parsed.data;
  const defaults = ZCloseLoopConfig.parse({});
  const out: Record<string, unknown> = { ...defaults };
  for (const k of Object.keys(defaults) as (keyof TCloseLoopConfig)[]) {
    const one = ZCloseLoopConfig.shape[k].safeParse(raw[k]);
    if (one.success) out[k] = one.data;
  }
  return out as TCloseLoopConfig;
}

export async function getCloseLoopConfig(db: DbOrTx, tenantId: string): Promise<TCloseLoopConfig> {
  return parseCloseLoop((await readCloseLoopRaw(db, tenantId)).raw);
}

export async function getCloseLoopSettings(db: DbOrTx, tenantId: string): Promise<TCloseLoopSettings> {
  const { raw, updatedAt } = await readCloseLoopRaw(db, tenantId);
  return { ...parseCloseLoop(raw), updatedAt: updatedAt && Object.keys(raw).length ? updatedAt.toISOString() : null };
}

/** Make sure the tenant has a policy row (defaults), so it can be locked and merged into. */
export async function ensurePolicyRow(tx: DbOrTx, tenantId: string, now: Date): Promise<void> {
  await tx.insert(tenantTicketPolicies).values({ tenantId, updatedAt: now }).onConflictDoNothing();
}

/** Save the admin's settings (audited with before/after); they apply to tickets resolved from now on. */
export async function saveCloseLoopSettings(
  deps: { db: Db; clock: TClock },
  scope: TScope,
  ctx: TAuditCtx,
  input: TCloseLoopConfig,
): Promise<TCloseLoopSettings> {
  const now = deps.clock.now();
  return deps.db.transaction(async (tx) => {
    await ensurePolicyRow(tx, scope.tenantId, now);
    const { raw } = await readCloseLoopRaw(tx, scope.tenantId, true);
    const before = parseCloseLoop(raw);
    const next: TRaw = { ...(raw.survey ? { survey: raw.survey } : {}), ...input };
    await tx
      .update(tenantTicketPolicies)
      .set({ closeLoop: next, updatedAt: now, updatedBy: scope.userId })
      .where(eq(tenantTicketPolicies.tenantId, scope.tenantId));
    await insertAuditEvent(
      tx,
      ctx,
      {
        action: 'close_loop_policy.changed',
        entityType: 'ticket_policy',
        entityId: null,
        unitId: scope.unitId,
        summary: `回访闭环设置: ${input.mode === 'survey' ? '短信问卷' : '电话回访'}，抽样 ${input.samplePercent}%，≤ ${input.reopenAtOrBelow} 分重开`,
        before,
        after: input,
      },
      now,
    );
    return { ...input, updatedAt: now.toISOString() };
  });
}

/** Remember the system survey made for a threshold (kept beside the admin's settings). */
export async function rememberCallbackSurvey(
  tx: DbOrTx,
  tenantId: string,
  survey: { id: string; threshold: number },
): Promise<void> {
  await tx
    .update(tenantTicketPolicies)
    .set({ closeLoop: sql`${tenantTicketPolicies.closeLoop} || ${JSON.stringify({ survey })}::jsonb` })
    .where(eq(tenantTicketPolicies.tenantId, tenantId));
}
