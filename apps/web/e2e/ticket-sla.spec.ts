import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiCall, fillLogin, ADMIN_PASSWORD, DEMO_PASSWORD, startE2E, type TE2E, switchLanguage } from './support.ts';

let e: TE2E;
beforeAll(async () => {
  e = await startE2E();
});
afterAll(async () => e?.close());

describe('ticket SLA settings and the calendar run-out warning', () => {
  it('the admin is warned that the calendar runs out, and sets the ticket SLA per priority', async () => {
    const page = await e.newPage();
    await fillLogin(page, 'admin', ADMIN_PASSWORD);
    await page.waitForSelector('[data-testid=user-menu]');
    const c = await apiCall<{ coveredUntil: string | null; isRunningOut: boolean; daysLeft: number }>(
      page,
      'GET',
      '/settings/calendar/coverage',
    );
    // The built-in calendar holds 2026 only (the State Council's 2027 notice is not in the code): from November on
    // the admin sees the banner on every page and the notice on the calendar card.
    expect(c.coveredUntil).toBe('2026-12-31');
    const banner = page.locator('[data-testid=calendar-runout-banner]');
    if (c.isRunningOut) {
      await banner.locator('text=工作日历只到 2026-12-31').waitFor();
      await e.shot(page, '90-calendar-runout-banner');
      await banner.locator('text=去设置工作日历').click();
      await page.locator('[data-testid=calendar-runout]').waitFor();
      expect(await banner.count()).toBe(0);
    } else {
      await page.click('.ant-layout-sider >> text=系统设置');
    }

    const sla = page.locator('[data-testid=ticket-sla]');
    await sla.locator('text=工作日 09:00–18:00').waitFor();
    expect(await page.inputValue('#ticketSla_policies_0_firstResponseMinutes')).toBe('60');
    expect(await page.inputValue('#ticketSla_policies_2_resolutionMinutes')).toBe('960');

    // Resolution below first response: the same rule as the server's refuses it before any request.
    await page.fill('#ticketSla_policies_1_firstResponseMinutes', '600');
    await page.fill('#ticketSla_policies_1_resolutionMinutes', '300');
    await page.click('[data-testid=ticket-sla-save]');
    await sla.locator('text=解决时限不能短于首次响应时限').waitFor();
    await page.fill('#ticketSla_policies_1_resolutionMinutes', '900');
    await page.fill('#ticketSla_policies_1_warnRatio', '0.7');
    await page.click('[data-testid=ticket-sla-save]');
    await page.locator('.ant-message', { hasText: '工单时限已保存' }).waitFor();
    await page.reload();
    await sla.waitFor();
    expect(await page.inputValue('#ticketSla_policies_1_resolutionMinutes')).toBe('900');
    const saved = await apiCall<{ policies: { priority: string; warnRatio: number; isDefault: boolean }[] }>(
      page,
      'GET',
      '/settings/ticket-sla',
    );
    expect(saved.policies[1]).toMatchObject({ priority: 'high', warnRatio: 0.7, isDefault: false });
    await e.shot(page, '91-settings-ticket-sla');

    await switchLanguage(page, 'English');
    await sla.locator('text=Ticket SLA').waitFor();
    await sla.locator('th', { hasText: 'Supervisor target' }).first().waitFor();
    await e.shot(page, '92-settings-ticket-sla-en');
    await switchLanguage(page, '中文');

    // An agent cannot change the settings and is not shown the calendar banner.
    const agent = await e.newPage();
    await fillLogin(agent, 'liu.agent', DEMO_PASSWORD);
    await agent.waitForSelector('[data-testid=user-menu]');
    expect(await agent.locator('[data-testid=calendar-runout-banner]').count()).toBe(0);
  });
});
