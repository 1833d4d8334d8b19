import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  apiCall,
  BELL_POLL_WAIT,
  login,
  pick,
  ADMIN_PASSWORD,
  DEMO_PASSWORD,
  startE2E,
  untilStill,
  type TE2E,
} from './support.ts';

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
    const unitId = (
      Array.isArray(units) ? units : (units as unknown as { items: { id: string; code: string | null }[] }).items
    ).find((u) => u.code === 'SH-LJZ')!.id;
    const users = await apiCall<{ items: { id: string; username: string }[] }>(admin, 'GET', '/users?q=liu.agent');
    const liuId = users.items.find((u) => u.username === 'liu.agent')!.id;
    const tag = `回访E2E${Date.now() % 100000}`;
    const customer = await apiCall<{ id: string }>(admin, 'POST', '/customers', {
      kind: 'individual',
      name: '回访测试客户',
      gender: 'female',
      phones: ['13912345678'],
      unitId,
      ownerId: liuId,
      tags: [tag],
      consentService: true,
      consentMarketing: false,
    });
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
    // The confirm dialog zooms in: a click before its motion ends can land where the button is not yet (support.ts).
    await untilStill(admin.locator('[data-testid=plan-status-ok]'));
    await admin.click('[data-testid=plan-status-ok]');
    await row.locator('[data-testid=plan-status]', { hasText: '进行中' }).waitFor();
    await admin.locator('.ant-modal-confirm').waitFor({ state: 'detached' });
    await e.shot(admin, '63-followup-plan-active');

    // The agent: the task is in today's list; claim, answer the questionnaire, record "reached" with satisfaction.
    const agent = await e.newPage();
    await login(agent, 'liu.agent', DEMO_PASSWORD);
    // The agent's dashboard shows his own work (today's tasks, overdue, reach rate), not the organisation's counts.
    await agent.locator('[data-testid=stat-myTasksToday]').waitFor();
    await agent.locator('[data-testid=stat-myReach30]').waitFor();
    expect(
      await agent
        .locator(
          '[data-testid=stat-units], [data-testid=stat-users], [data-testid=stat-logins], [data-testid=stat-openAppeals]',
        )
        .count(),
    ).toBe(0);
    await e.shot(agent, '63b-dashboard-agent');
    await agent.goto('/followup/workbench');
    // Among the agent's many demo tasks today, a phone fragment as heard on a call finds this customer's one task.
    await agent.locator('[data-testid=wb-total]').waitFor();
    expect(Number(/\d+/.exec(await agent.locator('[data-testid=wb-total]').innerText())![0])).toBeGreaterThan(1);
    await agent.fill('input[data-testid=wb-search], [data-testid=wb-search] input', '1234-5678');
    await agent.press('input[data-testid=wb-search], [data-testid=wb-search] input', 'Enter');
    await agent.locator('[data-testid=wb-total]', { hasText: '共 1 条' }).waitFor();
    const item = agent.locator('[data-testid=task-list] .ant-list-item', { hasText: '回访测试客户' });
    await item.waitFor();
    expect(await agent.locator('[data-testid=task-list] .ant-list-item').count()).toBe(1);
    await e.shot(agent, '63a-followup-workbench-search');
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
    const planId = await row
      .locator('a')
      .first()
      .getAttribute('href')
      .then((h) => new URLSearchParams(h!.split('?')[1]).get('planId')!);
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

    // A teller's dashboard: customers served today, his own satisfaction and appeals; no units, users or audit.
    const teller = await e.newPage();
    await login(teller, 'chen.teller', DEMO_PASSWORD);
    await teller.locator('[data-testid=stat-servedToday]').waitFor();
    await teller.locator('[data-testid=stat-satisfied30]', { hasText: '我的近30天满意率' }).waitFor();
    await teller.locator('[data-testid=stat-openAppeals]').waitFor();
    expect(
      await teller
        .locator(
          '[data-testid=stat-units], [data-testid=stat-users], [data-testid=stat-logins], [data-testid=stat-teamOverdue]',
        )
        .count(),
    ).toBe(0);
    await e.shot(teller, '69-dashboard-teller');
    // The manager: his scope's satisfaction, unsatisfied ratings and overdue tasks beside units and users.
    const manager = await e.newPage();
    await login(manager, 'zhang.manager', DEMO_PASSWORD);
    await manager.locator('[data-testid=stat-teamOverdue]').waitFor();
    await manager.locator('[data-testid=stat-unsatisfied30]').waitFor();
    await manager.locator('[data-testid=stat-units]').waitFor();
    expect(await manager.locator('[data-testid=stat-servedToday], [data-testid=stat-myTasksToday]').count()).toBe(0);
    await e.shot(manager, '69a-dashboard-manager');
  });

  it('the loop: the agent opens the card of a task customer they do not own and answers the questionnaire low; the survey counts it, the manager is alerted and lands on the evaluation, the timeline shows the answers; a notification opens its task', async () => {
    const admin = await e.newPage();
    await login(admin, 'admin', ADMIN_PASSWORD);
    const units = await apiCall<
      { items: { id: string; code: string | null }[] } | { id: string; code: string | null }[]
    >(admin, 'GET', '/org-units?pageSize=100');
    const unitId = (Array.isArray(units) ? units : units.items).find((u) => u.code === 'SH-LJZ')!.id;
    const users = await apiCall<{ items: { id: string; username: string }[] }>(admin, 'GET', '/users?q=liu.agent');
    const liuId = users.items.find((u) => u.username === 'liu.agent')!.id;
    const tag = `环${Date.now() % 100000}`;
    // A customer liu.agent does not own, a published questionnaire, and a list plan giving liu.agent the task.
    const customer = await apiCall<{ id: string }>(admin, 'POST', '/customers', {
      kind: 'individual',
      name: `闭环客户${tag}`,
      gender: 'male',
      phones: ['13912340000'],
      unitId,
      consentService: true,
      consentMarketing: false,
    });
    const definition = {
      title: `回访问卷${tag}`,
      questions: [
        { key: 'q1', type: 'csat', title: '办理体验', required: true },
        { key: 'memo', type: 'text', title: '意见建议', required: false },
      ],
    };
    const survey = await apiCall<{ id: string }>(admin, 'POST', '/surveys', { definition });
    await apiCall(admin, 'POST', `/surveys/${survey.id}/publish`, {});
    const plan = await apiCall<{ id: string }>(admin, 'POST', '/followup/plans', {
      name: `闭环回访${tag}`,
      topic: 'satisfaction',
      methods: ['phone'],
      targetKind: 'list',
      customerIds: [customer.id],
      script: '您好{客户称呼}',
      surveyId: survey.id,
      startDate: ymd(new Date(Date.now() - 86_400_000)),
      dueDays: 7,
      assignment: 'fixed',
      assigneeId: liuId,
      maxAttempts: 2,
      retryHours: 4,
    });
    await apiCall(admin, 'POST', `/followup/plans/${plan.id}/status`, { status: 'active' });
    const taskId = (await apiCall<{ items: { id: string }[] }>(admin, 'GET', `/followup/tasks?planId=${plan.id}`))
      .items[0]!.id;

    // The agent works the task: the customer card opens (masked), the answers are low.
    const agent = await e.newPage();
    await login(agent, 'liu.agent', DEMO_PASSWORD);
    await agent.goto(`/followup/workbench?taskId=${taskId}`);
    await agent.locator('[data-testid=script]', { hasText: '您好' }).waitFor();
    await agent.click('[data-testid=claim]');
    await agent.locator('[data-testid=questionnaire]').waitFor();
    await agent.locator('[data-testid=q-q1] .ant-rate-star').nth(1).click();
    await agent.locator('[data-testid=q-memo] textarea').fill(`服务态度差${tag}`);
    await agent.locator('[data-testid=satisfaction] .ant-rate-star').nth(1).click();
    await agent.click('[data-testid=outcome-reached]');
    await agent.locator('.ant-message', { hasText: '已记录' }).waitFor();
    await agent.click('[data-testid=open-customer]');
    await agent.waitForURL(`**/customers/${customer.id}`);
    await agent.locator('.ant-card-head-title', { hasText: `闭环客户${tag}` }).waitFor();
    // Read only: no edit, no note; the tag says why the agent sees it.
    await agent.locator('[data-testid=customer-read-only]').waitFor();
    expect(await agent.locator('[data-testid=note-input]').count()).toBe(0);
    expect(await agent.locator('body').innerText()).not.toContain('13912340000');
    const answers = agent.locator('[data-testid=timeline-answers]').first();
    await answers.waitFor();
    expect(await answers.innerText()).toMatch(/办理体验：不满意[\s\S]*意见建议：服务态度差/);
    await e.shot(agent, '69-loop-agent-customer-answers');

    // Another channel's 不满意 for the same outlet: a staff entry of the questionnaire.
    await apiCall(admin, 'POST', `/surveys/${survey.id}/responses`, { customerId: customer.id, answers: { q1: 1 } });

    // The manager: the bell groups the two 不满意 into one row; expanded, the call's one opens its evaluation.
    const manager = await e.newPage();
    await login(manager, 'zhang.manager', DEMO_PASSWORD);
    await manager.click('[data-testid=notification-bell]');
    const group = manager.locator(
      '[data-testid="notification-group-evaluation.unsatisfied"] [data-testid=notification-group]',
    );
    // The alert is written by the evaluation-events job (about a second after the submit) and the bell polls every
    // 15 s: wait for the bell to show it, through one poll.
    await group.locator('text=不满意评价 ×2').waitFor({ timeout: BELL_POLL_WAIT });
    await group.click();
    await e.shot(manager, '70-loop-manager-bell');
    await manager.locator('[data-testid=notification-item]', { hasText: tag }).click();
    await manager.waitForURL(/\/evaluations\?open=/);
    await manager.locator('.ant-drawer', { hasText: `服务态度差${tag}` }).waitFor();
    await e.shot(manager, '71-loop-manager-evaluation');

    // The survey's results count the call's answer (with the staff entry: two answers to 办理体验).
    await manager.goto(`/surveys/${survey.id}/results`);
    await manager.locator('.ant-card', { hasText: '办理体验' }).locator('text=2 人作答').waitFor();
    await e.shot(manager, '72-loop-survey-results');

    // A task link (as every follow-up notification carries) opens that task on the tasks page.
    await manager.goto(`/followup/tasks?taskId=${taskId}`);
    await manager.locator('.ant-drawer [data-testid=task-state]', { hasText: '已完成' }).waitFor();
    await manager.locator('.ant-drawer', { hasText: `闭环客户${tag}` }).waitFor();
  });
});
