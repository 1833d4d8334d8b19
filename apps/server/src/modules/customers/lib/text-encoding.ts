/** Uploaded CSVs from Chinese Excel/WPS are often GBK (GB18030 is its superset). */
export type TTextEncoding = 'utf-8' | 'gb18030';

export function detectEncoding(buf: Buffer): TTextEncoding {
  if (buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) return 'utf-8';
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(buf);
    return 'utf-8';
  } catch {
    return 'gb18030';
  }
}

export function decodeText(buf: Buffer, encoding: TTextEncoding = detectEncoding(buf)): string {
  const text = new TextDecoder(encoding).decode(buf);
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
