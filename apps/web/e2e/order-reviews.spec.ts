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

    // 店铺设置: the manager adds a dimension 包装完好 to the demo shop's three.
    await page.click('.ant-layout-sider >> text=订单评价');
    await page.click('.ant-tabs-tab >> text=店铺设置');
    const shopCard = page.locator('[data-testid=shop-线上商城旗舰店]');
    await shopCard.locator('[data-testid=shop-dims]', { hasText: '物流服务' }).waitFor();
    await shopCard.locator('[data-testid=shop-edit]').click();
    await shopCard.locator('[data-testid=shop-dim-add]').click();
    await shopCard.locator('[data-testid=shop-dim-3]').fill('包装完好');
    await shopCard.locator('[data-testid^=shop-save-]').click();
    await shopCard.locator('[data-testid=shop-dims]', { hasText: '包装完好' }).waitFor();
    await e.shot(page, '40-order-reviews-shop-settings');

    // Completed orders open to review are the shop's only: the bank outlets' wealth-product purchases (also
    // transactions of kind order, ¥10,000 and up) are not listed. Copy the buyer's link of the newest.
    await page.click('.ant-tabs-tab >> text=已完成订单');
    await page.locator('[data-testid=copy-review-link]').first().waitFor();
    const shopsListed = await page.locator('.ant-table-row td:nth-child(2)').allInnerTexts();
    expect(shopsListed.length).toBeGreaterThan(0);
    expect(new Set(shopsListed)).toEqual(new Set(['线上商城旗舰店']));
    await page.locator('[data-testid=copy-review-link]').first().click();
    const link = await page.locator('[data-testid=last-review-link]').getAttribute('href');
    expect(link).toMatch(/\/r\/[A-Za-z0-9_-]{43}$/);
    await e.shot(page, '41-order-reviews-orders');

    // The buyer, on a phone, outside the app shell.
    const phone = await e.browser.newContext({
      viewport: { width: 390, height: 844 },
      isMobile: true,
      hasTouch: true,
      locale: 'zh-CN',
      timezoneId: 'Asia/Shanghai',
    });
    const buyer = await phone.newPage();
    await buyer.goto(link!);
    await buyer.locator('[data-testid=rating-form]').waitFor();
    expect(await buyer.locator('.ant-layout-sider').count()).toBe(0);
    // The shop's four dimensions, the new one last.
    expect(await buyer.locator('[data-testid=rating-form]').innerText()).toContain('包装完好');
    const stars = [5, 4, 5, 3];
    expect(await buyer.locator('[data-testid^=rate-]').count()).toBe(stars.length);
    for (const [i, n] of stars.entries()) {
      await buyer
        .locator('[data-testid^=rate-]')
        .nth(i)
        .locator('li')
        .nth(n - 1)
        .locator('div[role=radio]')
        .click();
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
    // The new dimension has its card beside the three defaults.
    await page.locator('.ant-statistic-title', { hasText: '包装完好' }).waitFor();
    await e.shot(page, '45-shop-score');
  });
});
