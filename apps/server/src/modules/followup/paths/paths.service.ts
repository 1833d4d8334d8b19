import { and, asc, desc, eq, sql } from 'drizzle-orm';
import {
  maskName,
  ZPathPoint,
  ZPathRule,
  type TErrorDetail,
  type TPathExplain,
  type TPathPoint,
  type TPathRule,
  type TPathTemplate,
  type TPathTemplateDetail,
  type TPathTemplateInput,
  ZPathTemplateInput,
} from '@huifang/shared';
import type { Db, DbOrTx } from '../../../db/client.ts';
import {
  customFieldDefs,
  followupPathInstances,
  followupPathTemplates,
  followupPathVersions,
  followupPlans,
  orgUnits,
  serviceTypes,
} from '../../../db/schema/index.ts';
import { AppError, notFound, unknownRef } from '../../../lib/app-error.ts';
import type { TClock } from '../../../lib/clock.ts';
import { toPage } from '../../../lib/pagination.ts';
import { ownedVisible, unitVisible, type TAuditCtx, type TScope } from '../../../lib/scope.ts';
import { insertAuditEvent } from '../../audit/audit.repository.ts';
import { genContext, listMethods } from '../plans/plans.service.ts';
import type { TGenContext } from '../rules/generate.ts';
import { instantiateSql, matchCtes, pointCtes } from './paths.sql.ts';
import { surveyReadable } from '../../surveys/surveys.repository.ts';

type TDeps = { db: Db; clock: TClock };
type TTemplateRow = typeof followupPathTemplates.$inferSelect;

const templateVisible = (scope: TScope) =>
  and(eq(followupPathTemplates.tenantId, scope.tenantId), unitVisible(scope, followupPathTemplates.unitId));

/** JSON with sorted keys: jsonb reorders keys, so "are these points the same" compares canonical forms. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object')
    return `{${Object.entries(v as Record<string, unknown>)
      .filter(([, x]) => x !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([k, x]) => `${JSON.stringify(k)}:${canonical(x)}`)
      .join(',')}}`;
  return JSON.stringify(v ?? null);
}

const parsePoints = (raw: unknown[]): TPathPoint[] => raw.map((p) => ZPathPoint.parse(p));
const parseRules = (raw: unknown[]): TPathRule[] => raw.map((r) => ZPathRule.parse(r));

/**
 * References must exist: plan (visible, not closed), methods, surveys, service types, custom fields. An unknown or
 * invisible plan or survey is a 404 on its field; the other failures all at once, 400 with paths.
 */
