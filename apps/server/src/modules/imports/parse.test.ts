import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { CsvParser, isXlsx, parseCsv, parseCsvStream, parseXlsx } from './parse.ts';

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

  it('gives the same rows however the text is cut into chunks (inside quotes, between doubled quotes, between CR and LF)', () => {
    const text = 'name,note\r\n张三,"住址: 上海, 浦东"\r\n\r\n"李""四""","第一行\r\n第二行"\r\n"",x\r\n王五,';
    const whole = [...parseCsv(text)];
    expect(whole).toHaveLength(5);
    for (let cut1 = 0; cut1 <= text.length; cut1++) {
      for (const cut2 of [cut1, Math.min(text.length, cut1 + 1), Math.min(text.length, cut1 + 2)]) {
        const p = new CsvParser();
        const rows = [
          ...p.push(text.slice(0, cut1)),
          ...p.push(text.slice(cut1, cut2)),
          ...p.push(text.slice(cut2)),
          ...p.end(),
        ];
        expect(rows, `cut at ${cut1}/${cut2}`).toEqual(whole);
      }
    }
  });

  it('streams bytes: a UTF-8 BOM is dropped, a GB18030 character split across chunks decodes whole', async () => {
    const utf8 = Buffer.from('\ufeff姓名,手机\n张三,13812345678\n');
    const rows: string[][] = [];
    for await (const batch of parseCsvStream([utf8.subarray(0, 4), utf8.subarray(4, 9), utf8.subarray(9)], 'utf-8'))
      rows.push(...batch);
    expect(rows).toEqual([
      ['姓名', '手机'],
      ['张三', '13812345678'],
    ]);
    const gbk = Buffer.from([0xd5, 0xc5, 0xc8, 0xfd, 0x2c, 0x31, 0x0a]); // 张三,1
    const out: string[][] = [];
    for await (const batch of parseCsvStream([gbk.subarray(0, 1), gbk.subarray(1, 3), gbk.subarray(3)], 'gb18030'))
      out.push(...batch);
    expect(out).toEqual([['张三', '1']]);
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
