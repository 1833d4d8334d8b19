/**
 * What the SLA stale mark costs a ticket's writers (migration 0064 `ticket_sla_stale`): every insert into
 * `ticket_events` runs the trigger `ticket_events_mark_sla_stale`, which sets `tickets.sla_stale` unless it is set.
 * Measured as the writers work (tickets/ticket-actions.ts): one transaction per action that updates the ticket row,
 * then appends its event, then commits. Every event is the first for its ticket since the SLA job cleared the mark
 * (each round clears every mark first), as for a person's action on a ticket (the job runs every 5 s). Three ways,
 * in alternating rounds on one database:
 *   - `before`: trigger disabled, the update does not touch the mark (the write path before 0064: the baseline);
 *   - `app`: trigger on, the action's own update sets `sla_stale` (what ticket-actions.ts does), the trigger finds it set;
 *   - `triggerOnly`: trigger on, the update does not set it, so the trigger updates the row a second time (any other
 *     writer of ticket_events).
 *   BENCH_TICKETS (tickets per round = transactions per round, default 2,000), BENCH_ROUNDS (per way, default 3)
 */
import { benchApp, insertBenchTickets, median } from './_support.ts';

const TICKETS = Number(process.env.BENCH_TICKETS ?? 2000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

const b = await benchApp();
try {
  const q = (text: string, params: unknown[] = []) => b.pool.query(text, params);
  const t = b.tenantId;
  const { ids } = await insertBenchTickets(q, t, TICKETS);
  await q('vacuum analyze tickets, ticket_events');

  const client = await b.pool.connect();
  type TWay = 'before' | 'app' | 'triggerOnly';
  type TKind = 'note' | 'status';
  let flip = false;
  const round = async (way: TWay, kind: TKind) => {
    // A note changes no indexed column (the ticket's update can be HOT); a status change does (it never is).
    flip = !flip;
    const status = kind === 'status' ? `status = '${flip ? 'in_progress' : 'waiting_customer'}', ` : '';
    const trigger = way !== 'before';
    const mark = way === 'app' ? ', sla_stale = true' : '';
    await client.query(
      `alter table ticket_events ${trigger ? 'enable' : 'disable'} trigger ticket_events_mark_sla_stale`,
    );
    await client.query('update tickets set sla_stale = false where tenant_id = $1', [t]);
    const t0 = performance.now();
    for (const id of ids) {
      await client.query('begin');
      await client.query(`update tickets set ${status}updated_at = now()${mark} where tenant_id = $1 and id = $2`, [
        t,
        id,
      ]);
      await client.query(
        `insert into ticket_events (tenant_id, ticket_id, type, at, from_status, to_status, payload)
         values ($1, $2, 'note', now(), null, null, '{"text":"基准"}')`,
        [t, id],
      );
      await client.query('commit');
    }
    const ms = performance.now() - t0;
    const marked = (
      await client.query('select count(*)::int as n from tickets where tenant_id = $1 and sla_stale', [t])
    ).rows[0].n as number;
    return { usPerAction: Number(((ms * 1000) / ids.length).toFixed(1)), marked };
  };
  const us: Record<TKind, Record<TWay, number[]>> = {
    note: { before: [], app: [], triggerOnly: [] },
    status: { before: [], app: [], triggerOnly: [] },
  };
  await round('app', 'status'); // warm
  for (let i = 0; i < ROUNDS; i++) {
    for (const kind of ['note', 'status'] as const)
      for (const way of ['before', 'app', 'triggerOnly'] as const) {
        const r = await round(way, kind);
        if (way !== 'before' && r.marked !== ids.length) throw new Error(`${way}: ${r.marked} of ${ids.length} marked`);
        us[kind][way].push(r.usPerAction);
      }
  }
  client.release();
  console.log(
    JSON.stringify(
      {
        bench: 'ticket-sla-trigger',
        actionsPerRound: ids.length,
        rounds: ROUNDS,
        usPerAction: us,
        ratioToBefore: Object.fromEntries(
          (['note', 'status'] as const).map((k) => [
            k,
            {
              app: Number((median(us[k].app) / median(us[k].before)).toFixed(3)),
              triggerOnly: Number((median(us[k].triggerOnly) / median(us[k].before)).toFixed(3)),
            },
          ]),
        ),
        note: 'one transaction per action (update the ticket, append its event, commit); every event marks its ticket',
      },
      null,
      2,
    ),
  );
} finally {
  await b.close();
}