async function checkRefs(db: DbOrTx, scope: TScope, input: ReturnType<typeof ZPathTemplateInput.parse>): Promise<void> {
  const errors: TErrorDetail[] = [];
  const [plan] = await db
    .select({ status: followupPlans.status })
    .from(followupPlans)
    .where(
      and(
        eq(followupPlans.tenantId, scope.tenantId),
        unitVisible(scope, followupPlans.unitId),
        eq(followupPlans.id, input.planId),
      ),
    );
  if (!plan) throw unknownRef('body.planId', 'plan');
  if (plan.status === 'closed') errors.push({ path: 'body.planId', message: 'the plan is closed' });
  const methods = new Set((await listMethods(db, scope.tenantId)).map((m) => m.code));
  const fields = new Map(
    (
      await db
        .select()
        .from(customFieldDefs)
        .where(and(eq(customFieldDefs.tenantId, scope.tenantId), eq(customFieldDefs.entity, 'service_record')))
    ).map((f) => [f.key, f]),
  );
  const types = new Set(
    (await db.select({ id: serviceTypes.id }).from(serviceTypes).where(eq(serviceTypes.tenantId, scope.tenantId))).map(
      (t) => t.id,
    ),
  );
  const surveyIds = [...new Set(input.points.map((p) => p.surveyId).filter((s): s is string => !!s))];
  const surveys = new Set(
    surveyIds.length
      ? (
          await db.execute<{ id: string }>(
            sql`select s.id from surveys s where s.tenant_id = ${scope.tenantId} and ${surveyReadable(scope, sql`s.unit_id`)} and s.id in (${sql.join(
              surveyIds.map((s) => sql`${s}::uuid`),
              sql`, `,
            )})`,
          )
        ).rows.map((r) => r.id)
      : [],
  );
  const unknownSurvey = input.points.findIndex((p) => p.surveyId && !surveys.has(p.surveyId));
  if (unknownSurvey >= 0) throw unknownRef(`body.points.${unknownSurvey}.surveyId`, 'survey');
  input.points.forEach((p, i) => {
    if (!methods.has(p.method)) errors.push({ path: `body.points.${i}.method`, message: `unknown method ${p.method}` });
    if (p.anchor.kind === 'field') {
      const f = fields.get(p.anchor.key);
      if (!f) errors.push({ path: `body.points.${i}.anchor.key`, message: `unknown custom field ${p.anchor.key}` });
      else if (f.type !== 'date')
        errors.push({ path: `body.points.${i}.anchor.key`, message: `${f.label} is not a date field` });
    }
  });
  input.rules.forEach((r, i) => {
    if (r.kind === 'service_type' && !types.has(r.serviceTypeId))
      errors.push({ path: `body.rules.${i}.serviceTypeId`, message: 'service type not found' });
    if (r.kind !== 'service_type' && !fields.has(r.key))
      errors.push({ path: `body.rules.${i}.key`, message: `unknown custom field ${r.key}` });
  });
  if (errors.length) throw new AppError('VALIDATION_FAILED', 'the path template is invalid', { details: errors });
}

async function loadTemplate(db: DbOrTx, scope: TScope, id: string) {
  const [row] = await db
    .select({
      t: followupPathTemplates,
      unitName: orgUnits.name,
      planName: followupPlans.name,
      planStatus: followupPlans.status,
    })
    .from(followupPathTemplates)
    .innerJoin(orgUnits, eq(orgUnits.id, followupPathTemplates.unitId))
    .innerJoin(
      followupPlans,
      and(
        eq(followupPlans.tenantId, followupPathTemplates.tenantId),
        eq(followupPlans.id, followupPathTemplates.planId),
      ),
    )
    .where(and(templateVisible(scope), eq(followupPathTemplates.id, id)));
  return row ?? null;
}

async function versionStats(db: DbOrTx, tenantId: string, templateIds: string[]) {
  const out = new Map<string, { instances: number; tasks: number }>();
  if (!templateIds.length) return out;
  const res = await db.execute<{
    template_id: string;
    n: number;
    tasks: number;
  }>(sql`select template_id, count(*)::int as n, coalesce(sum(tasks), 0)::int as tasks from followup_path_instances
    where tenant_id = ${tenantId} and template_id in (${sql.join(
      templateIds.map((t) => sql`${t}::uuid`),
      sql`, `,
    )}) group by template_id`);
  for (const r of res.rows) out.set(r.template_id, { instances: Number(r.n), tasks: Number(r.tasks) });
  return out;
}

async function currentPoints(db: DbOrTx, tenantId: string, rows: TTemplateRow[]): Promise<Map<string, TPathPoint[]>> {
  const out = new Map<string, TPathPoint[]>();
  if (!rows.length) return out;
  const res = await db.execute<{
    template_id: string;
    points: unknown[];
  }>(sql`select v.template_id, v.points from followup_path_versions v join followup_path_templates t on t.tenant_id = v.tenant_id and t.id = v.template_id and t.current_version = v.version
    where v.tenant_id = ${tenantId} and v.template_id in (${sql.join(
      rows.map((r) => sql`${r.id}::uuid`),
      sql`, `,
    )})`);
  for (const r of res.rows) out.set(r.template_id, parsePoints(r.points));
  return out;
}

