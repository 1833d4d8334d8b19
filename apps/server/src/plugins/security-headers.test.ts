import http from 'node:http';
import helmet from 'helmet';
import { describe, expect, it } from 'vitest';
import { precomputeHeaders } from './security-headers.ts';

/** The headers a response gets from `apply`, read back as a client would see them (date and connection aside). */
async function headersOf(apply: (req: http.IncomingMessage, res: http.ServerResponse, next: () => void) => void) {
  const server = http.createServer((req, res) => apply(req, res, () => res.end('ok')));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const res = await fetch(`http://127.0.0.1:${(server.address() as { port: number }).port}/`);
    return Object.fromEntries([...res.headers].filter(([k]) => !['date', 'connection', 'keep-alive'].includes(k)));
  } finally {
    server.close();
  }
}

describe('precomputeHeaders', () => {
  it('sets exactly the headers helmet sets, CSP and HSTS included', async () => {
    const mw = helmet({
      contentSecurityPolicy: { directives: { defaultSrc: ["'self'"], frameAncestors: ["'none'"] } },
      strictTransportSecurity: { maxAge: 1000, includeSubDomains: false },
    });
    const apply = precomputeHeaders(mw);
    const fromHelmet = await headersOf((req, res, next) => mw(req, res, next));
    const precomputed = await headersOf((_req, res, next) => {
      apply(res);
      next();
    });
    expect(precomputed).toEqual(fromHelmet);
    expect(precomputed['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(precomputed['strict-transport-security']).toBe('max-age=1000');
  });

  it('refuses a middleware whose headers depend on the request or that answers later', () => {
    expect(() => precomputeHeaders((req, res, next) => (res.setHeader('x-url', req.url ?? ''), next()))).toThrow(
      /reads req.url/,
    );
    expect(() => precomputeHeaders((_req, _res, next) => void setImmediate(next))).toThrow(/synchronously/);
  });
});
