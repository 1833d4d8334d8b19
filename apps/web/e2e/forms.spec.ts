import fs from 'node:fs';
import ExcelJS from 'exceljs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ADMIN_PASSWORD,
  DEMO_PASSWORD,
  fillLogin,
  startE2E,
  type TE2E,
  switchLanguage,
  untilStill,
} from './support.ts';

let e: TE2E;
beforeAll(async () => {
  e = await startE2E();
});
afterAll(async () => e?.close());

/** A phone no demo customer has (the demo's are random 13x/15x/18x numbers; 199 + a timestamp tail is not among them). */
const freshPhone = () => `199${String(Date.now()).slice(-8)}`;
/** Zod's own English, which must never reach a user. */
const RAW = /Invalid input|expected string|received undefined/;

/** Uncaught errors in the page (an unhandled rejection from a form submit shows as `pageerror`). */
function pageErrors(page: Page): string[] {
  const out: string[] = [];
  page.on('pageerror', (err) => out.push(String(err)));
  return out;
}

const fieldError = (page: Page, id: string) =>
  page.locator('.ant-form-item', { has: page.locator(`#${id}`) }).locator('.ant-form-item-explain');

async function openNewCustomer(page: Page) {
  await page.goto('/customers');
  await page.click('[data-testid=customer-create]');
  await page.locator('#customer_name').waitFor();
}

async function switchTo(page: Page, lang: 'English' | '中文') {
  await switchLanguage(page, lang);
}