function toDto(
  r: { t: TTemplateRow; unitName: string; planName: string; planStatus: string },
  points: TPathPoint[],
  stats: { instances: number; tasks: number } | undefined,
): TPathTemplate {
  return {
    id: r.t.id,
    unitId: r.t.unitId,
    unitName: r.unitName,
    planId: r.t.planId,
    planName: r.planName,
    planStatus: r.planStatus,
    name: r.t.name,
    status: r.t.status as TPathTemplate['status'],
    currentVersion: r.t.currentVersion,
    rules: parseRules(r.t.rules),
    points,
    instances: stats?.instances ?? 0,
    tasks: stats?.tasks ?? 0,
    createdAt: r.t.createdAt.toISOString(),
    updatedAt: r.t.updatedAt.toISOString(),
  };
}

export async function listPathTemplates(
  deps: TDeps,
  scope: TScope,
  q: { page: number; pageSize: number; q?: string | undefined; status?: string | undefined },
) {
  const where = and(
    templateVisible(scope),
    q.status ? eq(followupPathTemplates.status, q.status) : undefined,
    q.q ? sql`${followupPathTemplates.name} ilike ${'%' + q.q.replace(/[\\%_]/g, (c) => `\\${c}`) + '%'}` : undefined,
  );
  const [rows, [total]] = await Promise.all([
    deps.db
      .select({
        t: followupPathTemplates,
        unitName: orgUnits.name,
        planName: followupPlans.name,
        planStatus: followupPlans.status,
      })
      .from(followupPathTemplates)
      .innerJoin(orgUnits, eq(orgUnits.id, followupPathTemplates.unitId))
      .innerJoin(
        followupPlans,
        and(
          eq(followupPlans.tenantId, followupPathTemplates.tenantId),
          eq(followupPlans.id, followupPathTemplates.planId),
        ),
      )
      .where(where)
      .orderBy(desc(followupPathTemplates.createdAt), asc(followupPathTemplates.id))
      .limit(q.pageSize)
      .offset((q.page - 1) * q.pageSize),
    deps.db
      .select({ n: sql<number>`count(*)::int` })
      .from(followupPathTemplates)
      .where(where),
  ]);
  const points = await currentPoints(
    deps.db,
    scope.tenantId,
    rows.map((r) => r.t),
  );
  const stats = await versionStats(
    deps.db,
    scope.tenantId,
    rows.map((r) => r.t.id),
  );
  return toPage(
    rows.map((r) => toDto(r, points.get(r.t.id) ?? [], stats.get(r.t.id))),
    total?.n ?? 0,
    q,
  );
}

export async function getPathTemplate(deps: TDeps, scope: TScope, id: string): Promise<TPathTemplateDetail> {
  const row = await loadTemplate(deps.db, scope, id);
  if (!row) throw notFound('path template');
  const versions = await deps.db.execute<{
    id: string;
    version: number;
    points: unknown[];
    created_at: Date | string;
    tasks: number;
    n: number;
  }>(sql`
    select v.id, v.version, v.points, v.created_at, coalesce(sum(pi.tasks), 0)::int as tasks, count(pi.service_record_id)::int as n
    from followup_path_versions v left join followup_path_instances pi on pi.tenant_id = v.tenant_id and pi.version_id = v.id
    where v.tenant_id = ${scope.tenantId} and v.template_id = ${id} group by v.tenant_id, v.id order by v.version desc`);
  const cur = versions.rows.find((v) => Number(v.version) === row.t.currentVersion);
  const stats = await versionStats(deps.db, scope.tenantId, [id]);
  return {
    ...toDto(row, cur ? parsePoints(cur.points) : [], stats.get(id)),
    versions: versions.rows.map((v) => ({
      id: v.id,
      version: Number(v.version),
      points: parsePoints(v.points),
      createdAt: new Date(v.created_at).toISOString(),
      isInUse: Number(v.tasks) > 0,
      tasks: Number(v.tasks),
    })),
  };
}

