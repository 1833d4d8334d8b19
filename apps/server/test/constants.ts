/** The bootstrapped admin's password in every test database (test apps, e2e servers, the demo template). */
export const ADMIN_PASSWORD = 'Admin12345';

/** The local day in Asia/Shanghai (the demo tenant's zone): demo data is laid out around "today" there. */
export function demoDay(at = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(at);
}