describe('forms say what is wrong, in the user’s language', () => {
  it('names the field instead of Zod’s text, drops a stale server error, and warns before saving a duplicate phone', async () => {
    const page = await e.newPage();
    const errors = pageErrors(page);
    await fillLogin(page, 'zhang.manager', DEMO_PASSWORD);
    await page.waitForSelector('[data-testid=stat-units]');

    // #5: an empty name says so, naming the field — no "Invalid input: expected string, received undefined".
    await openNewCustomer(page);
    await page.click('[data-testid=customer-save]');
    await expect.poll(() => fieldError(page, 'customer_name').innerText()).toBe('客户名称不能为空');

    // #6: a bad phone is refused by the server, on the phone field.
    await page.fill('#customer_name', '表单测试甲');
    await page.fill('#customer_phonesText', '12345');
    await page.click('[data-testid=customer-save]');
    await expect
      .poll(() => fieldError(page, 'customer_phonesText').innerText())
      .toBe('电话须为有效的手机号或带区号的座机号');
    // The phone is corrected while another field goes wrong: the old phone error leaves, the new one shows.
    const phone = freshPhone();
    await page.fill('#customer_phonesText', phone);
    await page.fill('#customer_name', '');
    await page.click('[data-testid=customer-save]');
    await expect.poll(() => fieldError(page, 'customer_name').innerText()).toBe('客户名称不能为空');
    // antd animates an error out, so the user (and the test) sees it leave rather than gone at once.
    await expect.poll(() => fieldError(page, 'customer_phonesText').count()).toBe(0);
    await page.fill('#customer_name', '表单测试甲');
    await page.click('[data-testid=customer-save]');
    await page.waitForURL(/\/customers\/[0-9a-f-]{36}$/);
    const firstUrl = page.url();
    await e.shot(page, '60-forms-customer-saved');

    // #7: the same phone on a new customer is not saved silently: the existing customer is shown, and can be opened…
    await openNewCustomer(page);
    await page.fill('#customer_name', '表单测试乙');
    await page.fill('#customer_phonesText', phone);
    await page.click('[data-testid=customer-save]');
    const modal = page.locator('.ant-modal', { hasText: '已有客户使用此电话' });
    await modal.waitFor();
    expect(await modal.locator('[data-testid=duplicate-existing]').innerText()).toContain(
      `表单测试甲 · ${phone.slice(0, 3)}****${phone.slice(-4)}`,
    );
    await e.shot(page, '61-forms-duplicate-phone');
    await untilStill(modal.locator('[data-testid=duplicate-open]'));
    await page.click('[data-testid=duplicate-open]');
    await page.waitForURL(firstUrl);
    // …or saved anyway, once the user says this is someone else.
    await openNewCustomer(page);
    await page.fill('#customer_name', '表单测试乙');
    await page.fill('#customer_phonesText', phone);
    await page.click('[data-testid=customer-save]');
    await modal.waitFor();
    await untilStill(modal.locator('[data-testid=duplicate-save]'));
    await page.click('[data-testid=duplicate-save]');
    await page.waitForURL((u) => /\/customers\/[0-9a-f-]{36}$/.test(u.pathname) && u.href !== firstUrl);
    await page.locator('text=已保存').first().waitFor();

    // #5 on another form: a plan without a name.
    await page.goto('/followup/plans');
    await page.click('[data-testid=plan-create]');
    await page.click('[data-testid=plan-save]');
    await expect.poll(() => fieldError(page, 'plan_name').innerText()).toBe('计划名称不能为空');

    // The same messages in English.
    await page.goto('/customers');
    await switchTo(page, 'English');
    await openNewCustomer(page);
    await page.click('[data-testid=customer-save]');
    await expect.poll(() => fieldError(page, 'customer_name').innerText()).toBe('Name is required');
    await page.fill('#customer_name', 'Form test');
    await page.fill('#customer_phonesText', '12345');
    await page.click('[data-testid=customer-save]');
    await expect
      .poll(() => fieldError(page, 'customer_phonesText').innerText())
      .toBe('Phones must be a valid mobile number or a landline with its area code');
    const shown = await page.locator('.ant-drawer').innerText();
    expect(shown).not.toMatch(RAW);

    expect(errors).toEqual([]);
  });

  it('writes the import error report in Chinese naming the column, and the activity lines and the kiosk follow the English switch', async () => {
    const page = await e.newPage();
    const errors = pageErrors(page);
    await fillLogin(page, 'admin', ADMIN_PASSWORD);
    await page.waitForSelector('[data-testid=stat-units]');

    // An import with a nameless row, run by the background job (no actor: the system).
    await page.goto('/customers/import');
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('客户');
    ws.addRow(['姓名', '手机']);
    ws.addRow(['表单导入', freshPhone()]);
    ws.addRow(['', '13712345678']);
    await page.setInputFiles('.ant-upload input[type=file]', {
      name: '表单导入.xlsx',
      mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      buffer: Buffer.from(await wb.xlsx.writeBuffer()),
    });
    await page.locator('text=共 2 行数据').waitFor();
    await page.click('[data-testid=import-start]');
    await page.locator('.ant-result', { hasText: '导入完成：新增 1，更新 0，错误 1 行' }).waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=import-errors]')]);
    const report = new ExcelJS.Workbook();
    await report.xlsx.load(fs.readFileSync((await download.path())!) as unknown as ArrayBuffer);
    const rows = (report.worksheets[0]!.getSheetValues() as unknown[][])
      .filter((r) => r && typeof r[1] === 'number')
      .map((r) => r.slice(1, 4));
    expect(rows).toEqual([[2, '姓名', '姓名不能为空']]);

    // Export, so that the activity holds 导出客户 too.
    await page.goto('/customers');
    await Promise.all([page.waitForEvent('download'), page.click('[data-testid=customer-export]')]);

    // #13: in English the dashboard's activity and the audit log hold no Chinese wording, and the import job is "System".
    await page.goto('/');
    await switchTo(page, 'English');
    const recent = page.locator('.ant-card', { hasText: /Recent|activity/i }).last();
    await expect.poll(() => recent.innerText()).toContain('System · Customers imported');
    const recentText = await recent.innerText();
    expect(recentText).toContain('Customers exported');
    expect(recentText).toContain('Log in');
    expect(recentText).not.toMatch(/登录|导出客户|导入 |系统 ·|— ·/);
    await e.shot(page, '62-forms-activity-en');

    await page.goto('/audit');
    await page.locator('.ant-table-row').first().waitFor();
    const auditText = await page.locator('.ant-table-tbody').innerText();
    expect(auditText).toContain('System');
    expect(auditText).not.toMatch(/登录 |导出客户|开始导入|新增 \d/);

    // The kiosk page (no app shell) has its own switch, and starts in the language chosen here.
    await page.goto('/kiosk');
    await page.locator('text=Pair this counter kiosk').waitFor();
    await page.click('[data-testid=kiosk-lang]');
    await page.locator('text=配对').first().waitFor();
    expect(await page.locator('[data-testid=kiosk]').innerText()).not.toContain('Pair this counter kiosk');
    await page.click('[data-testid=kiosk-lang]');
    await page.locator('text=Pair this counter kiosk').waitFor();

    expect(errors).toEqual([]);
  });
});
