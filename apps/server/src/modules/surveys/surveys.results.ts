import type { Readable, Writable } from 'node:stream';
import { sql, type SQL } from 'drizzle-orm';
import { maskName, type TSurveyResults, type TSurveyResultsQuery } from '@huifang/shared';
import type { Db } from '../../db/client.ts';
import { notFound } from '../../lib/app-error.ts';
import { streamThenAudit } from '../../lib/audited-stream.ts';
import type { TClock } from '../../lib/clock.ts';
import { unitVisible, type TActor, type TAuditCtx, type TScope } from '../../lib/scope.ts';
import { insertAuditEvent } from '../audit/audit.repository.ts';
import { createSpreadsheet, exportFileName } from '../../lib/export-file.ts';
import { tenantTimeZone } from '../../lib/time.ts';
import { surveyRollupFigures } from '../evaluations/survey-rollups.ts';
import { csatShare, npsScore, round1, satisfactionIndex, scoringDimensions } from './survey-maths.ts';
import { choiceLabel } from './survey-answers.ts';
import { findSurvey, findVersion } from './surveys.repository.ts';

/** Responses of a survey the caller may count: those of units in their scope, within the date range and version. */
function responseFilter(scope: TScope, surveyId: string, q: TSurveyResultsQuery): SQL {
  const conds: SQL[] = [
    sql`r.tenant_id = ${scope.tenantId}`,
    sql`r.survey_id = ${surveyId}`,
    unitVisible(scope, sql`r.unit_id`),
  ];
  const tz = sql`(select t.time_zone from tenants t where t.id = ${scope.tenantId})`;
  if (q.from) conds.push(sql`r.submitted_at >= (${q.from}::date)::timestamp at time zone ${tz}`);
  if (q.to) conds.push(sql`r.submitted_at < (${q.to}::date + 1)::timestamp at time zone ${tz}`);
  if (q.version) conds.push(sql`r.version = ${q.version}`);
  return sql.join(conds, sql` and `);
}

/**
 * Results 结果 of one survey (DESIGN §4.2) over the counted responses in scope, from the survey rollups: counts per
 * answer value, dimension means (mean of each response's dimension mean), and the figures from survey-maths.ts. Questions and
 * weights are those of the chosen version, or of the published (else latest) one when all versions are shown;
 * answers are matched to questions by key.
 */
export async function surveyResults(
  deps: { db: Db },
  scope: TScope,
  surveyId: string,
  q: TSurveyResultsQuery,
): Promise<TSurveyResults> {
  const s = await findSurvey(deps.db, scope, surveyId);
  if (!s) throw notFound('survey');
  const version = q.version ?? s.publishedVersion ?? s.latestVersion;
  const v = await findVersion(deps.db, scope.tenantId, surveyId, version);
  if (!v) throw notFound('survey version');
  const def = v.definition;
  const where = responseFilter(scope, surveyId, q);

  // The figures come from the survey rollups (evaluations/survey-rollups.ts: counted responses only, per local day);
  // the free-text answers are listed from the responses themselves. Questions are matched to answers by key.
  const textKeys = def.questions.filter((x) => x.type === 'text').map((x) => x.key);
  const keyList = (keys: string[]) => sql.join(keys.map((k) => sql`${k}`).concat(sql`''`), sql`, `);
  const [figures, texts, invites] = await Promise.all([
    surveyRollupFigures(deps.db, scope, surveyId, q),
    deps.db.execute<{ key: string; text: string; at: Date | string }>(sql`
      select k.key, r.answers ->> k.key as text, r.submitted_at as at
      from survey_responses r cross join unnest(array[${keyList(textKeys)}]::text[]) k(key)
      where ${where} and r.answers ? k.key and length(r.answers ->> k.key) > 0
      order by r.submitted_at desc limit 200`),
    deps.db.execute<{ invitations: number; answered: number }>(sql`
      select count(*)::int as invitations, count(l.used_at)::int as answered
      from survey_invitations i join survey_links l on l.tenant_id = i.tenant_id and l.id = i.link_id
      join customers c on c.id = i.customer_id
      where i.tenant_id = ${scope.tenantId} and i.survey_id = ${surveyId} and ${unitVisible(scope, sql`c.unit_id`)}`),
  ]);
  const isText = new Set(textKeys);
  const answeredOf = new Map(figures.answered.map((a) => [a.key, a.n]));
  const dimMean = new Map(figures.dimensions.map((d) => [d.key, d]));
  const dimensions = scoringDimensions(def).map((d) => ({
    ...d,
    mean: dimMean.has(d.key) ? Math.round(dimMean.get(d.key)!.mean * 100) / 100 : null,
    count: dimMean.get(d.key)?.n ?? 0,
  }));
  const byKey = new Map<string, { value: string; n: number }[]>();
  for (const r of figures.values.filter((x) => !isText.has(x.key)))
    byKey.set(r.key, [...(byKey.get(r.key) ?? []), { value: r.value, n: r.n }]);
  const tally = (types: string[], min: number, max: number) => {
    const out: Record<number, number> = {};
    for (const qq of def.questions.filter((x) => types.includes(x.type))) {
      for (const { value, n } of byKey.get(qq.key) ?? []) {
        const x = Number(value);
        if (Number.isInteger(x) && x >= min && x <= max) out[x] = (out[x] ?? 0) + n;
      }
    }
    return out;
  };
  const hasCsat = def.questions.some((x) => x.type === 'csat');
  const inv = invites.rows[0] ?? { invitations: 0, answered: 0 };

  return {
    // The monthly trend gives the total too (the sum of its months).
    responses: figures.months.reduce((a, m) => a + m.n, 0),
    invitations: inv.invitations,
    invitedResponses: inv.answered,
    responseRate: inv.invitations ? round1((inv.answered / inv.invitations) * 100) : null,
    satisfactionIndex: satisfactionIndex(
      dimensions.map((d) => ({ weight: d.weight, mean: dimMean.get(d.key)?.mean ?? null })),
    ),
    csat: csatShare(tally(hasCsat ? ['csat'] : ['likert', 'rating', 'csat'], 1, 5)),
    nps: npsScore(tally(['nps'], 0, 10)),
    dimensions,
    questions: def.questions
      .filter((x) => x.type !== 'text')
      .map((x) => {
        const rows = byKey.get(x.key) ?? [];
        const scale =
          x.type === 'nps'
            ? [...Array(11).keys()].map(String)
            : ['likert', 'rating', 'csat'].includes(x.type)
              ? ['5', '4', '3', '2', '1']
              : (x.options ?? []).map((o) => o.value);
        const known = new Map(rows.map((r) => [r.value, r.n]));
        const distribution =
          x.type === 'number' || x.type === 'date'
            ? rows
                .sort((a, b) => b.n - a.n)
                .slice(0, 20)
                .map((r) => ({ value: r.value, label: r.value, count: r.n }))
            : scale.map((value) => ({ value, label: choiceLabel(def, x.key, value), count: known.get(value) ?? 0 }));
        const numeric = rows.filter((r) => r.value !== '' && !Number.isNaN(Number(r.value)));
        const total = numeric.reduce((a, r) => a + r.n, 0);
        const isNumeric = ['likert', 'rating', 'csat', 'nps', 'number'].includes(x.type);
        return {
          key: x.key,
          title: x.title,
          type: x.type,
          count: answeredOf.get(x.key) ?? 0,
          mean:
            isNumeric && total
              ? Math.round((numeric.reduce((a, r) => a + Number(r.value) * r.n, 0) / total) * 100) / 100
              : null,
          distribution,
        };
      }),
    texts: texts.rows.map((t) => ({ questionKey: t.key, text: t.text, at: new Date(t.at).toISOString() })),
    trend: figures.months.map((t) => ({
      month: t.month,
      responses: t.n,
      index: t.index === null ? null : round1(t.index),
    })),
  };
}