export async function createPathTemplate(
  deps: TDeps,
  scope: TScope,
  ctx: TAuditCtx,
  raw: TPathTemplateInput,
): Promise<TPathTemplateDetail> {
  const input = ZPathTemplateInput.parse(raw);
  await checkRefs(deps.db, scope, input);
  const now = deps.clock.now();
  const id = await deps.db.transaction(async (tx) => {
    const [t] = await tx
      .insert(followupPathTemplates)
      .values({
        tenantId: scope.tenantId,
        unitId: scope.unitId,
        planId: input.planId,
        name: input.name,
        status: 'draft',
        currentVersion: 1,
        rules: input.rules,
        createdBy: scope.userId,
        createdAt: now,
        updatedAt: now,
      })
      .returning();
    await tx.insert(followupPathVersions).values({
      tenantId: scope.tenantId,
      templateId: t!.id,
      version: 1,
      points: input.points,
      createdBy: scope.userId,
      createdAt: now,
    });
    await insertAuditEvent(
      tx,
      ctx,
      {
        action: 'followup_path.created',
        entityType: 'followup_path',
        entityId: t!.id,
        unitId: scope.unitId,
        summary: `新建回访路径 ${input.name}`,
        after: input,
      },
      now,
    );
    return t!.id;
  });
  return getPathTemplate(deps, scope, id);
}

/**
 * Edit a template. Name, plan and rules change in place. The points: when the current version has created tasks it is
 * never edited — a new version is made and becomes current (records instantiated from the old one keep their tasks);
 * an unused current version is edited in place. Unchanged points make no version.
 */
export async function updatePathTemplate(
  deps: TDeps,
  scope: TScope,
  ctx: TAuditCtx,
  id: string,
  raw: TPathTemplateInput,
): Promise<TPathTemplateDetail> {
  const input = ZPathTemplateInput.parse(raw);
  const cur = await loadTemplate(deps.db, scope, id);
  if (!cur) throw notFound('path template');
  await checkRefs(deps.db, scope, input);
  const now = deps.clock.now();
  await deps.db.transaction(async (tx) => {
    const [t] = await tx
      .select()
      .from(followupPathTemplates)
      .where(and(eq(followupPathTemplates.tenantId, scope.tenantId), eq(followupPathTemplates.id, id)))
      .for('update');
    const [v] = await tx
      .select()
      .from(followupPathVersions)
      .where(
        and(
          eq(followupPathVersions.tenantId, scope.tenantId),
          eq(followupPathVersions.templateId, id),
          eq(followupPathVersions.version, t!.currentVersion),
        ),
      );
    let version = t!.currentVersion;
    if (canonical(parsePoints(v!.points)) !== canonical(input.points)) {
      const used = await tx.execute(
        sql`select 1 from followup_path_instances where tenant_id = ${scope.tenantId} and version_id = ${v!.id} and tasks > 0 limit 1`,
      );
      if (used.rows.length) {
        version = t!.currentVersion + 1;
        await tx.insert(followupPathVersions).values({
          tenantId: scope.tenantId,
          templateId: id,
          version,
          points: input.points,
          createdBy: scope.userId,
          createdAt: now,
        });
      } else {
        await tx
          .update(followupPathVersions)
          .set({ points: input.points })
          .where(and(eq(followupPathVersions.tenantId, scope.tenantId), eq(followupPathVersions.id, v!.id)));
      }
    }
    await tx
      .update(followupPathTemplates)
      .set({ name: input.name, planId: input.planId, rules: input.rules, currentVersion: version, updatedAt: now })
      .where(and(eq(followupPathTemplates.tenantId, scope.tenantId), eq(followupPathTemplates.id, id)));
    await insertAuditEvent(
      tx,
      ctx,
      {
        action: 'followup_path.updated',
        entityType: 'followup_path',
        entityId: id,
        unitId: t!.unitId,
        summary: `修改回访路径 ${input.name} (版本 ${version})`,
        after: { ...input, version },
      },
      now,
    );
  });
  return getPathTemplate(deps, scope, id);
}

const TRANSITIONS: Record<string, string[]> = {
  draft: ['active', 'retired'],
  active: ['retired'],
  retired: ['active'],
};

