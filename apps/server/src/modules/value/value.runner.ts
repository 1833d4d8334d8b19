import crypto from 'node:crypto';
import { VALUE_RUN_DETAILS_KEPT } from '@huifang/shared';
import { and, eq, sql, type SQL } from 'drizzle-orm';
import { PARALLEL_BATCH_WORK, type Db } from '../../db/client.ts';
import { valueRuns } from '../../db/schema/index.ts';
import type { TClock } from '../../lib/clock.ts';
import { localDate } from '../policy/calendar.ts';
import { tenantTimeZone } from '../../lib/time.ts';
import { recomputeEvaluationValueRollups } from '../evaluations/value-rollups.ts';
import { hasEventPlans, onChurnWarning } from '../followup/rules/rules.ts';
import { churnSql, metricsSelect, periodBoundsConst, scoreInsert, STAGE_DDL } from './value-sql.ts';
import { configVersion, latestConfig } from './value.repository.ts';

type TDeps = { db: Db; clock: TClock };

/**
 * Retention of the per-customer rows (VALUE_RUN_DETAILS_KEPT, shared): the latest finished runs of a tenant keep their
 * customer_values (the customer page shows at most that many runs of history; a comparison needs both runs' rows);
 * older runs keep their row, counts and churn warnings, and say when their details went (details_pruned_at). At
 * 1,000,000 customers and a monthly run that bounds the table at 24 M rows per tenant instead of a million more a month.
 *
 * Delete the customer_values of the tenant's finished runs older than the latest `keep` (one transaction per run, so a
 * run is either whole or marked pruned); returns the runs pruned. Runs after every finished recompute, outside its
 * transaction: a failure leaves the rows for the next run to prune.
 */
export async function pruneValueRunDetails(db: Db, clock: TClock, tenantId: string, keep = VALUE_RUN_DETAILS_KEPT) {
  const old = await db.execute<{ id: string }>(
    sql`select id from value_runs where tenant_id = ${tenantId} and status = 'done' and details_pruned_at is null
          and seq < coalesce((select seq from value_runs where tenant_id = ${tenantId} and status = 'done'
                              order by seq desc offset ${Math.max(1, keep) - 1} limit 1), 0)
        order by seq`,
  );
  for (const { id } of old.rows)
    await db.transaction(async (tx) => {
      await tx.execute(sql`delete from customer_values where tenant_id = ${tenantId} and run_id = ${id}`);
      await tx
        .update(valueRuns)
        .set({ detailsPrunedAt: clock.now() })
        .where(and(eq(valueRuns.tenantId, tenantId), eq(valueRuns.id, id)));
    });
  return old.rows.length;
}

/** Customers per chunk of the metrics pass: the progress bar moves once per chunk. */
export const RUN_CHUNK_CUSTOMERS = 50_000;

/**
 * The lower bounds of the chunks (uuid order, the order of transactions_customer_idx): the uuid space cut into
 * ⌈total / RUN_CHUNK_CUSTOMERS⌉ equal ranges, the first from the zero uuid, the last open-ended, so every id falls in
 * exactly one chunk. Customer ids are random (version 4), uniform in that space, so a chunk holds about
 * RUN_CHUNK_CUSTOMERS customers — without numbering every customer in id order first (a sort of the whole tenant:
 * 3.4 s of a 35 s run at 1,000,000 customers).
 */
export function chunkBounds(total: number): string[] {
  const n = Math.ceil(total / RUN_CHUNK_CUSTOMERS);
  return Array.from({ length: n }, (_, i) => {
    const h = ((BigInt(i) << 128n) / BigInt(n)).toString(16).padStart(32, '0');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  });
}

/**
 * The `value-recompute` job: one run over every customer of the tenant, in one transaction (so a run is all or
 * nothing): metrics per chunk of customers into a staging table (one range scan of transactions per chunk; progress
 * written from another connection so the UI sees it), then one INSERT … SELECT scoring them all (ranks from
 * each group's key thresholds) and counting them, then churn warnings. Idempotent: a run that is not queued (done, or already taken) is left alone.
 */
