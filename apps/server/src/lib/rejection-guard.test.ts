import { describe, expect, it } from 'vitest';
import { onUnhandledRejection } from './rejection-guard.ts';

describe('unhandled rejections', () => {
  const setup = () => {
    const logged: string[] = [];
    const exits: number[] = [];
    const handler = onUnhandledRejection(
      {
        warn: (_o: object, m: string) => logged.push(`warn ${m}`),
        fatal: (_o: object, m: string) => logged.push(`fatal ${m}`),
      } as never,
      (code) => exits.push(code),
    );
    return { logged, exits, handler };
  };

  it('serves on when a background promise fails because Postgres restarted', () => {
    const { logged, exits, handler } = setup();
    handler(Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }));
    handler(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }));
    expect(exits).toEqual([]);
    expect(logged).toHaveLength(2);
    expect(logged[0]).toMatch(/^warn /);
  });

  it('exits on any other unhandled rejection', () => {
    const { logged, exits, handler } = setup();
    handler(new TypeError("Cannot read properties of undefined (reading 'id')"));
    expect(exits).toEqual([1]);
    expect(logged[0]).toMatch(/^fatal /);
  });
});
