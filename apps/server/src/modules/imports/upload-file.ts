import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { looksLikeGb18030, SNIFF_BYTES, type TTextEncoding } from '../customers/lib/text-encoding.ts';

export class UploadTooLarge extends Error {}

export interface TSavedUpload {
  path: string;
  bytes: number;
  /** The first 64 KB (format sniffing, binary check). */
  head: Buffer;
  /** What detectEncoding() would say of the whole file, worked out while it streamed past. */
  encoding: TTextEncoding;
}

/**
 * Stream an upload to `<dir>/<random>.upload`, never holding it in memory, refusing it past `maxBytes`. The encoding is
 * sniffed on the way like detectEncoding() does on a whole buffer: valid UTF-8 all through (or a BOM) → utf-8;
 * otherwise the GB18030 check on a 64 KB window starting at the first non-ASCII byte (or at 0 when that is near the
 * start). The file is removed when anything fails.
 */
export async function saveUpload(body: Readable, dir: string, maxBytes: number): Promise<TSavedUpload> {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = path.join(dir, `${crypto.randomUUID()}.upload`);
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  let isUtf8 = true;
  let bytes = 0;
  const headParts: Buffer[] = [];
  let headLen = 0;
  let firstHigh = -1;
  const windowParts: Buffer[] = [];
  let windowLen = 0;
  const sniff = new Transform({
    transform(chunk: Buffer, _enc, done) {
      const offset = bytes;
      bytes += chunk.length;
      if (bytes > maxBytes) return done(new UploadTooLarge());
      if (headLen < SNIFF_BYTES) {
        const part = chunk.subarray(0, SNIFF_BYTES - headLen);
        headParts.push(part);
        headLen += part.length;
      }
      if (isUtf8) {
        try {
          utf8.decode(chunk, { stream: true });
        } catch {
          isUtf8 = false;
        }
      }
      if (firstHigh < 0) {
        const k = chunk.findIndex((b) => b >= 0x80);
        if (k >= 0) firstHigh = offset + k;
      }
      // The GB18030 window, when the first non-ASCII byte lies past the head.
      if (firstHigh >= SNIFF_BYTES && windowLen < SNIFF_BYTES) {
        const from = Math.max(0, firstHigh - offset);
        const part = chunk.subarray(from, from + SNIFF_BYTES - windowLen);
        windowParts.push(part);
        windowLen += part.length;
      }
      done(null, chunk);
    },
  });
  // Not pipeline(body, …): on a refusal that would destroy the request, and the client would get a reset, not a 413.
  const written = pipeline(sniff, fs.createWriteStream(file, { mode: 0o600 }));
  const onError = (e: Error) => sniff.destroy(e);
  body.once('error', onError);
  body.pipe(sniff);
  try {
    await written;
  } catch (e) {
    body.unpipe(sniff);
    body.resume(); // drain the rest of a refused upload into nothing
    fs.rmSync(file, { force: true });
    throw e;
  } finally {
    body.off('error', onError);
  }
  const head = Buffer.concat(headParts);
  const hasBom = head.length >= 3 && head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf;
  let encoding: TTextEncoding = 'utf-8';
  if (!hasBom && !isUtf8)
    encoding = looksLikeGb18030(firstHigh < SNIFF_BYTES ? head : Buffer.concat(windowParts)) ? 'gb18030' : 'utf-8';
  return { path: file, bytes, head, encoding };
}

export const removeFile = (file: string | null | undefined) => {
  if (file) fs.rmSync(file, { force: true });
};
