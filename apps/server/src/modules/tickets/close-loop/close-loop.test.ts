import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { forgetConsumerProgress } from '../../evaluations/evaluation-events.ts';
import type { TCloseLoopConfig } from '@huifang/shared';
import { unitIdByCode, userIdByName } from '../../../../test/helpers.ts';
import { createCustomer } from '../../../../test/customers-helpers.ts';
import { createTestApp, type TClient, type TTestApp } from '../../../../test/test-app.ts';
import { applyTicketAction, openTicket } from '../ticket-actions.ts';
import { closeLoopListener } from './close-loop.service.ts';
import { ticketSampleBucket } from './sampling.ts';

/**
 * Closing the loop end to end on real Postgres: resolve → callback (sampled deterministically) → after the delay the
 * survey SMS in the outbox (or a call task) → the customer's answer closes or reopens + escalates the ticket; no answer
 * for 2 working days → auto-closed; retried jobs and consumers change nothing twice.
 */
let t: TTestApp;
let admin: TClient;
let unitId: string;
let agentId: string;
let customerId: string;
const shanghai = (date: string, hh: number, mm = 0) =>
  new Date(`${date}T${String(hh).padStart(2, '0')}:${String(mm).padStart(2, '0')}:00+08:00`);

beforeAll(async () => {
  t = await createTestApp();
  admin = await t.login('admin');
  unitId = await unitIdByCode(t, 'SH-LJZ');
  agentId = await userIdByName(t, 'liu.agent');
  customerId = (await createCustomer(t, admin, 'SH-LJZ', { phones: ['13800138123'], consentService: true })).id;
});
afterAll(() => t.close());

const config = async (over: Partial<TCloseLoopConfig> = {}) => {
  admin = await t.login('admin'); // the session follows the test clock
  const res = await admin.request({
    method: 'PUT',
    url: '/api/settings/close-loop',
    payload: {
      mode: 'survey',
      samplePercent: 100,
      delayMinutes: 60,
      expiryHours: 240,
      reopenAtOrBelow: 2,
      autoCloseWorkingDays: 2,
      ...over,
    },
  });
  expect(res.statusCode, res.body).toBe(200);
};

/** A ticket opened and worked by the agent, resolved at `at` (the listener runs in that transaction). */
async function resolvedTicket(at: Date, over: { customerId?: string | null } = {}) {
  return t.db.transaction(async (tx) => {
    const { ticket } = await openTicket(tx, {
      tenantId: t.tenantId,
      source: 'manual',
      category: 'service_attitude',
      priority: 'normal',
      title: '柜员态度差',
      unitId,
      customerId: over.customerId === undefined ? customerId : over.customerId,
      assigneeId: agentId,
      createdBy: agentId,
      at: new Date(at.getTime() - 3_600_000),
    });
    const base = { tenantId: t.tenantId, ticketId: ticket.id, actorId: agentId };
    await applyTicketAction(tx, { ...base, action: 'start', at: new Date(at.getTime() - 1_800_000) });
    const r = await applyTicketAction(tx, { ...base, action: 'resolve', at, reason: '已致电道歉并重新办理' });
    return { ticket: r.ticket, resolveEvent: r.event };
  });
}

const ticketRow = async (id: string) =>
  (
    await t.pool.query<{ status: string; escalation_level: number; assignee_id: string | null }>(
      'select status, escalation_level, assignee_id from tickets where id = $1',
      [id],
    )
  ).rows[0]!;
const events = async (id: string) =>
  (
    await t.pool.query<{ type: string; payload: Record<string, unknown> }>(
      'select type, payload from ticket_events where ticket_id = $1 order by id',
      [id],
    )
  ).rows;
const callbacks = async (id: string) =>
  (await t.pool.query('select * from ticket_callbacks where ticket_id = $1 order by created_at', [id])).rows;
const smsFor = async (callbackId: string) =>
  (
    await t.pool.query<{ body: string; channel: string; to: string }>(
      `select body, channel, to_address as to from outbox_messages where ref_type = 'ticket_callback' and ref_id = $1`,
      [callbackId],
    )
  ).rows;
