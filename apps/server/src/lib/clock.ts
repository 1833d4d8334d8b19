/** The clock is part of the app's dependency object so tests can set time. */
export interface TClock {
  now(): Date;
}
export const systemClock: TClock = { now: () => new Date() };

/** A settable clock for tests. */
export function createFixedClock(
  start: Date | string,
): TClock & { set(d: Date | string): void; advance(ms: number): void } {
  let t = new Date(start).getTime();
  return {
    now: () => new Date(t),
    set: (d) => {
      t = new Date(d).getTime();
    },
    advance: (ms) => {
      t += ms;
    },
  };
}
