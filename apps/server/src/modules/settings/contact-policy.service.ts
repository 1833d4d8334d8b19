import { eq, inArray } from 'drizzle-orm';
import type { TContactPolicyInput, TContactPolicySettings } from '@huifang/shared';
import type { Db, DbOrTx } from '../../db/client.ts';
import { tenantContactPolicies } from '../../db/schema/index.ts';
import type { TClock } from '../../lib/clock.ts';
import type { TAuditCtx, TScope } from '../../lib/scope.ts';
import { insertAuditEvent } from '../audit/audit.repository.ts';
import { contactHoursOf, DEFAULT_TENANT_CONTACT_POLICY, type TContactPolicy } from '../policy/contact-policy.ts';

type TRow = typeof tenantContactPolicies.$inferSelect;
const toDto = (r: TRow | undefined): TContactPolicySettings =>
  r
    ? {
        quietFromHour: r.quietFromHour,
        quietToHour: r.quietToHour,
        minGapDays: r.minGapDays,
        updatedAt: r.updatedAt.toISOString(),
      }
    : { ...DEFAULT_TENANT_CONTACT_POLICY, updatedAt: null };

/** The tenant's contact policy as the admin sees it (the defaults while never saved). */
export async function getContactPolicy(db: DbOrTx, tenantId: string): Promise<TContactPolicySettings> {
  const [r] = await db.select().from(tenantContactPolicies).where(eq(tenantContactPolicies.tenantId, tenantId));
  return toDto(r);
}

/** Contact hours + gap of each tenant, for the sender (one query per batch; tenants without a row get the defaults). */
export async function loadContactPolicies(
  db: DbOrTx,
  tenantIds: readonly string[],
): Promise<Map<string, TContactPolicy>> {
  const rows = tenantIds.length
    ? await db
        .select()
        .from(tenantContactPolicies)
        .where(inArray(tenantContactPolicies.tenantId, [...tenantIds]))
    : [];
  return new Map(
    tenantIds.map((id) => [id, contactHoursOf(rows.find((r) => r.tenantId === id) ?? DEFAULT_TENANT_CONTACT_POLICY)]),
  );
}

/** Save the tenant's contact policy (audited with before/after). The sender applies it from its next run. */
export async function saveContactPolicy(
  deps: { db: Db; clock: TClock },
  scope: TScope,
  ctx: TAuditCtx,
  input: TContactPolicyInput,
): Promise<TContactPolicySettings> {
  const now = deps.clock.now();
  return deps.db.transaction(async (tx) => {
    const [before] = await tx
      .select()
      .from(tenantContactPolicies)
      .where(eq(tenantContactPolicies.tenantId, scope.tenantId))
      .for('update');
    const values = { ...input, updatedAt: now, updatedBy: scope.userId };
    const [row] = await tx
      .insert(tenantContactPolicies)
      .values({ tenantId: scope.tenantId, ...values })
      .onConflictDoUpdate({ target: tenantContactPolicies.tenantId, set: values })
      .returning();
    const dto = toDto(row);
    const pad = (h: number) => `${String(h).padStart(2, '0')}:00`;
    await insertAuditEvent(
      tx,
      ctx,
      {
        action: 'contact_policy.changed',
        entityType: 'contact_policy',
        entityId: null,
        unitId: scope.unitId,
        summary: `联系策略: 免打扰 ${pad(input.quietFromHour)}–${pad(input.quietToHour)}, 间隔 ${input.minGapDays} 天`,
        before: toDto(before),
        after: dto,
      },
      now,
    );
    return dto;
  });
}
