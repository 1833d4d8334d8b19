import type { Db } from '../../db/client.ts';
import type { TJobSender } from '../../jobs/queue.ts';
import { AppError, notFound } from '../../lib/app-error.ts';
import type { TClock } from '../../lib/clock.ts';
import type { TAuditCtx, TScope } from '../../lib/scope.ts';
import { insertAuditEvent } from '../audit/audit.repository.ts';
import { findVisibleMessage, setStatus, type TOutboxRow } from './outbox.repository.ts';

/**
 * Requeue a failed message (e.g. "delivery unknown" after a crash, once the admin has checked it was not delivered).
 * Audited; the sender job is nudged after the commit.
 */
export async function requeueMessage(
  deps: { db: Db; clock: TClock; jobs: TJobSender },
  scope: TScope,
  ctx: TAuditCtx,
  id: string,
): Promise<TOutboxRow> {
  const now = deps.clock.now();
  const row = await deps.db.transaction(async (tx) => {
    const m = await findVisibleMessage(tx, scope, id);
    if (!m) throw notFound('message');
    if (m.status !== 'failed')
      throw new AppError('CONFLICT', 'only failed messages can be requeued', {
        details: [{ path: 'params.id', message: `status is ${m.status}` }],
      });
    await setStatus(tx, [m], { status: 'queued', sendAfter: now, attempts: 0 });
    await insertAuditEvent(
      tx,
      ctx,
      {
        action: 'outbox.requeued',
        entityType: 'outbox_message',
        entityId: m.id,
        unitId: m.unitId,
        summary: '重新发送消息',
      },
      now,
    );
    return { ...m, status: 'queued', sendAfter: now, attempts: 0 };
  });
  await deps.jobs.send('outbox-send', {});
  return row;
}
