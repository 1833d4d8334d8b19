import fs from 'node:fs';
import ExcelJS from 'exceljs';
import type { Download, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, apiCall, DEMO_PASSWORD, fillLogin, pressOption, startE2E, type TE2E } from './support.ts';

/**
 * The demo data holds 18 months of counter evaluations up to yesterday (bootstrap/demo-kiosk.ts), so "last month"
 * of the real clock always holds data: no clock is set.
 */
let e: TE2E;
beforeAll(async () => {
  e = await startE2E();
});
afterAll(async () => e?.close());

async function login(username: string, password = DEMO_PASSWORD): Promise<Page> {
  const page = await e.newPage();
  await page.setViewportSize({ width: 1440, height: 900 });
  await fillLogin(page, username, password);
  await page.waitForSelector('[data-testid=user-menu]');
  return page;
}

/** The first sheet's rows as arrays of cell values (exceljs, 1-based columns dropped). */
async function sheetRows(download: Download): Promise<unknown[][]> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(fs.readFileSync((await download.path())!) as unknown as ArrayBuffer);
  return (wb.worksheets[0]!.getSheetValues() as unknown[][]).filter(Boolean).map((r) => r.slice(1));
}

/** An exported date-time cell (the tenant's wall clock, stored as Excel serial time) as the page shows it. */
const wallClock = (v: unknown) => (v instanceof Date ? v.toISOString().slice(0, 19).replace('T', ' ') : String(v));

