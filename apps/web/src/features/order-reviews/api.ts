import { useQuery } from '@tanstack/react-query';
import { DEFAULT_REVIEW_DIMENSIONS } from '@huifang/shared';
import type {
  TBuyerReview,
  TOrderReview,
  TOrderReviewListQuery,
  TPage,
  TReviewableOrder,
  TReviewableOrderQuery,
  TShop,
  TShopDimension,
  TShopScore,
  TShopScoreTrend,
} from '@huifang/shared';
import { api, get, post, qs, request } from '../../api/client.ts';

export const ORDER_REVIEWS_KEY = ['order-reviews'] as const;
type TQs = Record<string, string | number | boolean | undefined | null>;

export const useOrderReviews = (q: Partial<TOrderReviewListQuery>) =>
  useQuery({
    queryKey: [...ORDER_REVIEWS_KEY, 'list', q],
    refetchOnMount: 'always',
    queryFn: () => get<TPage<TOrderReview>>(`/order-reviews${qs(q as TQs)}`),
  });
export const useReviewableOrders = (q: Partial<TReviewableOrderQuery>) =>
  useQuery({
    queryKey: [...ORDER_REVIEWS_KEY, 'orders', q],
    refetchOnMount: 'always',
    queryFn: () => get<TPage<TReviewableOrder>>(`/order-reviews/orders${qs(q as TQs)}`),
  });
export const useShopScore = (unitId: string | undefined, asOf: string) =>
  useQuery({
    queryKey: [...ORDER_REVIEWS_KEY, 'score', unitId, asOf],
    enabled: !!unitId,
    queryFn: () => get<TShopScore>(`/order-reviews/score${qs({ unitId, asOf })}`),
  });
export const useShopScoreTrend = (unitId: string | undefined, asOf: string) =>
  useQuery({
    queryKey: [...ORDER_REVIEWS_KEY, 'trend', unitId, asOf],
    enabled: !!unitId,
    queryFn: () => get<TShopScoreTrend>(`/order-reviews/score/trend${qs({ unitId, asOf })}`),
  });
/** The shops 店铺 in scope and their rating dimensions. */
export const useShops = () =>
  useQuery({
    queryKey: [...ORDER_REVIEWS_KEY, 'shops'],
    queryFn: () => get<{ items: TShop[] }>('/order-reviews/shops'),
  });
export const createShop = (unitId: string) => post<TShop>('/order-reviews/shops', { unitId });
export const saveShopDimensions = (unitId: string, reviewDimensions: TShopDimension[]) =>
  api<TShop>('PUT', `/order-reviews/shops/${unitId}`, { reviewDimensions });
/** Every dimension of the shops in scope, once per key (the review list's columns and filter); the defaults until loaded. */
export function dimensionsOf(shops: TShop[] | undefined): TShopDimension[] {
  if (!shops?.length) return DEFAULT_REVIEW_DIMENSIONS;
  const out: TShopDimension[] = [];
  for (const d of shops.flatMap((s) => s.reviewDimensions)) if (!out.some((x) => x.key === d.key)) out.push(d);
  return out;
}
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