/** Activate (new service records get it; the catch-up job applies it to recent ones) or retire (no new instances). */
export async function setPathStatus(
  deps: TDeps,
  scope: TScope,
  ctx: TAuditCtx,
  id: string,
  status: 'active' | 'retired',
): Promise<TPathTemplateDetail> {
  const now = deps.clock.now();
  await deps.db.transaction(async (tx) => {
    const [t] = await tx
      .select()
      .from(followupPathTemplates)
      .where(and(templateVisible(scope), eq(followupPathTemplates.id, id)))
      .for('update');
    if (!t) throw notFound('path template');
    if (!TRANSITIONS[t.status]?.includes(status))
      throw new AppError('CONFLICT', `a ${t.status} path template cannot become ${status}`);
    await tx
      .update(followupPathTemplates)
      .set({ status, updatedAt: now })
      .where(and(eq(followupPathTemplates.tenantId, scope.tenantId), eq(followupPathTemplates.id, id)));
    await insertAuditEvent(
      tx,
      ctx,
      {
        action: 'followup_path.status_changed',
        entityType: 'followup_path',
        entityId: id,
        unitId: t.unitId,
        summary: `回访路径 ${t.name}: ${t.status} → ${status}`,
        before: { status: t.status },
        after: { status },
      },
      now,
    );
  });
  return getPathTemplate(deps, scope, id);
}

/**
 * Instantiate paths for service records: the create hook passes one record (inside its transaction); the catch-up job
 * passes none and takes every record of the last `CATCH_UP_DAYS` without a path (imports, records made while no
 * template was active). One INSERT … SELECT … ON CONFLICT DO NOTHING; a rerun creates nothing.
 */
export const CATCH_UP_DAYS = 400;
export async function instantiatePaths(
  db: DbOrTx,
  ctx: TGenContext,
  opts: { serviceRecordId?: string } = {},
): Promise<{ records: number; tasks: number }> {
  const filter = opts.serviceRecordId
    ? sql`sr.id = ${opts.serviceRecordId}::uuid`
    : sql`sr.occurred_at >= (${ctx.today}::date - ${CATCH_UP_DAYS}::int)::timestamp at time zone ${ctx.timeZone}`;
  const occurrence = opts.serviceRecordId ? `path:${opts.serviceRecordId}` : `path-catch-up:${ctx.today}`;
  // The catch-up joins CTEs to CTEs (thousands of rows, no statistics): the planner guessed a few rows and chose
  // nested loops, quadratic in the records (6,096 records / 17,376 tasks: 2.3 s; without nested loops 0.7 s). For
  // the one-record hook nested loops over index probes are right, so only the catch-up turns them off (this
  // transaction only).
  if (!opts.serviceRecordId) await db.execute(sql`select set_config('enable_nestloop', 'off', true)`);
  // Edits lock their template FOR UPDATE and then decide "in use → new version, else in place". Holding the active
  // templates FOR SHARE (shared among instantiations) before the statement takes its snapshot means an edit either
  // commits first (and the statement sees its points) or waits until these instances exist (and makes a new version).
  await db.execute(
    sql`select id from followup_path_templates where tenant_id = ${ctx.tenantId} and status = 'active' order by id for share`,
  );
  const res = await db.execute<{ records: number; tasks: number }>(instantiateSql(ctx, filter, occurrence));
  if (!opts.serviceRecordId) await db.execute(sql`select set_config('enable_nestloop', 'on', true)`);
  const row = res.rows[0];
  return { records: Number(row?.records ?? 0), tasks: Number(row?.tasks ?? 0) };
}

/** Hook of the service-record create path: instantiate the winning template for the new record (same transaction). */
export async function onServiceRecordCreated(
  deps: TDeps,
  tx: DbOrTx,
  e: { tenantId: string; serviceRecordId: string; actorId: string | null },
): Promise<number> {
  const ctx = await genContext(deps, e.tenantId, e.actorId);
  return (await instantiatePaths(tx, ctx, { serviceRecordId: e.serviceRecordId })).tasks;
}

