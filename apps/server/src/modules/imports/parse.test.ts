import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { isXlsx, parseCsv, parseXlsx } from './parse.ts';

describe('parseCsv', () => {
  it('handles quotes, doubled quotes, commas and newlines inside quotes, CRLF and blank lines', () => {
    const text = 'name,note\r\n张三,"住址: 上海, 浦东"\r\n\r\n"李""四""","第一行\n第二行"\n王五,';
    expect([...parseCsv(text)]).toEqual([
      ['name', 'note'],
      ['张三', '住址: 上海, 浦东'],
      ['李"四"', '第一行\n第二行'],
      ['王五', ''],
    ]);
  });
  it('rejects an unterminated quote', () => {
    expect(() => [...parseCsv('a,"b\n')]).toThrow(/unterminated/);
  });
});

describe('parseXlsx', () => {
  it('reads the first sheet as text rows, dates as YYYY-MM-DD, skipping empty rows', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('客户');
    ws.addRow(['姓名', '电话', '生日']);
    ws.addRow(['张三', 13812345678, new Date('1990-05-01T00:00:00Z')]);
    ws.addRow([]);
    ws.addRow(['李四', '021-55551234', null]);
    const buf = Buffer.from(await wb.xlsx.writeBuffer());
    expect(isXlsx(buf)).toBe(true);
    const rows: string[][] = [];
    for await (const r of parseXlsx(buf)) rows.push(r);
    expect(rows).toEqual([
      ['姓名', '电话', '生日'],
      ['张三', '13812345678', '1990-05-01'],
      ['李四', '021-55551234'],
    ]);
  });
});
