import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  TICKET_CATEGORIES,
  TICKET_PRIORITIES,
  ticketNextStatus,
  type TTicketAction,
  type TTicketStatus,
} from '@huifang/shared';
import { unitIdByCode, userIdByName } from '../../../../test/helpers.ts';
import { createTestApp, type TTestApp } from '../../../../test/test-app.ts';
import { applyTicketAction, appendTicketEvent, openTicket } from '../ticket-actions.ts';
import { readTicketRollups, rebuildTicketRollups } from './ticket-rollups.ts';

/**
 * Property: whatever tickets (units, staff or none, categories, priorities, opened around local midnights in a zone
 * with a daylight-saving change) and whatever sequence of events through the write path — state-machine actions
 * (resolve, close, reopen, …), SLA breaches, category and priority edits, fault decisions made and changed — every
 * `ticket_rollups` row equals a GROUP BY over `ticket_events` with the tickets' current keys, and a rebuild gives the
 * same rows.
 */
let t: TTestApp;
let units: string[];
let staff: string[];
let agentId: string;
const TIME_ZONE = 'America/New_York'; // 8 March 2026 is a DST change there
const T0 = new Date('2026-03-08T05:00:00Z').getTime(); // local midnight of 8 March (EST)
const MIN = 60_000;

beforeAll(async () => {
  t = await createTestApp();
  await t.pool.query('update tenants set time_zone = $1 where id = $2', [TIME_ZONE, t.tenantId]);
  units = await Promise.all(['SH-LJZ', 'SH-XJH', 'HZ-XH'].map((c) => unitIdByCode(t, c)));
  staff = await Promise.all(['chen.teller', 'teller02'].map((u) => userIdByName(t, u)));
  agentId = await userIdByName(t, 'liu.agent');
});
afterAll(async () => t.close());

const arbTicket = fc.record({
  unit: fc.nat(2),
  staff: fc.option(fc.nat(1), { nil: null }),
  category: fc.constantFrom(...TICKET_CATEGORIES.slice(0, 3)),
  priority: fc.constantFrom(...TICKET_PRIORITIES),
  /** Minutes from T0: around local midnights. */
  minutes: fc.oneof(
    fc.integer({ min: -1440, max: 2 * 1440 }),
    fc.tuple(fc.integer({ min: -1, max: 2 }), fc.integer({ min: -3, max: 3 })).map(([d, m]) => d * 1440 + m),
  ),
});
type TStep =
  | { k: 'action'; action: TTicketAction }
  | { k: 'sla_breached' }
  | { k: 'category'; value: (typeof TICKET_CATEGORIES)[number] }
  | { k: 'priority'; value: (typeof TICKET_PRIORITIES)[number] }
  | { k: 'fault'; value: 'at_fault' | 'no_fault' };
const arbStep: fc.Arbitrary<{ ticket: number; after: number; step: TStep }> = fc.record({
  ticket: fc.nat(5),
  /** Minutes after the previous event of the run. */
  after: fc.oneof(fc.integer({ min: 0, max: 90 }), fc.integer({ min: 0, max: 1500 })),
  step: fc.oneof(
    {
      weight: 6,
      arbitrary: fc
        .constantFrom<TTicketAction>(
          'start',
          'resolve',
          'close',
          'reopen',
          'assign',
          'escalate',
          'wait_customer',
          'customer_replied',
        )
        .map((action) => ({ k: 'action' as const, action })),
    },
    { weight: 2, arbitrary: fc.constant({ k: 'sla_breached' as const }) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(...TICKET_CATEGORIES.slice(0, 3)).map((value) => ({ k: 'category' as const, value })),
    },
    { weight: 1, arbitrary: fc.constantFrom(...TICKET_PRIORITIES).map((value) => ({ k: 'priority' as const, value })) },
    {
      weight: 2,
      arbitrary: fc
        .constantFrom('at_fault' as const, 'no_fault' as const)
        .map((value) => ({ k: 'fault' as const, value })),
    },
  ),
});

const COLUMNS = `tenant_id, day::text, unit_id, staff_id, category, priority, received, resolved,
  resolution_minutes::int, closed, reopened, sla_breaches, at_fault, no_fault`;

const stored = async () =>
  (
    await t.pool.query(
      `select ${COLUMNS} from ticket_rollups where tenant_id = $1
         and (received, resolved, resolution_minutes, closed, reopened, sla_breaches, at_fault, no_fault) <> (0, 0, 0, 0, 0, 0, 0, 0)
       order by 2, 3, 4, 5, 6`,
      [t.tenantId],
    )
  ).rows;

