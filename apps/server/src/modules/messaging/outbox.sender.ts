import nodemailer, { type Transporter } from 'nodemailer';
import type { Db, DbOrTx } from '../../db/client.ts';
import { inArray } from 'drizzle-orm';
import { contactEvents, smsSettings } from '../../db/schema/index.ts';
import type { TClock } from '../../lib/clock.ts';
import { forEachConcurrent } from '../../lib/concurrent.ts';
import type { TContactPolicy } from '../policy/contact-policy.ts';
import { decideContacts } from './contact-guard.ts';
import { failInterrupted, findAttachments, lockDueMessages, setStatus, type TOutboxRow } from './outbox.repository.ts';
import { createSmsFactory, type TSmsFactory, type TSmsProvider } from './sms/provider.ts';

/**
 * A guard decides, right before sending, which messages have lost their purpose (e.g. a reminder to a customer who
 * has answered since). It gets the claimed rows of its ref_type and returns the ids to cancel. Modules that queue
 * messages register their guard in the job registry (jobs/queue.ts), so the outbox knows no business rules.
 */
export type TOutboxGuard = (tx: DbOrTx, rows: TOutboxRow[], now: Date) => Promise<Set<string>>;

/**
 * An outcome hook learns, in the same transaction as the outbox change, how a message of its ref_type ended:
 * `sent` (handed to SMTP / accepted by the SMS provider), `blocked` (the contact policy cancelled it; the reason is in
 * policy_outcome) or `failed` (given up after retries, or "delivery unknown" after a crash). Deferral is not an end.
 * Modules register theirs in the job registry, like guards (follow-up tasks: followup/auto-send/auto-send.ts).
 */
export type TOutboxOutcome = 'sent' | 'blocked' | 'failed';
export type TOutboxOutcomeHook = (tx: DbOrTx, rows: TOutboxRow[], outcome: TOutboxOutcome, now: Date) => Promise<void>;

export interface TMailSettings {
  smtpUrl: string | undefined;
  mailFrom: string;
}

export interface TSenderDeps {
  db: Db;
  clock: TClock;
  mail: TMailSettings | undefined;
  guards?: Record<string, TOutboxGuard>;
  /** Outcome hooks by ref_type (see TOutboxOutcomeHook). */
  outcomes?: Record<string, TOutboxOutcomeHook>;
  /** SMS providers from tenant settings (TAppDeps.sms); default: the real adapters, log when unconfigured. */
  sms?: TSmsFactory;
  /** Contact hours and gap; default DEFAULT_CONTACT_POLICY (09–21, 7 days). */
  policy?: TContactPolicy;
  /** Messages handed to SMTP / the SMS provider at once (default SEND_CONCURRENCY). */
  concurrency?: number;
}

export interface TSendResult {
  sent: number;
  failed: number;
  cancelled: number;
  /** Held back by the contact policy (quiet hours, gap); absent when none. */
  deferred?: number;
}

const MAX_ATTEMPTS = 5;
const BATCH = 50;
/**
 * A provider call takes 50–300 ms over HTTP, so one at a time would send a 100,000-message plan in hours. Each message
 * still has its own claim → send → outcome protocol; only the waits overlap. Each in-flight message holds a database
 * connection just for its short outcome transaction, never during the provider call.
 */
export const SEND_CONCURRENCY = 8;
/** A claim older than this without an outcome means the sender died mid-send. */
const STALE_CLAIM_MS = 10 * 60_000;

/** Tell the outcome hooks of the rows' ref_types (in the caller's transaction). */
async function notifyOutcome(
  deps: TSenderDeps,
  tx: DbOrTx,
  rows: TOutboxRow[],
  outcome: TOutboxOutcome,
  now: Date,
): Promise<void> {
  const hooks = deps.outcomes ?? {};
  for (const refType of new Set(rows.map((r) => r.refType))) {
    const hook = refType ? hooks[refType] : undefined;
    if (hook)
      await hook(
        tx,
        rows.filter((r) => r.refType === refType),
        outcome,
        now,
      );
  }
}

/** Claims without an outcome (the sender died mid-send) become failed "delivery unknown"; their hooks hear `failed`. */
async function failStale(deps: TSenderDeps, channel: 'email' | 'sms'): Promise<void> {
  const now = deps.clock.now();
  await deps.db.transaction(async (tx) => {
    const rows = await failInterrupted(tx, now, STALE_CLAIM_MS, channel);
    await notifyOutcome(deps, tx, rows, 'failed', now);
  });
}

