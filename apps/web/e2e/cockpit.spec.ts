import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD, fillLogin, startE2E, type TE2E } from './support.ts';

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

  it('a teller sees his own figures ("我的…") and no ranking', async () => {
    const page = await login('teller03');
    await page.locator('[data-testid=cockpit-satisfactionRate]').waitFor();
    expect(await page.locator('[data-testid=cockpit-satisfactionRate]').innerText()).toContain('我的满意率');
    expect(await page.locator('[data-testid=cockpit-unsatisfied]').innerText()).toContain('我的不满意');
    expect(await page.locator('[data-testid=cockpit-ranking]').count()).toBe(0);
    await e.shot(page, '91-cockpit-teller');
  });
});
