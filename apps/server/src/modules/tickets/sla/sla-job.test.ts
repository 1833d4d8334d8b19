import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_TICKET_SLA, TICKET_PRIORITIES, type TTicketPriority } from '@huifang/shared';
import { auditRowsOfRequest, countRows, expectError, unitIdByCode, userIdByName } from '../../../../test/helpers.ts';
import { createTestApp, type TClient, type TTestApp } from '../../../../test/test-app.ts';
import { applyTicketAction, openTicket } from '../ticket-actions.ts';

/**
 * The SLA job end to end on real Postgres with the settable clock: cached deadlines in working time, warnings and
 * breaches once each, escalation at the warning point and by OLA, a calendar edit moving an open ticket's deadline,
 * and the SLA settings API.
 */
let t: TTestApp;
let unitId: string;
let agentId: string;
let supervisorId: string;
let managerId: string;
/** A Shanghai wall-clock time (UTC+8, no DST) in December 2026: 12-04 is a Friday, 12-07 a Monday. */
const sh = (s: string) => new Date(`${s}:00+08:00`);

beforeAll(async () => {
  t = await createTestApp();
  unitId = await unitIdByCode(t, 'SH-LJZ');
  agentId = await userIdByName(t, 'liu.agent');
  supervisorId = await userIdByName(t, 'wang.supervisor');
  managerId = await userIdByName(t, 'zhang.manager');
});
afterAll(() => t.close());

async function open(at: string, priority: TTicketPriority, assigneeId: string | null = agentId) {
  t.clock.set(sh(at));
  const { ticket } = await t.db.transaction((tx) =>
    openTicket(tx, {
      tenantId: t.tenantId,
      source: 'manual',
      category: 'service_attitude',
      priority,
      title: '柜员态度差',
      unitId,
      assigneeId,
      createdBy: null,
      at: sh(at),
    }),
  );
  return ticket.id;
}
async function act(ticketId: string, action: 'start' | 'wait_customer' | 'resolve', at: string) {
  t.clock.set(sh(at));
  await t.db.transaction((tx) =>
    applyTicketAction(tx, { tenantId: t.tenantId, ticketId, action, actorId: agentId, at: sh(at) }),
  );
}
/** Run the SLA job through the job queue at a Shanghai time. */
async function runJob(at: string) {
  t.clock.set(sh(at));
  await t.jobs.send('ticket-sla', {});
  await t.jobs.idle();
}
async function row(id: string) {
  const r = await t.pool.query(
    `select first_response_due_at, resolution_due_at, sla_state, escalation_level, assignee_id, status, sla_next_check_at
     from tickets where id = $1`,
    [id],
  );
  return r.rows[0] as {
    first_response_due_at: Date | null;
    resolution_due_at: Date | null;
    sla_state: string;
    escalation_level: number;
    assignee_id: string;
    status: string;
    sla_next_check_at: Date | null;
  };
}
const events = async (id: string, type: string) =>
  (
    await t.pool.query('select payload from ticket_events where ticket_id = $1 and type = $2 order by id', [id, type])
  ).rows.map((r) => r.payload as Record<string, unknown>);

/** Sessions expire with the clock the tests move: log in at the current test time. */
const asAdmin = () => t.login('admin');
const putSla = (c: TClient, policies: unknown) =>
  c.request({ method: 'PUT', url: '/api/settings/ticket-sla', payload: { policies } as Record<string, unknown> });
const defaults = () => TICKET_PRIORITIES.map((priority) => ({ priority, ...DEFAULT_TICKET_SLA[priority] }));

