import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createTestDatabase } from '../../server/test/test-app.ts';
import { freePort } from '../../server/test/pg-cluster.ts';
import { startServerProcess, type TServerProcess } from '../../server/test/server-process.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const SCREENSHOTS = path.join(ROOT, '.artifacts', 'screenshots');
export const ADMIN_PASSWORD = 'Admin12345';
export const DEMO_PASSWORD = 'Huifang2026';

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
export async function startE2E(): Promise<TE2E> {
  if (!fs.existsSync(path.join(ROOT, 'apps/web/dist/index.html'))) throw new Error('build the web app first: npm run build -w @huifang/web');
  const tdb = await createTestDatabase();
  await tdb.database.close();
  const server = await startServerProcess(
    { DATABASE_URL: tdb.url, PORT: String(await freePort()), HUIFANG_ADMIN_PASSWORD: ADMIN_PASSWORD, JOBS: 'true', LOG_LEVEL: 'warn' },
    ['--demo'],
  );
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  return {
    server,
    browser,
    baseUrl: server.baseUrl,
    dbUrl: tdb.url,
    newPage: async () => {
      const ctx = await browser.newContext({ baseURL: server.baseUrl, viewport: { width: 1366, height: 860 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
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