export async function runValueRecompute(deps: TDeps, runId: string): Promise<void> {
  const [run] = await deps.db
    .update(valueRuns)
    .set({ status: 'running', startedAt: deps.clock.now() })
    .where(and(eq(valueRuns.id, runId), eq(valueRuns.status, 'queued')))
    .returning();
  if (!run) return;
  try {
    const cfg = await configVersion(deps.db, run.tenantId, run.modelVersion);
    const tenantId = run.tenantId;
    const total = Number(
      (
        await deps.db.execute<{ n: number }>(
          sql`select count(*)::int as n from customers where tenant_id = ${tenantId}`,
        )
      ).rows[0]?.n ?? 0,
    );
    await deps.db.update(valueRuns).set({ total }).where(eq(valueRuns.id, runId));
    const bounds = chunkBounds(total);
    const newWarnings = await deps.db.transaction(async (tx) => {
      // Sorts and hashes over a million rows in memory rather than on disk; reset at commit.
      await tx.execute(sql`set local work_mem = '128MB'`);
      await tx.execute(PARALLEL_BATCH_WORK);
      await tx.execute(STAGE_DDL);
      const periods = await periodBoundsConst(tx, cfg, run.asOf);
      let done = 0;
      for (let i = 0; i < bounds.length; i++) {
        const lo = bounds[i]!;
        const hi = bounds[i + 1];
        const range = (col: string) =>
          hi
            ? sql`${sql.raw(col)} >= ${lo}::uuid and ${sql.raw(col)} < ${hi}::uuid`
            : sql`${sql.raw(col)} >= ${lo}::uuid`;
        const r = await tx.execute(
          // In customer id order (chunks ascend too): the scoring insert reads the stage in that order and writes
          // customer_values in key order without sorting a million wide rows.
          sql`insert into value_stage ${metricsSelect(cfg, tenantId, periods, range('c.id'), range('customer_id'))} order by c.id`,
        );
        done += r.rowCount ?? 0;
        // Progress from the pool (autocommit), visible at once; the run row is not touched by tx until the end.
        await deps.db
          .update(valueRuns)
          .set({ processed: Math.round(done * 0.8) })
          .where(eq(valueRuns.id, runId));
      }
      await tx.execute(sql`analyze value_stage`);
      // The run's counts come from the rows as they are written (RETURNING the four columns counted), not from a
      // second scan of a million wide customer_values rows.
      const counts = countsOf(
        (
          await tx.execute<TCountRow>(
            sql`with ins as (${scoreInsert(cfg, tenantId, runId)} returning tier, rule_class, lifecycle, stars) ${countsSelect(sql`ins`)}`,
          )
        ).rows,
      );
      await deps.db
        .update(valueRuns)
        .set({ processed: Math.round(done * 0.9) })
        .where(eq(valueRuns.id, runId));
      const churn = churnSql(cfg);
      const at = deps.clock.now();
      // New warnings come back only when a follow-up rule listens to them (no 100,000 ids for nobody).
      const notify = await hasEventPlans(deps, tenantId, 'churn_warning');
      // Customers at risk now, from the staged metrics (same columns as customer_values), with statistics: the
      // open / close statements below then join it by hash, never row by row.
      await tx.execute(
        sql`create temp table value_risk on commit drop as
            select m.customer_id, m.unit_id, case when ${churn.noPurchase} then 'no_purchase' else 'spend_drop' end as reason,
              m.days_since_order,
              case when not ${churn.noPurchase} then round((m.prior_fen - m.recent_fen)::numeric * 100 / m.prior_fen, 2) end as drop_pct
            from value_stage m where ${churn.noPurchase} or ${churn.spendDrop}`,
      );
      await tx.execute(sql`analyze value_risk`);
      // Open warnings for customers now at risk who have none open (one open warning per customer: the partial
      // unique index, which ON CONFLICT still guards). In customer order, with ids ascending within the run (RFC 9562
      // version 8: 74 random bits of the run, then the row's number), so the three indexes are written page after
      // page instead of on random leaf pages (gen_random_uuid()).
      const r = crypto.randomBytes(10).toString('hex');
      const idPrefix = `${r.slice(0, 12)}8${r.slice(12, 15)}${'89ab'[parseInt(r[15]!, 16) % 4]}${r.slice(16, 19)}`;
      const opened = await tx.execute<{ id: string; customer_id: string }>(
        sql`insert into value_churn_warnings (id, tenant_id, customer_id, run_id, reason, days_since_order, drop_pct, created_at, unit_id)
            select (${idPrefix} || lpad(to_hex(row_number() over (order by r.customer_id)), 12, '0'))::uuid, ${tenantId}::uuid,
              r.customer_id, ${runId}::uuid, r.reason, r.days_since_order, r.drop_pct, ${at.toISOString()}::timestamptz, r.unit_id
            from value_risk r
            where not exists (select 1 from value_churn_warnings w
              where w.tenant_id = ${tenantId} and w.customer_id = r.customer_id and w.resolved_at is null)
            order by r.customer_id
            on conflict (tenant_id, customer_id) where resolved_at is null do nothing
            ${notify ? sql`returning id, customer_id` : sql``}`,
      );
      // … and close those whose customers are no longer at risk.
      await tx.execute(
        sql`update value_churn_warnings w set resolved_at = ${at.toISOString()}::timestamptz
            where w.tenant_id = ${tenantId} and w.resolved_at is null
              and not exists (select 1 from value_risk r where r.customer_id = w.customer_id)`,
      );
      counts.churn = { opened: opened.rowCount ?? 0 };
      await tx
        .update(valueRuns)
        .set({ status: 'done', processed: done, total: done, counts, finishedAt: deps.clock.now() })
        .where(eq(valueRuns.id, runId));
      // The customer-value cut of 统计分析 follows the new run, in this transaction: until it commits, readers see the
      // previous run's rows (evaluation_value_rollups, migration evaluation_value_rollups).
      await recomputeEvaluationValueRollups(tx, tenantId);
      return opened.rows;
    });
    // Follow-up rules on churn warning 流失预警 (followup/rules): one churn-save task per new warning, after commit.
    if (newWarnings.length)
      for (const w of newWarnings) await onChurnWarning(deps, { tenantId, customerId: w.customer_id, warningId: w.id });
  } catch (err) {
    await deps.db
      .update(valueRuns)
      .set({ status: 'failed', errorMessage: err instanceof Error ? err.message : String(err), finishedAt: new Date() })
      .where(eq(valueRuns.id, runId));
    throw err;
  }
  // The run is done: older runs beyond the retention lose their per-customer rows (a failure here leaves the run done
  // and the rows for the next run's pruning).
  await pruneValueRunDetails(deps.db, deps.clock, run.tenantId);
}

