import pg from 'pg';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  apiCall,
  dropdownsClosed,
  fillLogin,
  pick,
  ADMIN_PASSWORD,
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

/** Add SMS to the plan's methods; the automatic-message switch enables then. */
async function chooseSms(page: Page) {
  await pick(page, 'plan_methods', '短信');
  await expect.poll(() => page.locator('[data-testid=plan-auto-message]').isEnabled()).toBe(true);
}
/** Open the plan drawer and wait until it has finished sliding in (a click during the motion lands outside). */
async function openPlanDrawer(page: Page) {
  await page.click('[data-testid=plan-create]');
  await expect
    .poll(async () => {
      const b = await page.locator('#plan_methods').boundingBox();
      return b ? b.x > 0 && b.x + b.width <= 1366 : false;
    })
    .toBe(true);
}

describe('automatic plan messages journey', () => {
  it('a plan sent by SMS: message template with a live preview, saved with the plan; receipt URL generated once; a provider receipt shows as delivered', async () => {
    const page = await e.newPage();
    await fillLogin(page, 'admin', ADMIN_PASSWORD);
    await page.waitForSelector('[data-testid=stat-units]');
    const tag = `短信E2E${Date.now() % 100000}`;
    await apiCall(page, 'POST', '/saved-filters', { name: `分群-${tag}`, filter: { tags: tag }, isShared: true });

    // The plan form: SMS among the methods → 自动发送 with a template and a live preview for a sample customer.
    await page.goto('/followup/plans');
    await openPlanDrawer(page);
    await page.fill('[data-testid=plan-name]', `短信关怀 ${tag}`);
    await chooseSms(page);
    await pick(page, 'plan_savedFilterId', `分群-${tag}`);
    await dropdownsClosed(page);
    await page.click('[data-testid=plan-auto-message]');
    await page
      .locator('[data-testid=plan-message-preview]', {
        hasText: '王先生您好，感谢您到陆家嘴支行办理业务，祝您生活愉快。',
      })
      .waitFor();
    await page.fill('[data-testid=plan-message-template]', '{客户称呼}，您的{服务类型}已办结，');
    await page.click('[data-testid="plan-message-preview"]');
    await page.locator('[data-testid=plan-message-preview]', { hasText: '王先生，您的窗口服务已办结，' }).waitFor();
    expect(await page.locator('[data-testid=plan-message-preview]').innerText()).toContain('约 1 条短信');
    // the provider template must declare these variables
    expect(await page.locator('[data-testid=plan-message-vars]').innerText()).toBe(
      '服务商模板变量：阿里云 ${salutation} ${serviceType}；腾讯云 {1} {2}',
    );
    await page.fill('[data-testid=plan-message-code]', 'SMS_88880001');
    await page.locator('[data-testid=plan-message-preview]').scrollIntoViewIfNeeded();
    await page.evaluate(() => window.scrollTo(0, 0));
    await e.shot(page, '72-plan-auto-sms');
    await page.click('[data-testid=plan-save]');
    await page.locator('.ant-message', { hasText: '已保存' }).waitFor();
    const plans = await apiCall<{ items: { name: string; message: unknown }[] }>(
      page,
      'GET',
      `/followup/plans?q=${encodeURIComponent(tag)}`,
    );
    expect(plans.items.map((p) => p.message)).toEqual([
      { channel: 'sms', template: '{客户称呼}，您的{服务类型}已办结，', templateCode: 'SMS_88880001', subject: null },
    ]);

    // Receipts: generate the URL (shown once), the provider pushes a report, the outbox shows it delivered.
    const c = new pg.Client({ connectionString: e.dbUrl });
    await c.connect();
    const { rows } = await c.query('select id as tenant_id from tenants limit 1');
    await c.query(
      `insert into outbox_messages (id, tenant_id, channel, to_address, body, status, attempts, created_at, send_after, sent_at, provider_message_id, customer_id)
       values (gen_random_uuid(), $1, 'sms', '13900000077', '您好', 'sent', 1, now(), now(), now(), '900619746936000077^0', gen_random_uuid())`,
      [(rows[0] as { tenant_id: string }).tenant_id],
    );
    await c.end();
    await page.click('.ant-layout-sider >> text=发件箱');
    await page.click('[data-testid=sms-receipts-rotate]');
    await untilStill(page.locator('.ant-modal-confirm-btns .ant-btn-primary'));
    await page.click('.ant-modal-confirm-btns .ant-btn-primary');
    const aliyunUrl = await page.locator('[data-testid=receipt-url-aliyun]').innerText();
    await page.locator('.ant-modal-confirm').waitFor({ state: 'detached' });
    await page.locator('.ant-message-notice').waitFor({ state: 'detached' });
    expect(aliyunUrl).toMatch(/\/api\/public\/sms-receipts\/aliyun\/[A-Za-z0-9_-]{20,}$/);
    await e.shot(page, '73-sms-receipt-urls');
    await page.click('.ant-modal-footer .ant-btn-primary');
    const res = await fetch(`${e.baseUrl}${new URL(aliyunUrl.trim()).pathname}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([
        {
          phone_number: '13900000077',
          send_time: '2026-11-23 10:00:00',
          report_time: '2026-11-23 10:00:04',
          success: true,
          err_code: 'DELIVERED',
          err_msg: '用户接收成功',
          sms_size: '1',
          biz_id: '900619746936000077^0',
          out_id: '',
        },
      ]),
    });
    expect(await res.json()).toMatchObject({ code: 0, msg: '成功' });
    await page.reload();
    await page.click('[data-testid=outbox-channel] >> text=短信');
    await page
      .locator('.ant-table-row', { hasText: '13900000077' })
      .locator('[data-testid=delivery-status]', { hasText: '已送达' })
      .waitFor();
    expect(await page.locator('[data-testid=sms-receipts]').innerText()).toContain('已配置回执地址');
    await page.locator('.ant-segmented-thumb').waitFor({ state: 'detached' });
    await e.shot(page, '74-outbox-delivered');

    // English: the same page in the user's words.
    await switchLanguage(page, 'English');
    await page.locator('[data-testid=delivery-status]', { hasText: 'Delivered' }).first().waitFor();
    expect(await page.locator('[data-testid=sms-receipts]').innerText()).toContain('Receipt URL configured');
    await page.goto('/followup/plans');
    await openPlanDrawer(page);
    await chooseSms(page);
    await page.click('[data-testid=plan-auto-message]');
    await page.locator('[data-testid=plan-message-preview]', { hasText: 'Preview (sample customer)' }).waitFor();
    expect(await page.locator('[data-testid=plan-message-preview]').innerText()).toMatch(/\d+ characters, about 1 SMS/);
  });
});
