import { PassThrough } from 'node:stream';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniq } from '../../test/helpers.ts';
import { createTestApp, type TClient, type TTestApp } from '../../test/test-app.ts';
import { contentDisposition, createSpreadsheet, exportFileName, LocalDay, type TExportFormat } from './export-file.ts';

/** 00:50:11 on 5 December in Shanghai, still 4 December in UTC. */
const LATE_UTC = new Date('2026-12-04T16:50:11.396Z');

async function write(format: TExportFormat, rows: unknown[][]): Promise<Buffer> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise((resolve) => out.on('end', resolve));
  const file = createSpreadsheet(out, format, 'Asia/Shanghai');
  const sheet = file.addSheet('表', [
    { header: '时间' },
    { header: '生日' },
    { header: '名称' },
    { header: '比例', numFmt: '0.00%' },
  ]);
  for (const r of rows) sheet.addRow(r);
  await file.finish();
  await done;
  return Buffer.concat(chunks);
}

describe('export files (xlsx and CSV) show times in the tenant time zone', () => {
  it('CSV: an instant is written as local YYYY-MM-DD HH:mm:ss, a day as YYYY-MM-DD, text formula-safe', async () => {
    const text = (await write('csv', [[LATE_UTC, new LocalDay('1990-02-03'), '=1+1', 0.5]])).toString('utf8');
    expect(text.split('\r\n')).toEqual(['\uFEFF时间,生日,名称,比例', "2026-12-05 00:50:11,1990-02-03,'=1+1,0.5", '']);
  });

  it('xlsx: an instant is a real date cell showing the Shanghai wall clock; a day a date cell; formats set', async () => {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(
      (await write('xlsx', [[LATE_UTC, new LocalDay('1990-02-03'), '=1+1', 0.5]])) as unknown as ArrayBuffer,
    );
    const ws = wb.worksheets[0]!;
    expect(ws.getCell('A1').value).toBe('时间');
    // A spreadsheet cell has no zone: its serial number is the local wall clock (ExcelJS reads it back as UTC fields).
    expect(ws.getCell('A2').value).toEqual(new Date('2026-12-05T00:50:11Z'));
    expect(ws.getCell('A2').numFmt).toBe('yyyy-mm-dd hh:mm:ss');
    expect(ws.getCell('B2').value).toEqual(new Date('1990-02-03T00:00:00Z'));
    expect(ws.getCell('B2').numFmt).toBe('yyyy-mm-dd');
    expect(ws.getCell('C2').value).toBe("'=1+1");
    expect(ws.getCell('D2').value).toBe(0.5);
    expect(ws.getCell('D2').numFmt).toBe('0.00%');
  });

  it('a report sheet opens with the filters it was made with (label | value), a blank row, then the table', async () => {
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (c: Buffer) => chunks.push(c));
    const done = new Promise((resolve) => out.on('end', resolve));
    const file = createSpreadsheet(out, 'xlsx', 'Asia/Shanghai');
    const sheet = file.addSheet(
      '排名',
      [{ header: '网点' }, { header: '满意率' }],
      [
        ['机构', '上海分行'],
        ['期间', '2026-11-01 至 2026-11-30'],
      ],
    );
    sheet.addRow(['陆家嘴支行', 0.9]);
    await file.finish();
    await done;
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.concat(chunks) as unknown as ArrayBuffer);
    const rows = wb.worksheets[0]!.getSheetValues().map((r) => (Array.isArray(r) ? r.slice(1) : r));
    expect(rows.slice(1)).toEqual([
      ['机构', '上海分行'],
      ['期间', '2026-11-01 至 2026-11-30'],
      undefined,
      ['网点', '满意率'],
      ['陆家嘴支行', 0.9],
    ]);
  });

  it('file names carry the tenant-local date; Content-Disposition keeps a UTF-8 name', () => {
    expect(exportFileName('customers', LATE_UTC, 'Asia/Shanghai', 'csv')).toBe('customers-2026-12-05.csv');
    expect(contentDisposition('问卷-2026-12-05.xlsx')).toBe(
      `attachment; filename="__-2026-12-05.xlsx"; filename*=UTF-8''${encodeURIComponent('问卷-2026-12-05.xlsx')}`,
    );
  });
});

describe('customer export (创建时间 and the file name)', () => {
  let t: TTestApp;
  let admin: TClient;
  beforeAll(async () => {
    t = await createTestApp();
    t.clock.set(LATE_UTC);
    admin = await t.login('admin');
  });
  afterAll(async () => t.close());

  it('writes 创建时间 as Shanghai local time in CSV and as a date cell in xlsx, and names the file by the local date', async () => {
    const tag = uniq('tz');
    const unitId = (await t.pool.query(`select id from org_units where code = 'SH'`)).rows[0].id as string;
    const created = await admin.post('/api/customers', {
      name: `时区${tag}`,
      phones: ['13900001111'],
      unitId,
      tags: [tag],
      birthday: '1990-02-03',
    });
    expect(created.statusCode, created.body).toBe(201);
    // The expected text comes from Postgres, independently of the code under test.
    const { local, at } = (
      await t.pool.query<{ local: string; at: Date }>(
        `select to_char(created_at at time zone 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI:SS') as local, created_at as at from customers where id = $1`,
        [created.json().id],
      )
    ).rows[0]!;

    const csv = await admin.get(`/api/customers/export?format=csv&tags=${tag}`);
    expect(csv.statusCode, csv.body).toBe(200);
    expect(csv.headers['content-disposition']).toContain('filename="customers-2026-12-05.csv"');
    const [head, line] = csv.body.slice(1).split('\r\n') as [string, string];
    const col = head.split(',').indexOf('创建时间');
    expect(line.split(',')[col]).toBe(local);
    expect(line.split(',')[head.split(',').indexOf('生日')]).toBe('1990-02-03');
    expect(line).not.toMatch(/\d{4}-\d{2}-\d{2}T/);

    const xlsx = await admin.get(`/api/customers/export?format=xlsx&tags=${tag}`);
    expect(xlsx.statusCode).toBe(200);
    expect(xlsx.headers['content-disposition']).toContain('filename="customers-2026-12-05.xlsx"');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
    const ws = wb.worksheets[0]!;
    const headers = (ws.getRow(1).values as unknown[]).slice(1);
    const cell = ws.getRow(2).getCell(headers.indexOf('创建时间') + 1);
    expect(cell.value).toBeInstanceOf(Date);
    expect((cell.value as Date).toISOString().slice(0, 19).replace('T', ' ')).toBe(local);
    expect(cell.numFmt).toBe('yyyy-mm-dd hh:mm:ss');
    expect(Math.abs(new Date(at).getTime() - (cell.value as Date).getTime())).toBeGreaterThan(7 * 3600_000); // not the UTC time
  });
});
