import { expect } from 'vitest';
import type { TTestApp } from './test-app.ts';

/**
 * The pipeline's invariant over the whole test database: every stored evaluation has exactly one `recorded` event and
 * every correction exactly one event of its kind. Channel tests call it right after writing through their channel.
 * Returns the `recorded` events of the given evaluation ids (to check their count per id where it matters).
 */
export async function expectOneEventPerFact(t: TTestApp, evaluationIds: string[] = []): Promise<void> {
  const missing = await t.pool.query<{ id: string; channel: string }>(`
    select e.id, e.channel from evaluations e
    left join (select tenant_id, evaluation_id, count(*) as n from evaluation_events where kind = 'recorded' group by 1, 2) ev
      on ev.tenant_id = e.tenant_id and ev.evaluation_id = e.id
    where coalesce(ev.n, 0) <> 1
    limit 5`);
  expect(missing.rows, 'evaluations without exactly one recorded event').toEqual([]);
  const corrections = await t.pool.query<{ id: string }>(`
    select c.id from evaluation_corrections c
    left join (select tenant_id, payload->>'correctionId' as cid, kind, count(*) as n from evaluation_events
               where kind <> 'recorded' group by 1, 2, 3) ev
      on ev.tenant_id = c.tenant_id and ev.cid = c.id::text and ev.kind = c.kind
    where coalesce(ev.n, 0) <> 1
    limit 5`);
  expect(corrections.rows, 'corrections without exactly one event').toEqual([]);
  for (const id of evaluationIds) {
    const n = await t.pool.query(`select 1 from evaluation_events where evaluation_id = $1 and kind = 'recorded'`, [
      id,
    ]);
    expect(n.rowCount, `recorded events of evaluation ${id}`).toBe(1);
  }
}
