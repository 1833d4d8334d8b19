import { sql, type SQL } from 'drizzle-orm';
import type { TCustomerListQuery } from '@huifang/shared';
import { latestDoneRunSql } from './value.repository.ts';

/**
 * The customer list's value filters (tier, class, lifecycle, stars, score) as one condition on `customers.id`, over
 * the latest finished run; null when the query has none. Stars are the effective ones (a manual service star wins).
 * Saved filters, follow-up plan segments and exports all go through the customer list's conditions, so they get it too.
 */
export function valueListCondition(tenantId: string, q: TCustomerListQuery): SQL | null {
  const conds: SQL[] = [];
  if (q.valueTier) conds.push(sql`cv.tier = ${q.valueTier}`);
  if (q.valueClass) conds.push(sql`cv.rule_class = ${q.valueClass}`);
  if (q.valueLifecycle) conds.push(sql`cv.lifecycle = ${q.valueLifecycle}`);
  if (q.valueScoreMin !== undefined) conds.push(sql`cv.score >= ${String(q.valueScoreMin)}::numeric`);
  if (q.valueStarsMin !== undefined)
    conds.push(
      sql`coalesce((select o.stars from value_star_overrides o where o.tenant_id = cv.tenant_id and o.customer_id = cv.customer_id), cv.stars) >= ${q.valueStarsMin}::int`,
    );
  if (!conds.length) return null;
  return sql`customers.id in (select cv.customer_id from customer_values cv where cv.tenant_id = ${tenantId}
    and cv.run_id = ${latestDoneRunSql(tenantId)} and ${sql.join(conds, sql` and `)})`;
}
