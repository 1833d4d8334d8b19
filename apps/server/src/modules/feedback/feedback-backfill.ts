import { sql } from 'drizzle-orm';
import type { TEvaluationChannel } from '@huifang/shared';
import type { Db } from '../../db/client.ts';
import { classifyText } from './classifier/classify.ts';
import { insertFeedbackItem } from './feedback.repository.ts';

/**
 * Classify loaded history: every evaluation of the tenant with a free text and no feedback item yet (the demo loaders'
 * survey answers and reviews, whose events carry `isBackfill` and which the consumer leaves alone so that the first
 * run after a load of 100,000 kiosk presses does not wade through them). Listeners are not told: it is history, not
 * news. Idempotent (one item per evaluation); returns how many items it stored.
 */
export async function classifyLoadedHistory(deps: { db: Db }, tenantId: string, batch = 500): Promise<number> {
  let stored = 0;
  for (;;) {
    const res = await deps.db.execute<{
      id: string;
      channel: TEvaluationChannel;
      unit_id: string;
      staff_id: string | null;
      customer_id: string | null;
      text: string;
      occurred_at: Date | string;
    }>(sql`
      select e.id, e.channel, e.unit_id, e.staff_id, e.customer_id, e.text, e.occurred_at
      from evaluations e
      where e.tenant_id = ${tenantId} and btrim(coalesce(e.text, '')) <> ''
        and not exists (select 1 from feedback_items fi where fi.tenant_id = e.tenant_id and fi.evaluation_id = e.id)
      limit ${batch}`);
    if (res.rows.length === 0) return stored;
    await deps.db.transaction(async (tx) => {
      for (const r of res.rows) {
        const text = r.text.trim();
        const item = await insertFeedbackItem(tx, {
          tenantId,
          evaluationId: r.id,
          channel: r.channel,
          unitId: r.unit_id,
          staffId: r.staff_id,
          customerId: r.customer_id,
          text,
          labels: classifyText(text),
          occurredAt: new Date(r.occurred_at),
        });
        if (item) stored++;
      }
    });
  }
}