/** The `followup-paths` job: catch up every tenant with an active template. Idempotent. */
export async function runPathCatchUp(
  deps: TDeps,
  opts: { tenantId?: string } = {},
): Promise<{ records: number; tasks: number }> {
  const tenants = await deps.db.execute<{ tenant_id: string }>(
    sql`select distinct tenant_id from followup_path_templates where status = 'active' ${opts.tenantId ? sql`and tenant_id = ${opts.tenantId}` : sql``}`,
  );
  const total = { records: 0, tasks: 0 };
  for (const { tenant_id } of tenants.rows) {
    const ctx = await genContext(deps, tenant_id, null);
    const r = await deps.db.transaction((tx) => instantiatePaths(tx, ctx));
    total.records += r.records;
    total.tasks += r.tasks;
  }
  return total;
}

/**
 * Which template a service record gets and why: every template of the caller's scope scored against the record (best
 * first, in the tie order), and the points of the template it got (instantiated: that version, with its tasks), would
 * get now, or — with `templateId` — the points that template's current version would give (template page preview).
 */
export async function explainPath(
  deps: TDeps,
  scope: TScope,
  q: { serviceRecordId: string; templateId?: string | undefined },
): Promise<TPathExplain> {
  const ctx = await genContext(deps, scope.tenantId, scope.userId);
  const [rec] = (
    await deps.db.execute<{ id: string; customer_id: string; occurred_at: Date | string; type_name: string }>(sql`
    select sr.id, sr.customer_id, sr.occurred_at, st.name as type_name from service_records sr join service_types st on st.id = sr.service_type_id
    join customers c on c.id = sr.customer_id
    where sr.tenant_id = ${scope.tenantId} and sr.id = ${q.serviceRecordId} and ${ownedVisible(scope, sql`c.owner_id`, sql`c.unit_id`)}`)
  ).rows;
  if (!rec) throw notFound('service record');
  if (q.templateId && !(await loadTemplate(deps.db, scope, q.templateId))) throw notFound('path template');
  const recFilter = sql`sr.id = ${q.serviceRecordId}::uuid`;
  const cands = await deps.db.execute<{
    template_id: string;
    name: string;
    status: string;
    plan_status: string;
    score: number;
    excluded: boolean;
    matched: number[];
    eligible: boolean;
  }>(sql`
    with ${matchCtes(ctx, recFilter, unitVisible(scope, sql`t.unit_id`))}
    select template_id, name, status, plan_status, score, excluded, matched, eligible from ranked
    order by eligible desc, score desc, created_at asc, template_id asc`);
  const candidates = cands.rows.map((c) => ({
    templateId: c.template_id,
    name: c.name,
    status: c.status as TPathExplain['candidates'][number]['status'],
    planStatus: c.plan_status,
    score: Number(c.score),
    excluded: c.excluded,
    matchedRules: (c.matched ?? []).map(Number),
    isEligible: c.eligible,
  }));
  const [inst] = await deps.db
    .select()
    .from(followupPathInstances)
    .where(
      and(
        eq(followupPathInstances.tenantId, scope.tenantId),
        eq(followupPathInstances.serviceRecordId, q.serviceRecordId),
      ),
    );
  let chosen: { templateId: string; versionId: string } | null = null;
  if (q.templateId) {
    const [v] = (
      await deps.db.execute<{
        id: string;
      }>(sql`select v.id from followup_path_versions v join followup_path_templates t on t.tenant_id = v.tenant_id and t.id = v.template_id and v.version = t.current_version
        where t.tenant_id = ${scope.tenantId} and t.id = ${q.templateId}`)
    ).rows;
    chosen = v ? { templateId: q.templateId, versionId: v.id } : null;
  } else if (inst) chosen = { templateId: inst.templateId, versionId: inst.versionId };
  else {
    const w = candidates.find((c) => c.isEligible);
    if (w) {
      const [v] = (
        await deps.db.execute<{
          id: string;
        }>(sql`select v.id from followup_path_versions v join followup_path_templates t on t.tenant_id = v.tenant_id and t.id = v.template_id and v.version = t.current_version
          where t.tenant_id = ${scope.tenantId} and t.id = ${w.templateId}`)
      ).rows;
      chosen = v ? { templateId: w.templateId, versionId: v.id } : null;
    }
  }
  let points: TPathExplain['points'] = [];
  let version: number | null = null;
  if (chosen) {
    const res = await deps.db.execute<{
      no: number;
      pt: TPathPoint;
      version: number;
      anchor_date: string | null;
      from_date: string | null;
      until_date: string | null;
      due_from: Date | string | null;
      due_until: Date | string | null;
      reason: string | null;
      task_id: string | null;
      task_state: string | null;
    }>(sql`
      with ${matchCtes(ctx, recFilter, sql`false`)},
      chosen as (
        select ${q.serviceRecordId}::uuid as sr_id, t.id as template_id, v.id as version_id, v.points, t.plan_id, v.version
        from followup_path_versions v join followup_path_templates t on t.tenant_id = v.tenant_id and t.id = v.template_id
        where v.tenant_id = ${scope.tenantId} and v.id = ${chosen.versionId}
      ),
      ${pointCtes(ctx)}
      select pts.no, pts.pt, (select version from chosen) as version, pts.anchor_date::text, pts.from_date::text, pts.until_date::text, pts.due_from, pts.due_until, pts.reason,
        ft.id as task_id, ft.state as task_state
      from pts left join followup_tasks ft on ft.tenant_id = ${scope.tenantId} and ft.customer_id = pts.customer_id and ft.plan_id = ${inst?.planId ?? null}::uuid
        and ft.occurrence_key = 'path:' || pts.sr_id::text || ':' || pts.no::text
      order by pts.no`);
    version = res.rows[0] ? Number(res.rows[0].version) : null;
    const iso = (d: Date | string | null) => (d ? new Date(d).toISOString() : null);
    points = res.rows.map((r) => {
      const pt = ZPathPoint.parse(r.pt);
      return {
        no: Number(r.no),
        label: pt.label,
        method: pt.method,
        priority: pt.priority,
        skippable: pt.skippable,
        anchorDate: r.anchor_date,
        dueFromDate: r.from_date,
        dueUntilDate: r.until_date,
        dueFrom: iso(r.due_from),
        dueUntil: iso(r.due_until),
        noTaskReason: r.task_id ? null : (r.reason as TPathExplain['points'][number]['noTaskReason']),
        taskId: r.task_id,
        taskState: r.task_state,
      };
    });
  }
  return {
    serviceRecordId: rec.id,
    serviceTypeName: rec.type_name,
    occurredAt: new Date(rec.occurred_at).toISOString(),
    customerId: rec.customer_id,
    candidates,
    templateId: chosen?.templateId ?? null,
    versionId: chosen?.versionId ?? null,
    version,
    isInstantiated: !!inst && (!q.templateId || q.templateId === inst.templateId),
    points,
  };
}