describe('统计分析 journey', () => {
  it('a branch manager takes last month on the dashboard, clicks the worst outlet in the ranking, lands on its 不满意 evaluations and exports them', async () => {
    const page = await login('zhang.manager');
    await page.locator('[data-testid=cockpit-range]').waitFor();
    // Last month: 月, one period back.
    await page.locator('[data-testid=cockpit-period] .ant-segmented-item', { hasText: '月' }).click();
    const thisMonth = (await page.locator('[data-testid=cockpit-range]').innerText()).slice(0, 10);
    await page.click('[data-testid=cockpit-prev]');
    const [y, m] = thisMonth.split('-').map(Number) as [number, number];
    const lastMonth = m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`;
    const rangeText = page.locator('[data-testid=cockpit-range]', { hasText: `${lastMonth}-01 ~ ` });
    await rangeText.waitFor();
    const [from, to] = (await rangeText.innerText()).split(' ~ ') as [string, string];

    // The worst outlet is first in the ranking list and at the top of the ranking chart.
    const worst = page.locator('[data-testid=cockpit-ranking-unit]').first();
    await worst.waitFor();
    const worstName = ((await worst.innerText()).split('. ')[1] ?? '').trim();
    const worstId = new URLSearchParams(((await worst.getAttribute('href')) ?? '').split('?')[1]).get('unitId');
    const chart = page.locator('[data-testid=cockpit-ranking-chart]');
    await chart.locator('canvas').waitFor();
    await e.shot(page, '95-analysis-cockpit-last-month');
    // Its bar: the top category band (grid top 10 px, one band of 32 px per unit), just right of the axis (90 px).
    const box = (await chart.boundingBox())!;
    const n = await page.locator('[data-testid=cockpit-ranking-unit]').count();
    const band = (Math.max(120, n * 32 + 30) - 30) / n;
    await page.mouse.click(box.x + 100, box.y + 10 + band / 2);

    await page.waitForURL(/\/evaluations\?/);
    const url = new URL(page.url());
    expect(Object.fromEntries(url.searchParams)).toEqual({
      unitId: worstId,
      sentiment: 'unsatisfied',
      excluded: 'false',
      from,
      to,
    });
    // Its 不满意 evaluations: every row of that outlet, in the period; load them all.
    const rows = page.locator('.ant-table-tbody tr.ant-table-row');
    await rows.first().waitFor();
    while (await page.locator('[data-testid=evaluations-more]').isVisible()) {
      const before = await rows.count();
      await page.click('[data-testid=evaluations-more]');
      await page.waitForFunction(
        (k) => document.querySelectorAll('.ant-table-tbody tr.ant-table-row').length > k,
        before,
      );
    }
    const shown = await rows.evaluateAll((trs) =>
      trs.map((tr) => {
        const cells = [...tr.querySelectorAll('td')].map((td) => td.textContent?.trim() ?? '');
        return { at: cells[0]!, score: cells[2]!, unit: cells[3]! };
      }),
    );
    expect(shown.length).toBeGreaterThan(0);
    for (const r of shown) {
      expect(r.unit.startsWith(worstName)).toBe(true);
      expect(r.at.slice(0, 10) >= from && r.at.slice(0, 10) <= to).toBe(true);
    }
    await e.shot(page, '96-analysis-unsatisfied-evaluations');

    // Export: the file holds the filters the page shows and exactly its rows, in its order.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.click('[data-testid=evaluations-export]'),
    ]);
    expect(download.suggestedFilename()).toMatch(/^evaluations-\d{4}-\d{2}-\d{2}\.xlsx$/);
    const sheet = await sheetRows(download);
    expect(sheet.slice(0, 5)).toEqual([
      ['单位', worstName],
      ['满意度', '不满意（1–2 分）'],
      ['开始', from],
      ['结束', to],
      ['状态', '计入统计'],
    ]);
    expect(sheet[5]?.slice(0, 5)).toEqual(['评价时间', '渠道', '评分', '评价', '单位']);
    const exported = sheet.slice(6).map((r) => ({
      at: wallClock(r[0]),
      score: String(r[3] ?? `${String(r[2])}/5`),
      unit: [r[4], r[5]].filter(Boolean).join(' · '),
    }));
    expect(exported).toEqual(shown);
    // Scored 1 or 2 only (不满意).
    for (const r of sheet.slice(6)) expect([1, 2]).toContain(r[2]);
  });

  it('the 统计分析 page cuts the branch by outlet, ranks outlets with a minimum sample, and exports the table it shows', async () => {
    const page = await login('zhang.manager');
    await page.click('.ant-layout-sider >> text=统计分析');
    await page.waitForURL(/\/analysis/);
    // This month's figures first; the table is read once last month's have replaced them.
    const thisMonth = await page.locator('[data-testid=analysis-range-text]', { hasText: '上海分行' }).innerText();
    await page.locator('[data-testid=analysis-preset]').click();
    await page.locator('.ant-select-item-option', { hasText: '上月' }).click();
    await page.waitForFunction((before) => {
      const el = document.querySelector('[data-testid=analysis-range-text]');
      return (
        !!el && el.textContent !== before && !document.querySelector('[data-testid=analysis-table] .ant-spin-spinning')
      );
    }, thisMonth);
    await page.locator('[data-testid=analysis-chart] canvas').waitFor();
    const table = page.locator('[data-testid=analysis-table] .ant-table-tbody tr.ant-table-row');
    await table.first().waitFor();
    const shown = await table.evaluateAll((trs) =>
      trs.map((tr) => [...tr.querySelectorAll('td')].slice(0, 3).map((td) => td.textContent?.trim() ?? '')),
    );
    expect(shown.map((r) => r[0])).toEqual(expect.arrayContaining(['陆家嘴支行', '徐家汇支行', '张江支行']));
    await page.locator('[data-testid=analysis-worst-item]').first().waitFor();
    expect(await page.locator('[data-testid=analysis-ranking-help]').innerText()).toContain('少于 10 条');
    await e.shot(page, '97-analysis-page');

    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=analysis-export]')]);
    const sheet = await sheetRows(download);
    expect(sheet[0]).toEqual(['单位', '上海分行']);
    const head = sheet.findIndex((r) => r[0] === '下级单位');
    expect(head).toBeGreaterThan(0);
    expect(sheet.slice(head + 1, head + 1 + shown.length).map((r) => r.slice(0, 3).map(String))).toEqual(shown);
    expect(sheet.at(-1)?.[0]).toBe('合计');
  });

  it('switches the period cut to the hour (the last 7 days, hour by hour), and a follow-up figure opens its tasks', async () => {
    const page = await login('zhang.manager');
    await page.goto(`${e.baseUrl}/analysis?groupBy=period`);
    await page.locator('[data-testid=analysis-table] .ant-table-tbody tr.ant-table-row').first().waitFor();
    // 时: a month is too long for hours, so the range becomes the last 7 days, one row per local hour.
    await page.locator('[data-testid=analysis-granularity] .ant-segmented-item', { hasText: /^时$/ }).click();
    await page.waitForURL(/granularity=hour/);
    expect(new URL(page.url()).searchParams.get('preset')).toBe('last7Days');
    const rangeText = page.locator('[data-testid=analysis-range-text]', { hasText: '时间' });
    await page
      .locator('[data-testid=analysis-table] .ant-table-tbody tr.ant-table-row', { hasText: ':00' })
      .first()
      .waitFor();
    const [from, to] = (await rangeText.innerText()).match(/\d{4}-\d{2}-\d{2}/g)!;
    const labels = await page
      .locator('[data-testid=analysis-table] .ant-table-tbody tr.ant-table-row')
      .evaluateAll((trs) => trs.map((tr) => tr.querySelector('td')?.textContent?.trim() ?? ''));
    expect(labels).toHaveLength(7 * 24);
    expect(labels[0]).toBe(`${from} 00:00`);
    expect(labels.at(-1)).toBe(`${to} 23:00`);
    // The hours add up to the total row; the demo's counters are busiest at 10:00 (weekdays).
    const evals = await page
      .locator('[data-testid=analysis-table] .ant-table-tbody tr.ant-table-row')
      .evaluateAll((trs) => trs.map((tr) => Number(tr.querySelectorAll('td')[1]?.textContent ?? 0) || 0));
    const total = Number(
      (await page.locator('[data-testid=analysis-total] td').nth(1).innerText()).replace(/\D/g, '') || 0,
    );
    expect(evals.reduce((a, b) => a + b, 0)).toBe(total);
    expect(evals.filter((_, i) => i % 24 === 10).some((n) => n > 0)).toBe(true);
    await page.locator('[data-testid=analysis-chart] canvas').waitFor();
    await e.shot(page, '98-analysis-hours');

    // The 驾驶舱's 应回访 tile (this month) opens the team's tasks whose due window opens this month.
    await page.goto(`${e.baseUrl}/`);
    const due = page.locator('[data-testid=cockpit-followupDue]');
    await due.waitFor();
    const [monthFrom, monthTo] = (await page.locator('[data-testid=cockpit-range]').innerText()).split(' ~ ') as [
      string,
      string,
    ];
    const dueValue = Number((await due.locator('.ant-statistic-content-value').innerText()).replace(/\D/g, ''));
    expect(dueValue).toBeGreaterThan(0);
    await page.click('[data-testid=cockpit-followupDue-link]');
    await page.waitForURL(/\/followup\/tasks\?/);
    expect(Object.fromEntries(new URL(page.url()).searchParams)).toEqual({ from: monthFrom, to: monthTo });
    await page.locator('.ant-table-tbody tr.ant-table-row').first().waitFor();
    // The figure counts the tasks not cancelled: the list's counts by state say the same.
    const stat = async (id: string) =>
      Number((await page.locator(`[data-testid=${id}] .ant-statistic-content-value`).innerText()).replace(/\D/g, ''));
    await page.waitForFunction(
      () => document.querySelector('[data-testid=summary-total] .ant-statistic-content-value')?.textContent !== '0',
    );
    expect((await stat('summary-total')) - (await stat('summary-state-cancelled'))).toBe(dueValue);
    await e.shot(page, '99-analysis-followup-tasks');
  });

  it('cuts the last 12 months by 客户分级: none before a value run, then the tiers as of the run, and a tier opens its ratings', async () => {
    const page = await login('zhang.manager');
    await page.goto(`${e.baseUrl}/analysis?preset=last12Months`);
    await page.locator('[data-testid=analysis-table] .ant-table-tbody tr.ant-table-row').first().waitFor();
    await page.locator('[data-testid=analysis-group]').click();
    await pressOption(page, page.locator('.ant-select-item-option', { hasText: '分组: 客户分级' }));
    await page.waitForURL(/groupBy=tier/);
    // The demo has no finished value run yet: the page says so instead of an empty table.
    await page.locator('[data-testid=analysis-no-value-run]', { hasText: '尚未完成客户价值计算' }).waitFor();

    // An administrator runs the customer value calculation (客户分级); the job finishes in the background.
    const admin = await login('admin', ADMIN_PASSWORD);
    const run = await apiCall<{ id: string }>(admin, 'POST', '/value/runs', {});
    // Polled from the test: page.waitForFunction took the async predicate's promise for a truthy answer and went on
    // while the run was still queued, so the reload below raced the job.
    await expect
      .poll(async () => (await apiCall<{ status: string }>(admin, 'GET', `/value/runs/${run.id}`)).status, {
        interval: 500,
        timeout: 60_000,
      })
      .toBe('done');

    await page.reload();
    await page.locator('[data-testid=analysis-value-asof]', { hasText: '分级截至' }).waitFor();
    const rows = page.locator('[data-testid=analysis-table] .ant-table-tbody tr.ant-table-row');
    await rows.first().waitFor();
    const labels = await rows.evaluateAll((trs) => trs.map((tr) => tr.querySelector('td')?.textContent?.trim()));
    // The model's tiers best first, then the ratings without a tier (anonymous kiosk presses among them).
    expect(labels).toEqual(['大客户', '中客户', '小客户', '未分级']);
    const count = async (label: string) =>
      Number((await rows.filter({ hasText: label }).locator('td').nth(1).innerText()).replace(/\D/g, '') || 0);
    const large = await count('大客户');
    expect(large).toBeGreaterThan(0);
    await e.shot(page, '100-analysis-by-tier');

    // 大客户 → every rating of its customers in the range (the list asks for counted ones, as the figure counts).
    await rows.filter({ hasText: '大客户' }).getByText('全部评价').click();
    await page.waitForURL(/\/evaluations\?/);
    expect(new URL(page.url()).searchParams.get('tier')).toBe('large');
    await page.locator('[data-testid=evaluations-value-tier]', { hasText: '客户分级: 大客户' }).waitFor();
    await page.locator('.ant-table-tbody tr.ant-table-row').first().waitFor();
    await e.shot(page, '101-analysis-tier-evaluations');

    // 未分级 → the ratings without a tier: anonymous presses and customers the run left without one.
    await page.goBack();
    await rows.filter({ hasText: '未分级' }).getByText('全部评价').click();
    await page.waitForURL(/tier=_none/);
    await page.locator('[data-testid=evaluations-value-tier]', { hasText: '客户分级: 未分级' }).waitFor();
    await page.locator('.ant-table-tbody tr.ant-table-row').first().waitFor();
  });
});
