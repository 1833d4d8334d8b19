import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TTestApp } from '../../../test/test-app.ts';

/**
 * Migration 0069 wrote four read-model trigger functions with static statements pasted from the upsert builders the
 * rebuilds use (rollup_triggers_make_static). A later migration that changes a builder and forgets to call it again
 * would leave the triggers counting the old way while the rebuild counts the new way: these tests catch that.
 */
let t: TTestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

const norm = (s: string) => s.replace(/\s+/g, ' ').trim();

describe('rollup trigger functions (migration 0069)', () => {
  it('hold, for every branch, exactly the statements their builders produce, and no dynamic EXECUTE', async () => {
    const sources = (await t.pool.query<{ fn: string; op: string }>('select fn, op from rollup_trigger_sources()'))
      .rows;
    expect(new Set(sources.map((s) => s.fn))).toEqual(
      new Set([
        'session_hour_rollups_on_change',
        'followup_task_rollups_on_change',
        'followup_done_rollups_on_change',
        'ticket_rollups_tenant_on_change',
      ]),
    );
    for (const { fn, op } of sources) {
      const body = norm(
        (await t.pool.query<{ src: string }>('select prosrc as src from pg_proc where proname = $1', [fn])).rows[0]!
          .src,
      );
      expect(body, fn).not.toMatch(/\bEXECUTE\b/i);
      const stmts = (await t.pool.query<{ s: string[] }>('select rollup_trigger_statements($1, $2) as s', [fn, op]))
        .rows[0]!.s;
      expect(stmts.length, `${fn} ${op}`).toBeGreaterThan(0);
      for (const s of stmts) expect(body.includes(norm(s)), `${fn} ${op}: ${norm(s).slice(0, 80)}…`).toBe(true);
    }
  });

  it('no trigger function on a write path builds dynamic SQL but the value-run bulk ones', async () => {
    const r = await t.pool.query<{ proname: string }>(
      `select p.proname from pg_proc p
       where p.prorettype = 'trigger'::regtype and p.prosrc ~* '\\mexecute\\M' and p.pronamespace = 'public'::regnamespace
       order by 1`,
    );
    // Both fire once per bulk statement of a value run (customer_values, churn_warnings), not per user action.
    expect(r.rows.map((x) => x.proname)).toEqual([
      'churn_warning_counts_on_change',
      'customer_value_rollups_on_change',
    ]);
  });
});
