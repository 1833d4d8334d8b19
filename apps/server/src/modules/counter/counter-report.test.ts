import ExcelJS from 'exceljs';
import { SESSION_REPORT_GROUPS } from '@huifang/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unitIdByCode } from '../../../test/helpers.ts';
import { createTestApp, type TClient, type TTestApp } from '../../../test/test-app.ts';

let t: TTestApp;
let zhang: TClient;
let teller: TClient;
let counterId: string;

/** A session started at `at` (server clock) and ended 2 minutes later. */
async function serveAt(at: string) {
  t.clock.set(at);
  const start = await teller.post('/api/counter/sessions', { counterId, businessType: '个人存取款' });
  expect(start.statusCode, start.body).toBe(200);
  t.clock.advance(120_000);
  const end = await teller.post(`/api/counter/sessions/${start.json().id}/end`);
  expect(end.statusCode, end.body).toBe(200);
}

beforeAll(async () => {
  t = await createTestApp();
  t.clock.set('2026-03-10T15:45:00Z');
  [zhang, teller] = (await Promise.all(['zhang.manager', 'teller05'].map((u) => t.login(u)))) as [TClient, TClient];
  counterId = await unitIdByCode(t, 'SH-ZJ-W1');
  // 23:50 on 10 March in Shanghai, then 00:10 on 11 March in Shanghai — both still 10 March in UTC.
  await serveAt('2026-03-10T15:50:00Z');
  await serveAt('2026-03-10T16:10:00Z');
});
afterAll(async () => t.close());

const range = `from=${encodeURIComponent('2026-03-09T16:00:00Z')}&to=${encodeURIComponent('2026-03-11T16:00:00Z')}&unitId=`;

describe('服务统计 grouped by every dimension', () => {
  it.each(SESSION_REPORT_GROUPS)(
    'groupBy=%s answers 200 with both sessions, and its xlsx downloads',
    async (groupBy) => {
      const res = await zhang.get(`/api/service-sessions/report?groupBy=${groupBy}&${range}${counterId}`);
      expect(res.statusCode, res.body).toBe(200);
      const rows = res.json().rows as { key: string; label: string; sessions: number }[];
      expect(rows.reduce((a, r) => a + r.sessions, 0)).toBe(2);

      const xlsx = await zhang.get(`/api/service-sessions/report.xlsx?groupBy=${groupBy}&${range}${counterId}`);
      expect(xlsx.statusCode, xlsx.body).toBe(200);
      expect(xlsx.headers['content-type']).toContain('spreadsheetml');
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
      expect(wb.worksheets[0]!.rowCount).toBe(1 + rows.length);
    },
  );

  it('days are the tenant-local days (Asia/Shanghai), and the xlsx holds them as date cells', async () => {
    const res = await zhang.get(`/api/service-sessions/report?groupBy=day&${range}${counterId}`);
    expect(
      res.json().rows.map((r: { key: string; label: string; sessions: number }) => [r.key, r.label, r.sessions]),
    ).toEqual([
      ['2026-03-10', '2026-03-10', 1],
      ['2026-03-11', '2026-03-11', 1],
    ]);
    const xlsx = await zhang.get(`/api/service-sessions/report.xlsx?groupBy=day&${range}${counterId}`);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
    const ws = wb.worksheets[0]!;
    expect(ws.getCell('A1').value).toBe('日期');
    expect(ws.getCell('A2').value).toEqual(new Date('2026-03-10T00:00:00Z'));
    expect(ws.getCell('A2').numFmt).toBe('yyyy-mm-dd');
    expect(ws.getCell('A3').value).toEqual(new Date('2026-03-11T00:00:00Z'));
    expect(ws.getCell('G2').numFmt).toBe('0.00%');
    // The file is named after the tenant-local day of the download (00:12 on 11 March in Shanghai).
    expect(xlsx.headers['content-disposition']).toContain('filename="service-sessions-day-2026-03-11.xlsx"');
  });
});