/** Recent service records of the caller's scope (template page preview picker), with the template each got. */
export async function listRecentRecords(deps: TDeps, scope: TScope, q: string | undefined) {
  const like = q ? `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : null;
  const res = await deps.db.execute<{
    id: string;
    type_name: string;
    customer_name: string;
    occurred_at: Date | string;
    custom: Record<string, unknown>;
    template_name: string | null;
  }>(sql`
    select sr.id, st.name as type_name, c.name as customer_name, sr.occurred_at, sr.custom, t.name as template_name
    from service_records sr join service_types st on st.id = sr.service_type_id join customers c on c.id = sr.customer_id
    left join followup_path_instances pi on pi.tenant_id = sr.tenant_id and pi.service_record_id = sr.id
    left join followup_path_templates t on t.tenant_id = pi.tenant_id and t.id = pi.template_id
    where sr.tenant_id = ${scope.tenantId} and ${ownedVisible(scope, sql`c.owner_id`, sql`c.unit_id`)}
      ${like ? sql`and (c.name ilike ${like} or st.name ilike ${like} or sr.id::text = ${q})` : sql``}
    order by sr.occurred_at desc, sr.id limit 50`);
  return res.rows.map((r) => ({
    id: r.id,
    serviceTypeName: r.type_name,
    customerName: maskName(r.customer_name),
    occurredAt: new Date(r.occurred_at).toISOString(),
    custom: r.custom,
    templateName: r.template_name,
  }));
}
