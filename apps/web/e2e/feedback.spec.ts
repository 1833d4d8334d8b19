import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD, login, pick, switchLanguage, startE2E, untilStill, type TE2E } from './support.ts';

let e: TE2E;
beforeAll(async () => {
  e = await startE2E();
});
afterAll(async () => e?.close());

describe('feedback analysis journey', () => {
  it('a manager reads the classified feedback of the demo, corrects a label, and sees it kept, counted and in the history', async () => {
    const page = await e.newPage();
    await login(page, 'zhang.manager', DEMO_PASSWORD);
    await page.click('.ant-layout-sider >> text=反馈分析');
    const rows = page.locator('.ant-table-row');
    await rows.first().waitFor();
    // The classifier's keywords are highlighted in the texts, and every row carries its labels.
    expect(await page.locator('[data-testid=feedback-keyword]').count()).toBeGreaterThan(0);
    expect(await rows.first().locator('[data-testid=feedback-category]').count()).toBe(1);
    const correctedBefore = Number(
      (await page.locator('[data-testid=feedback-stat-corrected] .ant-statistic-content-value').innerText()).replace(
        /\D/g,
        '',
      ),
    );
    await e.shot(page, '60-feedback-list');

    const row = rows.first();
    const text = await row.locator('[data-testid=feedback-text]').innerText();
    const before = await row.locator('[data-testid=feedback-category]').innerText();
    const target = before === '表扬' ? '建议' : '表扬';
    await row.locator('[data-testid=feedback-correct]').click();
    const dialog = page.locator('.ant-modal:visible');
    await dialog.waitFor();
    await untilStill(dialog.locator('#feedback-labels_category'));
    await pick(page, 'feedback-labels_category', target);
    await dialog.locator('#feedback-labels_reason').fill('人工复核');
    await e.shot(page, '61-feedback-correct');
    await dialog.locator('[data-testid=feedback-correct-save]').click();
    await dialog.waitFor({ state: 'hidden' });

    // The row now shows the corrected label and the 已修正 mark; the tile counts it.
    const same = page.locator('.ant-table-row', { hasText: text.slice(0, 20) }).first();
    await expect.poll(() => same.locator('[data-testid=feedback-category]').innerText()).toBe(target);
    await same.locator('[data-testid=feedback-corrected]').waitFor();
    await expect
      .poll(async () =>
        Number(
          (
            await page.locator('[data-testid=feedback-stat-corrected] .ant-statistic-content-value').innerText()
          ).replace(/\D/g, ''),
        ),
      )
      .toBe(correctedBefore + 1);

    // The history keeps who changed what.
    await same.locator('[data-testid=feedback-correct]').click();
    const history = page.locator('.ant-modal:visible [data-testid=feedback-history-row]');
    await history.first().waitFor();
    expect(await history.first().innerText()).toContain(`${before}`);
    expect(await history.first().innerText()).toContain(target);
    expect(await history.first().innerText()).toContain('人工复核');
    await e.shot(page, '62-feedback-history');
    await page.keyboard.press('Escape');
    await page.locator('.ant-modal:visible').waitFor({ state: 'hidden' });

    // The same page in English: labels, tiles and the menu.
    await switchLanguage(page, 'English');
    await page.locator('.ant-card-head-title', { hasText: 'Feedback analysis' }).waitFor();
    expect(await page.locator('[data-testid=feedback-stat-complaint]').innerText()).toContain('Complaints');
    expect(await same.locator('[data-testid=feedback-corrected]').innerText()).toBe('Corrected');
    await e.shot(page, '63-feedback-en');
  });
});
