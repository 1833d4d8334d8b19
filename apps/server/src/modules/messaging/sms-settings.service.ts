import { eq } from 'drizzle-orm';
import type { TSmsSettings, TSmsSettingsInput } from '@huifang/shared';
import type { Db } from '../../db/client.ts';
import { smsSettings } from '../../db/schema/index.ts';
import type { TClock } from '../../lib/clock.ts';
import type { TAuditCtx } from '../../lib/scope.ts';
import { insertAuditEvent } from '../audit/audit.repository.ts';
import { invalidField } from '../../lib/app-error.ts';
import { DEFAULT_OPT_OUT } from './outbox.sender.ts';

type TRow = typeof smsSettings.$inferSelect;

/** The secret never leaves the server: only whether one is stored. */
export const toSmsSettingsDto = (r: TRow | null): TSmsSettings => ({
  provider: (r?.provider ?? 'log') as TSmsSettings['provider'],
  accessKeyId: r?.accessKeyId ?? null,
  accessKeySecretSet: Boolean(r?.accessKeySecret),
  signName: r?.signName ?? null,
  sdkAppId: r?.sdkAppId ?? null,
  region: r?.region ?? null,
  optOutText: r?.optOutText ?? DEFAULT_OPT_OUT,
  receiptTokenSet: Boolean(r?.receiptTokenHash),
  updatedAt: r?.updatedAt.toISOString() ?? null,
});

export async function getSmsSettings(db: Db, tenantId: string): Promise<TRow | null> {
  const [r] = await db.select().from(smsSettings).where(eq(smsSettings.tenantId, tenantId));
  return r ?? null;
}

/** Save the tenant's SMS settings (audited, the secret never in the audit row). An absent secret keeps the stored one. */
export async function saveSmsSettings(
  deps: { db: Db; clock: TClock },
  ctx: TAuditCtx,
  input: TSmsSettingsInput,
): Promise<TSmsSettings> {
  const now = deps.clock.now();
  return deps.db.transaction(async (tx) => {
    const [before] = await tx.select().from(smsSettings).where(eq(smsSettings.tenantId, ctx.tenantId)).for('update');
    const secret = input.accessKeySecret ?? before?.accessKeySecret ?? null;
    if (input.provider !== 'log' && !secret) throw invalidField('body.accessKeySecret', 'required for this provider');
    const values = {
      provider: input.provider,
      accessKeyId: input.accessKeyId ?? null,
      accessKeySecret: input.provider === 'log' ? (before?.accessKeySecret ?? null) : secret,
      signName: input.signName ?? null,
      sdkAppId: input.sdkAppId ?? null,
      region: input.region ?? null,
      optOutText: input.optOutText,
      updatedAt: now,
    };
    const [row] = await tx
      .insert(smsSettings)
      .values({ tenantId: ctx.tenantId, ...values })
      .onConflictDoUpdate({ target: smsSettings.tenantId, set: values })
      .returning();
    const dto = toSmsSettingsDto(row!);
    await insertAuditEvent(
      tx,
      ctx,
      {
        action: 'sms.settings_changed',
        entityType: 'sms_settings',
        entityId: null,
        summary: `短信服务商 ${input.provider}`,
        before: before ? toSmsSettingsDto(before) : null,
        after: { ...dto, secretChanged: Boolean(input.accessKeySecret) },
      },
      now,
    );
    return dto;
  });
}
