import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiCall, fillLogin, ADMIN_PASSWORD, startE2E, type TE2E, pick, switchLanguage } from './support.ts';

let e: TE2E;
beforeAll(async () => {
  e = await startE2E();
});
afterAll(async () => e?.close());

const ymd = (d: Date) => new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Shanghai' }).format(d);

describe('contact policy, business calendar and bulk task operations', () => {
  it('the admin sets the tenant policy and edits the 2026 calendar; a new plan starts from the policy; the supervisor cancels tasks in one go', async () => {
    const page = await e.newPage();
    await fillLogin(page, 'admin', ADMIN_PASSWORD);
    await page.waitForSelector('[data-testid=user-menu]');
    await page.click('.ant-layout-sider >> text=系统设置');
    const policy = page.locator('[data-testid=contact-policy]');
    await policy.locator('text=尚未修改，使用默认值').waitFor();
    expect(await page.inputValue('#policy_quietFromHour')).toBe('21');
    expect(await page.inputValue('#policy_quietToHour')).toBe('9');

    // Same hour twice: the shared rule refuses it before any request.
    await page.fill('#policy_quietToHour', '21');
    await page.click('[data-testid=policy-save]');
    await policy.locator('text=免打扰结束时间须不同于开始时间').waitFor();
    await page.fill('#policy_quietFromHour', '20');
    await page.fill('#policy_quietToHour', '8');
    await page.fill('#policy_minGapDays', '3');
    await page.click('[data-testid=policy-save]');
    await page.locator('.ant-message', { hasText: '联系策略已保存' }).waitFor();
    await page.reload();
    await policy.locator('text=最近修改').waitFor();
    expect(await page.inputValue('#policy_quietFromHour')).toBe('20');
    expect(await page.inputValue('#policy_minGapDays')).toBe('3');

    // 不满意提醒阈值: default ≤ 2 分; the admin raises it to ≤ 3 分 and it stays saved.
    const alerts = page.locator('[data-testid=evaluation-policy]');
    await alerts.locator('text=尚未修改，使用默认值 (≤ 2 分)').waitFor();
    await alerts.locator('text=例如 2 表示 1–2 分提醒店长/网点负责人').waitFor();
    await pick(page, 'evaluationPolicy_negativeScoreMax', '≤ 3 分');
    await page.click('[data-testid=evaluation-policy-save]');
    await page.locator('.ant-message', { hasText: '评价提醒设置已保存' }).waitFor();
    await page.reload();
    await alerts.locator('text=最近修改').waitFor();
    expect(await alerts.locator('.ant-select').innerText()).toContain('≤ 3 分');
    expect(await apiCall<{ negativeScoreMax: number }>(page, 'GET', '/settings/evaluation-policy')).toMatchObject({
      negativeScoreMax: 3,
    });

    // The 2026 calendar as the State Council published it; the tenant removes a make-up day and adds its own holiday.
    const cal = page.locator('[data-testid=business-calendar]');
    await cal.locator('.ant-table-row', { hasText: '2026-10-10' }).waitFor();
    expect(await cal.locator('.ant-table-row', { hasText: '2026-10-01' }).innerText()).toContain('国庆节');
    expect(await cal.locator('.ant-table-row', { hasText: '2026-10-10' }).innerText()).toMatch(/周六[\s\S]*调休上班/);
    await page.click('[data-testid=calendar-remove-2026-10-10]');
    await page.click('.ant-popconfirm .ant-btn-primary');
    await cal.locator('.ant-table-row', { hasText: '2026-10-10' }).waitFor({ state: 'detached' });
    await page.click('#calendarDay_date');
    await page.keyboard.type('2026-12-31');
    await page.keyboard.press('Enter');
    await page.fill('#calendarDay_name', '公司年会');
    await page.click('[data-testid=calendar-add]');
    await cal.locator('.ant-table-row', { hasText: '公司年会' }).waitFor();
    expect(await cal.locator('.ant-table-row', { hasText: '2026-12-31' }).innerText()).toMatch(/周四[\s\S]*节假日/);
    await e.shot(page, '75-settings-policy-calendar');

    // English.
    await switchLanguage(page, 'English');
    await cal.locator('.ant-card-head-title', { hasText: 'Business calendar' }).waitFor();
    await cal.locator('.ant-table-row', { hasText: '2026-09-20' }).locator('text=Make-up workday').waitFor();
    await policy.locator('text=Quiet from').waitFor();
    await alerts.locator('text=Dissatisfaction alert threshold').waitFor();
    await e.shot(page, '76-settings-policy-calendar-en');
    await switchLanguage(page, '中文');

    // A new plan starts from the tenant policy: contact 08–20, gap 3 days.
    await page.goto('/followup/plans');
    await page.click('[data-testid=plan-create]');
    await page.waitForSelector('#plan_contactFromHour');
    await expect.poll(() => page.inputValue('#plan_contactFromHour')).toBe('8');
    expect(await page.inputValue('#plan_contactToHour')).toBe('20');
    expect(await page.inputValue('#plan_minGapDays')).toBe('3');
    await page.keyboard.press('Escape');

    // On a slow line the policy arrives after the user has started the plan: it fills the untouched contact fields
    // and keeps what was typed (it used to reset the whole form).
    const slow = await e.newPage();
    await fillLogin(slow, 'admin', ADMIN_PASSWORD);
    await slow.waitForSelector('[data-testid=user-menu]');
    let release = () => undefined as void;
    const held = new Promise<void>((r) => (release = r));
    await slow.route('**/api/settings/contact-policy', async (route) => {
      await held;
      await route.continue();
    });
    await slow.goto('/followup/plans');
    await slow.click('[data-testid=plan-create]');
    await slow.fill('[data-testid=plan-name]', '策略稍后到达');
    release();
    await expect.poll(() => slow.inputValue('#plan_contactFromHour')).toBe('8');
    expect(await slow.inputValue('[data-testid=plan-name]')).toBe('策略稍后到达');
    await slow.close();

    // The supervisor view: three tasks of a plan cancelled in one request; the counts follow the state filter.
    const units = await apiCall<
      { items?: { id: string; code: string | null }[] } | { id: string; code: string | null }[]
    >(page, 'GET', '/org-units?pageSize=100');
    const unitId = (Array.isArray(units) ? units : units.items!).find((u) => u.code === 'SH-LJZ')!.id;
    const users = await apiCall<{ items: { id: string; username: string }[] }>(page, 'GET', '/users?q=liu.agent');
    const liuId = users.items.find((u) => u.username === 'liu.agent')!.id;
    const ids: string[] = [];
    for (const name of ['批量甲', '批量乙', '批量丙'])
      ids.push(
        (
          await apiCall<{ id: string }>(page, 'POST', '/customers', {
            kind: 'individual',
            name,
            phones: [],
            unitId,
            consentService: true,
            consentMarketing: false,
          })
        ).id,
      );
    const plan = await apiCall<{ id: string }>(page, 'POST', '/followup/plans', {
      name: '批量取消演示',
      topic: 'satisfaction',
      methods: ['phone'],
      targetKind: 'list',
      customerIds: ids,
      script: '您好',
      startDate: ymd(new Date()),
      dueDays: 7,
      assignment: 'fixed',
      assigneeId: liuId,
      maxAttempts: 2,
      retryHours: 4,
    });
    await apiCall(page, 'POST', `/followup/plans/${plan.id}/status`, { status: 'active' });
    await page.goto(`/followup/tasks?planId=${plan.id}`);
    await page.locator('.ant-table-row', { hasText: '批量丙' }).waitFor();
    await page.click('.ant-table-thead .ant-checkbox-input');
    await page.click('[data-testid=bulk-cancel]');
    await page.locator('.ant-modal-confirm', { hasText: '取消 3 个未完成任务' }).waitFor();
    await page.fill('.ant-modal-confirm textarea', '客户已在网点当面回访');
    await page.click('[data-testid=bulk-cancel-ok]');
    // The dialog stays open (OK loading) until the request has answered; the state filter then shows the outcome.
    await page.locator('.ant-modal-confirm').waitFor({ state: 'detached' });
    await page.goto(`/followup/tasks?planId=${plan.id}&state=cancelled`);
    await page.locator('.ant-table-row', { hasText: '批量甲' }).waitFor();
    const stats = page.locator('.ant-statistic');
    await expect.poll(async () => (await stats.first().innerText()).replace(/\s+/g, ' ')).toContain('3');
    expect((await stats.allInnerTexts()).map((s) => s.replace(/\s+/g, ' '))).toEqual(
      expect.arrayContaining(['全部 3', '已取消 3', '待回访 0']),
    );
    await e.shot(page, '77-followup-bulk-cancelled');
  }, 120_000);
});
