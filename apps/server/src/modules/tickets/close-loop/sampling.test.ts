import { describe, expect, it } from 'vitest';
import { isTicketSampled, ticketSampleBucket } from './sampling.ts';

describe('callback sampling', () => {
  it('decides the same for the same ticket, takes none at 0 % and all at 100 %', () => {
    const id = crypto.randomUUID();
    expect(ticketSampleBucket(id)).toBe(ticketSampleBucket(id));
    expect(isTicketSampled(id, 0)).toBe(false);
    expect(isTicketSampled(id, 100)).toBe(true);
  });

  it('takes about the configured share of many tickets', () => {
    const ids = Array.from({ length: 4000 }, () => crypto.randomUUID());
    const share = ids.filter((id) => isTicketSampled(id, 30)).length / ids.length;
    expect(share).toBeGreaterThan(0.26);
    expect(share).toBeLessThan(0.34);
  });
});