const transports = new Map<string, Transporter>();
function transportFor(url: string): Transporter {
  let t = transports.get(url);
  if (!t) {
    t = nodemailer.createTransport(url);
    transports.set(url, t);
  }
  return t;
}

/**
 * Claim due messages of one channel: guards first (a reminder whose purpose is gone → cancelled), then the contact
 * policy (blocked → cancelled with the reason, deferred → stays queued with a later send_after), the rest become
 * `sending` (attempts + 1, claimed_at) — all in one transaction that commits before anything is sent.
 */
async function claim(
  deps: TSenderDeps,
  channel: 'email' | 'sms',
  now: Date,
  result: TSendResult,
): Promise<TOutboxRow[]> {
  return deps.db.transaction(async (tx) => {
    const rows = await lockDueMessages(tx, channel, now, BATCH);
    const cancel = new Set<string>();
    const guards = deps.guards ?? {};
    for (const refType of new Set(rows.map((r) => r.refType))) {
      const guard = refType ? guards[refType] : undefined;
      if (!guard) continue;
      for (const id of await guard(
        tx,
        rows.filter((r) => r.refType === refType),
        now,
      ))
        cancel.add(id);
    }
    const cancelled = rows.filter((r) => cancel.has(r.id));
    await setStatus(tx, cancelled, { status: 'cancelled', lastError: null });
    result.cancelled += cancelled.length;
    const decisions = await decideContacts(
      tx,
      rows.filter((r) => !cancel.has(r.id)),
      now,
      deps.policy,
    );
    const toSend: TOutboxRow[] = [];
    const blocked: TOutboxRow[] = [];
    for (const r of rows) {
      if (cancel.has(r.id)) continue;
      const d = decisions.get(r.id) ?? { kind: 'send' };
      if (d.kind === 'block') {
        await setStatus(tx, [r], { status: 'cancelled', policyOutcome: `blocked:${d.reason}` });
        blocked.push({ ...r, status: 'cancelled', policyOutcome: `blocked:${d.reason}` });
        result.cancelled += 1;
      } else if (d.kind === 'defer') {
        await setStatus(tx, [r], { sendAfter: d.until, policyOutcome: `deferred:${d.reason}` });
        result.deferred = (result.deferred ?? 0) + 1;
      } else {
        await setStatus(tx, [r], { status: 'sending', attempts: r.attempts + 1, claimedAt: now });
        toSend.push(r);
      }
    }
    await notifyOutcome(deps, tx, blocked, 'blocked', now);
    return toSend;
  });
}

/** `sent` and, for a customer, the contact_event that the gap rule counts — one transaction. */
async function markSent(deps: TSenderDeps, m: TOutboxRow, providerMessageId: string | null): Promise<void> {
  const at = deps.clock.now();
  await deps.db.transaction(async (tx) => {
    await setStatus(tx, [m], { status: 'sent', sentAt: at, lastError: null, providerMessageId });
    if (m.customerId)
      await tx.insert(contactEvents).values({
        tenantId: m.tenantId,
        customerId: m.customerId,
        at,
        channel: m.channel,
        refType: 'outbox_message',
        refId: m.id,
      });
    await notifyOutcome(deps, tx, [{ ...m, status: 'sent', sentAt: at, providerMessageId }], 'sent', at);
  });
}

async function markError(deps: TSenderDeps, m: TOutboxRow, err: unknown, result: TSendResult): Promise<void> {
  const attempts = m.attempts + 1;
  const message = err instanceof Error ? err.message.slice(0, 500) : String(err);
  if (attempts >= MAX_ATTEMPTS) {
    const now = deps.clock.now();
    await deps.db.transaction(async (tx) => {
      await setStatus(tx, [m], { status: 'failed', lastError: message });
      await notifyOutcome(deps, tx, [{ ...m, status: 'failed', lastError: message }], 'failed', now);
    });
    result.failed += 1;
  } else {
    const retryAt = new Date(deps.clock.now().getTime() + 2 ** attempts * 60_000);
    await setStatus(deps.db, [m], { status: 'queued', lastError: message, sendAfter: retryAt });
  }
}

