import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import ExcelJS from 'exceljs';
import pg from 'pg';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TStaffPerformance } from '@huifang/shared';
import { apiCall, DEMO_PASSWORD, fillLogin, pick, startE2E, type TE2E } from './support.ts';

/** A real SMTP server for the app's outbox: every accepted message (recipient, raw MIME) lands here. */
const mails: { to: string; raw: string }[] = [];
const smtp = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS'],
  logger: false,
  onData(stream, session, cb) {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => {
      for (const r of session.envelope.rcptTo)
        mails.push({ to: r.address, raw: Buffer.concat(chunks).toString('utf8') });
      cb();
    });
  },
});

let e: TE2E;
beforeAll(async () => {
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  e = await startE2E({ env: { SMTP_URL: `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}` } });
  const db = new pg.Client({ connectionString: e.dbUrl });
  await db.connect();
  await db.query("update users set email = 'zhang.manager@bank.example.cn' where username = 'zhang.manager'");
  await db.end();
});
afterAll(async () => {
  await e?.close();
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
});

describe('reports 报表: 员工绩效, 报表打印, 定时报表', () => {
  it('a manager exports staff performance, prints the report without the menu, and e-mails a weekly schedule now', async () => {
    const page = await e.newPage();
    await fillLogin(page, 'zhang.manager', DEMO_PASSWORD);
    await page.locator('[data-testid=user-menu]').waitFor();

    // 员工绩效 from the menu: the table of this month, the same rows as the API, and its xlsx.
    await page.locator('.ant-menu-item', { hasText: '员工绩效' }).click();
    await page.locator('[data-testid=staff-table] .ant-table-row').first().waitFor();
    await e.shot(page, '90-staff-performance');
    const today = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Shanghai' }).format(new Date());
    const api = await apiCall<TStaffPerformance>(
      page,
      'GET',
      `/reports/staff-performance?from=${today.slice(0, 8)}01&to=${today}`,
    );
    expect(api.rows.length).toBeGreaterThan(0);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=staff-xlsx]')]);
    expect(download.suggestedFilename()).toBe(`staff-performance-${today}.xlsx`);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(fs.readFileSync((await download.path())!) as unknown as ArrayBuffer);
    const ws = wb.getWorksheet('员工绩效')!;
    const rows = (ws.getSheetValues() as unknown[][]).filter(Boolean).map((r) => r.slice(1));
    expect(rows[0]).toEqual(['报表', '员工绩效']);
    expect(rows[1]).toEqual(['机构', '上海分行']);
    const header = rows.findIndex((r) => r[0] === '工号');
    const data = rows.slice(header + 1);
    expect(data.map((r) => [r[1], r[3], r[7]])).toEqual(
      api.rows.map((r) => [r.staffName, r.evaluations, r.unsatisfied]),
    );

    // 报表打印: on paper (print media) neither the menu nor the header nor the controls show; the report does.
    await page.goto('/reports/print?period=month');
    await page.locator('[data-testid=print-staff]').waitFor();
    await page.locator('.hf-print-meta', { hasText: '年' }).waitFor();
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('.ant-layout-sider').isVisible()).toBe(false);
    expect(await page.locator('.ant-layout-header').isVisible()).toBe(false);
    expect(await page.locator('[data-testid=print-button]').isVisible()).toBe(false);
    expect(await page.locator('[data-testid=print-figures]').isVisible()).toBe(true);
    await e.shot(page, '91-print-report-print-media');
    await page.emulateMedia({ media: 'screen' });
    expect(await page.locator('[data-testid=print-button]').isVisible()).toBe(true);

    // 定时报表: a weekly schedule of 上海分行 to himself, then 立即发送 — the mail arrives with last week's xlsx.
    await page.locator('.ant-menu-item', { hasText: '定时报表' }).click();
    await page.click('[data-testid=schedule-new]');
    const dialog = page.locator('.ant-modal', { has: page.locator('#schedule_name') });
    await page.locator('#schedule_name').fill('上海分行周报');
    await pick(page, 'schedule_unitId', '上海分行');
    await pick(page, 'schedule_recipientIds', '张伟', { type: true });
    await dialog.locator('.ant-modal-footer .ant-btn-primary').click();
    await page.locator('[data-testid=schedules-table] .ant-table-row', { hasText: '上海分行周报' }).waitFor();
    await e.shot(page, '92-report-schedules');
    await page.click('[data-testid="schedule-send-上海分行周报"]');
    await page.locator('.ant-popconfirm .ant-btn-primary').click();
    await page.locator('.ant-message', { hasText: '已发送 1 封' }).waitFor();
    await page.locator('[data-testid=deliveries-table] .ant-table-row', { hasText: '张伟' }).waitFor();
    await expect.poll(() => mails.length, { timeout: 90_000, interval: 500 }).toBeGreaterThan(0);
    expect(mails[0]!.to).toBe('zhang.manager@bank.example.cn');
    expect(mails[0]!.raw).toMatch(/Content-Disposition: attachment/i);
    await e.shot(page, '93-report-deliveries');
  });
});
