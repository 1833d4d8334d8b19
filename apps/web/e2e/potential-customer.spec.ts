import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD, login, startE2E, type TE2E } from './support.ts';

let e: TE2E;
beforeAll(async () => {
  e = await startE2E();
});
afterAll(async () => e?.close());

async function query<T extends pg.QueryResultRow>(sql: string, params: unknown[]): Promise<T[]> {
  const c = new pg.Client({ connectionString: e.dbUrl });
  await c.connect();
  try {
    return (await c.query<T>(sql, params)).rows;
  } finally {
    await c.end();
  }
}

describe('潜力客户 on the counter page', () => {
  it('the teller flags the customer of the service in progress with the quick form; the outlet head gets an SMS, the 客服 a task', async () => {
    // The outlet head of 陆家嘴支行 (上海分行's manager in the demo) has a mobile on his user record.
    await query(`update users set phone = '13912345678' where username = 'zhang.manager'`, []);
    const teller = await e.newPage();
    await login(teller, 'chen.teller', DEMO_PASSWORD);
    await teller.goto('/counter');
    await teller.click('[data-testid=start-service]');
    await teller.locator('[data-testid=serving-tag]').waitFor();
    const button = teller.locator('[data-testid^=potential-]', { hasText: '潜力客户' }).first();
    await button.click();
    // No customer linked to this service: name and mobile first; a bad number is refused on the field.
    await teller.fill('[data-testid=potential-name]', '赵潜力');
    await teller.fill('[data-testid=potential-phone]', '12345');
    await teller.click('[data-testid=potential-submit]');
    await teller.locator('.ant-form-item-explain-error').first().waitFor();
    await teller.fill('[data-testid=potential-phone]', '13611112222');
    await teller.click('[data-testid=potential-submit]');
    await teller.locator('.ant-message', { hasText: '已短信通知网点负责人' }).waitFor();
    const flagged = teller.locator('[data-testid^=potential-flagged-]').first();
    await flagged.waitFor();
    await e.shot(teller, '90-counter-potential-flagged');
    const sessionId = (await flagged.getAttribute('data-testid'))!.replace('potential-flagged-', '');

    const sms = await query<{ to_address: string; body: string }>(
      `select o.to_address, o.body from outbox_messages o join counter_potential_customers pc on pc.tenant_id = o.tenant_id and pc.id = o.ref_id
       where o.ref_type = 'potential_customer' and pc.session_id = $1`,
      [sessionId],
    );
    expect(sms).toHaveLength(1);
    expect(sms[0]!.to_address).toBe('13912345678');
    expect(sms[0]!.body).toContain('标记潜力客户赵*');
    const tasks = await query<{ username: string }>(
      `select u.username from followup_tasks t join users u on u.id = t.assignee_id where t.occurrence_key = $1`,
      [`potential:${sessionId}`],
    );
    expect(tasks.map((t) => t.username)).toEqual(['liu.agent']);

    // After the service the recent list shows it flagged (no second flag to give).
    await teller.click('[data-testid=end-service]');
    await teller.locator(`[data-testid=potential-flagged-${sessionId}]`).waitFor();
    expect(await teller.locator(`[data-testid=potential-${sessionId}]`).count()).toBe(0);
  });
});
