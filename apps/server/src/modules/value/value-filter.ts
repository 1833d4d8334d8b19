import { sql, type SQL } from 'drizzle-orm';
import type { TCustomerListQuery } from '@huifang/shared';
import type { DbOrTx } from '../../db/client.ts';
import { pgArray } from '../../lib/scope.ts';
import { configVersion, latestDoneRunSql } from './value.repository.ts';

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

export interface TExportValue {
  score: number;
  tier: string | null;
  ruleClass: string | null;
  lifecycle: string;
  stars: number;
}

const LIFECYCLE_ZH: Record<string, string> = {
  high_value: '高价值',
  potential: '潜在',
  ordinary: '普通',
  churned: '已流失',
};

/**
 * The latest run's values of these customers, labelled with that run's models (for the customer export: one query per
 * batch of ids). Stars are the effective ones (a manual service star wins).
 */
export async function exportValues(db: DbOrTx, tenantId: string, ids: string[]): Promise<Map<string, TExportValue>> {
  const out = new Map<string, TExportValue>();
  if (!ids.length) return out;
  const rows = (
    await db.execute<{
      customer_id: string;
      score: string;
      tier: string | null;
      rule_class: string | null;
      lifecycle: string;
      stars: number;
      model_version: number;
    }>(
      sql`select cv.customer_id, cv.score, cv.tier, cv.rule_class, cv.lifecycle, coalesce(o.stars, cv.stars) as stars, r.model_version
          from customer_values cv join value_runs r on r.id = cv.run_id
          left join value_star_overrides o on o.tenant_id = cv.tenant_id and o.customer_id = cv.customer_id
          where cv.tenant_id = ${tenantId} and cv.run_id = ${latestDoneRunSql(tenantId)} and cv.customer_id = any(${pgArray(ids, 'uuid')})`,
    )
  ).rows;
  if (!rows.length) return out;
  const cfg = await configVersion(db, tenantId, rows[0]!.model_version);
  for (const r of rows)
    out.set(r.customer_id, {
      score: Number(r.score),
      tier: cfg.percentile.cuts.find((c) => c.key === r.tier)?.label ?? r.tier,
      ruleClass: cfg.ruleClasses.classes.find((c) => c.key === r.rule_class)?.label ?? r.rule_class,
      lifecycle: LIFECYCLE_ZH[r.lifecycle] ?? r.lifecycle,
      stars: Number(r.stars),
    });
  return out;
}
