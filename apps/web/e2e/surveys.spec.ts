import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  fillLogin,
  pick,
  ADMIN_PASSWORD,
  SCREENSHOTS,
  startE2E,
  type TE2E,
  pickOption,
  pressOption,
} from './support.ts';

let e: TE2E;
beforeAll(async () => {
  e = await startE2E();
});
afterAll(async () => e?.close());

async function fill(page: Page, selector: string, value: string) {
  await page.fill(selector, '');
  await page.fill(selector, value);
}

describe('survey journey', () => {
  it('designs a weighted survey, publishes it, answers a personal link on a phone and sees the index', async () => {
    const page = await e.newPage();
    await fillLogin(page, 'admin', ADMIN_PASSWORD);
    await page.waitForSelector('[data-testid=stat-units]');

    // 从模板新建 offers the bank-hall model too: its dimensions arrive weighted to 100%.
    await page.click('.ant-layout-sider >> text=回访问卷');
    await page.click('[data-testid=survey-from-template]');
    await page.click('[data-testid=survey-template-bank_hall]');
    await page.waitForSelector('[data-testid=survey-title]');
    expect(await page.inputValue('[data-testid=survey-title]')).toBe('银行网点服务满意度调查');
    expect(await page.inputValue('input[data-testid=dim-name-1]')).toBe('等候时间');
    await page.locator('[data-testid=dim-sum]', { hasText: '100%' }).waitFor();

    // A new survey: one dimension of 100% and one Likert question to start from.
    await page.click('.ant-layout-sider >> text=回访问卷');
    await page.click('[data-testid=survey-new]');
    await page.waitForSelector('[data-testid=survey-title]');
    await fill(page, '[data-testid=survey-title]', '网点服务回访');

    // Two dimensions, 服务 60% and 环境 — first mistyped as 30%: the form refuses with the reason.
    await fill(page, 'input[data-testid=dim-name-0]', '服务');
    await fill(page, 'input[data-testid=dim-weight-0], [data-testid=dim-weight-0] input', '60');
    await page.click('[data-testid=dim-add]');
    await fill(page, 'input[data-testid=dim-key-1]', 'env');
    await fill(page, 'input[data-testid=dim-name-1]', '环境');
    await fill(page, 'input[data-testid=dim-weight-1], [data-testid=dim-weight-1] input', '30');
    await page.locator('[data-testid=dim-sum]', { hasText: '90%' }).waitFor();

    // A second Likert question in the 环境 dimension.
    await page.click('[data-testid=question-add]');
    await fill(page, 'input[data-testid=question-title-1]', '网点环境是否整洁舒适？');
    await pick(page, 'questions_1_dimensionKey', '环境');
    await page.click('[data-testid=survey-save]');
    await page.locator('[data-testid=survey-form-error]', { hasText: '100%' }).waitFor();
    await e.shot(page, '41-survey-weights-error');

    await fill(page, 'input[data-testid=dim-weight-1], [data-testid=dim-weight-1] input', '40');
    await page.locator('[data-testid=dim-sum]', { hasText: '100%' }).waitFor();
    await page.click('[data-testid=survey-save]');
    await page.locator('.ant-message', { hasText: '已保存' }).waitFor();
    await e.shot(page, '42-survey-designed');

    // Preview renders the H5 answer page with the draft.
    await page.click('[data-testid=survey-preview]');
    await page.locator('[data-testid=survey-preview-body]', { hasText: '网点环境是否整洁舒适？' }).waitFor();
    await e.shot(page, '43-survey-preview');
    await page.click('.ant-drawer-close');

    // Publish, then a single-use personal link for a demo customer.
    await page.click('[data-testid=survey-publish]');
    await page.locator('.ant-tag', { hasText: '已发布' }).waitFor();
    await page.click('[data-testid=personal-customer]');
    const dropdown = page.locator('.ant-select-dropdown:visible');
    await pressOption(page, dropdown.locator('.ant-select-item-option').first());
    await page.click('[data-testid=personal-create]');
    const url = (await page.locator('[data-testid=personal-link]').innerText()).trim();
    expect(url).toMatch(/\/s\/[A-Za-z0-9_-]{43}$/);
    await e.shot(page, '44-survey-personal-link');

    // The customer answers on a phone-sized screen, outside the app shell.
    const phone = await e.browser.newContext({
      viewport: { width: 375, height: 812 },
      locale: 'zh-CN',
      isMobile: true,
      hasTouch: true,
    });
    const h5 = await phone.newPage();
    await h5.goto(url);
    await h5.locator('[data-testid=answer-page]', { hasText: '网点服务回访' }).waitFor();
    expect(await h5.locator('.ant-layout-sider').count()).toBe(0);
    await h5.screenshot({ path: `${SCREENSHOTS}/45-survey-h5-form.png`, fullPage: true });
    await h5.click('[data-testid=answer-submit]');
    await h5.locator('[data-question] [role=alert]', { hasText: '此题为必答题' }).first().waitFor();
    await h5.locator('[data-question=q1] label', { hasText: '很满意' }).click();
    await h5.locator('[data-question=q2] label', { hasText: /^满意$/ }).click();
    await h5.screenshot({ path: `${SCREENSHOTS}/46-survey-h5-answered.png`, fullPage: true });
    await h5.click('[data-testid=answer-submit]');
    await h5.locator('.hf-result-title', { hasText: '提交成功，感谢您的参与' }).waitFor();
    await h5.screenshot({ path: `${SCREENSHOTS}/47-survey-h5-thanks.png`, fullPage: true });
    // The link is single use.
    await h5.reload();
    await h5.locator('.hf-result-title', { hasText: '此问卷已提交，感谢您的参与' }).waitFor();
    await h5.screenshot({ path: `${SCREENSHOTS}/48-survey-h5-used.png`, fullPage: true });
    await phone.close();

    // The open link: a browser that answered sees 已提交 instead of the form, also after a reload; a second tab that
    // still shows the form is told its repeat was not recorded (the server keeps the first answer only).
    await page.click('[data-testid=open-link-create]');
    const openUrl = (await page.locator('[data-testid=open-link]').innerText()).trim();
    const visitor = await e.browser.newContext({
      viewport: { width: 375, height: 812 },
      locale: 'zh-CN',
      isMobile: true,
      hasTouch: true,
    });
    const tabA = await visitor.newPage();
    const tabB = await visitor.newPage();
    for (const tab of [tabA, tabB]) {
      await tab.goto(openUrl);
      await tab.locator('[data-question=q1]').waitFor();
    }
    for (const tab of [tabA, tabB]) {
      await tab.locator('[data-question=q1] label', { hasText: '很满意' }).click();
      await tab.locator('[data-question=q2] label', { hasText: /^满意$/ }).click();
    }
    await tabA.click('[data-testid=answer-submit]');
    await tabA.locator('.hf-result-title', { hasText: '提交成功，感谢您的参与' }).waitFor();
    await tabB.click('[data-testid=answer-submit]');
    await tabB.locator('.hf-result-title', { hasText: '您已提交过' }).waitFor();
    await tabB.screenshot({ path: `${SCREENSHOTS}/48a-survey-open-repeat.png`, fullPage: true });
    await tabA.reload();
    await tabA.locator('[data-testid=answer-already] .hf-result-title', { hasText: '已提交' }).waitFor();
    expect(await tabA.locator('[data-testid=answer-submit]').count()).toBe(0);
    await tabA.screenshot({ path: `${SCREENSHOTS}/48b-survey-open-answered.png`, fullPage: true });
    await visitor.close();

    // Results: 服务 5 (很满意), 环境 4 (满意) → (0.6 × 5 + 0.4 × 4) × 100 / 5 = 92.
    await page.click('[data-testid=survey-results-link]');
    await page.locator('[data-testid=kpi-index]', { hasText: '92' }).waitFor();
    await page.locator('[data-testid=chart-dimensions] canvas').waitFor();
    await e.shot(page, '49-survey-results');

    // The admin's outbox page says plainly that e-mail waits without SMTP (this server has none configured).
    await page.click('.ant-layout-sider >> text=发件箱');
    await page.locator('[data-testid=outbox-no-smtp]').waitFor();
    await e.shot(page, '50-outbox');

    // An agent-style entry from the customer 360 page: answer on the customer's behalf (staff channel).
    await page.click('.ant-layout-sider >> text=客户');
    await page.locator('.ant-table-row a').first().click();
    await page.click('[data-testid=customer-survey-entry]');
    await page.click('.ant-modal .ant-select');
    await pickOption(page, '网点服务回访');
    await page.locator('.ant-modal [data-question=q1] label', { hasText: '一般' }).click();
    await page.locator('.ant-modal [data-question=q2] label', { hasText: '很满意' }).click();
    await e.shot(page, '51-survey-staff-entry');
    await page.click('.ant-modal [data-testid=answer-submit]');
    await page.locator('.ant-message', { hasText: '答卷已保存' }).waitFor();
  });
});