type TCountRow = { dim: string; k: string | null; n: number };

/** The run's counts by tier, rule class, lifecycle and stars over `rows` (one pass, grouping sets). */
const countsSelect = (rows: SQL) =>
  sql`select case when grouping(tier) = 0 then 'tier' when grouping(rule_class) = 0 then 'ruleClass'
        when grouping(lifecycle) = 0 then 'lifecycle' else 'stars' end as dim,
        coalesce(tier, rule_class, lifecycle, stars::text) as k, count(*)::int as n
      from ${rows} group by grouping sets ((tier), (rule_class), (lifecycle), (stars))`;

function countsOf(rows: TCountRow[]) {
  const out: Record<string, Record<string, number>> = {};
  for (const r of rows) (out[r.dim] ??= {})[r.k ?? '-'] = Number(r.n);
  return out;
}

/**
 * The `value-schedule` job (daily): every tenant whose model asks for a monthly recompute on today's day of the
 * month (tenant time zone) gets one run for this month — the (tenant, month) key makes a second call a no-op.
 */
export async function runScheduledRecomputes(
  deps: TDeps & { enqueue: (runId: string) => Promise<void> },
): Promise<number> {
  const tenants = (await deps.db.execute<{ id: string }>(sql`select id from tenants`)).rows;
  let queued = 0;
  for (const t of tenants) {
    const { version, config } = await latestConfig(deps.db, t.id);
    if (config.scheduleDay === null) continue;
    const today = localDate(deps.clock.now(), await tenantTimeZone(deps.db, t.id));
    if (Number(today.slice(8, 10)) !== config.scheduleDay) continue;
    const [row] = await deps.db
      .insert(valueRuns)
      .values({
        tenantId: t.id,
        modelVersion: version,
        trigger: 'schedule',
        scheduleKey: today.slice(0, 7),
        asOf: deps.clock.now(),
        createdAt: deps.clock.now(),
      })
      .onConflictDoNothing()
      .returning({ id: valueRuns.id });
    if (row) {
      await deps.enqueue(row.id);
      queued++;
    }
  }
  return queued;
}
