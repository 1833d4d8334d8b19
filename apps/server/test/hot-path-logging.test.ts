import crypto from 'node:crypto';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unitIdByCode } from './helpers.ts';
import { createTestApp, type TTestApp } from './test-app.ts';

/**
 * The ingestion hot paths (kiosk presses, open survey links) log at warn (lib/logger.ts hotPathLogging): an accepted
 * request writes no line, a refused one a single warn line with its status and the masked URL; other routes keep
 * Fastify's info request lines.
 */
const lines: Record<string, unknown>[] = [];
const logStream = new Writable({
  write: (chunk: Buffer, _e, done) => {
    for (const l of chunk.toString().split('\n')) if (l.trim()) lines.push(JSON.parse(l) as Record<string, unknown>);
    done();
  },
});
let t: TTestApp;
beforeAll(async () => {
  t = await createTestApp({ env: { LOG_LEVEL: 'info' }, logStream });
});
afterAll(async () => t.close());

const linesOf = (reqId: string) => lines.filter((l) => l.reqId === reqId);

describe('request logging on the ingestion hot paths', () => {
  it('an accepted kiosk press writes no log line; a refused press and a refused survey answer one warn line', async () => {
    const manager = await t.login('zhang.manager');
    const teller = await t.login('teller02');
    const counterId = await unitIdByCode(t, 'SH-LJZ-W2');
    const code = (await manager.post('/api/kiosk/pairing-codes', { counterId, deviceName: '日志平板' })).json().code;
    const paired = await t.app.inject({ method: 'POST', url: '/api/kiosk/pair', payload: { code } });
    expect(paired.statusCode, paired.body).toBe(200);
    const start = await teller.post('/api/counter/sessions', { counterId, businessType: '对公结算' });
    expect(start.statusCode, start.body).toBe(200);
    t.clock.advance(60_000);
    const end = await teller.post(`/api/counter/sessions/${start.json().id}/end`);
    expect(end.statusCode, end.body).toBe(200);
    const shown = t.clock.now();
    t.clock.advance(3000);
    const press = (token: string) =>
      t.app.inject({
        method: 'POST',
        url: '/api/kiosk/device/ratings',
        headers: { authorization: `Bearer ${token}`, 'idempotency-key': crypto.randomUUID() },
        payload: {
          sessionId: start.json().id,
          key: 1,
          shownAt: new Date(shown.getTime()).toISOString(),
          pressedAt: new Date(shown.getTime() + 2000).toISOString(),
        },
      });

    const ok = await press(paired.json().token);
    expect(ok.statusCode, ok.body).toBe(200);
    expect(linesOf(ok.headers['x-request-id'] as string)).toEqual([]);

    const refused = await press('not-a-device-token');
    expect(refused.statusCode).toBe(401);
    expect(linesOf(refused.headers['x-request-id'] as string)).toEqual([
      expect.objectContaining({
        level: 40,
        msg: 'request refused',
        req: { method: 'POST', url: '/api/kiosk/device/ratings' },
        res: { statusCode: 401 },
      }),
    ]);

    const survey = await t.app.inject({
      method: 'POST',
      url: '/api/s/SECRETLINKTOKEN0123456789/responses',
      headers: { 'idempotency-key': 'device-key-123' },
      payload: { answers: {} },
    });
    expect(survey.statusCode).toBe(404);
    const surveyLines = linesOf(survey.headers['x-request-id'] as string);
    expect(surveyLines).toEqual([
      expect.objectContaining({ level: 40, msg: 'request refused', res: { statusCode: 404 } }),
    ]);
    expect(JSON.stringify(surveyLines)).not.toContain('SECRETLINKTOKEN');

    // Any other route still logs its request and its completion at info.
    const state = await t.app.inject({
      method: 'GET',
      url: '/api/kiosk/device/state',
      headers: { authorization: `Bearer ${paired.json().token}` },
    });
    expect(state.statusCode, state.body).toBe(200);
    expect(linesOf(state.headers['x-request-id'] as string).map((l) => l.msg)).toEqual([
      'incoming request',
      'request completed',
    ]);
  });
});
