/**
 * Decoding uploaded CSV bytes. Files saved by Chinese Excel/WPS are often GBK; GB18030 is its superset (and Node 20's
 * full-ICU TextDecoder knows it), so GBK files decode correctly as 'gb18030'.
 */
export type TTextEncoding = 'utf-8' | 'gb18030';

/** How many bytes from the first non-ASCII one the GB18030 check reads. */
export const SNIFF_BYTES = 64 * 1024;

const hasUtf8Bom = (buf: Uint8Array) => buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf;

/** Valid UTF-8 (the whole file: the native decoder is fast); a character cut off at the very end is tolerated. */
function isUtf8(sample: Uint8Array): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(sample, { stream: true });
    return true;
  } catch {
    return false;
  }
}

/**
 * Decoded as GB18030 without error, and reads like Chinese text: no control characters other than tab/CR/LF, and most
 * non-ASCII characters are common CJK ideographs or CJK/full-width punctuation (random bytes decode to rarer code points).
 */
export function looksLikeGb18030(sample: Uint8Array): boolean {
  let text: string;
  try {
    text = new TextDecoder('gb18030', { fatal: true }).decode(sample, { stream: true });
  } catch {
    return false;
  }
  let nonAscii = 0;
  let cjk = 0;
  for (const ch of text) {
    const c = ch.codePointAt(0) ?? 0;
    if (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return false;
    if (c < 0x80) continue;
    nonAscii++;
    if ((c >= 0x4e00 && c <= 0x9fff) || (c >= 0x3000 && c <= 0x303f) || (c >= 0xff00 && c <= 0xffef)) cjk++;
  }
  return nonAscii === 0 || cjk / nonAscii >= 0.8;
}

/**
 * The encoding of an uploaded text file: a UTF-8 BOM or valid UTF-8 → 'utf-8' (pure ASCII is both); otherwise
 * 'gb18030' when the bytes read as Chinese GBK/GB18030 text. Anything else (Big5, Latin-1, binary) is reported as
 * 'utf-8', and decoding it yields U+FFFD replacement characters the caller can detect (see hasUndecodableText).
 */
export function detectEncoding(buf: Uint8Array): TTextEncoding {
  if (hasUtf8Bom(buf) || isUtf8(buf)) return 'utf-8';
  // Invalid UTF-8, so some byte is ≥ 0x80. Everything before the first one is ASCII, so a window starting there is on
  // a character boundary in GB18030 too: a file may open with many ASCII-only lines. Near the start, read from 0 so
  // control bytes of a binary header count.
  const first = buf.findIndex((b) => b >= 0x80);
  const start = first < SNIFF_BYTES ? 0 : first;
  return looksLikeGb18030(buf.subarray(start, start + SNIFF_BYTES)) ? 'gb18030' : 'utf-8';
}

/** Text of the bytes in the given (or detected) encoding, without a leading BOM. Invalid bytes become U+FFFD. */
export function decodeText(buf: Uint8Array, encoding: TTextEncoding = detectEncoding(buf)): string {
  const text = new TextDecoder(encoding, { ignoreBOM: true }).decode(buf);
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** True when decoding met bytes invalid in its encoding: the file is probably in another encoding than chosen. */
export function hasUndecodableText(text: string): boolean {
  return text.includes('\uFFFD');
}
