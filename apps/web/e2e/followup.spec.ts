import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiCall, login, pick, ADMIN_PASSWORD, DEMO_PASSWORD, startE2E, type TE2E } from './support.ts';

let e: TE2E;
beforeAll(async () => {
  e = await startE2E();
});
afterAll(async () => e?.close());

const ymd = (d: Date) => new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Shanghai' }).format(d);

describe('follow-up journey', () => {
  it('a plan from a saved filter is previewed and activated; the agent completes the task with a questionnaire answer; timeline and KPIs show it', async () => {
    const admin = await e.newPage();
    await login(admin, 'admin', ADMIN_PASSWORD);

    // Set-up: a customer of 陆家嘴支行 owned by liu.agent, tagged, and a shared saved filter (segment) selecting the tag.
    const units = await apiCall<{ id: string; code: string | null }[]>(admin, 'GET', '/org-units?pageSize=100');
    const unitId = (Array.isArray(units) ? units : (units as unknown as { items: { id: string; code: string | null }[] }).items).find((u) => u.code === 'SH-LJZ')!.id;
    const users = await apiCall<{ items: { id: string; username: string }[] }>(admin, 'GET', '/users?q=liu.agent');
    const liuId = users.items.find((u) => u.username === 'liu.agent')!.id;
    const tag = `回访E2E${Date.now() % 100000}`;
    const customer = await apiCall<{ id: string }>(admin, 'POST', '/customers', { kind: 'individual', name: '回访测试客户', gender: 'female', phones: ['13912345678'], unitId, ownerId: liuId, tags: [tag], consentService: true, consentMarketing: false });
    await apiCall(admin, 'POST', '/saved-filters', { name: `分群-${tag}`, filter: { tags: tag }, isShared: true });

    // The plans page: create a plan on the segment with the demo questionnaire; the script shows a live example.
    await admin.goto('/followup/plans');
    await admin.locator('[data-testid=plan-status]').first().waitFor();
    await e.shot(admin, '60-followup-plans');
    await admin.click('[data-testid=plan-create]');
    await admin.fill('[data-testid=plan-name]', `E2E 满意度回访 ${tag}`);
    await pick(admin, 'plan_savedFilterId', `分群-${tag}`);
    await admin.fill('[data-testid=plan-script]', '');
    await admin.fill('[data-testid=plan-script]', '您好，');
    await admin.click('[data-testid="ph-客户称呼"]');
    await admin.locator('[data-testid=plan-script-example]', { hasText: '您好，王先生' }).waitFor();
    await pick(admin, 'plan_surveyId', '消费品客户满意度调查');
    // Due from yesterday, so the task is due now whatever the hour of the run.
    const yesterday = ymd(new Date(Date.now() - 86_400_000));
    await admin.click('#plan_startDate');
    await admin.fill('#plan_startDate', yesterday);
    await admin.keyboard.press('Enter');
    await e.shot(admin, '61-followup-plan-form');
    await admin.click('[data-testid=plan-save]');
    const row = admin.locator('tr', { hasText: `E2E 满意度回访 ${tag}` });
    await row.waitFor();

    // Preview: one task, nobody excluded.
    await row.locator('[data-testid=plan-preview-btn]').click();
    await admin.locator('[data-testid=preview-will-create]', { hasText: '1' }).waitFor();
    await e.shot(admin, '62-followup-plan-preview');
    await admin.locator('.ant-modal-confirm-btns button').click();
    await admin.locator('.ant-modal-confirm').waitFor({ state: 'detached' });

    // Activate with confirmation (the preview again in the dialog).
    await row.locator('[data-testid=plan-activate]').click();
    await admin.locator('.ant-modal-confirm [data-testid=plan-preview]').waitFor();
    await admin.click('[data-testid=plan-status-ok]');
    await row.locator('[data-testid=plan-status]', { hasText: '进行中' }).waitFor();
    await admin.locator('.ant-modal-confirm').waitFor({ state: 'detached' });
    await e.shot(admin, '63-followup-plan-active');

    // The agent: the task is in today's list; claim, answer the questionnaire, record "reached" with satisfaction.
    const agent = await e.newPage();
    await login(agent, 'liu.agent', DEMO_PASSWORD);
    await agent.goto('/followup/workbench');
    const item = agent.locator('[data-testid=task-list] .ant-list-item', { hasText: '回访测试客户' });
    await item.waitFor();
    await item.click();
    await agent.locator('[data-testid=script]', { hasText: '您好，回女士' }).waitFor();
    await agent.click('[data-testid=claim]');
    await agent.locator('[data-testid=questionnaire]').waitFor();
    await agent.locator('[data-testid=q-brand_trust] .ant-rate-star').nth(4).click();
    await agent.locator('[data-testid=satisfaction] .ant-rate-star').nth(4).click();
    await e.shot(agent, '64-followup-workbench-questionnaire');
    await agent.click('[data-testid=outcome-reached]');
    await agent.locator('[data-testid=task-state]', { hasText: '已完成' }).waitFor();
    await e.shot(agent, '65-followup-workbench-done');

    // The customer's timeline shows the follow-up.
    await agent.goto(`/customers/${customer.id}`);
    await agent.locator('text=回访 · 已接通').first().waitFor();
    await e.shot(agent, '66-followup-customer-timeline');

    // The plan's KPIs (supervisor view): one due, one done, on time, satisfaction 5.
    const planId = await row.locator('a').first().getAttribute('href').then((h) => new URLSearchParams(h!.split('?')[1]).get('planId')!);
    await admin.goto(`/followup/tasks?tab=kpis&planId=${planId}&from=2000-01-01`);
    const kpiRow = admin.locator('[data-testid=kpi-by-plan] tr', { hasText: `E2E 满意度回访 ${tag}` });
    await kpiRow.waitFor();
    expect(await kpiRow.innerText()).toMatch(/100\.00%[\s\S]*100\.00%[\s\S]*5\.00/);
    await admin.locator('[data-testid=kpi-chart] canvas').waitFor();
    await e.shot(admin, '67-followup-kpis');
    await admin.goto(`/followup/tasks?planId=${planId}`);
    await admin.locator('.ant-table-row', { hasText: '回访测试客户' }).waitFor();
    // The whole subtree with the demo plans: counts by state and assignee, the overdue list.
    await admin.goto('/followup/tasks?bucket=overdue');
    await admin.locator('[data-testid=by-assignee] .ant-table-row').first().waitFor();
    await admin.locator('.ant-table-row', { hasText: '上海分行季度满意度回访' }).first().waitFor();
    await e.shot(admin, '68-followup-tasks-overdue');
  });
});
