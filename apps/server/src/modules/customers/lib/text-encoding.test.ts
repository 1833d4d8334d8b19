import { describe, expect, it } from 'vitest';
import { decodeText, detectEncoding, hasUndecodableText, looksLikeGb18030 } from './text-encoding.ts';

/** Known GBK bytes (Node has no GBK encoder): 张三 D5C5 C8FD, 上海 C9CF BAA3, 客户 BFCD BBA7, 姓名 D0D5 C3FB, 电话 B5E7 BBB0,
 * 地址 B5D8 D6B7. */
const GBK: Record<string, number[]> = {
  张三: [0xd5, 0xc5, 0xc8, 0xfd],
  上海: [0xc9, 0xcf, 0xba, 0xa3],
  客户: [0xbf, 0xcd, 0xbb, 0xa7],
  姓名: [0xd0, 0xd5, 0xc3, 0xfb],
  电话: [0xb5, 0xe7, 0xbb, 0xb0],
  地址: [0xb5, 0xd8, 0xd6, 0xb7],
};
/** Text made of ASCII and the words above, as GBK bytes. */
function gbk(text: string): Buffer {
  const bytes: number[] = [];
  for (let i = 0; i < text.length;) {
    const word = text.slice(i, i + 2);
    const code = GBK[word];
    if (code) {
      bytes.push(...code);
      i += 2;
    } else {
      bytes.push(text.charCodeAt(i));
      i += 1;
    }
  }
  return Buffer.from(bytes);
}

const CSV = '姓名,电话,地址\r\n张三,13812345678,上海\r\n客户,021-55551234,上海\r\n';

describe('detectEncoding', () => {
  it('the runtime decodes GBK through gb18030 (full ICU)', () => {
    expect(new TextDecoder('gb18030').decode(gbk('张三上海客户'))).toBe('张三上海客户');
    expect(new TextDecoder('gbk').encoding).toBe('gbk');
  });

  it('recognises a GBK CSV from Excel/WPS', () => {
    expect(detectEncoding(gbk(CSV))).toBe('gb18030');
    expect(detectEncoding(gbk('张三'))).toBe('gb18030');
  });

  it('recognises a GBK file whose first lines are ASCII only', () => {
    const buf = Buffer.concat([Buffer.from('id,phone\r\n'.repeat(10_000)), gbk('1,张三\r\n')]);
    expect(detectEncoding(buf)).toBe('gb18030');
  });

  it('says utf-8 for UTF-8 with or without a BOM, and for plain ASCII', () => {
    expect(detectEncoding(Buffer.from(CSV, 'utf8'))).toBe('utf-8');
    expect(detectEncoding(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(CSV, 'utf8')]))).toBe('utf-8');
    expect(detectEncoding(Buffer.from('name,phone\r\nzhang,13812345678\r\n'))).toBe('utf-8');
    expect(detectEncoding(Buffer.alloc(0))).toBe('utf-8');
  });

  it('tolerates a UTF-8 character cut off at the end', () => {
    const buf = Buffer.from('姓名,电话\r\n张三', 'utf8');
    expect(detectEncoding(buf.subarray(0, buf.length - 1))).toBe('utf-8');
  });

  it('does not call binary or non-Chinese bytes GB18030', () => {
    expect(detectEncoding(Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x06, 0x00, 0xd5, 0xc5]))).toBe('utf-8'); // zip (xlsx) header
    expect(detectEncoding(Buffer.from('caf\xe9,na\xefve', 'latin1'))).toBe('utf-8');
    expect(looksLikeGb18030(Buffer.from([0x81, 0x30]))).toBe(true); // incomplete 4-byte sequence at the end: not an error
    expect(looksLikeGb18030(Buffer.from([0xa1, 0x41, 0xa2, 0x41, 0xa3, 0x41, 0xa4, 0x41]))).toBe(false); // rare symbols, no CJK
  });
});

describe('decodeText', () => {
  it('decodes GBK bytes to the right Chinese text', () => {
    expect(decodeText(gbk(CSV))).toBe(CSV);
    expect(decodeText(gbk(CSV), 'gb18030')).toBe(CSV);
  });

  it('strips a UTF-8 BOM and keeps the rest', () => {
    expect(decodeText(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(CSV, 'utf8')]))).toBe(CSV);
    expect(decodeText(Buffer.from('\uFEFF\uFEFFx', 'utf8'))).toBe('\uFEFFx'); // only one
  });

  it('strips a GB18030 BOM (84 31 95 33)', () => {
    expect(decodeText(Buffer.concat([Buffer.from([0x84, 0x31, 0x95, 0x33]), gbk('张三')]), 'gb18030')).toBe('张三');
  });

  it('shows a wrong choice of encoding through replacement characters', () => {
    const wrong = decodeText(gbk(CSV), 'utf-8');
    expect(wrong).not.toContain('张三');
    expect(hasUndecodableText(wrong)).toBe(true);
    expect(hasUndecodableText(decodeText(gbk(CSV)))).toBe(false);
  });
});
