import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fillLogin, ADMIN_PASSWORD, startE2E, type TE2E, pickOption, switchLanguage } from './support.ts';

let e: TE2E;
beforeAll(async () => {
  e = await startE2E();
  // SMS rows as the sender leaves them (no UI queues SMS yet): sent with the provider id, blocked by an opt-out,
  // deferred by the 7-day gap.
  const c = new pg.Client({ connectionString: e.dbUrl });
  await c.connect();
  const { rows } = await c.query('select id as tenant_id from tenants limit 1');
  const { tenant_id: tenantId } = rows[0] as { tenant_id: string };
  const ins = (
    to: string,
    status: string,
    extra: { provider?: string; outcome?: string; marketing?: boolean; after?: string },
  ) =>
    c.query(
      `insert into outbox_messages (id, tenant_id, channel, to_address, body, status, attempts, created_at, send_after, sent_at, provider_message_id, policy_outcome, is_marketing, customer_id)
       values (gen_random_uuid(), $1, 'sms', $2, '您好', $3, $4, now(), ${extra.after ?? 'now()'}, $5, $6, $7, $8, gen_random_uuid())`,
      [
        tenantId,
        to,
        status,
        status === 'sent' ? 1 : 0,
        status === 'sent' ? new Date() : null,
        extra.provider ?? null,
        extra.outcome ?? null,
        extra.marketing ?? false,
      ],
    );
  await ins('13900000001', 'sent', { provider: '900619746936498440^0' });
  await ins('13900000002', 'cancelled', { outcome: 'blocked:no_service_consent' });
  await ins('13900000003', 'queued', {
    outcome: 'deferred:recent_contact',
    after: "now() + interval '5 days'",
    marketing: true,
  });
  await c.end();
});
afterAll(async () => e?.close());

describe('messaging journey', () => {
  it('configures the SMS provider (secret never shown back) and reads SMS delivery status and policy outcomes on the outbox page', async () => {
    const page = await e.newPage();
    await fillLogin(page, 'admin', ADMIN_PASSWORD);
    await page.waitForSelector('[data-testid=stat-units]');
    await page.click('.ant-layout-sider >> text=发件箱');
    await page.waitForSelector('[data-testid=sms-settings]');

    // Aliyun with credentials; after saving and reloading the secret field is empty, marked as set.
    await page.click('[data-testid=sms-settings] .ant-select');
    await pickOption(page, '阿里云短信');
    await page.fill('#accessKeyId', 'LTAI5tExample');
    await page.fill('#accessKeySecret', 'super-secret-value');
    await page.fill('#signName', '惠方银行');
    await page.click('[data-testid=sms-settings] button[type=submit]');
    await page.locator('.ant-message', { hasText: '短信设置已保存' }).waitFor();
    await page.reload();
    await page.waitForSelector('#accessKeySecret');
    expect(await page.inputValue('#accessKeySecret')).toBe('');
    expect(await page.getAttribute('#accessKeySecret', 'placeholder')).toContain('已设置');
    expect(await page.content()).not.toContain('super-secret-value');

    // SMS only: delivery status and why a message waits or was stopped.
    await page.click('[data-testid=outbox-channel] >> text=短信');
    await page.locator('.ant-table-row', { hasText: '13900000003' }).waitFor();
    const table = await page.locator('.ant-table-tbody').innerText();
    expect(table).toContain('拦截：未同意服务联系/已退订');
    expect(table).toContain('延后：联系间隔未满（租户联系频次规则）');
    expect(table).toContain('已发送');
    await page.locator('[data-testid=outbox-channel] .ant-segmented-item-selected', { hasText: '短信' }).waitFor();
    await page.locator('.ant-segmented-thumb').waitFor({ state: 'detached' });
    await e.shot(page, '70-outbox-sms');

    await switchLanguage(page, 'English');
    await page
      .locator('.ant-table-tbody', { hasText: 'Deferred: contacted too recently (tenant contact gap)' })
      .waitFor();
    expect(await page.locator('[data-testid=sms-settings]').innerText()).toContain('SMS settings');
    await page.locator('.ant-select-dropdown:visible').waitFor({ state: 'detached' });
    await e.shot(page, '71-outbox-sms-english');
  });
});
