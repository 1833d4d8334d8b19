import { REVIEW_IMAGE_MAX_BYTES } from '@huifang/shared';
import { invalidField } from '../../lib/app-error.ts';

export type TImageMime = 'image/png' | 'image/jpeg' | 'image/webp';

/** The type of an image by its first bytes (never by what the client claims). */
export function sniffImage(b: Buffer): TImageMime | null {
  if (b.length >= 8 && b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])))
    return 'image/png';
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'image/jpeg';
  if (b.length >= 12 && b.toString('latin1', 0, 4) === 'RIFF' && b.toString('latin1', 8, 12) === 'WEBP')
    return 'image/webp';
  return null;
}

/**
 * Decode the data-URL images of a review: each must really be the PNG / JPEG / WebP it claims to be and at most
 * REVIEW_IMAGE_MAX_BYTES. They are served back only with their sniffed type and `nosniff`, never as HTML or SVG.
 */
export function decodeReviewImages(images: readonly string[], path: string): { mime: TImageMime; bytes: Buffer }[] {
  return images.map((img, i) => {
    const m = /^data:(image\/(?:png|jpeg|webp));base64,(.*)$/.exec(img);
    const bytes = m ? Buffer.from(m[2]!, 'base64') : Buffer.alloc(0);
    const mime = sniffImage(bytes);
    if (!m || !mime || mime !== m[1]) throw invalidField(`${path}.${i}`, '图片须为 PNG、JPEG 或 WebP');
    if (bytes.length > REVIEW_IMAGE_MAX_BYTES) throw invalidField(`${path}.${i}`, '图片不能超过 200 KB');
    return { mime, bytes };
  });
}