describe('ticket SLA job', () => {
  it('a ticket opened Friday 17:00 is due on the next working day, in working hours', async () => {
    const id = await open('2026-12-04T17:00', 'normal');
    await runJob('2026-12-04T17:00');
    const r = await row(id);
    expect(r.first_response_due_at).toEqual(sh('2026-12-07T12:00')); // 60 on Friday + 180 on Monday
    expect(r.resolution_due_at).toEqual(sh('2026-12-08T15:00')); // 60 + 540 + 360
    expect(r.sla_state).toBe('ok');
    expect(r.sla_next_check_at).toEqual(sh('2026-12-07T11:12')); // the first-response warning point (80 %)
  });

  it('writes the warning and then the breach once each, however often the job runs, and tells the people', async () => {
    const id = await open('2026-12-07T09:00', 'urgent'); // first response 60 working minutes, warning at 48
    const notes = () =>
      countRows(t, `select 1 from notifications where link = $1 and kind like 'ticket.sla_%'`, [`/tickets/${id}`]);
    await runJob('2026-12-07T09:40');
    expect((await row(id)).sla_state).toBe('ok');
    expect(await events(id, 'sla_warning')).toEqual([]);

    await runJob('2026-12-07T09:50');
    await runJob('2026-12-07T09:51');
    expect((await row(id)).sla_state).toBe('warning');
    expect(await events(id, 'sla_warning')).toMatchObject([{ target: 'first_response', cycle: 0, limitMinutes: 60 }]);
    const warned = await notes();
    // The assignee and the unit's ticket managers.
    const told = await t.pool.query(`select user_id from notifications where link = $1`, [`/tickets/${id}`]);
    expect(told.rows.map((r) => r.user_id)).toContain(agentId);
    expect(warned).toBeGreaterThanOrEqual(2);

    await runJob('2026-12-07T10:00');
    await runJob('2026-12-07T10:05');
    expect((await row(id)).sla_state).toBe('breached');
    expect(await events(id, 'sla_warning')).toHaveLength(1);
    expect(await events(id, 'sla_breached')).toMatchObject([{ target: 'first_response' }]);
    expect(await notes()).toBe(warned * 2);
    const everBreached = async () =>
      (await t.pool.query(`select sla_breached from tickets where id = $1`, [id])).rows[0].sla_breached as boolean;
    expect(await everBreached()).toBe(true);

    // Answering stops the first-response clock; its breach stays a fact.
    await act(id, 'start', '2026-12-07T10:10');
    await runJob('2026-12-07T10:11');
    await runJob('2026-12-07T10:12');
    expect(await events(id, 'sla_breached')).toHaveLength(1);
    // Answered, the first response is no longer running late, and the ticket stays one that breached (员工投诉指标).
    expect(await everBreached()).toBe(true);
    expect(await events(id, 'sla_checkpoint')).toEqual([
      expect.objectContaining({ firstResponseUsedMinutes: 70, resolutionUsedMinutes: 70 }),
    ]);
  });

  it('escalates to the supervisor at the resolution warning point, then to the manager by the supervisor’s OLA', async () => {
    // high: first response 30, resolution 600 (warning at 480 = Monday 17:00), no OLA for agents, 120 for supervisors.
    const policies = defaults().map((p) =>
      p.priority === 'high'
        ? { ...p, firstResponseMinutes: 30, resolutionMinutes: 600, levelMinutes: [0, 120, 0, 0] }
        : p,
    );
    t.clock.set(sh('2026-12-07T08:00'));
    expect((await putSla(await asAdmin(), policies)).statusCode).toBe(200);
    const id = await open('2026-12-07T09:00', 'high');
    await act(id, 'start', '2026-12-07T09:05');
    await runJob('2026-12-07T16:59');
    expect((await row(id)).escalation_level).toBe(0);

    await runJob('2026-12-07T17:00');
    await runJob('2026-12-07T17:01');
    let r = await row(id);
    expect([r.escalation_level, r.assignee_id, r.status]).toEqual([1, supervisorId, 'assigned']);
    expect(await events(id, 'escalate')).toMatchObject([{ level: 1, reason: '解决时限即将到期' }]);

    // The supervisor's OLA: 120 minutes from 17:00 (60 on Monday), warning at 96 → Tuesday 09:36.
    await runJob('2026-12-08T09:35');
    expect((await row(id)).escalation_level).toBe(1);
    await runJob('2026-12-08T09:36');
    await runJob('2026-12-08T09:40');
    r = await row(id);
    expect([r.escalation_level, r.assignee_id]).toEqual([2, managerId]);
    expect(await events(id, 'escalate')).toHaveLength(2);
    expect(await events(id, 'sla_warning')).toMatchObject([
      { target: 'resolution', cycle: 0 },
      { target: 'ola', level: 1, cycle: 0 },
    ]);
    expect((await putSla(await asAdmin(), defaults())).statusCode).toBe(200);
  });

  it('a calendar edit moves an open ticket’s deadline, and never the time already used', async () => {
    const id = await open('2026-12-07T09:00', 'normal'); // resolution 960: Monday 540 + Tuesday 420 → Tue 16:00
    await act(id, 'start', '2026-12-07T09:00');
    await act(id, 'wait_customer', '2026-12-07T13:00'); // 240 used, paused
    await runJob('2026-12-07T13:01');
    expect((await row(id)).sla_state).toBe('paused');
    t.clock.set(sh('2026-12-09T09:00'));
    await t.db.transaction((tx) =>
      applyTicketAction(tx, {
        tenantId: t.tenantId,
        ticketId: id,
        action: 'customer_replied',
        actorId: agentId,
        at: sh('2026-12-09T09:00'),
      }),
    );
    await runJob('2026-12-09T09:00');
    // 720 left from Wednesday 09:00: 540 + 180 → Thursday 12:00.
    expect((await row(id)).resolution_due_at).toEqual(sh('2026-12-10T12:00'));

    // Thursday and last Monday become holidays: the deadline moves to Friday; Monday's 240 minutes stay used.
    const admin = await asAdmin();
    for (const date of ['2026-12-10', '2026-12-07']) {
      const res = await admin.request({
        method: 'PUT',
        url: `/api/settings/calendar/days/${date}`,
        payload: { kind: 'holiday', name: '测试停业' },
      });
      expect(res.statusCode).toBe(200);
    }
    await t.jobs.idle();
    expect((await row(id)).resolution_due_at).toEqual(sh('2026-12-11T12:00'));
    for (const date of ['2026-12-10', '2026-12-07'])
      expect((await admin.del(`/api/settings/calendar/days/${date}`)).statusCode).toBe(200);
    await t.jobs.idle();
    expect((await row(id)).resolution_due_at).toEqual(sh('2026-12-10T12:00'));
  });

  it('looks only at tickets with a new event or a due check: an event marks its ticket, the job clears it', async () => {
    const id = await open('2026-12-09T09:00', 'low');
    const stale = async () =>
      (await t.pool.query(`select sla_stale from tickets where id = $1`, [id])).rows[0].sla_stale as boolean;
    expect(await stale()).toBe(true); // its 'created' event
    await runJob('2026-12-09T09:00');
    expect(await stale()).toBe(false);
    expect((await row(id)).resolution_due_at).not.toBeNull();
    const computedAt = async () =>
      (await t.pool.query(`select sla_computed_at from tickets where id = $1`, [id])).rows[0].sla_computed_at as Date;
    expect(await computedAt()).toEqual(sh('2026-12-09T09:00'));
    // Nothing changed, no check due: a run leaves it alone.
    await runJob('2026-12-09T09:01');
    expect(await computedAt()).toEqual(sh('2026-12-09T09:00'));
    // Any writer's event marks the ticket (the trigger on ticket_events), and the next run derives it again.
    await act(id, 'start', '2026-12-09T09:05');
    expect(await stale()).toBe(true);
    await runJob('2026-12-09T09:06');
    expect(await computedAt()).toEqual(sh('2026-12-09T09:06'));
    expect(await stale()).toBe(false);
    // Derived from the new event: the first response is met, so the next check is the resolution warning point.
    expect((await row(id)).sla_next_check_at!.getTime()).toBeGreaterThan(sh('2026-12-09T12:00').getTime());
    // An event appended by any other writer (plain SQL here) is marked by the trigger on ticket_events.
    await t.pool.query(
      `insert into ticket_events (tenant_id, ticket_id, type, at, payload) select tenant_id, id, 'note', now(), '{}' from tickets where id = $1`,
      [id],
    );
    expect(await stale()).toBe(true);
  });

  it('a resolved ticket is cached as met', async () => {
    const id = await open('2026-12-07T09:00', 'low');
    await act(id, 'start', '2026-12-07T09:30');
    await act(id, 'resolve', '2026-12-07T11:00');
    await runJob('2026-12-07T11:01');
    const r = await row(id);
    expect([r.sla_state, r.sla_next_check_at]).toEqual(['met', null]);
  });
});

