import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiCall, DEMO_PASSWORD, fillLogin, startE2E, type TE2E } from './support.ts';

let e: TE2E;
beforeAll(async () => {
  e = await startE2E();
});
afterAll(async () => e?.close());

async function login(username: string): Promise<Page> {
  const page = await e.newPage();
  await page.setViewportSize({ width: 1440, height: 900 });
  await fillLogin(page, username, DEMO_PASSWORD);
  await page.waitForSelector('[data-testid=user-menu]');
  return page;
}

describe('驾驶舱 on the home page', () => {
  it('a branch manager switches the period, steps back, and clicks the worst outlet of the ranking into its evaluations', async () => {
    const page = await login('zhang.manager');
    await page.locator('[data-testid=cockpit-satisfactionRate]').waitFor();
    // Manager wording, with 环比 and 同比 badges.
    expect(await page.locator('[data-testid=cockpit-satisfactionRate]').innerText()).toContain('满意率');
    await page.locator('[data-testid=cockpit-unsatisfied-mom]').waitFor();
    await page.locator('[data-testid=cockpit-unsatisfied-yoy]').waitFor();
    // The subtree's survey, follow-up and complaint figures; snapshots say so instead of a change.
    for (const [key, label] of [
      ['satisfactionIndex', '满意度指数'],
      ['csat', 'CSAT'],
      ['nps', 'NPS'],
      ['followupCoverage', '回访覆盖率'],
      ['followupReach', '回访接通率'],
      ['followupCompletion', '回访完成率'],
      ['sessions', '客流量'],
    ])
      expect(await page.locator(`[data-testid=cockpit-${key}]`).innerText()).toContain(label);
    await page.locator('[data-testid=cockpit-followupCoverage-mom]').waitFor();
    for (const key of ['openTickets', 'followupOverdue', 'churnWarnings']) {
      await page.locator(`[data-testid=cockpit-${key}-snapshot]`).waitFor();
      expect(await page.locator(`[data-testid=cockpit-${key}-mom]`).count()).toBe(0);
    }
    // The hour × weekday heat map of customer flow (the demo's counters serve on weekdays and Saturdays).
    await page.locator('[data-testid=cockpit-flow-heatmap] canvas').first().waitFor();
    const monthRange = await page.locator('[data-testid=cockpit-range]').innerText();
    expect(monthRange).toMatch(/^\d{4}-\d{2}-01 ~ \d{4}-\d{2}-\d{2}$/);

    // 年, then the previous year.
    await page.locator('[data-testid=cockpit-period] .ant-segmented-item', { hasText: '年' }).click();
    const year = Number(monthRange.slice(0, 4));
    // This year is still running: it ends today, compared with as many days of last year.
    await page.locator('[data-testid=cockpit-range]', { hasText: `${year}-01-01 ~ ` }).waitFor();
    await page.click('[data-testid=cockpit-prev]');
    await page.locator('[data-testid=cockpit-range]', { hasText: `${year - 1}-01-01 ~ ${year - 1}-12-31` }).waitFor();
    await page.locator('.ant-segmented-item', { hasText: '月' }).first().click();
    await page.locator('[data-testid=cockpit-trend] canvas').waitFor();
    await page.locator('[data-testid=cockpit-ranking-chart] canvas').waitFor();
    await e.shot(page, '90-cockpit-manager');

    // The ranking lists the outlets of 上海分行 (worst first); its first entry opens that unit's evaluations.
    const first = page.locator('[data-testid=cockpit-ranking-unit]').first();
    await first.waitFor();
    const href = (await first.getAttribute('href')) ?? '';
    expect(href).toMatch(/^\/evaluations\?unitId=[0-9a-f-]{36}&from=.+&to=.+/);
    await first.click();
    await page.waitForURL(/\/evaluations\?unitId=/);
    expect(new URL(page.url()).searchParams.get('unitId')).toBe(new URLSearchParams(href.split('?')[1]).get('unitId'));
  });

  it('tiles open the page behind them; after a value run the tier distribution is drawn', async () => {
    const page = await login('zhang.manager');
    await page.locator('[data-testid=cockpit-openTickets]').waitFor();
    expect(await page.locator('[data-testid=cockpit-tiers]').count()).toBe(0);
    await page.click('[data-testid=cockpit-openTickets-link]');
    await page.waitForURL(/\/tickets$/);
    await page.goBack();
    await page.click('[data-testid=cockpit-followupOverdue-link]');
    await page.waitForURL(/\/followup\/tasks\?bucket=overdue$/);
    await page.goBack();
    await page.click('[data-testid=cockpit-satisfactionRate-link]');
    await page.waitForURL(/\/evaluations\?from=.+&to=.+/);

    // A value run (the manager may start one), then the home page draws the tiers of its customers.
    await apiCall(page, 'POST', '/value/runs', {});
    await expect
      .poll(async () => (await apiCall<{ items: { status: string }[] }>(page, 'GET', '/value/runs')).items[0]?.status, {
        timeout: 60_000,
      })
      .toBe('done');
    await page.goto('/');
    await page.locator('[data-testid=cockpit-tier-pie] canvas').waitFor();
    await page.locator('[data-testid=cockpit-lifecycle-pie] canvas').waitFor();
    await e.shot(page, '92-cockpit-tiers');
  });

  it('a teller sees his own figures ("我的…") and no ranking', async () => {
    const page = await login('teller03');
    await page.locator('[data-testid=cockpit-satisfactionRate]').waitFor();
    expect(await page.locator('[data-testid=cockpit-satisfactionRate]').innerText()).toContain('我的满意率');
    expect(await page.locator('[data-testid=cockpit-unsatisfied]').innerText()).toContain('我的不满意');
    expect(await page.locator('[data-testid=cockpit-ranking]').count()).toBe(0);
    // The complaints about him, now; no survey, follow-up KPI, heat map or tier figure of the organisation.
    expect(await page.locator('[data-testid=cockpit-openTickets]').innerText()).toContain('我的未结投诉');
    expect(await page.locator('[data-testid=cockpit-appealsPending]').innerText()).toContain('我的待处理申诉');
    await page.locator('[data-testid=cockpit-appealsDecided-mom]').waitFor();
    for (const key of ['satisfactionIndex', 'followupCoverage', 'churnWarnings', 'flow-heatmap', 'tiers'])
      expect(await page.locator(`[data-testid=cockpit-${key}]`).count()).toBe(0);
    await e.shot(page, '91-cockpit-teller');

    // His 统计分析 offers no customer-value cut: it counts units, and the server refuses it for his own scope.
    await page.goto('/analysis');
    await page.locator('[data-testid=analysis-table] .ant-table-tbody tr.ant-table-row').first().waitFor();
    expect(await page.locator('[data-testid=analysis-tier]').count()).toBe(0);
    await page.locator('[data-testid=analysis-group]').click();
    await page.locator('.ant-select-item-option', { hasText: '分组: 渠道' }).waitFor();
    expect(await page.locator('.ant-select-item-option', { hasText: '分组: 客户分级' }).count()).toBe(0);
  });
});
