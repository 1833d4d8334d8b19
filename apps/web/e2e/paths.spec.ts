import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fillLogin, DEMO_PASSWORD, startE2E, type TE2E, pressOption } from './support.ts';

let e: TE2E;
beforeAll(async () => {
  e = await startE2E();
});
afterAll(async () => e?.close());

describe('plan templates 回访路径', () => {
  it('the manager reads the demo paths, why a discharge record got its path, and the versions; the agent works a path task with its time point', async () => {
    const page = await e.newPage();
    await fillLogin(page, 'zhang.manager', DEMO_PASSWORD);
    await page.waitForSelector('[data-testid=user-menu]');
    await page.click('.ant-layout-sider >> text=回访路径');
    const row = page.locator('.ant-table-row', { has: page.locator('[data-testid="path-row-出院随访路径"]') });
    await row.waitFor();
    expect(await row.innerText()).toContain('启用');

    // Which path a record gets and why: pick a discharge record of the demo.
    await page.click('[data-testid=paths-record-picker]');
    await page.keyboard.type('出院');
    await pressOption(
      page,
      page.locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: '出院随访路径' }).first(),
    );
    const winner = page.locator('[data-testid=paths-explain-winner]');
    await winner.waitFor();
    expect(await winner.innerText()).toMatch(/出院随访路径 · v1/);
    expect(await page.locator('[data-testid=paths-explain-points]').innerText()).toContain('出院一周电话随访');
    await e.shot(page, '78-paths-explain');

    // The template: its time points and version history.
    await page.click('[data-testid="path-row-出院随访路径"]');
    await page.locator('[data-testid=path-versions]').waitFor();
    expect(await page.inputValue('[data-testid=point-label-0]')).toBe('出院一周电话随访');
    await e.shot(page, '79-paths-editor');

    // The plan the paths belong to has no target of its own.
    await page.goto('/followup/plans');
    const planRow = page.locator('.ant-table-row', { hasText: '出院随访 (回访路径)' });
    await planRow.waitFor();
    expect(await planRow.innerText()).toContain('回访路径');

    // The agent: a path task on the workbench shows the time point it came from.
    const agent = await e.newPage();
    await fillLogin(agent, 'liu.agent', DEMO_PASSWORD);
    await agent.waitForSelector('[data-testid=user-menu]');
    await agent.goto('/followup/workbench');
    const pathTask = agent.locator('[data-testid=task-list] .ant-list-item', { hasText: '回访路径' }).first();
    const bucket: Record<string, string> = { 今日待回访: 'today', 已逾期: 'overdue', 即将到期: 'upcoming' };
    let found = false;
    for (const tab of ['今日待回访', '已逾期', '即将到期']) {
      await agent.locator('.ant-tabs-tab', { hasText: tab }).click();
      // That tab's own list, loaded: right after the switch the previous tab's rows may still be shown.
      await agent.locator(`[data-testid=task-list][data-bucket=${bucket[tab]}][aria-busy=false]`).waitFor();
      if ((await pathTask.count()) > 0) {
        found = true;
        break;
      }
    }
    expect(found).toBe(true);
    // The list shows the time point's priority (the demo discharge points have 1, 2 and 4) and puts path tasks of
    // priority 1–2 before the plan tasks (which count as 3).
    expect(await pathTask.locator('[data-testid=task-priority]').innerText()).toMatch(/^优先级 [124]$/);
    const priorities = await agent
      .locator('[data-testid=task-list] .ant-list-item')
      .evaluateAll((items) =>
        items.map((li) =>
          Number(li.querySelector('[data-testid=task-priority]')?.textContent?.replace(/\D/g, '') || 3),
        ),
      );
    expect(priorities).toEqual([...priorities].sort((a, b) => a - b));
    await pathTask.click();
    const card = agent.locator('[data-testid=path-point]');
    await card.waitFor();
    expect(await card.innerText()).toMatch(/路径/);
    await e.shot(agent, '80-paths-workbench-point');
  });
});