/** The same figures by GROUP BY over the events, the rules written out here independently of the listener. */
const expected = async () =>
  (
    await t.pool.query(
      `select e.tenant_id, (e.at at time zone tn.time_zone)::date::text as day, k.unit_id, k.staff_id, k.category, k.priority,
              (count(*) filter (where e.type = 'created'))::int as received,
              (count(*) filter (where e.type = 'resolve'))::int as resolved,
              coalesce(sum(floor(extract(epoch from (e.at - k.created_at)) / 60)) filter (where e.type = 'resolve'), 0)::int as resolution_minutes,
              (count(*) filter (where e.type = 'close'))::int as closed,
              (count(*) filter (where e.type = 'reopen'))::int as reopened,
              (count(*) filter (where e.type = 'sla_breached'))::int as sla_breaches,
              (count(*) filter (where e.type = 'created' and k.fault_decision = 'at_fault'))::int as at_fault,
              (count(*) filter (where e.type = 'created' and k.fault_decision = 'no_fault'))::int as no_fault
       from ticket_events e join tickets k on k.tenant_id = e.tenant_id and k.id = e.ticket_id join tenants tn on tn.id = e.tenant_id
       where e.tenant_id = $1 and e.type in ('created', 'resolve', 'close', 'reopen', 'sla_breached')
       group by 1, 2, 3, 4, 5, 6 order by 2, 3, 4, 5, 6`,
      [t.tenantId],
    )
  ).rows;

const MEASURES = [
  'received',
  'resolved',
  'resolution_minutes',
  'closed',
  'reopened',
  'sla_breaches',
  'at_fault',
  'no_fault',
] as const;
type TRow = Record<string, unknown>;

/** Rows in one JS order of their key columns (a null key first), for both sides of a comparison. */
const inOrder = (rows: TRow[], keys: readonly string[]) => {
  const k = (r: TRow) => keys.map((c) => (r[c] === null ? '' : String(r[c]))).join('|');
  return [...rows].sort((a, b) => (k(a) < k(b) ? -1 : k(a) > k(b) ? 1 : 0));
};

/** The expected fine rows summed under other keys (`keyOf`), rows of zeros left out. */
function summed(rows: TRow[], keyOf: (r: TRow) => TRow): TRow[] {
  const sums = new Map<string, TRow>();
  for (const r of rows) {
    const keys = keyOf(r);
    const id = JSON.stringify(Object.values(keys));
    const acc = sums.get(id) ?? { ...keys, ...Object.fromEntries(MEASURES.map((m) => [m, 0])) };
    for (const m of MEASURES) acc[m] = (acc[m] as number) + (r[m] as number);
    sums.set(id, acc);
  }
  return [...sums.values()].filter((r) => MEASURES.some((m) => r[m] !== 0));
}

/** A derived table (tenant, month) as stored: its key columns, then the measures, zero rows left out. */
const storedOf = async (table: string, keys: readonly string[]) =>
  inOrder(
    (
      await t.pool.query(
        `select ${keys.join(', ')}, ${MEASURES.map((m) => (m === 'resolution_minutes' ? `${m}::int` : m)).join(', ')}
         from ${table} where tenant_id = $1 and (${MEASURES.join(', ')}) <> (${MEASURES.map(() => 0).join(', ')})`,
        [t.tenantId],
      )
    ).rows,
    keys.map((k) => k.replace('::text', '')),
  );

/** ticket_rollups_tenant: the events per local day × category × priority. */
const TENANT_KEYS = ['day', 'category', 'priority'];
const storedTenant = () => storedOf('ticket_rollups_tenant', ['day::text', 'category', 'priority']);
const expectedTenant = async () =>
  inOrder(
    summed(await expected(), (r) => ({ day: r.day, category: r.category, priority: r.priority })),
    TENANT_KEYS,
  );

/** ticket_rollups_month: the events per local month × unit × staff. */
const MONTH_KEYS = ['month', 'unit_id', 'staff_id'];
const storedMonthSorted = () => storedOf('ticket_rollups_month', ['month::text', 'unit_id', 'staff_id']);
const expectedMonth = async () =>
  inOrder(
    summed(await expected(), (r) => ({
      month: `${String(r.day).slice(0, 7)}-01`,
      unit_id: r.unit_id,
      staff_id: r.staff_id,
    })),
    MONTH_KEYS,
  );

/** The tenant-wide scope of an administrator. */
const wholeTenant = () => ({
  tenantId: t.tenantId,
  userId: '00000000-0000-0000-0000-000000000000',
  unitId: units[0]!,
  unitPath: '/',
  dataScope: 'tenant' as const,
});

