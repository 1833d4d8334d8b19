import { expect, describe, it, beforeAll, afterAll } from 'vitest';
import type { Page } from 'playwright-core';
import { BELL_POLL_WAIT, fillLogin, DEMO_PASSWORD, startE2E, type TE2E } from './support.ts';

let e: TE2E;
beforeAll(async () => {
  e = await startE2E();
});
afterAll(async () => e?.close());

async function login(page: Page, username: string) {
  await fillLogin(page, username, DEMO_PASSWORD);
  await page.waitForSelector('[data-testid=user-menu]');
}

const screen = (kiosk: Page, name: string) => kiosk.locator(`[data-testid=kiosk][data-screen=${name}]`).waitFor();

/** Start and end one service on the counter page; returns the session id. */
async function serveOnce(teller: Page, kiosk: Page): Promise<string> {
  await teller.click('[data-testid=start-service]');
  await teller.locator('[data-testid=serving-tag]').waitFor();
  await kiosk.locator('[data-testid=staff-card]', { hasText: '陈静' }).waitFor();
  const [ended] = await Promise.all([
    teller.waitForResponse((r) => r.url().includes('/end') && r.request().method() === 'POST'),
    teller.click('[data-testid=end-service]'),
  ]);
  await screen(kiosk, 'rating');
  // A human needs a moment to read the keys (faster presses are flagged fast_press).
  await kiosk.waitForTimeout(1200);
  return ((await ended.json()) as { id: string }).id;
}

describe('counter evaluator journey', () => {
  it('teller serves, the paired kiosk follows, presses (touch, digit key, offline) land exactly once, the manager is notified', async () => {
    const kiosk = await e.newPage();
    await kiosk.setViewportSize({ width: 1280, height: 800 });
    await kiosk.goto('/kiosk');
    await kiosk.fill('[data-testid=pair-code]', 'nope-nope');
    await kiosk.keyboard.press('Enter');
    await kiosk.locator('text=配对码无效或已过期').waitFor();
    // The demo pairing code of 陆家嘴支行 1号窗口 (README).
    await kiosk.fill('[data-testid=pair-code]', 'demo-ljz1');
    await kiosk.keyboard.press('Enter');
    await screen(kiosk, 'idle');
    await kiosk.locator('[data-testid=kiosk-status]', { hasText: '在线' }).waitFor();

    const teller = await e.newPage();
    await login(teller, 'chen.teller');
    await teller.goto('/counter');
    await teller.locator('[data-testid=start-service]').waitFor();

    // 1. Touch 不满意.
    await teller.click('[data-testid=start-service]');
    await teller.locator('[data-testid=serving-tag]').waitFor();
    await kiosk.locator('[data-testid=staff-card]', { hasText: 'T3001' }).waitFor();
    await e.shot(kiosk, '41-kiosk-staff-card-tablet');
    await teller.click('[data-testid=end-service]');
    await screen(kiosk, 'rating');
    await kiosk.waitForTimeout(1200);
    await e.shot(kiosk, '42-kiosk-keys-tablet');
    await kiosk.setViewportSize({ width: 390, height: 844 });
    await e.shot(kiosk, '43-kiosk-keys-phone');
    await kiosk.setViewportSize({ width: 1280, height: 800 });
    await kiosk.click('[data-testid=kiosk-key-4]');
    await kiosk.locator('[data-testid=kiosk-thanks]').waitFor();
    await screen(kiosk, 'idle');

    // 2. A USB keypad types "1".
    const second = await serveOnce(teller, kiosk);
    await kiosk.keyboard.press('1');
    await kiosk.locator('[data-testid=kiosk-thanks]').waitFor();
    await screen(kiosk, 'idle');

    await kiosk.waitForFunction(
      () => (JSON.parse(localStorage.getItem('hf.kiosk.queue') ?? '[]') as unknown[]).length === 0,
    );

    // 3. The network drops right before the press: queued locally, delivered once when back.
    const third = await serveOnce(teller, kiosk);
    await kiosk.context().setOffline(true);
    await kiosk.waitForFunction(() => !navigator.onLine);
    await kiosk.locator('[data-testid=kiosk-status]', { hasText: '离线' }).waitFor();
    await kiosk.keyboard.press('2');
    await kiosk.waitForFunction(
      () => (JSON.parse(localStorage.getItem('hf.kiosk.queue') ?? '[]') as unknown[]).length === 1,
    );
    await kiosk.locator('[data-testid=kiosk-status]', { hasText: '待发送 1 条' }).waitFor();
    await e.shot(kiosk, '44-kiosk-offline');
    await kiosk.context().setOffline(false);
    await kiosk.locator('[data-testid=kiosk-status]', { hasText: '在线' }).waitFor({ timeout: 20_000 });
    await kiosk.waitForFunction(
      () => (JSON.parse(localStorage.getItem('hf.kiosk.queue') ?? '[]') as unknown[]).length === 0,
    );

    // The teller's recent list shows the ratings.
    await teller.reload();
    await teller.locator('.ant-table-row', { hasText: '非常满意' }).first().waitFor();

    // 4. The manager of 上海分行 sees the 不满意 in the bell and each session has exactly one evaluation.
    const manager = await e.newPage();
    await login(manager, 'zhang.manager');
    // The alert is written by the evaluation-events job (about a second after the submit) and the bell polls every
    // 15 s: wait for the bell to show it, through one poll.
    await manager.locator('[data-testid=notification-badge] .ant-badge-count').waitFor({ timeout: BELL_POLL_WAIT });
    await manager.click('[data-testid=notification-bell]');
    await manager
      .locator('[data-testid=notification-list]', { hasText: '不满意：陆家嘴支行 1号窗口' })
      .waitFor({ timeout: BELL_POLL_WAIT });
    await e.shot(manager, '45-manager-notification');
    const evals = (await (await manager.request.get('/api/evaluations?channel=kiosk&pageSize=100')).json()) as {
      items: { refId: string; score: number | null; ratingLabel: string | null }[];
    };
    const of = (id: string) => evals.items.filter((x) => x.refId === id);
    expect(of(second).map((x) => x.ratingLabel)).toEqual(['非常满意']);
    expect(of(third).map((x) => x.ratingLabel)).toEqual(['满意']);
    expect(evals.items.filter((x) => x.ratingLabel === '不满意' && x.score === 1).length).toBeGreaterThanOrEqual(1);

    // The report page and the kiosk admin page render for the manager.
    await manager.goto('/service-report');
    await manager.locator('.ant-table-row', { hasText: '陆家嘴支行' }).first().waitFor();
    await e.shot(manager, '46-service-report');
    await manager.goto('/kiosk-admin');
    await manager.locator('.ant-table-row', { hasText: '演示评价器' }).waitFor();
    await e.shot(manager, '47-kiosk-admin');
  }, 180_000);
});
