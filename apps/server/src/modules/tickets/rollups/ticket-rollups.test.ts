import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TDataScope } from '@huifang/shared';
import { unitIdByCode, userIdByName } from '../../../../test/helpers.ts';
import { createTestApp, type TTestApp } from '../../../../test/test-app.ts';
import type { TScope } from '../../../lib/scope.ts';
import { applyTicketAction, appendTicketEvent, openTicket } from '../ticket-actions.ts';
import { readTicketRollups } from './ticket-rollups.ts';

/** The complaint figures as the analytics read them: kept per event, scoped to the reader's subtree. */
let t: TTestApp;
const day = '2026-11-02';
const at = (min: number) => new Date(Date.UTC(2026, 10, 2, 2, min)); // 10:00 Shanghai on 2 Nov 2026 + min

beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

async function scopeOf(username: string, dataScope: TDataScope): Promise<TScope> {
  const r = await t.pool.query<{ id: string; unit_id: string; path: string }>(
    'select u.id, u.unit_id, ou.path from users u join org_units ou on ou.id = u.unit_id where u.username = $1',
    [username],
  );
  const u = r.rows[0]!;
  return { tenantId: t.tenantId, userId: u.id, unitId: u.unit_id, unitPath: u.path, dataScope };
}

async function complaint(unitCode: string, staff: string | null, min: number) {
  const { ticket } = await t.db.transaction(async (tx) =>
    openTicket(tx, {
      tenantId: t.tenantId,
      source: 'manual',
      category: 'service_attitude',
      priority: 'high',
      title: '投诉',
      unitId: await unitIdByCode(t, unitCode),
      staffId: staff ? await userIdByName(t, staff) : null,
      createdBy: null,
      at: at(min),
    }),
  );
  return ticket.id;
}

describe('readTicketRollups', () => {
  it('counts per event and moves a changed fault decision; a manager reads his subtree, a teller the complaints about himself', async () => {
    const agent = await userIdByName(t, 'liu.agent');
    const sh1 = await complaint('SH-LJZ', 'chen.teller', 0);
    await complaint('SH-XJH', 'teller03', 1);
    await complaint('HZ-XH', null, 2);
    const act = (ticketId: string, action: 'start' | 'resolve', min: number) =>
      t.db.transaction((tx) =>
        applyTicketAction(tx, { tenantId: t.tenantId, ticketId, action, actorId: agent, at: at(min) }),
      );
    await act(sh1, 'start', 10);
    await act(sh1, 'resolve', 90);
    const decide = (faultDecision: 'at_fault' | 'no_fault') =>
      t.db.transaction((tx) =>
        appendTicketEvent(tx, {
          tenantId: t.tenantId,
          ticketId: sh1,
          type: 'appeal_decided',
          actorId: agent,
          at: at(120),
          set: { faultDecision },
        }),
      );
    await decide('at_fault');
    await decide('no_fault'); // the decision changed: the complaint moves from at fault to no fault

    const filter = { fromDay: day, toDay: '2026-11-03' };
    const zhang = await readTicketRollups(t.db, await scopeOf('zhang.manager', 'subtree'), {
      ...filter,
      groupBy: ['staff'],
    });
    expect(zhang).toHaveLength(2); // 上海分行: chen and teller03, not 杭州
    expect(zhang.reduce((s, r) => s + r.received, 0)).toBe(2);
    const chenId = await userIdByName(t, 'chen.teller');
    expect(zhang.find((r) => r.keys.staff === chenId)).toMatchObject({
      received: 1,
      resolved: 1,
      resolutionMinutes: 90,
      avgResolutionMinutes: 90,
      atFault: 0,
      noFault: 1,
    });
    const [tenant] = await readTicketRollups(t.db, await scopeOf('zhao.auditor', 'tenant'), filter);
    expect(tenant).toMatchObject({ received: 3, resolved: 1, atFault: 0, noFault: 1 });
    const [li] = await readTicketRollups(t.db, await scopeOf('li.manager', 'subtree'), filter);
    expect(li).toMatchObject({ received: 1, resolved: 0 });
    const [chen] = await readTicketRollups(t.db, await scopeOf('chen.teller', 'own'), filter);
    expect(chen).toMatchObject({ received: 1, resolved: 1 });
    // A unit filter narrows within the scope, never beyond it.
    const [outside] = await readTicketRollups(t.db, await scopeOf('li.manager', 'subtree'), {
      ...filter,
      unitIn: await unitIdByCode(t, 'SH'),
    });
    expect(outside).toMatchObject({ received: 0 });
    // Another day has nothing.
    const [other] = await readTicketRollups(t.db, await scopeOf('zhao.auditor', 'tenant'), {
      fromDay: '2026-11-03',
      toDay: '2026-11-04',
    });
    expect(other).toMatchObject({ received: 0 });
  });
});
