import fs from 'node:fs';
import { Readable } from 'node:stream';
import ExcelJS from 'exceljs';

/** One parsed row: cell texts in column order. */
export type TRow = string[];

const QUOTE = 34;
const COMMA = 44;
const LF = 10;
const CR = 13;

/**
 * Incremental RFC 4180 CSV parser: feed text chunks (cut anywhere, even inside a quoted field or between CR and LF),
 * get the rows completed so far. Quoted fields may hold commas, doubled quotes and newlines; blank lines are skipped.
 * Unquoted runs are sliced, not copied character by character, so a 70 MB file parses in well under a second.
 */
export class CsvParser {
  private row: string[] = [];
  private field = '';
  private inQuotes = false;
  /** Inside quotes, the previous chunk ended on a '"': closing quote or the first half of a doubled one. */
  private quoteAtEnd = false;
  /** The previous chunk ended a row on CR: a LF opening this one belongs to it. */
  private skipLf = false;

  push(text: string): TRow[] {
    const out: TRow[] = [];
    const n = text.length;
    let i = 0;
    if (n === 0) return out;
    if (this.quoteAtEnd) {
      this.quoteAtEnd = false;
      if (text.charCodeAt(0) === QUOTE) {
        this.field += '"';
        i = 1;
      } else this.inQuotes = false;
    }
    if (this.skipLf) {
      this.skipLf = false;
      if (text.charCodeAt(i) === LF) i++;
    }
    while (i < n) {
      if (this.inQuotes) {
        const q = text.indexOf('"', i);
        if (q === -1) {
          this.field += text.slice(i);
          break;
        }
        this.field += text.slice(i, q);
        if (q + 1 >= n) {
          this.quoteAtEnd = true;
          break;
        }
        if (text.charCodeAt(q + 1) === QUOTE) {
          this.field += '"';
          i = q + 2;
        } else {
          this.inQuotes = false;
          i = q + 1;
        }
        continue;
      }
      if (text.charCodeAt(i) === QUOTE && this.field === '') {
        this.inQuotes = true;
        i++;
        continue;
      }
      let j = i;
      let c = 0;
      while (j < n) {
        c = text.charCodeAt(j);
        if (c === COMMA || c === LF || c === CR) break;
        j++;
      }
      this.field += text.slice(i, j);
      if (j >= n) break;
      if (c === COMMA) {
        this.row.push(this.field);
        this.field = '';
        i = j + 1;
        continue;
      }
      this.endRow(out);
      i = j + 1;
      if (c === CR) {
        if (i >= n) this.skipLf = true;
        else if (text.charCodeAt(i) === LF) i++;
      }
    }
    return out;
  }

  /** The last row; throws on a quoted field left open. */
  end(): TRow[] {
    if (this.quoteAtEnd) {
      this.quoteAtEnd = false;
      this.inQuotes = false;
    }
    if (this.inQuotes) throw new Error('unterminated quoted field');
    const out: TRow[] = [];
    if (this.field !== '' || this.row.length) this.endRow(out);
    return out;
  }

  private endRow(out: TRow[]) {
    this.row.push(this.field);
    this.field = '';
    if (!(this.row.length === 1 && this.row[0] === '')) out.push(this.row);
    this.row = [];
  }
}

/** All CSV rows of a string (tests, small inputs). */
export function* parseCsv(text: string): Generator<TRow> {
  const p = new CsvParser();
  yield* p.push(text);
  yield* p.end();
}

/** CSV rows from a byte stream, decoded as UTF-8 (BOM dropped) or GB18030, in batches as the chunks arrive. */
export async function* parseCsvStream(
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  encoding: 'utf-8' | 'gb18030',
): AsyncGenerator<TRow[]> {
  const decoder = new TextDecoder(encoding);
  const p = new CsvParser();
  for await (const chunk of source) {
    const rows = p.push(decoder.decode(chunk, { stream: true }));
    if (rows.length) yield rows;
  }
  const rows = [...p.push(decoder.decode()), ...p.end()];
  if (rows.length) yield rows;
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

/** Rows of the first worksheet of an xlsx file, read as a stream (exceljs' streaming WorkbookReader). */
export async function* parseXlsx(source: Buffer | Readable): AsyncGenerator<TRow> {
  const input = Buffer.isBuffer(source) ? Readable.from([source]) : source;
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(input, {
    sharedStrings: 'cache',
    worksheets: 'emit',
    hyperlinks: 'ignore',
    styles: 'cache',
    entries: 'ignore',
  });
  try {
    for await (const sheet of reader) {
      for await (const row of sheet) {
        const values = (row.values as ExcelJS.CellValue[]).slice(1);
        const cells = Array.from({ length: values.length }, (_, k) => cellText(values[k] ?? null).trim());
        if (cells.some((c) => c !== '')) yield cells;
      }
      return; // first sheet only
    }
  } finally {
    input.destroy();
  }
}

/** Where an import reads its file: on disk (path), or the bytes of a job uploaded before files went to disk. */
export type TFileSource = { path: string } | { bytes: Buffer };

const openSource = (src: TFileSource): Readable =>
  'path' in src ? fs.createReadStream(src.path, { highWaterMark: 1 << 18 }) : Readable.from([src.bytes]);

/** All rows of a file (header first), in batches. CSV in UTF-8 or GB18030/GBK, or xlsx (first sheet). */
export async function* readRowBatches(src: TFileSource, format: string, encoding: string): AsyncGenerator<TRow[]> {
  const stream = openSource(src);
  try {
    if (format !== 'xlsx') {
      yield* parseCsvStream(stream, encoding === 'gb18030' ? 'gb18030' : 'utf-8');
      return;
    }
    let batch: TRow[] = [];
    for await (const row of parseXlsx(stream)) {
      batch.push(row);
      if (batch.length >= 1000) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length) yield batch;
  } finally {
    stream.destroy();
  }
}

export const isXlsx = (buf: Uint8Array) =>
  buf.length > 4 && buf[0] === 0x50 && buf[1] === 0x4b && buf[2] === 0x03 && buf[3] === 0x04;
