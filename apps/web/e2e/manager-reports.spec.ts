import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD, fillLogin, startE2E, type TE2E } from './support.ts';

let e: TE2E;
beforeAll(async () => {
  e = await startE2E();
});
afterAll(async () => e?.close());

async function login(username: string, width = 1440, height = 900): Promise<Page> {
  const page = await e.newPage();
  await page.setViewportSize({ width, height });
  await fillLogin(page, username, DEMO_PASSWORD);
  await page.waitForSelector('[data-testid=user-menu]');
  return page;
}

const shanghaiToday = () => new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Shanghai' }).format(new Date());

describe('服务统计 and exports', () => {
  it('the 日期 tab lists days; its export downloads a file named by the local date; a failed export says so in the page', async () => {
    const page = await login('zhang.manager');
    await page.goto('/service-report');
    await page.locator('.ant-table-row', { hasText: '陆家嘴支行' }).first().waitFor();
    await page.locator('.ant-segmented-item', { hasText: '日期' }).click();
    await page
      .locator('.ant-table-row', { hasText: /^\d{4}-\d{2}-\d{2}/ })
      .first()
      .waitFor();
    expect(await page.locator('[data-testid=report-error]').count()).toBe(0);
    await e.shot(page, '60-service-report-by-day');

    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=report-xlsx]')]);
    expect(download.suggestedFilename()).toBe(`service-sessions-day-${shanghaiToday()}.xlsx`);

    // The server fails: the page shows the translated error and stays; no tab of raw JSON, no file.
    await page.route('**/api/service-sessions/report.xlsx*', (route) =>
      route.fulfill({
        status: 500,
        contentType: 'application/json',
        body: JSON.stringify({ code: 'INTERNAL', message: 'internal error', requestId: 'r1' }),
      }),
    );
    const url = page.url();
    let downloads = 0;
    page.on('download', () => downloads++);
    await page.click('[data-testid=report-xlsx]');
    await page.locator('.ant-message', { hasText: '导出失败：服务器出错了，请稍后重试' }).waitFor();
    expect(page.url()).toBe(url);
    expect(page.context().pages()).toHaveLength(1);
    expect(downloads).toBe(0);
    await e.shot(page, '61-export-failed-message');
  });
});

describe('layout at 1440 × 900', () => {
  it('订单评价 fits the window; 评价记录 keeps unit · counter on one line; 回访任务 shows every column', async () => {
    const page = await login('zhang.manager');
    await page.goto('/order-reviews');
    await page.locator('[data-testid=reviews-table] .ant-table-row').first().waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    await e.shot(page, '62-order-reviews-1440');

    await page.goto('/evaluations');
    await page.locator('[data-testid=evaluation-unit]', { hasText: '号窗口' }).first().waitFor();
    // Each unit cell's text occupies a single line box (no "1号窗/口").
    const lines = await page.$$eval('[data-testid=evaluation-unit]', (cells) =>
      cells.slice(0, 20).map((td) => {
        const r = document.createRange();
        r.selectNodeContents(td);
        return new Set([...r.getClientRects()].map((x) => Math.round(x.top))).size;
      }),
    );
    expect(lines.length).toBeGreaterThan(0);
    expect(Math.max(...lines)).toBe(1);
    await e.shot(page, '63-evaluations-1440');

    await page.goto('/followup/tasks');
    await page.locator('.ant-table-row').first().waitFor();
    const fits = await page.evaluate(() => {
      const table = document.querySelector('.ant-table-content, .ant-table-body') as HTMLElement | null;
      return table ? table.scrollWidth <= table.clientWidth : false;
    });
    expect(fits).toBe(true); // the last column (满意度) is visible without scrolling or being covered by the panel
    await e.shot(page, '64-followup-tasks-1440');
  });
});

describe('kiosk countdown', () => {
  it('never shows more seconds than the timeout (30 s)', async () => {
    const kiosk = await e.newPage();
    await kiosk.goto('/kiosk');
    await kiosk.fill('[data-testid=pair-code]', 'demo-ljz1');
    await kiosk.keyboard.press('Enter');
    await kiosk.locator('[data-testid=kiosk][data-screen=idle]').waitFor();
    const teller = await login('chen.teller');
    await teller.goto('/counter');
    await teller.click('[data-testid=start-service]');
    await teller.locator('[data-testid=serving-tag]').waitFor();
    await kiosk.locator('[data-testid=staff-card]').waitFor();
    // Sample the countdown from the moment the keys appear, every frame for 1.5 s.
    const [seen] = await Promise.all([
      kiosk.evaluate(
        () =>
          new Promise<number[]>((resolve) => {
            const out: number[] = [];
            let until = 0;
            const tick = () => {
              const el = document.querySelector('[data-testid=kiosk-seconds-left]');
              if (el) {
                until ||= performance.now() + 1500;
                out.push(Number(/\d+/.exec(el.textContent ?? '')?.[0]));
              }
              if (until && performance.now() > until) resolve(out);
              else requestAnimationFrame(tick);
            };
            tick();
          }),
      ),
      teller.click('[data-testid=end-service]'),
    ]);
    expect(seen.length).toBeGreaterThan(0);
    expect(Math.max(...seen)).toBe(30);
  });
});
