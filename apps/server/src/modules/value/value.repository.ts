import { and, desc, eq, sql } from 'drizzle-orm';
import { DEFAULT_VALUE_CONFIG, ZValueConfig, type TValueConfig } from '@huifang/shared';
import type { DbOrTx } from '../../db/client.ts';
import { users, valueModelVersions, valueRuns } from '../../db/schema/index.ts';

/** The tenant's current models: its latest saved version, or the §3 defaults as version 0. */
export async function latestConfig(db: DbOrTx, tenantId: string): Promise<{ version: number; config: TValueConfig }> {
  const [row] = await db
    .select({ version: valueModelVersions.version, config: valueModelVersions.config })
    .from(valueModelVersions)
    .where(eq(valueModelVersions.tenantId, tenantId))
    .orderBy(desc(valueModelVersions.version))
    .limit(1);
  return row
    ? { version: row.version, config: ZValueConfig.parse(row.config) }
    : { version: 0, config: DEFAULT_VALUE_CONFIG };
}

export async function configVersion(db: DbOrTx, tenantId: string, version: number): Promise<TValueConfig> {
  if (version === 0) return DEFAULT_VALUE_CONFIG;
  const [row] = await db
    .select({ config: valueModelVersions.config })
    .from(valueModelVersions)
    .where(and(eq(valueModelVersions.tenantId, tenantId), eq(valueModelVersions.version, version)));
  if (!row) throw new Error(`value model version ${version} not found`);
  return ZValueConfig.parse(row.config);
}

export async function listConfigVersions(db: DbOrTx, tenantId: string) {
  return db
    .select({
      version: valueModelVersions.version,
      config: valueModelVersions.config,
      createdAt: valueModelVersions.createdAt,
      createdByName: users.displayName,
    })
    .from(valueModelVersions)
    .leftJoin(users, eq(users.id, valueModelVersions.createdBy))
    .where(eq(valueModelVersions.tenantId, tenantId))
    .orderBy(desc(valueModelVersions.version))
    .limit(50);
}

const runColumns = {
  run: valueRuns,
  requestedByName: users.displayName,
};

export async function listRuns(db: DbOrTx, tenantId: string, limit = 50) {
  return db
    .select(runColumns)
    .from(valueRuns)
    .leftJoin(users, eq(users.id, valueRuns.requestedBy))
    .where(eq(valueRuns.tenantId, tenantId))
    .orderBy(desc(valueRuns.seq))
    .limit(limit);
}

export async function findRun(db: DbOrTx, tenantId: string, id: string) {
  const [row] = await db
    .select(runColumns)
    .from(valueRuns)
    .leftJoin(users, eq(users.id, valueRuns.requestedBy))
    .where(and(eq(valueRuns.tenantId, tenantId), eq(valueRuns.id, id)));
  return row ?? null;
}

/** The latest finished run of the tenant (what lists, filters and the customer card show). */
export const latestDoneRunSql = (tenantId: string) =>
  sql`(select id from value_runs where tenant_id = ${tenantId} and status = 'done' order by seq desc limit 1)`;

/** Customers who moved between two runs (only customers present in both). Tier order: by the cuts, best first. */
export async function compareRunRows(
  db: DbOrTx,
  tenantId: string,
  fromRunId: string,
  toRunId: string,
  tierOrder: string[],
) {
  const rank = (col: string) =>
    sql`(array_position(${sql.raw(`ARRAY[${tierOrder.map((t) => `'${t.replace(/'/g, "''")}'`).join(',')}]::text[]`)}, ${sql.raw(col)}))`;
  const [r] = (
    await db.execute<Record<string, number>>(
      sql`select count(*)::int as customers,
        count(*) filter (where coalesce(${rank('b.tier')}, 99) < coalesce(${rank('a.tier')}, 99))::int as tier_up,
        count(*) filter (where coalesce(${rank('b.tier')}, 99) > coalesce(${rank('a.tier')}, 99))::int as tier_down,
        count(*) filter (where b.stars > a.stars)::int as stars_up, count(*) filter (where b.stars < a.stars)::int as stars_down,
        count(*) filter (where b.score > a.score)::int as score_up, count(*) filter (where b.score < a.score)::int as score_down,
        count(*) filter (where b.rule_class is distinct from a.rule_class)::int as class_changed
      from customer_values a join customer_values b on b.tenant_id = a.tenant_id and b.customer_id = a.customer_id and b.run_id = ${toRunId}
      where a.tenant_id = ${tenantId} and a.run_id = ${fromRunId}`,
    )
  ).rows;
  return r!;
}
