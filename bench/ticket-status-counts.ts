/**
 * What the ticket_status_counts trigger (dashboard read model, migration 0040) costs every UPDATE of a ticket, before
 * and after migration 0067 made its statements static: single-row UPDATEs of tickets from one connection, inside one
 * transaction per round (no commit cost), µs per statement, for an update that changes no counted column (a note, an
 * SLA mark: `updated_at` only) and one that changes the status. Baseline in the same run, on the same database, in
 * alternating rounds: the trigger function as 0040 wrote it (one dynamic EXECUTE of the upsert, planned every time).
 * After the rounds, the counts are checked against a GROUP BY over the tickets.
 *   BENCH_TICKETS (updates per round, default 2,000), BENCH_ROUNDS (per way and kind, default 3)
 */
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { benchApp, insertBenchTickets, median } from './_support.ts';

const TICKETS = Number(process.env.BENCH_TICKETS ?? 2000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const migrations = path.join(import.meta.dirname, '../apps/server/src/db/migrations');
const parts = (file: string) => fs.readFileSync(path.join(migrations, file), 'utf8').split('--> statement-breakpoint');

const b = await benchApp();
const client = new pg.Client({ connectionString: b.connectionString });
try {
  await client.connect();
  const q = (text: string, params: unknown[] = []) => client.query(text, params);
  const t = b.tenantId;
  const { unit, ids } = await insertBenchTickets(q, t, TICKETS);
  await q('vacuum analyze tickets');
  const before = parts('0040_dashboard_rollups.sql')
    .find((s) => s.includes('CREATE FUNCTION ticket_status_counts_on_change'))!
    .replace('CREATE FUNCTION', 'CREATE OR REPLACE FUNCTION');
  const after = parts('0067_ticket_status_counts_static.sql')[0]!;
  const ways = { before, after } as const;
  type TWay = keyof typeof ways;
  type TKind = 'noChange' | 'status';
  const round = async (way: TWay, kind: TKind) => {
    await q(ways[way]);
    await q('begin');
    const started = performance.now();
    for (const id of ids)
      await q(
        kind === 'status'
          ? `update tickets set status = case status when 'new' then 'assigned' else 'new' end, updated_at = now() where id = $1`
          : 'update tickets set updated_at = now() where id = $1',
        [id],
      );
    const micros = ((performance.now() - started) * 1000) / ids.length;
    await q('commit');
    return micros;
  };
  const us: Record<TWay, Record<TKind, number[]>> = {
    before: { noChange: [], status: [] },
    after: { noChange: [], status: [] },
  };
  await round('after', 'noChange'); // warm-up
  for (let i = 0; i < ROUNDS; i++)
    for (const kind of ['noChange', 'status'] as const)
      for (const way of (i % 2 ? ['after', 'before'] : ['before', 'after']) as TWay[])
        us[way][kind].push(Math.round(await round(way, kind)));
  await q(after);
  const counted = await q(
    `select coalesce(sum(tickets), 0)::int as n from ticket_status_counts where tenant_id = $1 and unit_id = $2`,
    [t, unit],
  );
  const actual = await q(`select count(*)::int as n from tickets where tenant_id = $1 and unit_id = $2`, [t, unit]);
  const ratio = (kind: TKind) => Number((median(us.before[kind]) / median(us.after[kind])).toFixed(2));
  console.log(
    JSON.stringify(
      {
        bench: 'ticket-status-counts',
        updatesPerRound: TICKETS,
        microsPerUpdate: us,
        speedup: { noChange: ratio('noChange'), status: ratio('status') },
        countsAgree: counted.rows[0].n === actual.rows[0].n,
      },
      null,
      2,
    ),
  );
} finally {
  await client.end().catch(() => undefined);
  await b.close();
}
