import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allowedTicketActions, TICKET_STATUSES, TICKET_TRANSITIONS } from '@huifang/shared';
import { unitIdByCode, userIdByName } from '../../../test/helpers.ts';
import { createTestApp, type TTestApp } from '../../../test/test-app.ts';
import { AppError } from '../../lib/app-error.ts';
import { escalateTicket, levelAssignee } from './escalation.ts';
import { applyTicketAction, appendTicketEvent, openTicket } from './ticket-actions.ts';

/** The ticket write path: opening exactly once per source, the state machine, versions, the append-only history. */
let t: TTestApp;
let unitId: string;
let agentId: string;
let supervisorId: string;
const at = (min: number) => new Date(Date.UTC(2026, 11, 3, 2, min));

beforeAll(async () => {
  t = await createTestApp();
  unitId = await unitIdByCode(t, 'SH-LJZ');
  agentId = await userIdByName(t, 'liu.agent');
  supervisorId = await userIdByName(t, 'wang.supervisor');
});
afterAll(() => t.close());

const open = (over: Partial<Parameters<typeof openTicket>[1]> = {}) =>
  t.db.transaction((tx) =>
    openTicket(tx, {
      tenantId: t.tenantId,
      source: 'manual',
      category: 'service_attitude',
      priority: 'normal',
      title: '柜员态度差',
      unitId,
      createdBy: null,
      at: at(0),
      ...over,
    }),
  );
const act = (ticketId: string, action: Parameters<typeof applyTicketAction>[1]['action'], more = {}) =>
  t.db.transaction((tx) =>
    applyTicketAction(tx, { tenantId: t.tenantId, ticketId, action, actorId: agentId, at: at(5), ...more }),
  );

describe('ticket state machine', () => {
  it('every state offers a way on, and only resolved/closed offer reopen', () => {
    for (const s of TICKET_STATUSES) {
      expect(allowedTicketActions(s).length, s).toBeGreaterThan(0);
      expect(TICKET_TRANSITIONS[s].reopen !== undefined, s).toBe(s === 'resolved' || s === 'closed');
    }
  });

  it('opens a ticket once per source evaluation, even when asked twice', async () => {
    const evaluationId = crypto.randomUUID();
    const a = await open({ source: 'evaluation', sourceEvaluationId: evaluationId });
    const b = await open({ source: 'evaluation', sourceEvaluationId: evaluationId, title: 'again' });
    expect(a.created).toBe(true);
    expect(b.created).toBe(false);
    expect(b.ticket.id).toBe(a.ticket.id);
    const n = await t.pool.query('select count(*)::int n from ticket_events where ticket_id = $1', [a.ticket.id]);
    expect(n.rows[0].n).toBe(1);
  });

  it('walks new → assigned → in progress → waiting → in progress → resolved → reopened, one event per step', async () => {
    const { ticket } = await open();
    expect(ticket.status).toBe('new');
    const steps: [Parameters<typeof act>[1], string, object?][] = [
      ['assign', 'assigned', { assigneeId: agentId }],
      ['start', 'in_progress'],
      ['wait_customer', 'waiting_customer'],
      ['customer_replied', 'in_progress'],
      ['resolve', 'resolved', { reason: '已致电道歉' }],
      ['reopen', 'reopened', { reason: '客户不认可' }],
    ];
    for (const [action, status, more] of steps) {
      const r = await act(ticket.id, action, more);
      expect(r.ticket.status).toBe(status);
      expect(r.event.toStatus).toBe(status);
    }
    const ev = await t.pool.query('select type from ticket_events where ticket_id = $1 order by id', [ticket.id]);
    expect(ev.rows.map((r) => r.type)).toEqual(['created', ...steps.map((s) => s[0])]);
    const row = await t.pool.query(
      'select first_responded_at, resolved_at, reopen_count, version from tickets where id = $1',
      [ticket.id],
    );
    expect(row.rows[0].first_responded_at).toEqual(at(5));
    expect(row.rows[0].resolved_at).toBeNull();
    expect(row.rows[0].reopen_count).toBe(1);
    expect(row.rows[0].version).toBe(1 + steps.length);
  });

  it('refuses an action the state does not offer, and a stale version, and writes nothing', async () => {
    const { ticket } = await open();
    await expect(act(ticket.id, 'resolve')).rejects.toMatchObject({ code: 'TICKET_ACTION_NOT_ALLOWED' });
    await expect(act(ticket.id, 'assign', { assigneeId: agentId, expectedVersion: 7 })).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    await expect(act(ticket.id, 'assign')).rejects.toBeInstanceOf(AppError);
    const ev = await t.pool.query('select count(*)::int n from ticket_events where ticket_id = $1', [ticket.id]);
    expect(ev.rows[0].n).toBe(1);
  });

  it('escalates one level up to the given person, never down or past the supervision team', async () => {
    const { ticket } = await open({ assigneeId: agentId });
    const r = await act(ticket.id, 'escalate', { assigneeId: supervisorId, reason: 'SLA 即将超时' });
    expect(r.ticket.escalationLevel).toBe(1);
    expect(r.ticket.assigneeId).toBe(supervisorId);
    expect(r.event.payload).toMatchObject({ fromLevel: 0, level: 1, previousAssigneeId: agentId });
    await expect(act(ticket.id, 'escalate', { assigneeId: agentId, level: 1 })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
    await expect(act(ticket.id, 'escalate', { assigneeId: agentId, level: 4 })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
  });

  it('keeps the history append-only', async () => {
    const { ticket } = await open();
    await t.db.transaction((tx) =>
      appendTicketEvent(tx, {
        tenantId: t.tenantId,
        ticketId: ticket.id,
        type: 'note',
        actorId: agentId,
        at: at(1),
        payload: { text: '内部备注', internal: true },
      }),
    );
    await expect(
      t.pool.query("update ticket_events set payload = '{}' where ticket_id = $1", [ticket.id]),
    ).rejects.toThrow(/append-only/);
    await expect(t.pool.query('delete from ticket_events where ticket_id = $1', [ticket.id])).rejects.toThrow(
      /append-only/,
    );
  });
});

describe('escalation chain', () => {
  it('finds the nearest person of each level for an outlet ticket: agent, supervisor, manager, supervision team', async () => {
    const names = ['liu.agent', 'wang.supervisor', 'zhang.manager', 'qian.supervision'];
    for (let level = 0; level < names.length; level++) {
      expect(await levelAssignee(t.db, t.tenantId, unitId, level), names[level]).toBe(
        await userIdByName(t, names[level]!),
      );
    }
  });

  it('escalates step by step to the top and then stops', async () => {
    const { ticket } = await open({ assigneeId: agentId });
    const esc = () =>
      t.db.transaction((tx) =>
        escalateTicket(tx, { tenantId: t.tenantId, ticketId: ticket.id, actorId: null, at: at(9), reason: 'SLA' }),
      );
    expect((await esc())?.ticket.escalationLevel).toBe(1);
    expect((await esc())?.ticket.escalationLevel).toBe(2);
    const top = await esc();
    expect(top?.ticket.escalationLevel).toBe(3);
    expect(top?.ticket.assigneeId).toBe(await userIdByName(t, 'qian.supervision'));
    expect(await esc()).toBeNull();
  });
});
