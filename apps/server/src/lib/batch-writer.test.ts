import { describe, expect, it } from 'vitest';
import { createBatchWriter } from './batch-writer.ts';

const tick = () => new Promise((r) => setImmediate(r));

describe('createBatchWriter', () => {
  it('writes a lone item at once and groups items that arrive while a batch is in flight', async () => {
    const batches: number[][] = [];
    let release: () => void = () => undefined;
    const w = createBatchWriter<number, number>({
      maxInFlight: 1,
      flush: async (items) => {
        batches.push(items);
        if (batches.length === 1) await new Promise<void>((r) => (release = r));
        return items.map((i) => i * 10);
      },
    });
    const first = w.write(1);
    await tick();
    expect(batches).toEqual([[1]]);
    const rest = [2, 3, 4].map((i) => w.write(i));
    await tick();
    expect(batches).toHaveLength(1); // waiting for the first batch
    release();
    expect(await first).toBe(10);
    expect(await Promise.all(rest)).toEqual([20, 30, 40]);
    expect(batches).toEqual([[1], [2, 3, 4]]);
  });

  it('caps the batch size and hands each caller its own result or its batch error', async () => {
    const w = createBatchWriter<number, string>({
      maxBatch: 3,
      flush: async (items) => {
        if (items.includes(5)) throw new Error('boom');
        return items.map(String);
      },
    });
    const results = await Promise.allSettled([1, 2, 3, 4, 5, 6, 7].map((i) => w.write(i)));
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : 'err'))).toEqual([
      '1',
      '2',
      '3',
      'err',
      'err',
      'err',
      '7',
    ]);
  });

  it('sends the next batch before the callers of the finished one resume (the database is not left idle while they answer)', async () => {
    const events: string[] = [];
    let release: () => void = () => undefined;
    const w = createBatchWriter<number, number>({
      maxInFlight: 1,
      flush: async (items) => {
        events.push(`flush ${items.join(',')}`);
        if (items[0] === 1) await new Promise<void>((r) => (release = r));
        return items;
      },
    });
    const first = w.write(1).then((v) => events.push(`resumed ${v}`));
    await tick();
    const second = w.write(2).then((v) => events.push(`resumed ${v}`));
    await tick();
    release();
    await Promise.all([first, second]);
    expect(events).toEqual(['flush 1', 'flush 2', 'resumed 1', 'resumed 2']);
  });

  it('refuses a flush that returns the wrong number of results', async () => {
    const w = createBatchWriter<number, number>({ flush: async () => [] });
    await expect(w.write(1)).rejects.toThrow(/0 results for 1 items/);
  });
});