describe('SLA settings', () => {
  it('answers the defaults until saved, and saves all priorities audited', async () => {
    const admin = await asAdmin();
    const res = await admin.get('/api/settings/ticket-sla');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.workingHours).toEqual({ start: 540, end: 1080 });
    expect(body.policies.map((p: { priority: string }) => p.priority)).toEqual([...TICKET_PRIORITIES]);

    const policies = defaults().map((p) => (p.priority === 'low' ? { ...p, warnRatio: 0.75 } : p));
    const saved = await putSla(admin, policies);
    expect(saved.statusCode).toBe(200);
    expect(saved.json().policies.find((p: { priority: string }) => p.priority === 'low')).toMatchObject({
      warnRatio: 0.75,
      isDefault: false,
    });
    const audit = await auditRowsOfRequest(t, saved);
    expect(audit.map((a) => a.action)).toEqual(['ticket_sla.changed']);
  });

  it('refuses a resolution target below the first response and a warn ratio outside (0, 1), writing nothing', async () => {
    const admin = await asAdmin();
    const before = (await admin.get('/api/settings/ticket-sla')).body;
    const bad = defaults().map((p, i) =>
      i === 1 ? { ...p, firstResponseMinutes: 600, resolutionMinutes: 300 } : i === 2 ? { ...p, warnRatio: 1 } : p,
    );
    expectError(await putSla(admin, bad), 400, 'VALIDATION_FAILED', [
      'body.policies.1.resolutionMinutes',
      'body.policies.2.warnRatio',
    ]);
    // 0.999 would be stored as 1.00 (two decimals) and break the table's check: refused as a 400, not a 500.
    const almostOne = defaults().map((p, i) => (i === 0 ? { ...p, warnRatio: 0.999 } : p));
    expectError(await putSla(admin, almostOne), 400, 'VALIDATION_FAILED', ['body.policies.0.warnRatio']);
    const twice = defaults().map((p, i) => (i === 3 ? { ...p, priority: 'urgent' } : p));
    expectError(await putSla(admin, twice), 400, 'VALIDATION_FAILED', ['body.policies.3.priority']);
    expect((await admin.get('/api/settings/ticket-sla')).body).toBe(before);

    const agent = await t.login('liu.agent');
    expectError(await putSla(agent, defaults()), 403, 'FORBIDDEN');
  });
});

describe('calendar coverage', () => {
  it('warns when the calendar runs out within 60 days', async () => {
    t.clock.set(sh('2026-12-04T12:00'));
    const admin = await asAdmin();
    const soon = (await admin.get('/api/settings/calendar/coverage')).json();
    expect(soon).toEqual({ coveredUntil: '2026-12-31', daysLeft: 27, isRunningOut: true });
    t.clock.set(sh('2026-06-01T12:00'));
    expect((await (await asAdmin()).get('/api/settings/calendar/coverage')).json()).toMatchObject({
      isRunningOut: false,
    });
  });
});
