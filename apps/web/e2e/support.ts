import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { expect, inject } from 'vitest';
import { ADMIN_PASSWORD, demoDay } from '../../server/test/constants.ts';
import { createTestDatabase } from '../../server/test/test-app.ts';
import { freePort } from '../../server/test/pg-cluster.ts';
import { startServerProcess, type TServerProcess } from '../../server/test/server-process.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const SCREENSHOTS = path.join(ROOT, '.artifacts', 'screenshots');
export { ADMIN_PASSWORD };
export const DEMO_PASSWORD = 'Huifang2026';
/**
 * How long to wait for a notification to reach the bell: alerts of evaluations are written by the evaluation-events
 * job (every second with JOBS=true) and the bell polls every 15 s (features/notifications/api.ts) — one poll and a margin.
 */
export const BELL_POLL_WAIT = 25_000;

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface TE2E {
  server: TServerProcess;
  browser: Browser;
  baseUrl: string;
  /** The server's database (for journeys that seed rows no UI creates yet). */
  dbUrl: string;
  newPage(): Promise<Page>;
  shot(page: Page, name: string): Promise<void>;
  close(): Promise<void>;
}

/** The real server (built SPA, demo data, its own database) and Debian's Chromium. */
export async function startE2E(opts: { env?: Record<string, string> } = {}): Promise<TE2E> {
  if (!fs.existsSync(path.join(ROOT, 'apps/web/dist/index.html')))
    throw new Error('build the web app first: npm run build -w @huifang/web');
  // The run's demo template (global-setup.ts) already holds what `--demo` loads, unless the day in Shanghai changed
  // since it was built: demo data is laid out around "today", so then this boot loads it afresh.
  const demo = inject('demoTemplate');
  const tdb = await createTestDatabase(demo.day === demoDay() ? demo.name : undefined);
  await tdb.database.close();
  // Boot with --demo on an empty database loads ~100,000 counter sessions and more: 64 s measured on the shared 2-core machine at load 18,
  // over 90 s with two more CPU hogs. The boot may use the hook's whole budget (vitest.config.ts: 180 s) less the
  // browser's start, so that a boot that never ends still fails with the server's own output.
  const server = await startServerProcess(
    {
      DATABASE_URL: tdb.url,
      PORT: String(await freePort()),
      HUIFANG_ADMIN_PASSWORD: ADMIN_PASSWORD,
      JOBS: 'true',
      LOG_LEVEL: 'warn',
      ...opts.env,
    },
    ['--demo'],
    160_000,
  );
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  return {
    server,
    browser,
    baseUrl: server.baseUrl,
    dbUrl: tdb.url,
    newPage: async () => {
      const ctx = await browser.newContext({
        baseURL: server.baseUrl,
        viewport: { width: 1366, height: 860 },
        locale: 'zh-CN',
        timezoneId: 'Asia/Shanghai',
      });
      const page = await ctx.newPage();
      page.setDefaultTimeout(15_000);
      return page;
    },
    shot: async (page, name) => {
      await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
    },
    close: async () => {
      await browser.close();
      server.proc.kill('SIGTERM');
      await server.waitForExit();
      await tdb.drop();
    },
  };
}

/** Open the login page and submit the form; the caller waits for what it expects (landing page or error). */
export async function fillLogin(page: Page, username: string, password: string): Promise<void> {
  await page.goto('/login');
  await page.fill('#login_username', username);
  await page.fill('#login_password', password);
  await page.click('form[id=login] button[type=submit]');
}

/** Log in and wait for the app shell (the user menu), as a user waits for the landing page. */
export async function login(page: Page, username: string, password: string): Promise<void> {
  await fillLogin(page, username, password);
  await page.locator('[data-testid=user-menu]').waitFor();
}

/** A JSON API call from the logged-in page (session cookie + CSRF token), for test set-up only. */
export async function apiCall<T>(page: Page, method: string, url: string, body?: unknown): Promise<T> {
  return page.evaluate(
    async ([m, u, b]) => {
      const me = (await (await fetch('/api/auth/me')).json()) as { csrfToken: string };
      const res = await fetch(`/api${u}`, {
        method: m,
        headers: { 'content-type': 'application/json', 'x-csrf-token': me.csrfToken },
        body: b === undefined ? undefined : JSON.stringify(b),
      });
      if (!res.ok) throw new Error(`${m} ${u}: ${res.status} ${await res.text()}`);
      return (await res.json()) as T;
    },
    [method, url, body] as const,
  );
}

/**
 * Press an option of an open select list as a person does: point at it and wait until the list highlights it (the
 * list re-renders when the pointer enters it), press, and release only while the option is still under the pointer.
 * On a busy machine the list can be re-laid-out between a press and a release a few milliseconds apart (a synthetic
 * click); the release then lands on the form behind the list and the choice is silently lost (issue 10, item 16).
 */
