import fs from 'node:fs';
import ExcelJS from 'exceljs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fillLogin, ADMIN_PASSWORD, startE2E, type TE2E, switchLanguage } from './support.ts';

let e: TE2E;
beforeAll(async () => {
  e = await startE2E();
});
afterAll(async () => e?.close());

async function xlsxWithThreeBadRows(): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('客户');
  ws.addRow(['姓名', '手机', '等级', '标签']);
  ws.addRow(['导入甲', '13700001111', 'VIP', '导入测试']);
  ws.addRow(['导入乙', '13700002222', '普通', '导入测试']);
  ws.addRow(['电话错误', '1370000', '普通', '导入测试']);
  ws.addRow(['', '13700003333', '普通', '导入测试']);
  ws.addRow(['导入丙', '13700004444', '重要', '导入测试']);
  ws.addRow(['重复电话', '13700001111', '普通', '导入测试']);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

describe('customer journey', () => {
  it('imports an xlsx with three bad rows, downloads the error report, opens a good customer, reveals the phone and finds the reveal in the audit log', async () => {
    const page = await e.newPage();
    await fillLogin(page, 'admin', ADMIN_PASSWORD);
    await page.waitForSelector('[data-testid=stat-units]');

    // Upload.
    await page.click('.ant-layout-sider >> text=客户');
    await page.click('[data-testid=customer-import]');
    await page.setInputFiles('.ant-upload input[type=file]', {
      name: '客户名单.xlsx',
      mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      buffer: await xlsxWithThreeBadRows(),
    });
    await page.locator('text=共 6 行数据').waitFor();
    await e.shot(page, '11-import-mapping');

    // The suggested mapping is right; start, watch the progress bar reach the end.
    await page.click('[data-testid=import-start]');
    await page.locator('.ant-result', { hasText: '导入完成：新增 3，更新 0，错误 3 行' }).waitFor();
    expect(await page.locator('[role=progressbar]').first().getAttribute('aria-valuenow')).toBe('100');
    await e.shot(page, '12-import-done');

    // The error report names the three rows.
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=import-errors]')]);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(fs.readFileSync((await download.path())!) as unknown as ArrayBuffer);
    const rows = (wb.worksheets[0]!.getSheetValues() as unknown[][])
      .filter((r) => r && typeof r[1] === 'number')
      .map((r) => r[1]);
    expect(rows).toEqual([3, 4, 6]);

    // The good rows are in the list.
    await page.click('text=查看客户');
    await page.fill('[data-testid=customer-search] input', '导入');
    await page.press('[data-testid=customer-search] input', 'Enter');
    // Wait for the search itself, not just for an imported row: the unfiltered list (newest first) already shows
    // them, and clicking a row while the search result replaces that list can be lost (seen once in CI).
    await expect
      .poll(async () => {
        const shown = await page.locator('.ant-table-row').allInnerTexts();
        return shown.length === 3 && shown.every((x) => x.includes('导入'));
      })
      .toBe(true);
    await page.locator('.ant-table .ant-spin-spinning').waitFor({ state: 'detached' });
    const list = await page.locator('.ant-table-tbody').innerText();
    expect(list).toContain('导入甲');
    expect(list).toContain('导入乙');
    expect(list).not.toContain('电话错误');
    expect(list).toContain('137****1111');
    expect(list).not.toContain('13700001111');

    // Open one, reveal the phone.
    await page.click('.ant-table-row >> text=导入甲');
    await page.locator('.ant-card-head-title', { hasText: '导入甲' }).waitFor();
    await page.click('[data-testid=reveal-phone]');
    await page.locator('[data-testid=revealed-phone]', { hasText: '13700001111' }).waitFor();
    await e.shot(page, '13-customer-revealed');

    // The timeline in both languages: a note added here and an order (no UI writes orders yet: seeded).
    const customerId = new URL(page.url()).pathname.split('/').pop()!;
    const db = new pg.Client({ connectionString: e.dbUrl });
    await db.connect();
    await db.query(
      `insert into transactions (tenant_id, customer_id, unit_id, kind, order_no, amount_fen, occurred_at)
       select tenant_id, id, unit_id, 'order', 'NO-8801', 123450, now() - interval '1 hour' from customers where id = $1`,
      [customerId],
    );
    await db.end();
    await page.fill('[data-testid=note-input]', '客户希望下周回电');
    await page.press('[data-testid=note-input]', 'Enter');
    await page.locator('[data-testid=timeline-item]', { hasText: '备注 · 备注' }).waitFor();
    await page.locator('[data-testid=timeline-item]', { hasText: '交易 · 订单 NO-8801' }).waitFor();
    await switchLanguage(page, 'English');
    await page.locator('[data-testid=timeline-item]', { hasText: 'Note · Note' }).waitFor();
    await page.locator('[data-testid=timeline-item]', { hasText: 'Transaction · Order NO-8801' }).waitFor();
    expect((await page.locator('[data-testid=timeline-item]').allInnerTexts()).join('\n')).not.toMatch(
      /订单|交易|备注 ·/,
    );
    await e.shot(page, '15-customer-timeline-english');
    await switchLanguage(page, '中文');
    await page.locator('[data-testid=timeline-item]', { hasText: '交易 · 订单 NO-8801' }).waitFor();

    // The reveal is in the audit log.
    await page.click('.ant-layout-sider >> text=审计日志');
    await page.locator('.ant-table-row', { hasText: '查看客户 导*甲 的完整电话' }).waitFor();
    await e.shot(page, '14-audit-reveal');
  });
});
