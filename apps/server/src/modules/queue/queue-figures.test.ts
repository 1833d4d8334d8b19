import crypto from 'node:crypto';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TQueueFigures, TQueueSetup } from '@huifang/shared';
import { unitIdByCode } from '../../../test/helpers.ts';
import { createTestApp, type TClient, type TTestApp } from '../../../test/test-app.ts';

let t: TTestApp;
let zhang: TClient;
let li: TClient;
let teller05: TClient; // SH-ZJ-W1
let setup: TQueueSetup;
let outletId: string;
let w1: string;

beforeAll(async () => {
  t = await createTestApp();
  [zhang, li, teller05] = (await Promise.all(['zhang.manager', 'li.manager', 'teller05'].map((u) => t.login(u)))) as [
    TClient,
    TClient,
    TClient,
  ];
  outletId = await unitIdByCode(t, 'SH-ZJ');
  w1 = await unitIdByCode(t, 'SH-ZJ-W1');
  const res = await zhang.request({
    method: 'PUT',
    url: `/api/queue/outlets/${outletId}/setup`,
    payload: { opensAt: '08:00', closesAt: '18:00', types: [{ name: '个人业务', prefix: 'A', counterIds: [w1] }] },
  });
  expect(res.statusCode, res.body).toBe(200);
  setup = res.json();
});
afterAll(async () => t.close());

const take = async () => {
  const res = await t.app.inject({
    method: 'POST',
    url: `/api/queue/take/${setup.linkToken}/tickets`,
    headers: { 'idempotency-key': crypto.randomUUID() },
    payload: { typeId: setup.types[0]!.id, channel: 'screen' },
    remoteAddress: '10.69.0.1',
  });
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as { id: string };
};
const call = async () => {
  const res = await teller05.post(`/api/queue/counters/${w1}/call-next`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as { id: string; sessionId: string };
};

describe('queue figures 排队统计', () => {
  it('taken, served, abandoned, wait and handling, heat map and the kiosk rating by wait band; xlsx export audited', async () => {
    const from = new Date(t.clock.now().getTime() - 3600_000).toISOString();
    // A kiosk at 1号窗口 for the rating.
    const pc = await zhang.post('/api/kiosk/pairing-codes', { counterId: w1, deviceName: '评价器' });
    const paired = await t.app.inject({
      method: 'POST',
      url: '/api/kiosk/pair',
      payload: { code: pc.json().code },
      remoteAddress: '10.69.0.2',
    });
    const kioskToken: string = paired.json().token;

    const a = await take();
    await take();
    await take();
    t.clock.advance(5 * 60_000);
    const first = await call();
    expect(first.id).toBe(a.id);
    t.clock.advance(2 * 60_000);
    expect((await teller05.post(`/api/counter/sessions/${first.sessionId}/end`)).statusCode).toBe(200);
    const shown = t.clock.now();
    t.clock.advance(3000);
    const rated = await t.app.inject({
      method: 'POST',
      url: '/api/kiosk/device/ratings',
      headers: { authorization: `Bearer ${kioskToken}`, 'idempotency-key': crypto.randomUUID() },
      payload: {
        sessionId: first.sessionId,
        key: 1,
        shownAt: new Date(shown.getTime() + 1000).toISOString(),
        pressedAt: new Date(shown.getTime() + 3000).toISOString(),
      },
    });
    expect(rated.statusCode, rated.body).toBe(200);
    // The second never shows up: skipped twice → no-show.
    for (let i = 0; i < 2; i++) {
      const c = await call();
      expect((await teller05.post(`/api/queue/tickets/${c.id}/skip`)).statusCode).toBe(200);
      // A no-show's session closes without a rating prompt: the counter's kiosk goes back to idle at once.
      const state = await t.app.inject({
        method: 'GET',
        url: '/api/kiosk/device/state',
        headers: { authorization: `Bearer ${kioskToken}` },
      });
      expect(state.json()).toMatchObject({ state: 'idle', sessionId: null });
    }
    // The third is never called: abandoned once its day is over.
    t.clock.advance(24 * 3600_000);
    const to = t.clock.now().toISOString();
    [zhang, li] = [await t.login('zhang.manager'), await t.login('li.manager')]; // a day later: new sessions
    const res = await zhang.get(`/api/queue/figures?groupBy=outlet&from=${from}&to=${to}`);
    expect(res.statusCode, res.body).toBe(200);
    const f = res.json() as TQueueFigures;
    const row = f.rows.find((r) => r.key === outletId)!;
    expect(row).toMatchObject({
      label: '张江支行',
      taken: 3,
      served: 1,
      abandoned: 2,
      avgHandlingSeconds: 120,
    });
    expect(row.avgWaitSeconds).toBeGreaterThanOrEqual(300);
    expect(f.heatmap.reduce((n, h) => n + h.taken, 0)).toBe(3);
    expect(f.heatmap[0]).toMatchObject({ hour: 12 });
    expect(f.waitBands.find((b) => b.band === '5-15')).toMatchObject({ rated: 1, avgScore: 5, satisfaction: 1 });
    expect(f.waitBands.find((b) => b.band === '<5')).toMatchObject({ rated: 0, avgScore: null });

    const byHour = (await zhang.get(`/api/queue/figures?groupBy=hour&from=${from}&to=${to}`)).json() as TQueueFigures;
    expect(byHour.rows.map((r) => [r.label, r.taken])).toEqual([['12:00', 3]]);
    // Another branch's manager sees none of it.
    const other = (await li.get(`/api/queue/figures?groupBy=outlet&from=${from}&to=${to}`)).json() as TQueueFigures;
    expect(other.rows.find((r) => r.key === outletId)).toBeUndefined();
    // Bad range: 400 on the field.
    const bad = await zhang.get(`/api/queue/figures?from=yesterday&to=${to}`);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().details[0].path).toBe('querystring.from');

    const xlsx = await zhang.get(`/api/queue/figures.xlsx?groupBy=outlet&from=${from}&to=${to}`);
    expect(xlsx.statusCode).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
    const sheet = wb.getWorksheet('排队统计')!;
    const values = sheet.getRow(2).values as unknown[];
    expect(values.slice(1, 5)).toEqual(['张江支行', 3, 1, 2]);
    const audit = await t.pool.query(
      "select 1 from audit_events where action = 'queue.figures_exported' and actor_id = $1",
      [zhang.me.user.id],
    );
    expect(audit.rowCount).toBe(1);
  });
});
