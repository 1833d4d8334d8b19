import type { Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import { safeCell, toCsvLine, CSV_BOM } from '../modules/customers/lib/spreadsheet-safe.ts';

/**
 * The one way a download file (xlsx or CSV) is written. Times are shown as the tenant sees them: every `Date` value
 * becomes the wall-clock time in the tenant's time zone — in xlsx a real date cell (a serial number with a
 * `yyyy-mm-dd hh:mm:ss` format, so Excel can sort and compute with it), in CSV the text `YYYY-MM-DD HH:mm:ss`. A
 * calendar day without a time (a birthday, a report's day) is a `LocalDay`: a date cell `yyyy-mm-dd`, or `YYYY-MM-DD`.
 * Text is formula-injection safe (see spreadsheet-safe.ts). File names carry the tenant-local date.
 */

export type TExportFormat = 'csv' | 'xlsx';

export const EXPORT_CONTENT_TYPE: Record<TExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

export const DATE_TIME_FORMAT = 'yyyy-mm-dd hh:mm:ss';
export const DATE_FORMAT = 'yyyy-mm-dd';
export const PERCENT_FORMAT = '0.00%';

/** A calendar day in the tenant's calendar, 'YYYY-MM-DD' (no time, no zone). */
export class LocalDay {
  constructor(readonly date: string) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) throw new Error(`not a calendar day: ${date}`);
  }
}

/** `LocalDay` of a 'YYYY-MM-DD…' string, null for empty. */
export const localDay = (s: string | null | undefined): LocalDay | null => (s ? new LocalDay(s.slice(0, 10)) : null);

const fmtCache = new Map<string, Intl.DateTimeFormat>();
function wallClock(at: Date, timeZone: string): { y: number; m: number; d: number; h: number; mi: number; s: number } {
  let f = fmtCache.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
    fmtCache.set(timeZone, f);
  }
  const p = Object.fromEntries(f.formatToParts(at).map((x) => [x.type, x.value]));
  return {
    y: Number(p.year),
    m: Number(p.month),
    d: Number(p.day),
    h: Number(p.hour),
    mi: Number(p.minute),
    s: Number(p.second),
  };
}
const pad = (n: number) => String(n).padStart(2, '0');

/** 'YYYY-MM-DD HH:mm:ss' in `timeZone`. */
export function formatLocalDateTime(at: Date, timeZone: string): string {
  const p = wallClock(at, timeZone);
  return `${p.y}-${pad(p.m)}-${pad(p.d)} ${pad(p.h)}:${pad(p.mi)}:${pad(p.s)}`;
}

/** 'YYYY-MM-DD' in `timeZone`. */
export function formatLocalDate(at: Date, timeZone: string): string {
  return formatLocalDateTime(at, timeZone).slice(0, 10);
}

/**
 * The value ExcelJS needs for a date cell showing `at`'s wall clock in `timeZone`: ExcelJS writes a Date as the serial
 * number of its UTC fields, and a spreadsheet cell has no zone, so the UTC fields must be the local ones.
 */
function excelWallClock(at: Date, timeZone: string): Date {
  const p = wallClock(at, timeZone);
  return new Date(Date.UTC(p.y, p.m - 1, p.d, p.h, p.mi, p.s));
}

/** `prefix-YYYY-MM-DD.ext`, the date being the tenant-local day of `now`. */
export function exportFileName(prefix: string, now: Date, timeZone: string, format: TExportFormat): string {
  return `${prefix}-${formatLocalDate(now, timeZone)}.${format}`;
}

/** Content-Disposition for a download: an ASCII fallback name plus the exact UTF-8 name (RFC 6266 / 5987). */
export function contentDisposition(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}

export interface TExportColumn {
  header: string;
  /** Excel number format of the column's numbers (e.g. PERCENT_FORMAT); dates get theirs automatically. */
  numFmt?: string;
  width?: number;
}

export interface TSheetWriter {
  addRow(values: readonly unknown[]): void;
}

/** The filters a report was made with, written above its table (label, value), e.g. ['机构', '上海分行']. */
export type TSheetFilters = readonly (readonly [string, string])[];

export interface TSpreadsheetWriter {
  /**
   * Start a sheet (xlsx: a new worksheet, the previous one is committed; CSV: only one sheet is allowed). With
   * `filters`, the sheet opens with one `label | value` row per filter and an empty row, then the table's header.
   */
  addSheet(name: string, columns: readonly TExportColumn[], filters?: TSheetFilters): TSheetWriter;
  /** Flush and end `out`. */
  finish(): Promise<void>;
}

/** A streaming xlsx or CSV writer into `out` (memory stays flat: rows are committed as they are added). */
export function createSpreadsheet(out: Writable, format: TExportFormat, timeZone: string): TSpreadsheetWriter {
  if (format === 'csv') {
    let sheets = 0;
    const csvValue = (v: unknown) =>
      v instanceof Date
        ? Number.isNaN(v.getTime())
          ? null
          : formatLocalDateTime(v, timeZone)
        : v instanceof LocalDay
          ? v.date
          : v;
    return {
      addSheet(_name, columns, filters) {
        if (sheets++ > 0) throw new Error('a CSV file holds one sheet');
        out.write(CSV_BOM);
        if (filters?.length) out.write(filters.map((f) => toCsvLine([...f])).join('\r\n') + '\r\n\r\n');
        out.write(toCsvLine(columns.map((c) => c.header)) + '\r\n');
        return { addRow: (values) => void out.write(toCsvLine(values.map(csvValue)) + '\r\n') };
      },
      finish: async () => {
        out.end();
      },
    };
  }
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  let current: ExcelJS.Worksheet | null = null;
  return {
    addSheet(name, columns, filters) {
      current?.commit();
      const ws = wb.addWorksheet(name);
      current = ws;
      ws.columns = columns.map((c) => ({ width: c.width ?? Math.max(10, Math.min(40, c.header.length * 2 + 4)) }));
      if (filters?.length) {
        for (const [label, value] of filters) {
          const r = ws.addRow([safeCell(label), safeCell(value)]);
          r.getCell(1).font = { bold: true };
          r.commit();
        }
        ws.addRow([]).commit();
      }
      const head = ws.addRow(columns.map((c) => safeCell(c.header)));
      head.font = { bold: true };
      head.commit();
      return {
        addRow(values) {
          const row = ws.addRow(
            values.map((v) => {
              if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : excelWallClock(v, timeZone);
              if (v instanceof LocalDay) return new Date(`${v.date}T00:00:00Z`);
              return safeCell(v);
            }),
          );
          values.forEach((v, i) => {
            const numFmt =
              v instanceof Date ? DATE_TIME_FORMAT : v instanceof LocalDay ? DATE_FORMAT : columns[i]?.numFmt;
            if (numFmt) row.getCell(i + 1).numFmt = numFmt;
          });
          row.commit();
        },
      };
    },
    finish: async () => {
      current?.commit();
      await wb.commit();
    },
  };
}
