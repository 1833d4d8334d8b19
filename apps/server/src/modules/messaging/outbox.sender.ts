import nodemailer, { type Transporter } from 'nodemailer';
import type { Db, DbOrTx } from '../../db/client.ts';
import type { TClock } from '../../lib/clock.ts';
import { failInterrupted, lockDueMessages, setStatus, type TOutboxRow } from './outbox.repository.ts';

/**
 * A guard decides, right before sending, which messages have lost their purpose (e.g. a reminder to a customer who
 * has answered since). It gets the claimed rows of its ref_type and returns the ids to cancel. Modules that queue
 * messages register their guard in the job registry (jobs/queue.ts), so the outbox knows no business rules.
 */
export type TOutboxGuard = (tx: DbOrTx, rows: TOutboxRow[], now: Date) => Promise<Set<string>>;

export interface TMailSettings {
  smtpUrl: string | undefined;
  mailFrom: string;
}

export interface TSenderDeps {
  db: Db;
  clock: TClock;
  mail: TMailSettings | undefined;
  guards?: Record<string, TOutboxGuard>;
}

const MAX_ATTEMPTS = 5;
const BATCH = 50;
/** A claim older than this without an outcome means the sender died mid-send. */
const STALE_CLAIM_MS = 10 * 60_000;

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
 * Send due e-mail from the outbox. Exactly-once is not possible across SMTP and a database, so the order is chosen
 * to make doubles impossible: (1) claim — status `sending` — and commit; (2) hand to SMTP; (3) record `sent`.
 * A crash between (2) and (3) leaves the row `sending`; the next run marks it `failed` ("delivery unknown") instead
 * of resending it: a lost e-mail is visible on the outbox page and can be requeued by hand, a doubled one could not
 * be taken back. Each message carries a stable Message-ID (<id@huifang>), so a requeued duplicate is recognisable.
 * Transient SMTP errors requeue with backoff (2, 4, 8, 16 min) up to 5 attempts. Without SMTP_URL nothing is sent:
 * messages stay queued.
 */
export async function sendDueEmails(deps: TSenderDeps): Promise<{ sent: number; failed: number; cancelled: number }> {
  const result = { sent: 0, failed: 0, cancelled: 0 };
  const smtpUrl = deps.mail?.smtpUrl;
  if (!smtpUrl) return result;
  await failInterrupted(deps.db, deps.clock.now(), STALE_CLAIM_MS);
  const transport = transportFor(smtpUrl);
  for (;;) {
    const now = deps.clock.now();
    const claimed = await deps.db.transaction(async (tx) => {
      const rows = await lockDueMessages(tx, 'email', now, BATCH);
      const cancel = new Set<string>();
      const guards = deps.guards ?? {};
      for (const refType of new Set(rows.map((r) => r.refType))) {
        const guard = refType ? guards[refType] : undefined;
        if (!guard) continue;
        for (const id of await guard(tx, rows.filter((r) => r.refType === refType), now)) cancel.add(id);
      }
      const cancelled = rows.filter((r) => cancel.has(r.id));
      const toSend = rows.filter((r) => !cancel.has(r.id));
      await setStatus(tx, cancelled, { status: 'cancelled', lastError: null });
      for (const r of toSend) await setStatus(tx, [r], { status: 'sending', attempts: r.attempts + 1, claimedAt: now });
      result.cancelled += cancelled.length;
      return toSend;
    });
    if (claimed.length === 0) break;
    for (const m of claimed) {
      try {
        await transport.sendMail({ from: deps.mail!.mailFrom, to: m.to, subject: m.subject ?? '', text: m.body, messageId: `<${m.id}@huifang>` });
        await setStatus(deps.db, [m], { status: 'sent', sentAt: deps.clock.now(), lastError: null });
        result.sent += 1;
      } catch (err) {
        const attempts = m.attempts + 1;
        const message = err instanceof Error ? err.message.slice(0, 500) : String(err);
        if (attempts >= MAX_ATTEMPTS) {
          await setStatus(deps.db, [m], { status: 'failed', lastError: message });
          result.failed += 1;
        } else {
          const retryAt = new Date(deps.clock.now().getTime() + 2 ** attempts * 60_000);
          await setStatus(deps.db, [m], { status: 'queued', lastError: message, sendAfter: retryAt });
        }
      }
    }
    if (claimed.length < BATCH) break;
  }
  return result;
}