/**
 * Send due e-mail from the outbox. Exactly-once is not possible across SMTP and a database, so the order is chosen
 * to make doubles impossible: (1) claim — status `sending` — and commit; (2) hand to SMTP; (3) record `sent`.
 * A crash between (2) and (3) leaves the row `sending`; the next run marks it `failed` ("delivery unknown") instead
 * of resending it: a lost e-mail is visible on the outbox page and can be requeued by hand, a doubled one could not
 * be taken back. Each message carries a stable Message-ID (<id@huifang>), so a requeued duplicate is recognisable.
 * Transient SMTP errors requeue with backoff (2, 4, 8, 16 min) up to 5 attempts. Without SMTP_URL nothing is sent:
 * messages stay queued. Messages to a customer pass the contact policy first (contact-guard.ts).
 */
export async function sendDueEmails(deps: TSenderDeps): Promise<TSendResult> {
  const result: TSendResult = { sent: 0, failed: 0, cancelled: 0 };
  const smtpUrl = deps.mail?.smtpUrl;
  if (!smtpUrl) return result;
  await failStale(deps, 'email');
  const transport = transportFor(smtpUrl);
  for (;;) {
    const claimed = await claim(deps, 'email', deps.clock.now(), result);
    const files = await findAttachments(deps.db, claimed);
    await forEachConcurrent(claimed, deps.concurrency ?? SEND_CONCURRENCY, async (m) => {
      try {
        await transport.sendMail({
          from: deps.mail!.mailFrom,
          to: m.to,
          subject: m.subject ?? '',
          text: m.body,
          messageId: `<${m.id}@huifang>`,
          attachments: files.get(m.id)?.map((a) => ({
            filename: a.fileName,
            contentType: a.contentType,
            content: a.content,
          })),
        });
      } catch (err) {
        await markError(deps, m, err, result);
        return;
      }
      await markSent(deps, m, null);
      result.sent += 1;
    });
    if (claimed.length < BATCH) break;
  }
  return result;
}

/** The text of an SMS as sent: marketing messages always end with the tenant's opt-out text (拒收请回复R). */
export function smsText(m: Pick<TOutboxRow, 'body' | 'isMarketing'>, optOutText: string): string {
  if (!m.isMarketing || m.body.includes(optOutText)) return m.body;
  return `${m.body} ${optOutText}`;
}

/**
 * Send due SMS: the same protocol and the same at-most-once choice as e-mail (claim → `sending` committed → provider
 * → `sent` with the provider's message id, or requeue/`failed` with the error; a claim that never got an outcome
 * becomes `failed` "delivery unknown" and is not resent on its own). The provider comes from the tenant's SMS
 * settings (log provider when none).
 */
export async function sendDueSms(deps: TSenderDeps): Promise<TSendResult> {
  const result: TSendResult = { sent: 0, failed: 0, cancelled: 0 };
  const factory = deps.sms ?? createSmsFactory();
  await failStale(deps, 'sms');
  for (;;) {
    const claimed = await claim(deps, 'sms', deps.clock.now(), result);
    const tenantIds = [...new Set(claimed.map((m) => m.tenantId))];
    const settings = tenantIds.length
      ? await deps.db.select().from(smsSettings).where(inArray(smsSettings.tenantId, tenantIds))
      : [];
    const providers = new Map<string, { provider: TSmsProvider | Error; optOut: string }>();
    for (const t of tenantIds) {
      const s = settings.find((x) => x.tenantId === t) ?? null;
      let provider: TSmsProvider | Error;
      try {
        provider = factory(s);
      } catch (err) {
        provider = err instanceof Error ? err : new Error(String(err));
      }
      providers.set(t, { provider, optOut: s?.optOutText ?? DEFAULT_OPT_OUT });
    }
    await forEachConcurrent(claimed, deps.concurrency ?? SEND_CONCURRENCY, async (m) => {
      const p = providers.get(m.tenantId)!;
      let providerMessageId: string;
      try {
        if (p.provider instanceof Error) throw p.provider;
        const params = Array.isArray(m.templateParams) ? Object.fromEntries(m.templateParams) : m.templateParams;
        ({ providerMessageId } = await p.provider.send({
          to: m.to,
          text: smsText(m, p.optOut),
          templateCode: m.templateCode,
          params,
        }));
      } catch (err) {
        await markError(deps, m, err, result);
        return;
      }
      await markSent(deps, m, providerMessageId);
      result.sent += 1;
    });
    if (claimed.length < BATCH) break;
  }
  return result;
}

export const DEFAULT_OPT_OUT = '拒收请回复R';
