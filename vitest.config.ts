import { defineConfig } from 'vitest/config';

/**
 * One runner for every layer: `server` (unit + integration on real PostgreSQL) and `e2e` (playwright-core driving
 * Debian's Chromium against the real server). scripts/test.mjs runs both.
 */
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'server',
          include: [
            'apps/server/src/**/*.test.ts',
            'apps/server/test/**/*.test.ts',
            'packages/shared/src/**/*.test.ts',
          ],
          globalSetup: ['apps/server/test/global-setup.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
          pool: 'forks',
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['apps/web/e2e/**/*.spec.ts'],
          globalSetup: ['apps/server/test/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          pool: 'forks',
          fileParallelism: false,
          // expect.poll waits for a state of the page like a locator does: as long as the page's default timeout
          // (15 s, support.ts), not vitest's 1 s — on a busy 2-core machine an antd dropdown takes longer to close.
          expect: { poll: { timeout: 15_000 } },
        },
      },
    ],
  },
});
