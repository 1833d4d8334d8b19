import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, DEMO_PASSWORD, fillLogin, startE2E, switchLanguage, type TE2E } from './support.ts';

let e: TE2E;
beforeAll(async () => {
  e = await startE2E();
});
afterAll(async () => e?.close());

describe('login slow-down journey', () => {
  it('after five wrong passwords the login page shows the wait in the chosen language; the admin lifts it from the users page', async () => {
    const page = await e.newPage();
    for (let i = 0; i < 5; i++) {
      await fillLogin(page, 'wang.supervisor', 'Wrong-pass-1');
      await expect.poll(() => page.locator('[data-testid=login-error]').innerText()).toContain('用户名或密码错误');
    }
    // Even the right password waits now, and the page says how long.
    await fillLogin(page, 'wang.supervisor', DEMO_PASSWORD);
    await expect
      .poll(() => page.locator('[data-testid=login-error]').innerText())
      .toMatch(/尝试过于频繁.*（[0-9]+ 秒后重试）/);
    await e.shot(page, 'login-throttle-01-wait-zh');

    // In English too.
    await switchLanguage(page, 'English');
    await page.fill('#login_username', 'wang.supervisor');
    await page.fill('#login_password', DEMO_PASSWORD);
    await page.click('form[id=login] button[type=submit]');
    await expect
      .poll(() => page.locator('[data-testid=login-error]').innerText())
      .toMatch(/Too many attempts.*\(retry in [0-9]+ s\)/);
    await e.shot(page, 'login-throttle-02-wait-en');

    // The admin unlocks the account in 用户管理.
    const admin = await e.newPage();
    await fillLogin(admin, 'admin', ADMIN_PASSWORD);
    await admin.waitForSelector('[data-testid=stat-units]');
    await admin.goto('/users?q=wang.supervisor');
    await admin.click('[data-testid="user-unlock-wang.supervisor"]');
    await admin.locator('.ant-popconfirm:visible button.ant-btn-primary').click();
    await expect.poll(() => admin.locator('.ant-message').innerText()).toContain('已解除 1 个来源的登录等待');
    await e.shot(admin, 'login-throttle-03-unlocked');

    // The supervisor gets in at once.
    await page.click('form[id=login] button[type=submit]');
    await page.waitForURL((u) => !u.pathname.startsWith('/login'));
    expect(new URL(page.url()).pathname).not.toBe('/login');
  });
});
