import { and, eq, sql } from 'drizzle-orm';
import {
  VALUE_RUN_DETAILS_KEPT,
  maskName,
  type TExpertScoresInput,
  type TStarOverrideInput,
  type TValueConfig,
  type TValueRun,
} from '@huifang/shared';
import type { Db } from '../../db/client.ts';
import { valueExpertScores, valueModelVersions, valueRuns, valueStarOverrides } from '../../db/schema/index.ts';
import type { TJobSender } from '../../jobs/queue.ts';
import { AppError, invalidField, notFound } from '../../lib/app-error.ts';
import type { TClock } from '../../lib/clock.ts';
import { pgArray, type TAuditCtx, type TScope } from '../../lib/scope.ts';
import { insertAuditEvent } from '../audit/audit.repository.ts';
import { customerVisible, findVisibleCustomer } from '../customers/customers.repository.ts';
import {
  churnWarning,
  deriveMetrics,
  lifecycleTier,
  ruleClass,
  starLevel,
  weightedScore,
  type TRawMetrics,
} from './scoring.ts';
import { metricsSelect, periodBoundsSql } from './value-sql.ts';
import {
  compareRunRows,
  configVersion,
  findRun,
  latestConfig,
  latestDoneRunSql,
  listConfigVersions,
  listRuns,
} from './value.repository.ts';

type TDeps = { db: Db; clock: TClock };
export const VALUE_RECOMPUTE_JOB = 'value-recompute';
export const STALE_RUN_MS = 2 * 3600_000;

const isUniqueViolation = (e: unknown) => (e as { cause?: { code?: string } }).cause?.code === '23505';

export async function getValueConfig(deps: TDeps, scope: TScope) {
  return latestConfig(deps.db, scope.tenantId);
}

export async function listValueVersions(deps: TDeps, scope: TScope) {
  const rows = await listConfigVersions(deps.db, scope.tenantId);
  return rows.map((r) => ({ ...r, createdAt: r.createdAt.toISOString() }));
}