export async function pressOption(page: Page, option: ReturnType<Page['locator']>): Promise<void> {
  await untilStill(option);
  await option.hover();
  await expect
    .poll(() => option.evaluate((el) => (el.closest('.ant-select-item, .ant-select-tree-treenode') ?? el).className))
    .toMatch(/-active|-hover|treenode/);
  const box = await option.boundingBox();
  if (!box) throw new Error('the option left the list before it was pressed');
  const x = box.x + box.width / 2;
  const y = box.y + box.height / 2;
  const under = () => option.evaluate((el, [px, py]) => el.contains(document.elementFromPoint(px!, py!)), [x, y]);
  await expect.poll(under).toBe(true);
  await page.mouse.move(x, y);
  await page.mouse.down();
  await expect.poll(under).toBe(true);
  await page.mouse.up();
}

/**
 * Wait until the element and the dialog, drawer or list around it have finished their enter/leave motion (antd marks
 * it with `*-enter`, `*-appear`, `*-leave` classes). Before a motion starts, an element can stand still at its final
 * place for a few frames, so "stable" is not enough: a click there lands, then the zoom moves the button away.
 */
export async function untilStill(target: ReturnType<Page['locator']>): Promise<void> {
  await expect
    .poll(() =>
      target.evaluate((el) => {
        for (let n: Element | null = el; n; n = n.parentElement)
          if (/(^|\s)\S+-(appear|enter|leave)(\s|$)/.test(n.getAttribute('class') ?? '')) return false;
        return true;
      }),
    )
    .toBe(true);
}

/** Switch the staff app's language as a person does: the language control (a native select) in the header or on the
 * login page. The page then shows the other language's strings once they have loaded (wait for a text of yours). */
export async function switchLanguage(page: Page, label: 'English' | '中文'): Promise<void> {
  const control = page.locator('[data-testid=lang-switch]');
  await control.selectOption({ label });
  // The control follows the shown language: it reads the new one once that language's strings are in.
  await expect.poll(() => control.inputValue()).toBe(label === 'English' ? 'en-US' : 'zh-CN');
}

/** Choose the option titled `title` in the open select list (a select without a form field id). */
export async function pickOption(page: Page, title: string): Promise<void> {
  await pressOption(
    page,
    page.locator(`.ant-select-dropdown:visible .ant-select-item-option[title="${title}"]`).first(),
  );
}

/**
 * Wait until every antd select dropdown has finished closing (its leave animation included). On a busy machine the
 * animation takes seconds, so this waits on the page's own timeout rather than a short poll.
 */
export async function dropdownsClosed(page: Page): Promise<void> {
  await page.locator('.ant-select-dropdown:visible').first().waitFor({ state: 'hidden' });
}

/**
 * Choose an option of an antd Select / TreeSelect form field as a user does: click the field (once it stands still:
 * no forced click while a drawer slides in), optionally type to filter, click the option once the list shows it,
 * and wait until the dropdown has closed and the field shows the choice.
 */
export async function pick(page: Page, fieldId: string, title: string, opts: { type?: boolean } = {}): Promise<void> {
  // Only one dropdown is open at a time, so the one that opens is this field's.
  await dropdownsClosed(page);
  const field = page.locator('.ant-select', { has: page.locator(`#${fieldId}`) });
  await field.click();
  const dropdown = page.locator('.ant-select-dropdown:visible');
  await dropdown.waitFor();
  const isMultiple = await field.evaluate((el) => el.classList.contains('ant-select-multiple'));
  if (opts.type) {
    await page.keyboard.type(title);
    // Click only once the filter has been applied: a click while the list shrinks can land beside it.
    // (Tree selects keep the ancestors of a match, so only plain options are checked.)
    await dropdown
      .locator('.ant-select-item-option')
      .filter({ hasNotText: title })
      .first()
      .waitFor({ state: 'detached' });
  }
  try {
    await pressOption(page, dropdown.locator(`.ant-select-item-option[title="${title}"], [title="${title}"]`).first());
    // The field shows the choice (what the user looks for) before anything else happens.
    await page.locator('.ant-select', { has: page.locator(`#${fieldId}`), hasText: title }).waitFor();
    // A multiple select stays open after a choice; the user clicks somewhere neutral (the title of the drawer or
    // dialog around the form), which closes the list. Not Tab: it selects the active option again, which in a multiple
    // select removes the choice just made. Not Escape: once the list has closed, it closes the drawer around the form.
    if (isMultiple) {
      const around = page.locator('.ant-drawer-content, .ant-modal-content').filter({ has: field }).last();
      if (await around.count()) await around.locator('.ant-drawer-title, .ant-modal-title').first().click();
      else if (await dropdown.isVisible()) await page.keyboard.press('Escape');
    }
    await dropdownsClosed(page);
  } catch (err) {
    await page
      .screenshot({ path: path.join(SCREENSHOTS, `pick-failed-${fieldId}-${Date.now()}.png`) })
      .catch(() => undefined);
    throw err;
  }
}
