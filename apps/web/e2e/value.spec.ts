import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ADMIN_PASSWORD,
  apiCall,
  dropdownsClosed,
  fillLogin,
  pick,
  pickOption,
  startE2E,
  type TE2E,
  untilStill,
} from './support.ts';
import { createDatabase } from '../../server/src/db/client.ts';
import { systemClock } from '../../server/src/lib/clock.ts';
import { pruneValueRunDetails } from '../../server/src/modules/value/value.runner.ts';

let e: TE2E;
beforeAll(async () => {
  e = await startE2E();
});
afterAll(async () => e?.close());

const DAY = 86_400_000;

describe('customer value 客户分级 journey', () => {
  it('edit the weighted model (a bad weight sum is refused), preview, recompute, filter the list by the top tier, plan a follow-up on it', async () => {
    const page = await e.newPage();
    await fillLogin(page, 'admin', ADMIN_PASSWORD);
    await page.waitForSelector('[data-testid=stat-units]');
    // Five customers of their own business type 业务类型 with rising sales: the top 20 % of the group is the biggest one.
    const tag = `价值E2E${Date.now() % 100000}`;
    await apiCall(page, 'POST', '/custom-fields', {
      entity: 'customer',
      key: 'business_type',
      label: '业务类型',
      type: 'text',
    });
    const me = await apiCall<{ user: { unitId: string } }>(page, 'GET', '/auth/me');
    const ids: string[] = [];
    for (let i = 1; i <= 5; i++) {
      const c = await apiCall<{ id: string }>(page, 'POST', '/customers', {
        name: `${tag}-${i}`,
        unitId: me.user.unitId,
        tags: [tag],
        custom: { business_type: tag },
      });
      ids.push(c.id);
      for (const kind of ['order', 'payment'])
        await apiCall(page, 'POST', `/customers/${c.id}/transactions`, {
          kind,
          amountFen: i * 200_000_000,
          occurredAt: new Date(Date.now() - 10 * DAY).toISOString(),
        });
    }

    // The models: the weights must total 100 % (the sum is shown live), then preview and save as a new version.
    await page.goto('/value');
    await page.locator('[data-testid=value-indicators]').waitFor();
    const weight = (i: number) => page.locator(`[data-testid=value-weight-${i}]`);
    await weight(0).fill('25');
    await page.locator('[data-testid=value-weight-sum]', { hasText: '95.00%' }).waitFor();
    expect(await page.locator('[data-testid=value-save]').isDisabled()).toBe(true);
    await weight(1).fill('35');
    await page.locator('[data-testid=value-weight-sum]', { hasText: '权重合计 100.00%' }).waitFor();
    await page.click('[data-testid=value-preview]');
    await page.locator('[data-testid=value-preview-table] tbody tr').first().waitFor();
    await e.shot(page, '90-value-models-preview');
    await page.click('[data-testid=value-save]');
    await page.locator('.ant-message', { hasText: '已保存为 v1' }).waitFor();

    // Recompute on demand; the run shows its progress and ends done with model v1.
    await page.getByRole('tab', { name: '重新计算' }).click();
    await page.click('[data-testid=value-recompute]');
    await page.locator('[data-testid=value-runs] .ant-tag', { hasText: '完成' }).first().waitFor({ timeout: 60_000 });
    await e.shot(page, '91-value-runs');

    // A second run compares with the first; once the retention has taken the first run's per-customer values (here
    // with keep = 1, as it would with 24 runs after it), the list says so and offers no comparison against it.
    await page.click('[data-testid=value-recompute]');
    await page.locator('[data-testid=value-runs] .ant-tag', { hasText: '完成' }).nth(1).waitFor({ timeout: 60_000 });
    await page.getByRole('button', { name: '与上次对比' }).first().waitFor();
    const db = createDatabase(e.dbUrl, 1);
    try {
      const tenant = await db.pool.query<{ tenant_id: string }>(`select tenant_id from value_runs limit 1`);
      expect(await pruneValueRunDetails(db.db, systemClock, tenant.rows[0]!.tenant_id, 1)).toBe(1);
    } finally {
      await db.close();
    }
    await page.reload();
    await page.getByRole('tab', { name: '重新计算' }).click();
    await page.locator('[data-testid=value-runs] .ant-tag', { hasText: '明细已清理' }).waitFor();
    expect(await page.getByRole('button', { name: '与上次对比' }).count()).toBe(0);
    // The counts per tier carry the model's names, not its keys.
    expect(await page.locator('[data-testid=value-runs] tbody tr').first().innerText()).toMatch(/大客户 \d+/);
    await e.shot(page, '91-value-runs-pruned');

    // The customer list filtered by the new top tier 大客户 (and the tag of these five): only the biggest.
    await page.goto(`/customers?tags=${encodeURIComponent(tag)}`);
    await page.locator('[data-testid=customer-total]', { hasText: '5' }).waitFor();
    await page.click('[data-testid=filter-value-tier]');
    await pickOption(page, '大客户');
    await dropdownsClosed(page);
    await page.locator('[data-testid=customer-total]', { hasText: '共 1 条' }).waitFor();
    await page.locator('tbody tr', { hasText: `${tag}-5` }).waitFor();
    await e.shot(page, '92-value-customer-list');

    // Its card explains the score: each indicator's value, normalised score and weight.
    await page.goto(`/customers/${ids[4]}`);
    await page.locator('[data-testid=customer-value-parts] tbody tr').first().waitFor();
    expect(await page.locator('[data-testid=customer-value-parts] tbody tr').count()).toBe(5);
    await e.shot(page, '92-value-customer-card');

    // Save the filter as a segment and plan a follow-up on it: the plan reaches exactly that customer.
    await page.goto(`/customers?tags=${encodeURIComponent(tag)}&valueTier=large`);
    await page.locator('[data-testid=customer-total]', { hasText: '共 1 条' }).waitFor();
    await page.getByRole('button', { name: '保存筛选' }).click();
    await page.locator('.ant-modal-confirm input.ant-input').fill(`大客户-${tag}`);
    await untilStill(page.locator('.ant-modal-confirm-btns .ant-btn-primary'));
    await page.locator('.ant-modal-confirm-btns .ant-btn-primary').click();
    await page.locator('.ant-modal-confirm').waitFor({ state: 'detached' });
    await page.goto('/followup/plans');
    await page.locator('[data-testid=plan-status]').first().waitFor();
    await page.click('[data-testid=plan-create]');
    await page.fill('[data-testid=plan-name]', `大客户回访 ${tag}`);
    await pick(page, 'plan_savedFilterId', `大客户-${tag}`);
    await page.click('[data-testid=plan-save]');
    const row = page.locator('tr', { hasText: `大客户回访 ${tag}` });
    await row.waitFor();
    await row.locator('[data-testid=plan-preview-btn]').click();
    await page.locator('[data-testid=preview-will-create]', { hasText: '1' }).waitFor();
    await e.shot(page, '93-value-plan-preview');
  });
});
