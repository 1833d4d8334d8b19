import { useQuery } from '@tanstack/react-query';
import type { TBuyerReview } from '@huifang/shared';
import { get, request } from '../../api/client.ts';

/**
 * The buyer's review page's calls (public, reached by a per-order link token): kept apart from api.ts, whose shop
 * calls import the zod schemas, so that the phone page downloads none of them.
 */
export const useBuyerReview = (token: string) =>
  useQuery({
    queryKey: ['buyer-review', token],
    retry: false,
    queryFn: () => get<TBuyerReview>(`/review-links/${token}`),
  });

/** Downscale a photo in the browser (≤ 1024 px, JPEG) so it fits the server's 200 KB limit. */
export async function shrinkImage(file: File): Promise<string> {
  const url = URL.createObjectURL(file);
  try {
    const img = new Image();
    await new Promise<void>((resolve, reject) => {
      img.onload = () => resolve();
      img.onerror = () => reject(new Error('not an image'));
      img.src = url;
    });
    for (const [max, quality] of [
      [1024, 0.8],
      [800, 0.7],
      [600, 0.6],
    ] as const) {
      const scale = Math.min(1, max / Math.max(img.width, img.height));
      const canvas = document.createElement('canvas');
      canvas.width = Math.round(img.width * scale);
      canvas.height = Math.round(img.height * scale);
      canvas.getContext('2d')!.drawImage(img, 0, 0, canvas.width, canvas.height);
      const data = canvas.toDataURL('image/jpeg', quality);
      if ((data.length * 3) / 4 < 200 * 1024) return data;
    }
    throw new Error('image too large');
  } finally {
    URL.revokeObjectURL(url);
  }
}

/** POST with an Idempotency-Key (the buyer page: a double tap stores one review). Errors become ApiError. */
export const postIdempotent = <T>(url: string, body: unknown, key: string) =>
  request<T>('POST', url, { body, headers: { 'idempotency-key': key }, isSessionCall: false });
