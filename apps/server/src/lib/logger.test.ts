import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { loggerOptions, maskUrlTokens } from './logger.ts';

describe('request log', () => {
  it('cuts link tokens out of URLs: survey, review link, SMS receipt webhooks', () => {
    expect(maskUrlTokens('/api/s/Q2x9fA7kTt3/responses?x=1')).toBe('/api/s/[redacted]/responses?x=1');
    expect(maskUrlTokens('/api/review-links/abc_DEF-123')).toBe('/api/review-links/[redacted]');
    expect(maskUrlTokens('/api/public/sms-receipts/aliyun/tok123')).toBe('/api/public/sms-receipts/aliyun/[redacted]');
    expect(maskUrlTokens('/api/customers?q=138')).toBe('/api/customers?q=138');
  });

  it('writes requests with the masked URL and without the cookie', () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk: Buffer, _e, done) => (lines.push(chunk.toString()), done()) });
    const log = pino(loggerOptions('info'), sink);
    log.info({ req: { method: 'POST', url: '/api/s/SECRETTOKEN/responses', ip: '10.0.0.1', headers: { cookie: 'hf_sid=abc', host: 'x' } } }, 'incoming request');
    expect(lines.join('')).not.toContain('SECRETTOKEN');
    expect(lines.join('')).not.toContain('hf_sid');
    expect(JSON.parse(lines[0]!).req).toEqual({ method: 'POST', url: '/api/s/[redacted]/responses', host: 'x', remoteAddress: '10.0.0.1' });
  });
});
