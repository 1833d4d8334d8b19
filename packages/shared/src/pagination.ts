import { z } from 'zod';

/**
 * The one pagination contract: `page` (1-based), `pageSize` (≤ 100), `sort` ("field" or "-field"), `q`
 * → `{ items, total, page, pageSize }`.
 */
export const ZPageQuery = z.object({
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(20),
  sort: z
    .string()
    .regex(/^-?[a-zA-Z][a-zA-Z0-9]*$/, 'sort must be a field name, optionally prefixed with -')
    .optional(),
  q: z.string().trim().max(100).optional(),
});
export type TPageQuery = z.infer<typeof ZPageQuery>;

export function ZPage<T extends z.ZodTypeAny>(item: T) {
  return z.object({
    items: z.array(item),
    total: z.number().int(),
    page: z.number().int(),
    pageSize: z.number().int(),
    /** Set when counting exactly would cost too much: `total` is then an estimate (customers: past 1,000 matches or a 20 ms count budget). */
    totalIsEstimate: z.boolean().optional(),
  });
}
export interface TPage<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
  totalIsEstimate?: boolean;
}
