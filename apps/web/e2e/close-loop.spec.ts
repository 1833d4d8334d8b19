import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, type TDatabase } from '../../server/src/db/client.ts';
import { systemClock } from '../../server/src/lib/clock.ts';
import { runCloseLoop } from '../../server/src/modules/tickets/close-loop/close-loop.service.ts';
import { applyTicketAction, openTicket } from '../../server/src/modules/tickets/ticket-actions.ts';
import { ADMIN_PASSWORD, apiCall, login, SCREENSHOTS, startE2E, type TE2E } from './support.ts';

/**
 * Closing the loop 回访闭环: the admin sets the callback survey under 系统设置; an agent resolves a complaint ticket
 * (seeded through the ticket write path: the tickets pages are built on another branch); the callback survey SMS goes
 * out; the customer opens the link on a phone and answers 非常不满意 with a reason → the ticket is reopened and
 * escalated; the ticket's callback panel shows the answer and the supervision team records its fault decision.
 */
let e: TE2E;
let db: TDatabase;
beforeAll(async () => {
  e = await startE2E();
  db = createDatabase(e.dbUrl, 2);
});
afterAll(async () => {
  await db?.close();
  await e?.close();
});

describe('close the loop', () => {
  it('a low answer to the callback survey reopens the ticket', async () => {
    const page = await e.newPage();
    await login(page, 'admin', ADMIN_PASSWORD);
    await page.goto('/settings');
    const card = page.locator('[data-testid=close-loop-settings]');
    await card.waitFor();
    const delay = card.locator('[data-testid=close-loop-delayMinutes] input');
    await delay.fill('0');
    await card.locator('[data-testid=close-loop-save]').click();
    await page.locator('.ant-message', { hasText: '回访闭环设置已保存' }).waitFor();
    expect((await apiCall<{ delayMinutes: number }>(page, 'GET', '/settings/close-loop')).delayMinutes).toBe(0);
    await e.shot(page, '90-close-loop-settings');

    const unit = await db.pool.query<{ id: string; tenant_id: string }>(
      `select id, tenant_id from org_units where code = 'SH-LJZ'`,
    );
    const { id: unitId, tenant_id: tenantId } = unit.rows[0]!;
    const customer = await apiCall<{ id: string }>(page, 'POST', '/customers', {
      name: '回访客户',
      unitId,
      phones: ['13900139001'],
      allowDuplicatePhone: true,
    });
    const agent = await db.pool.query<{ id: string }>(`select id from users where username = 'liu.agent'`);
    const agentId = agent.rows[0]!.id;
    const now = new Date();
    const ticket = await db.db.transaction(async (tx) => {
      const { ticket: t } = await openTicket(tx, {
        tenantId,
        source: 'manual',
        category: 'service_attitude',
        priority: 'normal',
        title: '柜员态度差',
        unitId,
        customerId: customer.id,
        assigneeId: agentId,
        createdBy: agentId,
        at: new Date(now.getTime() - 60_000),
      });
      const base = { tenantId, ticketId: t.id, actorId: agentId };
      await applyTicketAction(tx, { ...base, action: 'start', at: new Date(now.getTime() - 30_000) });
      await applyTicketAction(tx, { ...base, action: 'resolve', at: now, reason: '已致电道歉' });
      return t;
    });
    // The ticket-close-loop job (every minute in the server) — run now rather than wait for the next minute.
    await runCloseLoop({ db: db.db, clock: systemClock, config: { publicBaseUrl: e.baseUrl } });
    const sms = await db.pool.query<{ body: string }>(
      `select m.body from outbox_messages m join ticket_callbacks c on c.id = m.ref_id
       where m.ref_type = 'ticket_callback' and c.ticket_id = $1`,
      [ticket.id],
    );
    const url = /(http\S+\/s\/[A-Za-z0-9_-]+)/.exec(sms.rows[0]!.body)![1]!;

    const phone = await e.browser.newContext({
      viewport: { width: 375, height: 812 },
      locale: 'zh-CN',
      isMobile: true,
    });
    const h5 = await phone.newPage();
    await h5.goto(url);
    await h5.locator('[data-testid=answer-page]', { hasText: '投诉处理满意度回访' }).waitFor();
    await h5.locator('[data-question=overall] label', { hasText: '非常不满意' }).click();
    await h5.locator('[data-question=comment] textarea').fill('问题根本没有解决，柜员也没有道歉');
    await h5.screenshot({ path: `${SCREENSHOTS}/91-close-loop-survey-low.png`, fullPage: true });
    await h5.click('[data-testid=answer-submit]');
    await h5.locator('.hf-result-title', { hasText: '提交成功，感谢您的参与' }).waitFor();
    await phone.close();

    // The evaluation-events job (every second) hands the answer to the callback consumer.
    await expect
      .poll(
        async () =>
          (await apiCall<{ items: { outcome: string | null }[] }>(page, 'GET', `/tickets/${ticket.id}/callbacks`))
            .items[0]?.outcome,
        { timeout: 20_000, interval: 500 },
      )
      .toBe('reopened');
    const row = await db.pool.query<{ status: string; escalation_level: number; reopen_count: number }>(
      'select status, escalation_level, reopen_count from tickets where id = $1',
      [ticket.id],
    );
    expect(row.rows[0]).toMatchObject({ status: 'assigned', escalation_level: 1, reopen_count: 1 });
    const reopen = await db.pool.query<{ payload: { reason: string } }>(
      `select payload from ticket_events where ticket_id = $1 and type = 'reopen'`,
      [ticket.id],
    );
    expect(reopen.rows[0]!.payload.reason).toBe('问题根本没有解决，柜员也没有道歉');

    // The ticket detail page: its callback and appeal panels.
    await page.goto(`/tickets/${ticket.id}`);
    const callbacks = page.locator('[data-testid=ticket-callbacks]');
    await callbacks.locator('.ant-tag', { hasText: '客户不满意，已重开' }).waitFor();
    expect(await callbacks.locator('[data-testid=callback-answer]').innerText()).toContain('1 分');
    // The supervision team records a fault decision without an appeal (admin holds ticket:supervise).
    const appeal = page.locator('[data-testid=ticket-appeal]');
    await appeal.locator('.ant-radio-wrapper', { hasText: '无责' }).click();
    await appeal.locator('[data-testid=decision-note]').fill('调阅录像，柜员按规定办理');
    await appeal.locator('[data-testid=decision-submit]').click();
    await appeal.locator('[data-testid=fault-decision]', { hasText: '无责' }).waitFor();
    await e.shot(page, '92-close-loop-ticket-panels');
    const fault = await db.pool.query('select fault_decision from tickets where id = $1', [ticket.id]);
    expect(fault.rows[0].fault_decision).toBe('no_fault');
    await page.close();
  });
});