/** Export the responses in scope as xlsx: one row per response, one column per question; cells formula-safe. Audited. */
export async function exportResults(
  deps: { db: Db; clock: TClock },
  actor: TActor,
  ctx: TAuditCtx,
  surveyId: string,
  q: TSurveyResultsQuery,
): Promise<{ stream: Readable; fileName: string }> {
  const s = await findSurvey(deps.db, actor, surveyId);
  if (!s) throw notFound('survey');
  const v = await findVersion(deps.db, actor.tenantId, surveyId, q.version ?? s.publishedVersion ?? s.latestVersion);
  if (!v) throw notFound('survey version');
  const def = v.definition;
  const canReveal = actor.permissions.has('pii:reveal');
  const where = responseFilter(actor, surveyId, q);
  const timeZone = await tenantTimeZone(deps.db, actor.tenantId);
  let rows = 0;
  const produce = async (out: Writable) => {
    const file = createSpreadsheet(out, 'xlsx', timeZone);
    const dimsOf = scoringDimensions(def);
    const ws = file.addSheet(
      '答卷',
      [
        '提交时间',
        '版本',
        '渠道',
        '客户',
        '单位',
        '满意度指数',
        ...dimsOf.map((d) => d.name),
        ...def.questions.map((x) => x.title),
      ].map((header) => ({ header })),
    );
    let after = '';
    for (;;) {
      const batch = await deps.db.execute<{
        id: string;
        submitted_at: Date | string;
        version: number;
        channel: string;
        customer: string | null;
        unit: string | null;
        index_value: number | null;
        dimension_scores: Record<string, number>;
        answers: Record<string, unknown>;
      }>(sql`
        select r.id, r.submitted_at, r.version, r.channel, c.name as customer, u.name as unit, r.index_value, r.dimension_scores, r.answers
        from survey_responses r left join customers c on c.id = r.customer_id left join org_units u on u.id = r.unit_id
        where ${where} and r.id::text > ${after} order by r.id limit 2000`);
      for (const r of batch.rows) {
        const cells = [
          new Date(r.submitted_at),
          r.version,
          r.channel === 'staff' ? '员工代填' : r.channel === 'followup' ? '回访电话' : '问卷链接',
          r.customer ? (canReveal ? r.customer : maskName(r.customer)) : null,
          r.unit,
          r.index_value,
          ...dimsOf.map((d) => r.dimension_scores[d.key] ?? null),
          ...def.questions.map((x) => {
            const a = r.answers[x.key];
            if (a === undefined) return null;
            if (Array.isArray(a)) return a.map((y) => choiceLabel(def, x.key, String(y))).join('、');
            return ['single', 'likert', 'csat'].includes(x.type) ? choiceLabel(def, x.key, String(a)) : a;
          }),
        ];
        ws.addRow(cells);
      }
      rows += batch.rows.length;
      if (batch.rows.length < 2000) break;
      after = batch.rows.at(-1)!.id;
    }
    await file.finish();
  };
  const audit = () =>
    insertAuditEvent(
      deps.db,
      ctx,
      {
        action: 'survey.results_exported',
        entityType: 'survey',
        entityId: surveyId,
        unitId: s.unitId,
        summary: `导出问卷答卷 ${rows} 条：${s.title}`,
        after: { rows, filters: q },
      },
      deps.clock.now(),
    );
  return {
    stream: streamThenAudit(produce, audit),
    fileName: exportFileName(`survey-${surveyId.slice(0, 8)}`, deps.clock.now(), timeZone, 'xlsx'),
  };
}