const runJob = async () => {
  await t.jobs.send('ticket-close-loop', {});
  await t.jobs.idle();
};
const tokenOf = (body: string) => /\/s\/([A-Za-z0-9_-]+)/.exec(body)![1]!;
const answer = (token: string, answers: Record<string, unknown>) =>
  t.app.inject({ method: 'POST', url: `/api/s/${token}/responses`, payload: { answers } });

describe('close-the-loop settings', () => {
  it('reads the defaults, saves a valid config (audited) and refuses a bad one with the field at fault', async () => {
    const before = await admin.get('/api/settings/close-loop');
    expect(before.statusCode).toBe(200);
    expect(before.json()).toMatchObject({ mode: 'survey', autoCloseWorkingDays: 2 });
    await config({ mode: 'callback', samplePercent: 40 });
    expect((await admin.get('/api/settings/close-loop')).json()).toMatchObject({ mode: 'callback', samplePercent: 40 });
    const audit = await t.pool.query(
      `select count(*)::int n from audit_events where action = 'close_loop_policy.changed'`,
    );
    expect(audit.rows[0].n).toBeGreaterThan(0);
    const bad = await admin.request({
      method: 'PUT',
      url: '/api/settings/close-loop',
      payload: {
        mode: 'survey',
        samplePercent: 140,
        delayMinutes: 0,
        expiryHours: 24,
        reopenAtOrBelow: 2,
        autoCloseWorkingDays: 2,
      },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().details.map((d: { path: string }) => d.path)).toContain('body.samplePercent');
    expect((await admin.get('/api/settings/close-loop')).json().samplePercent).toBe(40);
    const teller = await t.login('chen.teller');
    const denied = await teller.request({
      method: 'PUT',
      url: '/api/settings/close-loop',
      payload: { mode: 'survey' },
    });
    expect(denied.statusCode).toBe(403);
  });
});

describe('callback by survey SMS', () => {
  beforeEach(() => config());

  it('samples deterministically by ticket id: the sampled get a callback, the others close at once (未抽样回访)', async () => {
    await config({ samplePercent: 50 });
    const at = shanghai('2026-12-02', 10);
    t.clock.set(at);
    const seen = { sampled: 0, skipped: 0 };
    for (let i = 0; i < 12 && (seen.sampled === 0 || seen.skipped === 0); i++) {
      const { ticket, resolveEvent } = await resolvedTicket(at);
      const isSampled = ticketSampleBucket(ticket.id) < 50;
      const row = await ticketRow(ticket.id);
      if (isSampled) {
        seen.sampled++;
        expect(row.status).toBe('resolved');
        expect(await callbacks(ticket.id)).toHaveLength(1);
        // The listener retried for the same resolution decides the same and creates nothing more.
        await t.db.transaction((tx) => closeLoopListener(tx, ticket, resolveEvent));
        expect(await callbacks(ticket.id)).toHaveLength(1);
      } else {
        seen.skipped++;
        // Never closed inside the resolving transaction: the next run of the job closes it.
        expect(row.status).toBe('resolved');
        expect(await callbacks(ticket.id)).toMatchObject([{ skip_reason: 'not_sampled', sent_at: null }]);
        await runJob();
        await runJob();
        expect((await ticketRow(ticket.id)).status).toBe('closed');
        expect((await events(ticket.id)).filter((e) => e.type === 'close')).toMatchObject([
          { payload: { reason: '未抽样回访' } },
        ]);
        expect(await smsFor((await callbacks(ticket.id))[0].id)).toHaveLength(0);
      }
    }
    expect(seen.sampled).toBeGreaterThan(0);
    expect(seen.skipped).toBeGreaterThan(0);
  });

  it('sends the SMS only after the delay; a low answer reopens with the comment and escalates one level', async () => {
    const at = shanghai('2026-12-02', 10);
    t.clock.set(at);
    const { ticket } = await resolvedTicket(at);
    const [cb] = await callbacks(ticket.id);
    t.clock.set(new Date(at.getTime() + 59 * 60_000));
    await runJob();
    expect(await smsFor(cb.id)).toHaveLength(0);
    t.clock.set(new Date(at.getTime() + 61 * 60_000));
    await runJob();
    await runJob(); // a retried job sends nothing twice
    const sms = await smsFor(cb.id);
    expect(sms).toHaveLength(1);
    expect(sms[0]!.channel).toBe('sms');
    expect((await events(ticket.id)).filter((e) => e.type === 'callback_sent')).toHaveLength(1);

    const token = tokenOf(sms[0]!.body);
    const noComment = await answer(token, { overall: 1 });
    expect(noComment.statusCode).toBe(400);
    expect(noComment.json().details.map((d: { path: string }) => d.path)).toContain('body.answers.comment');
    const ok = await answer(token, { overall: 1, comment: '问题根本没有解决' });
    expect(ok.statusCode, ok.body).toBe(201);
    await t.runEvaluationEvents();
    await t.runEvaluationEvents();

    const row = await ticketRow(ticket.id);
    expect(row.status).toBe('assigned');
    expect(row.escalation_level).toBe(1);
    const ev = await events(ticket.id);
    const tail = ev.slice(ev.findIndex((e) => e.type === 'callback_answered'));
    expect(tail.map((e) => e.type)).toEqual(['callback_answered', 'reopen', 'escalate']);
    expect(tail[0]!.payload).toMatchObject({ score: 1, comment: '问题根本没有解决' });
    expect(tail[1]!.payload).toMatchObject({ reason: '问题根本没有解决' });
    expect(tail[2]!.payload).toMatchObject({ reason: '客户不认可处理结果', level: 1 });
    expect((await callbacks(ticket.id))[0]).toMatchObject({ outcome: 'reopened', score: 1 });
    // The evaluation carries the flag, so the ticket auto-creation consumer leaves it alone.
    const flags = await t.pool.query(
      `select flags from evaluations where channel = 'survey' and source_id = $1::text`,
      [(await callbacks(ticket.id))[0].survey_link_id],
    );
    expect(flags.rows[0].flags).toContain('ticket_callback');
  });

  it('a high answer closes the ticket (客户满意) without asking for a comment', async () => {
    const at = shanghai('2026-12-02', 14);
    t.clock.set(at);
    const { ticket } = await resolvedTicket(at);
    t.clock.set(new Date(at.getTime() + 2 * 3_600_000));
    await runJob();
    const [cb] = await callbacks(ticket.id);
    const res = await answer(tokenOf((await smsFor(cb.id))[0]!.body), { overall: 5 });
    expect(res.statusCode, res.body).toBe(201);
    await t.runEvaluationEvents();
    expect((await ticketRow(ticket.id)).status).toBe('closed');
    expect((await events(ticket.id)).at(-1)).toMatchObject({ type: 'close', payload: { reason: '客户满意' } });
    expect((await callbacks(ticket.id))[0]).toMatchObject({ outcome: 'satisfied', score: 5 });
  });

  it('closes the ticket 2 working days after sending without an answer, across a weekend, once', async () => {
    // Sent Friday 2026-12-04 11:00 (Shanghai) → due Tuesday 2026-12-08 11:00.
    const at = shanghai('2026-12-04', 10);
    t.clock.set(at);
    const { ticket } = await resolvedTicket(at);
    t.clock.set(shanghai('2026-12-04', 11));
    await runJob();
    const [cb] = await callbacks(ticket.id);
    expect(new Date(cb.auto_close_at)).toEqual(shanghai('2026-12-08', 11));
    t.clock.set(shanghai('2026-12-07', 18)); // Monday evening: only one working day has passed
    await runJob();
    expect((await ticketRow(ticket.id)).status).toBe('resolved');
    t.clock.set(shanghai('2026-12-08', 11, 1));
    await runJob();
    await runJob();
    expect((await ticketRow(ticket.id)).status).toBe('closed');
    const closes = (await events(ticket.id)).filter((e) => e.type === 'close');
    expect(closes).toHaveLength(1);
    expect(closes[0]!.payload).toMatchObject({ reason: '回访超时自动关闭' });
    expect((await callbacks(ticket.id))[0]).toMatchObject({ outcome: 'timeout' });
  });

  it('a ticket without a customer closes after the auto-close period; a reopen by hand cancels the callback', async () => {
    const at = shanghai('2026-12-02', 9); // Wednesday → due Friday 09:00
    t.clock.set(at);
    const none = await resolvedTicket(at, { customerId: null });
    expect((await ticketRow(none.ticket.id)).status).toBe('resolved');
    t.clock.set(shanghai('2026-12-04', 8, 59));
    await runJob();
    expect((await ticketRow(none.ticket.id)).status).toBe('resolved');
    t.clock.set(shanghai('2026-12-04', 9));
    await runJob();
    expect((await ticketRow(none.ticket.id)).status).toBe('closed');
    expect((await events(none.ticket.id)).at(-1)).toMatchObject({ payload: { reason: '无客户信息，未回访' } });
    expect((await callbacks(none.ticket.id))[0]).toMatchObject({ outcome: 'no_contact', skip_reason: 'no_customer' });
    t.clock.set(at);
    const { ticket } = await resolvedTicket(at);
    await t.db.transaction((tx) =>
      applyTicketAction(tx, {
        tenantId: t.tenantId,
        ticketId: ticket.id,
        action: 'reopen',
        actorId: agentId,
        at,
        reason: '客户来电仍不满意',
      }),
    );
    expect((await callbacks(ticket.id))[0]).toMatchObject({ outcome: 'cancelled' });
    t.clock.set(new Date(at.getTime() + 2 * 3_600_000));
    await runJob();
    expect(await smsFor((await callbacks(ticket.id))[0].id)).toHaveLength(0);
  });
});

describe('callback by follow-up call', () => {
  it('creates a call task for an agent; the recorded low result reopens the ticket, once', async () => {
    await config({ mode: 'callback', delayMinutes: 0 });
    const at = shanghai('2026-12-02', 15);
    t.clock.set(at);
    const { ticket } = await resolvedTicket(at);
    await runJob();
    await runJob();
    const [cb] = await callbacks(ticket.id);
    expect(cb.followup_task_id).toBeTruthy();
    const tasks = await t.pool.query('select id, assignee_id, occurrence_key from followup_tasks where id = $1', [
      cb.followup_task_id,
    ]);
    expect(tasks.rows).toHaveLength(1);
    expect(tasks.rows[0].assignee_id).toBe(agentId);
    const agent = await t.login('liu.agent');
    const taskId = cb.followup_task_id as string;
    expect((await agent.post(`/api/followup/tasks/${taskId}/claim`, {})).statusCode).toBe(200);
    const rec = await agent.post(`/api/followup/tasks/${taskId}/attempts`, {
      channel: 'phone',
      outcome: 'reached',
      reachedWhom: 'customer',
      satisfaction: 2,
      notes: '客户认为赔偿不足',
    });
    expect(rec.statusCode, rec.body).toBe(201);
    await t.runEvaluationEvents();
    await t.runEvaluationEvents();
    const row = await ticketRow(ticket.id);
    expect(row.status).toBe('assigned');
    expect(row.escalation_level).toBe(1);
    // A consumer retried from scratch (markers and floor gone, as after a crash before commit) changes nothing twice.
    await forgetConsumerProgress(t.db, 'ticket-callback-answers');
    await t.runEvaluationEvents();
    expect((await events(ticket.id)).filter((e) => e.type === 'callback_answered')).toHaveLength(1);
    expect((await events(ticket.id)).filter((e) => e.type === 'reopen')).toHaveLength(1);
    expect((await ticketRow(ticket.id)).escalation_level).toBe(1);
    expect((await callbacks(ticket.id))[0]).toMatchObject({
      outcome: 'reopened',
      score: 2,
      comment: '客户认为赔偿不足',
    });
  });
});
