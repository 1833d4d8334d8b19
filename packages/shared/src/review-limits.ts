/**
 * Images of an order review: at most 5 per review, each ≤ 200 KB once decoded, PNG / JPEG / WebP (checked by content
 * on the server). Apart from the zod schemas (schemas/order-reviews.ts): the buyer's phone page reads them without zod.
 */
export const REVIEW_IMAGE_MAX_BYTES = 200 * 1024;
export const REVIEW_IMAGE_MAX_COUNT = 5;