describe('complaint rollups (property)', () => {
  it('equal a GROUP BY over the ticket events after any sequence of events, and the rebuild agrees', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(arbTicket, { minLength: 1, maxLength: 6 }),
        fc.array(arbStep, { maxLength: 40 }),
        async (ticketsIn, steps) => {
          // Each run starts from rollups equal to the events so far, so that a counterexample stands on its own.
          await rebuildTicketRollups(t.db, t.tenantId);
          const ids: string[] = [];
          const status: TTicketStatus[] = [];
          const level: number[] = [];
          let clock = T0;
          for (const k of ticketsIn) {
            const at = new Date(T0 + k.minutes * MIN);
            clock = Math.max(clock, at.getTime());
            const { ticket } = await t.db.transaction((tx) =>
              openTicket(tx, {
                tenantId: t.tenantId,
                source: 'manual',
                category: k.category,
                priority: k.priority,
                title: '投诉',
                unitId: units[k.unit]!,
                staffId: k.staff === null ? null : staff[k.staff]!,
                createdBy: null,
                at,
              }),
            );
            ids.push(ticket.id);
            status.push('new');
            level.push(0);
          }
          for (const s of steps) {
            const i = s.ticket % ids.length;
            clock += s.after * MIN;
            const at = new Date(clock);
            const base = { tenantId: t.tenantId, ticketId: ids[i]!, actorId: agentId, at };
            const st = s.step;
            if (st.k === 'action') {
              const to = ticketNextStatus(status[i]!, st.action);
              if (!to || (st.action === 'escalate' && level[i]! >= 3)) continue;
              const { ticket } = await t.db.transaction((tx) =>
                applyTicketAction(tx, {
                  ...base,
                  action: st.action,
                  ...(st.action === 'assign' || st.action === 'escalate' ? { assigneeId: agentId } : {}),
                }),
              );
              status[i] = ticket.status as TTicketStatus;
              level[i] = ticket.escalationLevel;
            } else if (st.k === 'sla_breached') {
              await t.db.transaction((tx) => appendTicketEvent(tx, { ...base, type: 'sla_breached' }));
            } else if (st.k === 'category') {
              await t.db.transaction((tx) =>
                appendTicketEvent(tx, { ...base, type: 'category_changed', set: { category: st.value } }),
              );
            } else if (st.k === 'priority') {
              await t.db.transaction((tx) =>
                appendTicketEvent(tx, { ...base, type: 'priority_changed', set: { priority: st.value } }),
              );
            } else {
              await t.db.transaction((tx) =>
                appendTicketEvent(tx, { ...base, type: 'appeal_decided', set: { faultDecision: st.value } }),
              );
            }
          }
          const want = await expected();
          expect(await stored()).toEqual(want);
          const wantTenant = await expectedTenant();
          expect(await storedTenant()).toEqual(wantTenant);
          const wantMonth = await expectedMonth();
          expect(await storedMonthSorted()).toEqual(wantMonth);
          // The reader over ranges of whole and partial months (month table, day table, both) = the events per staff.
          for (const [fromDay, toDay] of [
            ['2026-03-01', '2026-04-01'],
            ['2026-03-08', '2026-05-01'],
            ['2026-02-20', '2026-04-10'],
          ] as const) {
            const perStaff = new Map<string, { received: number; atFault: number; resolved: number }>();
            for (const r of want.filter((x) => String(x.day) >= fromDay && String(x.day) < toDay)) {
              const k = String(r.staff_id);
              const acc = perStaff.get(k) ?? { received: 0, atFault: 0, resolved: 0 };
              acc.received += r.received as number;
              acc.atFault += r.at_fault as number;
              acc.resolved += r.resolved as number;
              perStaff.set(k, acc);
            }
            const read = await readTicketRollups(t.db, wholeTenant(), { fromDay, toDay, groupBy: ['staff'] });
            expect(
              Object.fromEntries(
                read
                  .filter((r) => r.received || r.atFault || r.resolved)
                  .map((r) => [
                    String(r.keys.staff),
                    { received: r.received, atFault: r.atFault, resolved: r.resolved },
                  ]),
              ),
            ).toEqual(Object.fromEntries([...perStaff].filter(([, v]) => v.received || v.atFault || v.resolved)));
          }
          await rebuildTicketRollups(t.db, t.tenantId);
          expect(await storedMonthSorted()).toEqual(wantMonth);
          expect(await stored()).toEqual(want);
          expect(await storedTenant()).toEqual(wantTenant);
        },
      ),
      { numRuns: 30 },
    );
  });
});
