import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { DrizzleQueryError } from 'drizzle-orm';
import { loggerOptions, maskUrl, maskUrlTokens } from './logger.ts';

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
    log.info(
      {
        req: {
          method: 'POST',
          url: '/api/s/SECRETTOKEN/responses',
          ip: '10.0.0.1',
          headers: { cookie: 'hf_sid=abc', host: 'x' },
        },
      },
      'incoming request',
    );
    expect(lines.join('')).not.toContain('SECRETTOKEN');
    expect(lines.join('')).not.toContain('hf_sid');
    expect(JSON.parse(lines[0]!).req).toEqual({
      method: 'POST',
      url: '/api/s/[redacted]/responses',
      host: 'x',
      remoteAddress: '10.0.0.1',
    });
  });
});

const PHONE = '13528528043';
const ID_NUMBER = '33010619850312123X';
const ADDRESS = '浙江省杭州市西湖区文三路金桂苑7幢302室';
const capture = () => {
  const lines: string[] = [];
  const sink = new Writable({ write: (chunk: Buffer, _e, done) => (lines.push(chunk.toString()), done()) });
  return { log: pino(loggerOptions('info'), sink), text: () => lines.join('') };
};
const SEPARATED = ['135-2852-8043', '135 2852 8043', '+86 135 2852 8043'];

describe('no personal data in the log', () => {
  it('redacts query values except paging, sorting and ids', () => {
    const unit = '0b6f8f5e-58a3-4c52-9a51-8a9bb1d2c9a1';
    expect(maskUrl(`/api/customers?q=${PHONE}&page=2&pageSize=20&unitId=${unit}&sort=-createdAt`)).toBe(
      `/api/customers?q=[redacted]&page=2&pageSize=20&unitId=${unit}&sort=-createdAt`,
    );
    expect(maskUrl(`/api/customers/export?format=csv&q=${encodeURIComponent(ADDRESS)}`)).toBe(
      '/api/customers/export?format=csv&q=[redacted]',
    );
    expect(maskUrl('/api/s/TOKEN123?x=%E0%A4%A')).toBe('/api/s/[redacted]?x=[redacted]');
    expect(maskUrl('/api/customers')).toBe('/api/customers');
  });

  it('a request line keeps the path and drops the searched phone', () => {
    const { log, text } = capture();
    log.info(
      { req: { method: 'GET', url: `/api/customers?q=${PHONE}`, ip: '10.0.0.1', headers: {} } },
      'incoming request',
    );
    expect(text()).not.toContain(PHONE);
    expect(JSON.parse(text()).req.url).toBe('/api/customers?q=[redacted]');
  });

  it('a failed insert logs its statement, not its parameters nor the row pg quotes back', () => {
    const { log, text } = capture();
    const pgError = Object.assign(
      new Error('null value in column "unit_id" of relation "customers" violates not-null constraint'),
      {
        code: '23502',
        detail: `Failing row contains (${PHONE}, ${ADDRESS}, ${ID_NUMBER}).`,
        where: `SQL statement with ${PHONE}`,
        parameters: [PHONE, ADDRESS, ID_NUMBER],
        table: 'customers',
      },
    );
    const err = new DrizzleQueryError(
      'insert into "customers" ("phones", "address", "id_number") values ($1, $2, $3)',
      [[PHONE], ADDRESS, ID_NUMBER],
      pgError,
    );
    log.error({ err, cause: pgError }, 'unhandled error');
    log.error({ err: pgError }, 'unhandled error');
    const out = text();
    for (const s of [PHONE, ADDRESS, ID_NUMBER, '文三路', ...SEPARATED]) expect(out).not.toContain(s);
    const first = JSON.parse(out.split('\n')[0]!);
    expect(first.err.message).toContain('insert into "customers"');
    expect(first.err.message).toContain('violates not-null constraint');
    expect(first.err.query).toContain('values ($1, $2, $3)');
    expect(first.cause).toMatchObject({ code: '23502', table: 'customers' });
  });

  it('masks phone numbers, ID numbers and e-mail in any message, in any common format', () => {
    const { log, text } = capture();
    for (const p of [PHONE, ...SEPARATED]) log.warn(`sms to ${p} failed`);
    log.warn({ to: 'zhang.san@example.com', id: ID_NUMBER }, `ID ${ID_NUMBER.toLowerCase()}`);
    const out = text();
    for (const s of [PHONE, ...SEPARATED, ID_NUMBER, ID_NUMBER.toLowerCase(), 'zhang.san@'])
      expect(out).not.toContain(s);
    expect(out).toContain('135****8043');
    expect(out).toContain('330106********123X');
  });
});
