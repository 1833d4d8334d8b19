import { Readable } from 'node:stream';
import ExcelJS from 'exceljs';

/** One parsed row: cell texts in column order. */
export type TRow = string[];

/**
 * RFC 4180 CSV rows from text, streaming over the string (quoted fields may hold commas, quotes and newlines).
 * Blank lines are skipped.
 */
export function* parseCsv(text: string): Generator<TRow> {
  let row: string[] = [];
  let field = '';
  let inQuotes = false;
  let i = 0;
  const n = text.length;
  const endRow = function* () {
    row.push(field);
    field = '';
    if (!(row.length === 1 && row[0] === '')) yield row;
    row = [];
  };
  while (i < n) {
    const ch = text[i]!;
    if (inQuotes) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        inQuotes = false;
        i++;
        continue;
      }
      field += ch;
      i++;
      continue;
    }
    if (ch === '"' && field === '') {
      inQuotes = true;
    } else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      yield* endRow();
      if (ch === '\r' && text[i + 1] === '\n') i++;
    } else {
      field += ch;
    }
    i++;
  }
  if (inQuotes) throw new Error('unterminated quoted field');
  if (field !== '' || row.length) yield* endRow();
}

function cellText(v: ExcelJS.CellValue): string {
  if (v === null || v === undefined) return '';
  if (v instanceof Date) return v.toISOString().slice(0, 10);
  if (typeof v === 'object') {
    if ('text' in v && typeof v.text === 'string') return v.text;
    if ('result' in v) return cellText(v.result as ExcelJS.CellValue);
    if ('richText' in v) return v.richText.map((r) => r.text).join('');
    return '';
  }
  return String(v);
}

/** Rows of the first worksheet of an xlsx file, read as a stream. */
export async function* parseXlsx(buf: Buffer): AsyncGenerator<TRow> {
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(Readable.from(buf), { sharedStrings: 'cache', worksheets: 'emit', hyperlinks: 'ignore', styles: 'cache', entries: 'ignore' });
  for await (const sheet of reader) {
    for await (const row of sheet) {
      const values = (row.values as ExcelJS.CellValue[]).slice(1);
      const cells = Array.from({ length: values.length }, (_, k) => cellText(values[k] ?? null).trim());
      if (cells.some((c) => c !== '')) yield cells;
    }
    return; // first sheet only
  }
}

export const isXlsx = (buf: Buffer) => buf.length > 4 && buf[0] === 0x50 && buf[1] === 0x4b && buf[2] === 0x03 && buf[3] === 0x04;
