import crypto from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import type { TReceiptResult, TSmsReceiptToken } from '@huifang/shared';
import type { TConfig } from '../../config/env.ts';
import type { Db } from '../../db/client.ts';
import { smsSettings } from '../../db/schema/index.ts';
import { notFound } from '../../lib/app-error.ts';
import type { TClock } from '../../lib/clock.ts';
import type { TAuditCtx } from '../../lib/scope.ts';
import { insertAuditEvent } from '../audit/audit.repository.ts';
import { zonedInstant } from '../policy/calendar.ts';
import { DEFAULT_OPT_OUT } from './outbox.sender.ts';

/** One delivery report 回执, provider-neutral. */
export interface TReceipt {
  providerMessageId: string;
  delivered: boolean;
  /** The provider's report time (handset receipt / carrier verdict); null when absent or unreadable. */
  at: Date | null;
  /** Status code and text, e.g. `DELIVERED 用户接收成功`. */
  detail: string | null;
}

/** Providers report local China time as `YYYY-MM-DD HH:mm:ss`. */
export function parseReportTime(s: string | null | undefined): Date | null {
  const m = s?.match(/^(\d{4}-\d{2}-\d{2})[ T](\d{2}):(\d{2}):(\d{2})$/);
  if (!m) return null;
  const base = zonedInstant(m[1]!, Number(m[2]), 'Asia/Shanghai');
  return new Date(base.getTime() + Number(m[3]) * 60_000 + Number(m[4]) * 1000);
}

/** Only the SHA-256 of a receipt token is stored (sms_settings.receipt_token_hash). */
const hashReceiptToken = (token: string) => crypto.createHash('sha256').update(token).digest('hex');

const receiptUrls = (config: Pick<TConfig, 'publicBaseUrl'>, token: string) => ({
  aliyunUrl: `${config.publicBaseUrl}/api/public/sms-receipts/aliyun/${token}`,
  tencentUrl: `${config.publicBaseUrl}/api/public/sms-receipts/tencent/${token}`,
});

/**
 * A new receipt webhook token for the tenant (the old one stops working at once). Returned once with the URLs to
 * enter in the Aliyun / Tencent consoles; only its hash is stored, so afterwards the API can only say that one is
 * set. Audited without the token.
 */
export async function rotateReceiptToken(
  deps: { db: Db; clock: TClock; config: Pick<TConfig, 'publicBaseUrl'> },
  ctx: TAuditCtx,
): Promise<TSmsReceiptToken> {
  const now = deps.clock.now();
  const token = crypto.randomBytes(24).toString('base64url');
  await deps.db.transaction(async (tx) => {
    await tx
      .insert(smsSettings)
      .values({
        tenantId: ctx.tenantId,
        provider: 'log',
        optOutText: DEFAULT_OPT_OUT,
        receiptTokenHash: hashReceiptToken(token),
        updatedAt: now,
      })
      .onConflictDoUpdate({
        target: smsSettings.tenantId,
        set: { receiptTokenHash: hashReceiptToken(token), updatedAt: now },
      });
    await insertAuditEvent(
      tx,
      ctx,
      { action: 'sms.receipt_token_rotated', entityType: 'sms_settings', entityId: null, summary: '生成短信回执地址' },
      now,
    );
  });
  return { token, ...receiptUrls(deps.config, token) };
}

/** The tenant of a webhook token; 404 for an unknown one (no hint whether the path or the token is wrong). */
export async function tenantOfReceiptToken(db: Db, token: string): Promise<string> {
  if (!/^[A-Za-z0-9_-]{20,64}$/.test(token)) throw notFound('receipt endpoint');
  const [row] = await db
    .select({ tenantId: smsSettings.tenantId })
    .from(smsSettings)
    .where(eq(smsSettings.receiptTokenHash, hashReceiptToken(token)));
  if (!row) throw notFound('receipt endpoint');
  return row.tenantId;
}

/**
 * Apply delivery reports to the tenant's sent SMS, matched by the provider message id the sender stored (BizId /
 * SerialNo). Idempotent: a report that repeats the status a message already has changes nothing and logs nothing;
 * ids we never sent (another system on the same account, or a message still between provider and `sent`) are
 * ignored and counted. A changed status of an automatic follow-up message is logged on its task (message_delivery).
 * One statement for the update and one for the task log, however many reports a push carries.
 */
export async function applyReceipts(
  db: Db,
  tenantId: string,
  receipts: TReceipt[],
  now: Date,
): Promise<TReceiptResult> {
  if (receipts.length === 0) return { updated: 0, unchanged: 0, unknown: 0 };
  // The last report per id wins within one push.
  const byId = new Map(receipts.map((r) => [r.providerMessageId, r]));
  const data = JSON.stringify(
    [...byId.values()].map((r) => ({
      id: r.providerMessageId,
      s: r.delivered ? 'delivered' : 'undelivered',
      at: (r.at ?? now).toISOString(),
      d: r.detail?.slice(0, 500) ?? null,
    })),
  );
  return db.transaction(async (tx) => {
    const res = await tx.execute<{ matched: number; updated: number }>(sql`
      with r as (select x->>'id' as id, x->>'s' as s, (x->>'at')::timestamptz as at, x->>'d' as d from jsonb_array_elements(${data}::jsonb) x),
      m as (select o.tenant_id, o.id, o.ref_type, o.ref_id, r.s, r.at, r.d, o.delivery_status is distinct from r.s or o.delivery_error is distinct from r.d as changed
            from outbox_messages o join r on o.provider_message_id = r.id
            where o.tenant_id = ${tenantId} and o.channel = 'sms' and o.provider_message_id is not null
            for update of o),
      u as (update outbox_messages o set delivery_status = m.s, delivered_at = m.at, delivery_error = m.d
            from m where m.changed and o.tenant_id = m.tenant_id and o.id = m.id returning o.id),
      ev as (insert into followup_task_events (tenant_id, task_id, kind, at, actor_id, data)
             select m.tenant_id, m.ref_id, 'message_delivery', ${now}::timestamptz, null,
                    jsonb_build_object('status', m.s, 'detail', m.d, 'reportedAt', m.at, 'outboxId', m.id, 'channel', 'sms')
             from m join followup_tasks t on t.tenant_id = m.tenant_id and t.id = m.ref_id
             where m.changed and m.ref_type = 'followup_task')
      select (select count(*)::int from m) as matched, (select count(*)::int from u) as updated`);
    const matched = Number(res.rows[0]?.matched ?? 0);
    const updated = Number(res.rows[0]?.updated ?? 0);
    return { updated, unchanged: matched - updated, unknown: byId.size - matched };
  });
}
