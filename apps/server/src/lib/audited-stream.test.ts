import { describe, expect, it } from 'vitest';
import { streamThenAudit } from './audited-stream.ts';

const collect = (s: NodeJS.ReadableStream) =>
  new Promise<string>((resolve, reject) => {
    let text = '';
    s.on('data', (c: Buffer) => (text += c.toString()));
    s.on('end', () => resolve(text));
    s.on('error', reject);
  });

describe('streamThenAudit', () => {
  it('ends the download only after the audit row is written', async () => {
    const events: string[] = [];
    const out = streamThenAudit(
      async (sink) => {
        sink.write('a,b\r\n');
        await new Promise((r) => setTimeout(r, 5));
        sink.end('1,2\r\n');
      },
      async () => {
        await new Promise((r) => setTimeout(r, 20));
        events.push('audited');
      },
    );
    out.on('end', () => events.push('end'));
    expect(await collect(out)).toBe('a,b\r\n1,2\r\n');
    expect(events).toEqual(['audited', 'end']);
  });

  it('fails the download (no clean end) when the audit cannot be written', async () => {
    const out = streamThenAudit(
      async (sink) => void sink.end('x'),
      async () => Promise.reject(new Error('db down')),
    );
    await expect(collect(out)).rejects.toThrow('db down');
  });
});
