import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fillLogin, DEMO_PASSWORD, startE2E, type TE2E } from './support.ts';

let e: TE2E;
beforeAll(async () => {
  e = await startE2E();
});
afterAll(async () => e?.close());

describe('order review journey', () => {
  it('shop copies a review link; the buyer rates on a phone; the shop replies and sees its score', async () => {
    const page = await e.newPage();
    await fillLogin(page, 'zhang.manager', DEMO_PASSWORD);
    await page.waitForSelector('[data-testid=stat-units]');

    // Completed orders of the demo shop that may still be rated: copy the buyer's link of the newest.
    await page.click('.ant-layout-sider >> text=订单评价');
    await page.click('.ant-tabs-tab >> text=已完成订单');
    await page.locator('[data-testid=copy-review-link]').first().click();
    const link = await page.locator('[data-testid=last-review-link]').getAttribute('href');
    expect(link).toMatch(/\/r\/[A-Za-z0-9_-]{43}$/);
    await e.shot(page, '41-order-reviews-orders');

    // The buyer, on a phone, outside the app shell.
    const phone = await e.browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
    const buyer = await phone.newPage();
    await buyer.goto(link!);
    await buyer.locator('[data-testid=rating-form]').waitFor();
    expect(await buyer.locator('.ant-layout-sider').count()).toBe(0);
    for (const [dim, stars] of [['description', 5], ['service', 4], ['logistics', 5]] as const) {
      await buyer.locator(`[data-testid=rate-${dim}] li`).nth(stars - 1).locator('div[role=radio]').click();
    }
    await buyer.fill('[data-testid=rating-text]', '端到端测试：宝贝很好，物流也快');
    await e.shot(buyer, '42-buyer-review-form');
    await buyer.click('[data-testid=rating-submit]');
    await buyer.locator('[data-testid=buyer-rated]').waitFor();
    await buyer.locator('[data-testid=followup-form]').waitFor();
    expect(await buyer.locator('[data-testid=buyer-rated]').innerText()).toContain('端到端测试');
    await e.shot(buyer, '43-buyer-rated');
    await phone.close();

    // The shop sees it in its list and replies once.
    await page.click('.ant-tabs-tab >> text=评价列表');
    const row = page.locator('.ant-table-row', { hasText: '端到端测试' });
    await row.waitFor();
    await row.locator('[data-testid=reply-button]').click();
    await page.fill('[data-testid=reply-text]', '感谢您的好评！');
    await page.click('[data-testid=reply-ok]');
    await row.locator('text=已解释').waitFor();
    expect(await row.locator('[data-testid=reply-button]').count()).toBe(0);
    await e.shot(page, '44-order-reviews-replied');

    // The shop score page: three dimensions, counts, the lazily loaded trend chart.
    await page.click('.ant-layout-sider >> text=店铺评分');
    await page.locator('[data-testid=score-description]').waitFor();
    await page.locator('[data-testid=score-trend] canvas').waitFor();
    const description = await page.locator('[data-testid=score-description]').innerText();
    expect(description).toMatch(/[1-5]\.\d\d/);
    expect(await page.locator('[data-testid=score-counts]').innerText()).toMatch(/计入评分 \d+ 条，不计入 \d+ 条/);
    await e.shot(page, '45-shop-score');
  });
});
