/** Pure rules of the queue 排队叫号 (unit-tested in queue-rules.test.ts). */

export const DEFAULT_MAX_VIP_IN_ROW = 3;
/** Assumed handling time per customer before an outlet has served anyone today. */
export const DEFAULT_HANDLING_SECONDS = 300;

/** A ticket number: the type's prefix and the day's sequence, at least three digits (A001, A012, A1000). The take's
 * statement (queue-take.service.ts TAKE_SQL) formats it the same way in SQL. */
export const ticketNumber = (prefix: string, seq: number) => `${prefix}${String(seq).padStart(3, '0')}`;

const formatters = new Map<string, Intl.DateTimeFormat>();
/** The last answer per zone: within one UTC minute the local day and minute are the same (offsets are whole minutes). */
const lastMinute = new Map<string, { minute: number; value: { day: string; hhmm: string } }>();
/** The local day (YYYY-MM-DD) and time (HH:MM) of an instant in a time zone. */
export function localDayTime(now: Date, timeZone: string): { day: string; hhmm: string } {
  const minute = Math.floor(now.getTime() / 60_000);
  const last = lastMinute.get(timeZone);
  if (last?.minute === minute) return last.value;
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('sv-SE', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, f);
  }
  const [day = '', hhmm = ''] = f.format(now).split(' ');
  const value = { day, hhmm };
  lastMinute.set(timeZone, { minute, value });
  return value;
}

/** Numbers are taken from opening time up to (not including) closing time. */
export const isOpenAt = (hhmm: string, opensAt: string, closesAt: string) => hhmm >= opensAt && hhmm < closesAt;

/**
 * The priority rule 优先规则: with priority tiers configured, a priority customer is called first — unless the last
 * `maxInRow` calls were all priority customers, then the longest-waiting other customer goes first.
 * `recentCalls` holds whether each of the latest calls was a priority one, newest first.
 */
export function preferVip(hasVipTiers: boolean, maxInRow: number, recentCalls: boolean[]): boolean {
  if (!hasVipTiers) return false;
  const streak = recentCalls.findIndex((isVip) => !isVip);
  return (streak === -1 ? recentCalls.length : streak) < maxInRow;
}

/** Estimated wait in whole minutes: the people ahead (and oneself) shared among the counters serving the type. */
export function estimateWaitMinutes(ahead: number, counters: number, avgHandlingSeconds: number): number {
  if (ahead <= 0) return 0;
  return Math.ceil((ahead * avgHandlingSeconds) / Math.max(1, counters) / 60);
}
