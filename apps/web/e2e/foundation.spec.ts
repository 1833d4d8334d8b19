import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fillLogin, pick, ADMIN_PASSWORD, startE2E, type TE2E, switchLanguage } from './support.ts';

let e: TE2E;
beforeAll(async () => {
  e = await startE2E();
});
afterAll(async () => e?.close());

/** Open the login page and submit; the caller waits for what follows (landing page, password change, error). */
const login = fillLogin;

describe('foundation journey', () => {
  it('admin creates a branch and its manager; the manager sees only that branch; language switches', async () => {
    const page = await e.newPage();

    // Admin logs in and lands on the dashboard with real counts.
    await login(page, 'admin', ADMIN_PASSWORD);
    await page.waitForSelector('[data-testid=stat-units]');
    expect(await page.locator('.ant-layout-sider').innerText()).toContain('组织架构');
    await e.shot(page, '01-admin-dashboard');

    // Create 深圳分行 under the root.
    await page.click('.ant-layout-sider >> text=组织架构');
    await page.locator('[data-testid=org-tree] .ant-tree-title', { hasText: '慧访示范银行' }).first().click();
    await page.click('button:has-text("新建下级")');
    await page.fill('#unit_name', '深圳分行');
    await page.fill('#unit_code', 'SZ');
    await page.click('.ant-modal-footer button.ant-btn-primary');
    await page.locator('[data-testid=org-tree] .ant-tree-title', { hasText: '深圳分行' }).waitFor();
    await e.shot(page, '02-branch-created');

    // Create the branch manager.
    await page.click('.ant-layout-sider >> text=用户管理');
    await page.click('[data-testid=user-create]');
    await page.fill('#user_username', 'sz.manager');
    await page.fill('#user_password', 'Initial123');
    await page.fill('#user_displayName', '孙经理');
    await pick(page, 'user_unitId', '深圳分行', { type: true });
    await pick(page, 'user_roleIds', '经理', { type: true });
    await page.fill('#user_staffNo', 'M3001');
    await e.shot(page, '03-user-drawer');
    await page.click('[data-testid=user-save]');
    await page.locator('.ant-message', { hasText: '已保存' }).first().waitFor();
    // The list holds more than a page of demo users (oldest first): find the new one by name.
    await page.goto('/users?q=sz.manager');
    await page.locator('.ant-table-row', { hasText: 'sz.manager' }).waitFor();

    // Log out.
    await page.click('[data-testid=user-menu]');
    await page.click('.ant-dropdown-menu-item:has-text("退出登录")');
    await page.waitForSelector('#login_username');

    // The manager logs in, must first change the password set by the admin.
    await login(page, 'sz.manager', 'Initial123');
    await page.waitForSelector('#password_currentPassword');
    await page.fill('#password_currentPassword', 'Initial123');
    await page.fill('#password_newPassword', 'Shenzhen2026');
    await page.fill('#password_confirm', 'Shenzhen2026');
    await page.click('form[id=password] button[type=submit]');
    await page.locator('.ant-message', { hasText: '密码已修改' }).waitFor();

    // Only the own branch is visible; no audit of other branches, no role editing.
    await page.click('.ant-layout-sider >> text=组织架构');
    await page.locator('[data-testid=org-tree] .ant-tree-title', { hasText: '深圳分行' }).waitFor();
    const tree = await page.locator('[data-testid=org-tree]').innerText();
    expect(tree).toContain('深圳分行');
    expect(tree).not.toContain('上海分行');
    expect(tree).not.toContain('杭州分行');
    expect(await page.locator('button:has-text("新建下级")').count()).toBe(0);
    await e.shot(page, '04-manager-sees-own-branch');

    await page.click('.ant-layout-sider >> text=用户管理');
    // The org page lists the unit's users too: wait for the users page itself before reading its table.
    await page.waitForURL('**/users');
    await page.locator('.ant-card-head-title', { hasText: '用户管理' }).waitFor();
    await page.locator('.ant-table-row', { hasText: 'sz.manager' }).waitFor();
    const users = await page.locator('.ant-table-tbody').innerText();
    expect(users).not.toContain('zhang.manager');
    expect(users).not.toContain('admin');

    // Switch to English: the shell and pages follow, and the choice survives a reload.
    await switchLanguage(page, 'English');
    await page.locator('.ant-layout-sider', { hasText: 'Organisation' }).waitFor();
    expect(await page.locator('.ant-card-head-title').first().innerText()).toBe('Users');
    await page.reload();
    await page.locator('.ant-layout-sider', { hasText: 'Organisation' }).waitFor();
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('en-US');
    await e.shot(page, '05-english');
  });

  it('rejects a wrong password with a clear message and no session', async () => {
    const page = await e.newPage();
    await login(page, 'admin', 'wrong-password-1');
    const alert = page.locator('[data-testid=login-error]');
    await alert.waitFor();
    expect(await alert.innerText()).toContain('用户名或密码错误');
    await page.goto('/users');
    await page.waitForSelector('#login_username');

    // An empty form names each missing field under it, in the shown language, and sends nothing.
    await fillLogin(page, '  ', '');
    await expect.poll(() => page.locator('#login_username_help').innerText()).toBe('请输入用户名');
    expect(await page.locator('#login_password_help').innerText()).toBe('请输入密码');
    await page.fill('#login_username', 'admin');
    await page.locator('#login_username_help').waitFor({ state: 'detached' });
    await switchLanguage(page, 'English');
    expect(await page.locator('#login_password_help').innerText()).toBe('Enter your Password');
    expect(new URL(page.url()).pathname).toBe('/login');
    expect(await page.locator('[data-testid=login-error]').count()).toBe(0);
  });
});