/** Save the models as a new version (a version is never edited: runs name the version they applied). */
export async function saveValueConfig(deps: TDeps, scope: TScope, ctx: TAuditCtx, config: TValueConfig) {
  const now = deps.clock.now();
  return deps.db.transaction(async (tx) => {
    // Serialise saves of one tenant, so two saves never take the same number.
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext('value_model_versions'), hashtext(${scope.tenantId}))`);
    const { version } = await latestConfig(tx, scope.tenantId);
    await tx
      .insert(valueModelVersions)
      .values({ tenantId: scope.tenantId, version: version + 1, config, createdBy: scope.userId, createdAt: now });
    await insertAuditEvent(
      tx,
      ctx,
      { action: 'value_model.saved', entityType: 'value_model', summary: `v${version + 1}`, after: config },
      now,
    );
    return { version: version + 1, config };
  });
}

function toRun(row: NonNullable<Awaited<ReturnType<typeof findRun>>>): TValueRun {
  const r = row.run;
  return {
    id: r.id,
    modelVersion: r.modelVersion,
    trigger: r.trigger as TValueRun['trigger'],
    status: r.status as TValueRun['status'],
    requestedByName: row.requestedByName,
    total: r.total,
    processed: r.processed,
    counts: r.counts,
    errorMessage: r.errorMessage,
    createdAt: r.createdAt.toISOString(),
    startedAt: r.startedAt?.toISOString() ?? null,
    finishedAt: r.finishedAt?.toISOString() ?? null,
    detailsPrunedAt: r.detailsPrunedAt?.toISOString() ?? null,
  };
}

/** Queue a recompute of the whole tenant with the current models; one run at a time (else 409). */
export async function startValueRun(deps: TDeps & { jobs: TJobSender }, scope: TScope, ctx: TAuditCtx) {
  const now = deps.clock.now();
  const { version } = await latestConfig(deps.db, scope.tenantId);
  // A run left queued or running by a crashed process would hold the one-run-at-a-time slot for ever: past
  // STALE_RUN_MS it is marked failed (a live run of a million customers takes well under a minute).
  await deps.db
    .update(valueRuns)
    .set({ status: 'failed', errorMessage: 'interrupted (no progress)', finishedAt: now })
    .where(
      and(
        eq(valueRuns.tenantId, scope.tenantId),
        sql`${valueRuns.status} in ('queued', 'running')`,
        sql`coalesce(${valueRuns.startedAt}, ${valueRuns.createdAt}) < ${new Date(now.getTime() - STALE_RUN_MS).toISOString()}::timestamptz`,
      ),
    );
  let id: string;
  try {
    id = await deps.db.transaction(async (tx) => {
      const [row] = await tx
        .insert(valueRuns)
        .values({
          tenantId: scope.tenantId,
          modelVersion: version,
          trigger: 'manual',
          requestedBy: scope.userId,
          asOf: now,
          createdAt: now,
        })
        .returning({ id: valueRuns.id });
      await insertAuditEvent(
        tx,
        ctx,
        { action: 'value_run.started', entityType: 'value_run', entityId: row!.id, summary: `v${version}` },
        now,
      );
      return row!.id;
    });
  } catch (e) {
    if (isUniqueViolation(e)) throw new AppError('CONFLICT', 'a recompute is already queued or running');
    throw e;
  }
  await deps.jobs.send(VALUE_RECOMPUTE_JOB, { runId: id });
  return getValueRun(deps, scope, id);
}

export async function listValueRuns(deps: TDeps, scope: TScope) {
  return (await listRuns(deps.db, scope.tenantId)).map(toRun);
}

export async function getValueRun(deps: TDeps, scope: TScope, id: string) {
  const row = await findRun(deps.db, scope.tenantId, id);
  if (!row) throw notFound('run');
  return toRun(row);
}

export async function compareValueRuns(deps: TDeps, scope: TScope, fromId: string, toId: string) {
  const [a, b] = await Promise.all([findRun(deps.db, scope.tenantId, fromId), findRun(deps.db, scope.tenantId, toId)]);
  if (!a || a.run.status !== 'done') throw invalidField('querystring.from', 'run not found or not finished');
  if (!b || b.run.status !== 'done') throw invalidField('querystring.to', 'run not found or not finished');
  const pruned = `its per-customer values were deleted (only the latest ${VALUE_RUN_DETAILS_KEPT} runs keep them)`;
  if (a.run.detailsPrunedAt) throw invalidField('querystring.from', pruned);
  if (b.run.detailsPrunedAt) throw invalidField('querystring.to', pruned);
  const cfg = await configVersion(deps.db, scope.tenantId, b.run.modelVersion);
  const r = await compareRunRows(
    deps.db,
    scope.tenantId,
    fromId,
    toId,
    cfg.percentile.cuts.map((c) => c.key),
  );
  const n = Number(r.customers);
  const trio = (up: number, down: number) => ({
    up: Number(up),
    down: Number(down),
    same: n - Number(up) - Number(down),
  });
  return {
    fromRunId: fromId,
    toRunId: toId,
    customers: n,
    tier: trio(r.tier_up!, r.tier_down!),
    stars: trio(r.stars_up!, r.stars_down!),
    score: trio(r.score_up!, r.score_down!),
    classChanged: Number(r.class_changed),
  };
}

type TMetricsRow = {
  customer_id: string;
  intent_level: string | null;
  is_new: boolean;
  manager_rating: string | number | null;
  expert_score: string | number | null;
  sales_fen: string | number;
  prev_sales_fen: string | number;
  batches: number;
  returns_fen: string | number;
  payments_fen: string | number;
  prev_payments_fen: string | number;
  debt_fen: string | number;
  days_since_order: number | null;
  recent_fen: string | number;
  prior_fen: string | number;
};

const orNull = (v: string | number | null) => (v === null ? null : Number(v));
function toRaw(r: TMetricsRow): TRawMetrics {
  return {
    salesFen: Number(r.sales_fen),
    prevSalesFen: Number(r.prev_sales_fen),
    batches: Number(r.batches),
    returnsFen: Number(r.returns_fen),
    paymentsFen: Number(r.payments_fen),
    prevPaymentsFen: Number(r.prev_payments_fen),
    debtFen: Number(r.debt_fen),
    daysSinceOrder: r.days_since_order === null ? null : Number(r.days_since_order),
    isNew: r.is_new,
    managerRating: orNull(r.manager_rating),
    expertScore: orNull(r.expert_score),
    recentFen: Number(r.recent_fen),
    priorFen: Number(r.prior_fen),
  };
}

/**
 * Live preview of (unsaved) models on sample customers: the top scorers of the latest run among the visible customers
 * (or the newest visible customers before any run), their metrics from the same SQL as a run, the models applied by
 * scoring.ts. Percentile tiers and RFM need the whole population: they come with a run, not here.
 */
export async function previewValueConfig(deps: TDeps, scope: TScope, config: TValueConfig, sampleSize: number) {
  const tenantId = scope.tenantId;
  const sample = (
    await deps.db.execute<{ id: string; name: string }>(
      sql`select customers.id, customers.name from customers
          left join customer_values cv on cv.tenant_id = customers.tenant_id and cv.customer_id = customers.id and cv.run_id = ${latestDoneRunSql(tenantId)}
          where ${customerVisible(scope)} 
          order by cv.score desc nulls last, customers.created_at desc limit ${sampleSize}`,
    )
  ).rows;
  if (!sample.length) return [];
  const ids = pgArray(
    sample.map((s) => s.id),
    'uuid',
  );
  const rows = (
    await deps.db.execute<TMetricsRow>(
      metricsSelect(
        config,
        tenantId,
        periodBoundsSql(config, deps.clock.now()),
        sql`c.id = any(${ids})`,
        sql`customer_id = any(${ids})`,
      ),
    )
  ).rows;
  const byId = new Map(rows.map((r) => [r.customer_id, r]));
  return sample.flatMap((s) => {
    const r = byId.get(s.id);
    if (!r) return [];
    const raw = toRaw(r);
    const m = deriveMetrics(raw);
    const w = weightedScore(config.weighted, m);
    return [
      {
        customerId: s.id,
        name: s.name,
        score: w.total,
        parts: w.parts,
        expertScore: raw.expertScore,
        ruleClass: ruleClass(config.ruleClasses, m),
        lifecycle: lifecycleTier(config.lifecycle, m, w.total, r.intent_level),
        stars: starLevel(config.stars, raw.salesFen),
        churn: churnWarning(config.churn, raw)?.reason ?? null,
      },
    ];
  });
}

/** A visible customer's values in the latest run, with the breakdown of the weighted score, and its history. */
export async function customerValue(deps: TDeps, scope: TScope, customerId: string) {
  if (!(await findVisibleCustomer(deps.db, scope, customerId))) throw notFound('customer');
  const tenantId = scope.tenantId;
  const history = (
    await deps.db.execute<{
      run_id: string;
      model_version: number;
      finished_at: Date | string;
      score: string;
      tier: string | null;
      rule_class: string | null;
      lifecycle: string;
      stars: number;
    }>(
      sql`select cv.run_id, r.model_version, r.finished_at, cv.score, cv.tier, cv.rule_class, cv.lifecycle, cv.stars
          from customer_values cv join value_runs r on r.id = cv.run_id and r.tenant_id = cv.tenant_id and r.status = 'done'
          where cv.tenant_id = ${tenantId} and cv.customer_id = ${customerId}
          order by r.seq desc limit 24`,
    )
  ).rows;
  const [override] = await deps.db
    .select()
    .from(valueStarOverrides)
    .where(and(eq(valueStarOverrides.tenantId, tenantId), eq(valueStarOverrides.customerId, customerId)));
  const latest = history[0];
  let current = null;
  if (latest) {
    const [row] = (
      await deps.db.execute<Record<string, unknown>>(
        sql`select * from customer_values where tenant_id = ${tenantId} and run_id = ${latest.run_id} and customer_id = ${customerId}`,
      )
    ).rows;
    const cfg = await configVersion(deps.db, tenantId, latest.model_version);
    const raw = toRaw(row as unknown as TMetricsRow);
    const m = deriveMetrics(raw);
    const computedStars = Number(row!.stars);
    current = {
      runId: latest.run_id,
      modelVersion: latest.model_version,
      computedAt: new Date(latest.finished_at).toISOString(),
      score: Number(row!.score),
      parts: weightedScore(cfg.weighted, m).parts,
      expertScore: orNull(row!.expert_score as string | null),
      ruleClass: (row!.rule_class as string | null) ?? null,
      ruleClassLabel: cfg.ruleClasses.classes.find((c) => c.key === row!.rule_class)?.label ?? null,
      tier: (row!.tier as string | null) ?? null,
      tierLabel: cfg.percentile.cuts.find((c) => c.key === row!.tier)?.label ?? null,
      lifecycle: String(row!.lifecycle),
      rfm: row!.r === null ? null : { r: Number(row!.r), f: Number(row!.f), m: Number(row!.m) },
      stars: override ? override.stars : computedStars,
      computedStars,
      starOverride: override
        ? { stars: override.stars, reason: override.reason, setAt: override.setAt.toISOString() }
        : null,
      metrics: m,
    };
  }
  return {
    current,
    history: history.map((h) => ({
      runId: h.run_id,
      computedAt: new Date(h.finished_at).toISOString(),
      modelVersion: h.model_version,
      score: Number(h.score),
      tier: h.tier,
      ruleClass: h.rule_class,
      lifecycle: h.lifecycle,
      stars: Number(h.stars),
    })),
  };
}

/** 服务星级 by hand: needs a reason, wins over the computed stars until cleared (stars null); audited. */
export async function setStarOverride(
  deps: TDeps,
  scope: TScope,
  ctx: TAuditCtx,
  customerId: string,
  input: TStarOverrideInput,
) {
  const customer = await findVisibleCustomer(deps.db, scope, customerId);
  if (!customer) throw notFound('customer');
  const now = deps.clock.now();
  await deps.db.transaction(async (tx) => {
    const key = and(eq(valueStarOverrides.tenantId, scope.tenantId), eq(valueStarOverrides.customerId, customerId));
    const [before] = await tx.select().from(valueStarOverrides).where(key).for('update');
    if (input.stars === null) await tx.delete(valueStarOverrides).where(key);
    else
      await tx
        .insert(valueStarOverrides)
        .values({
          tenantId: scope.tenantId,
          customerId,
          stars: input.stars,
          reason: input.reason,
          setBy: scope.userId,
          setAt: now,
        })
        .onConflictDoUpdate({
          target: [valueStarOverrides.tenantId, valueStarOverrides.customerId],
          set: { stars: input.stars, reason: input.reason, setBy: scope.userId, setAt: now },
        });
    await insertAuditEvent(
      tx,
      ctx,
      {
        action: input.stars === null ? 'value.star_override_cleared' : 'value.star_override_set',
        entityType: 'customer',
        entityId: customerId,
        unitId: customer.c.unitId,
        summary: `${maskName(customer.c.name)} · ${input.stars === null ? '-' : `★${input.stars}`} · ${input.reason}`,
        before: before ? { stars: before.stars, reason: before.reason } : null,
        after: { stars: input.stars, reason: input.reason },
      },
      now,
    );
  });
  return customerValue(deps, scope, customerId);
}

/** 大客户评价 scores of one customer: every criterion of the current model, 0–10; audited. */
export async function setExpertScores(
  deps: TDeps,
  scope: TScope,
  ctx: TAuditCtx,
  customerId: string,
  input: TExpertScoresInput,
) {
  const customer = await findVisibleCustomer(deps.db, scope, customerId);
  if (!customer) throw notFound('customer');
  const { config } = await latestConfig(deps.db, scope.tenantId);
  const keys = new Set(config.expert.criteria.map((c) => c.key));
  for (const k of Object.keys(input.scores))
    if (!keys.has(k)) throw invalidField(`body.scores.${k}`, `unknown criterion ${k}`);
  for (const k of keys)
    if (input.scores[k] === undefined) throw invalidField(`body.scores.${k}`, `criterion ${k} needs a score 0–10`);
  const now = deps.clock.now();
  await deps.db.transaction(async (tx) => {
    await tx
      .insert(valueExpertScores)
      .values({ tenantId: scope.tenantId, customerId, scores: input.scores, setBy: scope.userId, setAt: now })
      .onConflictDoUpdate({
        target: [valueExpertScores.tenantId, valueExpertScores.customerId],
        set: { scores: input.scores, setBy: scope.userId, setAt: now },
      });
    await insertAuditEvent(
      tx,
      ctx,
      {
        action: 'value.expert_scores_set',
        entityType: 'customer',
        entityId: customerId,
        unitId: customer.c.unitId,
        summary: maskName(customer.c.name),
        after: input.scores,
      },
      now,
    );
  });
  return { ok: true as const };
}

/** Open churn warnings 流失预警 of visible customers (mine: customers I own), newest first. */
export async function listChurnWarnings(
  deps: TDeps,
  scope: TScope,
  q: { page: number; pageSize: number; mine?: 'true' | 'false' },
) {
  const mine = q.mine === 'true' ? sql`and customers.owner_id = ${scope.userId}` : sql``;
  const where = sql`w.tenant_id = ${scope.tenantId} and w.resolved_at is null and ${customerVisible(scope)} ${mine}`;
  const [rows, count] = await Promise.all([
    deps.db.execute<{
      id: string;
      customer_id: string;
      name: string;
      owner_name: string | null;
      reason: string;
      days_since_order: number | null;
      drop_pct: string | null;
      created_at: Date | string;
    }>(
      sql`select w.id, w.customer_id, customers.name, u.display_name as owner_name, w.reason, w.days_since_order, w.drop_pct, w.created_at
          from value_churn_warnings w join customers on customers.id = w.customer_id and customers.tenant_id = w.tenant_id
          left join users u on u.id = customers.owner_id
          where ${where} order by w.created_at desc, w.id desc limit ${q.pageSize} offset ${(q.page - 1) * q.pageSize}`,
    ),
    deps.db.execute<{ n: number }>(
      sql`select count(*)::int as n from value_churn_warnings w join customers on customers.id = w.customer_id and customers.tenant_id = w.tenant_id where ${where}`,
    ),
  ]);
  return {
    items: rows.rows.map((r) => ({
      id: r.id,
      customerId: r.customer_id,
      customerName: r.name,
      ownerName: r.owner_name,
      reason: r.reason as 'no_purchase' | 'spend_drop',
      daysSinceOrder: r.days_since_order,
      dropPct: r.drop_pct === null ? null : Number(r.drop_pct),
      createdAt: new Date(r.created_at).toISOString(),
    })),
    total: Number(count.rows[0]?.n ?? 0),
    page: q.page,
    pageSize: q.pageSize,
  };
}
