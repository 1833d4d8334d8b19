import { useQuery } from '@tanstack/react-query';
import { DEFAULT_REVIEW_DIMENSIONS } from '@huifang/shared';
import type {
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
import { api, get, post, qs } from '../../api/client.ts';

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
// The buyer's page calls (public, phone): apart, so that the page does not download the staff app's schemas.
export { postIdempotent, shrinkImage, useBuyerReview } from './buyer-api.ts';
