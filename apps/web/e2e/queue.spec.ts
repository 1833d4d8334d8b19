import { expect, describe, it, beforeAll, afterAll } from 'vitest';
import type { Page } from 'playwright-core';
import type { TQueueSetup } from '@huifang/shared';
import { apiCall, DEMO_PASSWORD, login, pick, startE2E, type TE2E } from './support.ts';

let e: TE2E;
beforeAll(async () => {
  e = await startE2E();
});
afterAll(async () => e?.close());

/** When (Date.now() on the page) `selector` with `text` first shows on `page`, checked on every animation frame. */
function firstSeen(page: Page, selector: string, text: string): Promise<number> {
  return page.evaluate(
    ([sel, txt]) =>
      new Promise<number>((resolve) => {
        const check = () => {
          const el = document.querySelector(sel);
          if (el && (el.textContent ?? '').includes(txt)) resolve(Date.now());
          else requestAnimationFrame(check);
        };
        check();
      }),
    [selector, text] as const,
  );
}

describe('queue ticketing journey', () => {
  it('a customer takes a number on the phone, the display shows and speaks the call within a second, the teller serves, the kiosk rating lands on the visit', async () => {
    // The manager sets up 陆家嘴支行: 个人业务 (A) at 1号窗口, and pairs the hall display.
    const manager = await e.newPage();
    await login(manager, 'zhang.manager', DEMO_PASSWORD);
    const outlets = await apiCall<{ items: { id: string; name: string }[] }>(manager, 'GET', '/queue/outlets');
    const ljz = outlets.items.find((o) => o.name === '陆家嘴支行')!;
    const before = await apiCall<TQueueSetup>(manager, 'GET', `/queue/outlets/${ljz.id}/setup`);
    const w1 = before.counters.find((c) => c.name === '1号窗口')!.id;
    const setup = await apiCall<TQueueSetup>(manager, 'PUT', `/queue/outlets/${ljz.id}/setup`, {
      opensAt: '00:00',
      closesAt: '23:59',
      types: [{ name: '个人业务', prefix: 'A', counterIds: [w1] }],
    });
    await apiCall(manager, 'PUT', `/queue/outlets/${ljz.id}/notices`, {
      notices: [{ text: '本周六理财讲座，欢迎参加' }],
    });
    await manager.goto(`/queue-settings?outlet=${ljz.id}`);
    await manager
      .locator('[data-testid=queue-screen-link]')
      .waitFor()
      .catch(async (err: unknown) => {
        await e.shot(manager, '70-queue-settings-failed');
        throw err;
      });
    await manager.click('[data-testid=display-pair-code]');
    const code = (await manager.locator('[data-testid=display-pair-code-value]').textContent())!.trim();
    await e.shot(manager, '70-queue-settings');

    const display = await e.newPage();
    await display.setViewportSize({ width: 1600, height: 900 });
    await display.goto('/queue/display');
    await display.fill('[data-testid=display-code]', code);
    await display.keyboard.press('Enter');
    await display.locator('[data-testid=display-notice]', { hasText: '理财讲座' }).waitFor();
    // The manager sees the paired screen in the outlet's list.
    await manager.reload();
    await manager.locator('[data-testid=queue-displays] tr', { hasText: '使用中' }).first().waitFor();

    // The kiosk of 1号窗口 (demo pairing code, README).
    const kiosk = await e.newPage();
    await kiosk.goto('/kiosk');
    await kiosk.fill('[data-testid=pair-code]', 'demo-ljz1');
    await kiosk.keyboard.press('Enter');
    await kiosk.locator('[data-testid=kiosk][data-screen=idle]').waitFor();

    // The customer scans the QR code and takes a number on the phone.
    const phone = await e.newPage();
    await phone.setViewportSize({ width: 390, height: 844 });
    await phone.goto(`/queue/m/${setup.linkToken}`);
    await phone.click('[data-testid=take-A]');
    const number = (await phone.locator('[data-testid=phone-number]').textContent())!.trim();
    expect(number).toMatch(/^A\d{3}$/);
    await phone.locator('[data-testid=phone-near]').waitFor(); // nobody ahead: "come back to the hall"
    await e.shot(phone, '71-queue-phone-waiting');

    // The teller calls it from the counter page: the display and the phone follow within a second.
    const teller = await e.newPage();
    await login(teller, 'chen.teller', DEMO_PASSWORD);
    await teller.goto('/counter');
    await teller.locator('[data-testid=queue-waiting-A]', { hasText: '1' }).waitFor();
    const onDisplay = firstSeen(display, '[data-testid=display-banner]', number);
    const onPhone = firstSeen(phone, '[data-testid=phone-called]', '1号窗口');
    const clicked = Date.now();
    await teller.click('[data-testid=queue-call-next]');
    const toDisplay = (await onDisplay) - clicked;
    const toPhone = (await onPhone) - clicked;
    console.warn(`queue call → display ${toDisplay} ms, → phone ${toPhone} ms`);
    expect(toDisplay).toBeLessThan(1000);
    expect(toPhone).toBeLessThan(1000);
    expect(await display.locator('[data-testid=display]').getAttribute('data-spoken')).toBe(
      `请 ${number} 号到 1号窗口办理`,
    );
    await display.locator('[data-testid=display-current]', { hasText: number }).waitFor();
    await e.shot(display, '72-queue-display-call');
    await e.shot(phone, '73-queue-phone-called');

    // The call started the service: the kiosk shows the teller, the end asks for the rating, the press lands.
    await teller.locator('[data-testid=queue-current]', { hasText: number }).waitFor();
    await teller.locator('[data-testid=serving-tag]').waitFor();
    await kiosk.locator('[data-testid=staff-card]', { hasText: '陈静' }).waitFor();
    await teller.click('[data-testid=end-service]');
    await kiosk.locator('[data-testid=kiosk][data-screen=rating]').waitFor();
    await kiosk.waitForTimeout(1200);
    const [rated] = await Promise.all([
      kiosk.waitForResponse((r) => r.url().includes('/api/kiosk/device/ratings') && r.request().method() === 'POST'),
      kiosk.click('[data-testid=kiosk-key-1]'),
    ]);
    expect(rated.status()).toBe(200);
    await display.locator('[data-testid=display-current]').waitFor({ state: 'detached' });

    // The visit: the ticket's session holds the wait, the handling time and the rating.
    const sessions = await apiCall<{ items: { id: string; score: number | null; handlingSeconds: number | null }[] }>(
      manager,
      'GET',
      `/service-sessions?unitId=${w1}&pageSize=1`,
    );
    expect(sessions.items[0]).toMatchObject({ score: 5 });
    expect(sessions.items[0]!.handlingSeconds).not.toBeNull();

    // The outlet's wait figures show the visit: one taken, one served, and its rating in a wait band.
    await manager.goto('/queue-figures');
    const row = manager.locator('[data-testid=queue-figures-table] tr', { hasText: '陆家嘴支行' });
    await row.waitFor();
    expect((await row.locator('td').allTextContents()).slice(1, 4)).toEqual(['1', '1', '0']);
    await manager.getByText('满意率').waitFor();
    await e.shot(manager, '74-queue-figures');

    // A screen is moved away: the manager revokes it and it goes back to asking for a pairing code at once.
    await manager.goto(`/queue-settings?outlet=${ljz.id}`);
    const screenRow = manager.locator('[data-testid=queue-displays] tr', { hasText: '使用中' }).first();
    await screenRow.getByRole('button', { name: /撤\s*销/ }).click();
    await manager.getByRole('button', { name: /确\s*定|OK/ }).click();
    await display.locator('[data-testid=display-code]').waitFor();

    // Priority by card 卡号: a VIP customer gives their bank card at the door screen instead of a phone, and is called
    // before a walk-in who came first. A mistyped card is refused with a sentence naming the card, nothing taken.
    await apiCall(manager, 'PUT', `/queue/outlets/${ljz.id}/setup`, {
      opensAt: '00:00',
      closesAt: '23:59',
      vipTiers: ['VIP'],
      maxVipInRow: 2,
      types: [{ id: setup.types[0]!.id, name: '个人业务', prefix: 'A', counterIds: [w1] }],
    });
    // The VIP customer's bank card is entered on the customer form, grouped as printed; stored as digits, shown masked
    // on the customer's page and revealed on request (audited on the server).
    const card = '6217000012345678';
    await manager.goto('/customers');
    await manager.click('[data-testid=customer-create]');
    await manager.fill('#customer_name', '卡号贵宾');
    await manager.fill('#customer_cardNumbersText', '6217 0000 1234 5678');
    await pick(manager, 'customer_tier', 'VIP');
    await manager.click('[data-testid=customer-save]');
    await manager.waitForURL(/\/customers\/[0-9a-f-]{36}$/);
    await manager.getByText('6217****5678').waitFor();
    await manager.click('[data-testid=reveal-cardNumber]');
    await manager.locator('[data-testid=revealed-cardNumber]', { hasText: card }).waitFor();
    await e.shot(manager, '76-customer-card-revealed');

    const screen = await e.newPage();
    await screen.setViewportSize({ width: 1280, height: 900 });
    await screen.goto(`/queue/take/${setup.linkToken}`);
    await screen.click('[data-testid=take-A]');
    const walkIn = (await screen.locator('[data-testid=take-number]').textContent())!.trim();
    await screen.getByRole('button', { name: '完成' }).click();
    await screen.getByText('卡号', { exact: true }).click();
    await screen.fill('[data-testid=take-phone]', '6217 000');
    await screen.click('[data-testid=take-A]');
    await screen.locator('[data-testid=take-error]', { hasText: '卡号须为 8–19 位数字' }).waitFor();
    await e.shot(screen, '75-queue-take-by-card');
    await screen.fill('[data-testid=take-phone]', '6217 0000 1234 5678');
    await screen.click('[data-testid=take-A]');
    const byCard = (await screen.locator('[data-testid=take-number]').textContent())!.trim();
    expect(Number(byCard.slice(1))).toBe(Number(walkIn.slice(1)) + 1);
    await teller.locator('[data-testid=queue-waiting-A]', { hasText: '2' }).waitFor();
    await teller.click('[data-testid=queue-call-next]');
    await teller.locator('[data-testid=queue-current]', { hasText: byCard }).waitFor();
  });
});
