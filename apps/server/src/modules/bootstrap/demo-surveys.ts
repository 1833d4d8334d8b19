import crypto from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { TAnswerValue } from '@huifang/shared';
import type { Db } from '../../db/client.ts';
import { surveyInvitations, surveyLinks, surveyResponses, surveys, surveyVersions } from '../../db/schema/index.ts';
import type { TClock } from '../../lib/clock.ts';
import { scoreResponse } from '../surveys/survey-maths.ts';
import { consumerGoodsTemplate } from '../surveys/survey-template.ts';
import { recordEvaluations, type TNewEvaluation } from '../evaluations/evaluations.write.ts';
import { hashToken } from '../surveys/surveys.service.ts';

export const DEMO_SURVEY_TITLE = consumerGoodsTemplate().title;

/** A small seeded PRNG (mulberry32): the demo is the same on every machine. */
function rng(seed: number) {
  let a = seed;
  const next = () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n: number) => Math.floor(next() * n),
    pick: <T>(xs: T[]) => xs[Math.floor(next() * xs.length)]!,
  };
}

/** Mean answer per dimension: 价格 is the weak one; 投诉处理 and 退货处理 lag a little. */
const BASE: Record<string, number> = {
  brand: 4.1,
  quality: 4.2,
  price: 3.3,
  after_sales: 3.9,
  returns: 3.6,
  complaints: 3.5,
  communication: 4.0,
};
const TEXTS = [
  '价格偏高，希望多些优惠活动',
  '售后响应很快，点赞',
  '退货流程太繁琐',
  '产品质量不错，会继续购买',
  '客服态度很好',
  '希望投诉处理能更及时',
  '包装可以更环保',
  '门店服务热情',
  '物流有点慢',
  '促销规则不够清楚',
];

/**
 * Demo survey data: the consumer-goods template survey (owned by HQ, published 18 months ago) with ~2,700 responses
 * over 18 months across the demo outlets — invited customers through personal links (some invitations unanswered)
 * and open-link answers — stored in survey_responses and the evaluation store alike. Patterns: 价格 is the weak
 * dimension, one outlet trails, satisfaction dips around the Spring Festival (Jan–Feb) and recovers by summer.
 * Rows are computed with the real scoring code and inserted in multi-row batches.
 */
export async function loadDemoSurveys(deps: { db: Db; clock: TClock }, tenantId: string): Promise<number> {
  const exists = await deps.db.execute<{ n: number }>(
    sql`select count(*)::int as n from surveys where tenant_id = ${tenantId} and title = ${DEMO_SURVEY_TITLE}`,
  );
  if ((exists.rows[0]?.n ?? 0) > 0) return 0;
  const root = await deps.db.execute<{ id: string }>(
    sql`select id from org_units where tenant_id = ${tenantId} and parent_id is null`,
  );
  const rootId = root.rows[0]?.id;
  if (!rootId) return 0;
  const customerRows = await deps.db.execute<{ id: string; unit_id: string }>(sql`
    select c.id, c.unit_id from customers c join org_units u on u.id = c.unit_id
    where c.tenant_id = ${tenantId} and u.type = 'outlet' order by c.id`);
  const byOutlet = new Map<string, string[]>();
  for (const c of customerRows.rows) byOutlet.set(c.unit_id, [...(byOutlet.get(c.unit_id) ?? []), c.id]);
  const outlets = [...byOutlet.keys()].sort();
  if (outlets.length === 0) return 0;
  const weakOutlet = outlets[outlets.length - 1];

  const def = consumerGoodsTemplate();
  const now = deps.clock.now();
  const start = new Date(now.getTime() - 548 * 86_400_000);
  const r = rng(2026);
  const surveyId = crypto.randomUUID();
  const responses: (typeof surveyResponses.$inferInsert)[] = [];
  const evals: TNewEvaluation[] = [];
  const links: (typeof surveyLinks.$inferInsert)[] = [];
  const invites: (typeof surveyInvitations.$inferInsert)[] = [];
  const answered = new Set<string>();

  for (let day = 0; day < 548; day++) {
    const date = new Date(start.getTime() + day * 86_400_000);
    const month = new Date(date.getTime() + 8 * 3_600_000).getUTCMonth() + 1;
    const season = month === 1 || month === 2 ? -0.45 : month === 3 ? -0.15 : 0;
    for (const outlet of outlets) {
      // ~0.8 responses per outlet and day, plus invitations nobody answered
      const n = r.next() < 0.8 ? 1 : 0;
      const pool = byOutlet.get(outlet)!;
      for (let k = 0; k < n + (r.next() < 0.45 ? 1 : 0); k++) {
        const customerId = r.pick(pool);
        const isAnswer = k < n;
        const at = new Date(date.getTime() + (1 + r.int(12)) * 3_600_000 + r.int(3_600_000));
        const linkId = crypto.randomUUID();
        const responseId = crypto.randomUUID();
        const open = isAnswer && r.next() < 0.15; // some answer through the open link instead
        if (!open) {
          const invitedAt = new Date(at.getTime() - (1 + r.int(3)) * 86_400_000);
          links.push({
            id: linkId,
            tenantId,
            surveyId,
            kind: 'personal',
            tokenHash: crypto.randomBytes(32).toString('hex'),
            customerId,
            expiresAt: new Date(invitedAt.getTime() + 14 * 86_400_000),
            usedAt: isAnswer ? at : null,
            responseId: isAnswer ? responseId : null,
            createdAt: invitedAt,
          });
          invites.push({
            tenantId,
            surveyId,
            linkId,
            customerId,
            email: `demo.${customerId.slice(0, 8)}@example.cn`,
            createdAt: invitedAt,
          });
        }
        if (!isAnswer) continue;
        const shift = season + (outlet === weakOutlet ? -0.3 : 0) + (r.next() - 0.5) * 0.8;
        const answers: Record<string, TAnswerValue> = {};
        const hadReturn = r.next() < 0.3;
        const hadComplaint = r.next() < 0.18;
        for (const q of def.questions) {
          if (q.type === 'likert') {
            if (q.dimensionKey === 'returns' && !hadReturn) continue;
            if (q.dimensionKey === 'complaints' && !hadComplaint) continue;
            const v = BASE[q.dimensionKey!]! + shift + (r.next() + r.next() - 1) * 1.3;
            answers[q.key] = Math.max(1, Math.min(5, Math.round(v)));
          }
        }
        answers.had_return = hadReturn ? 'yes' : 'no';
        answers.had_complaint = hadComplaint ? 'yes' : 'no';
        const scored0 = scoreResponse(def, answers);
        answers.nps = Math.max(0, Math.min(10, Math.round(((scored0.index ?? 70) - 40) / 6 + (r.next() - 0.5) * 3)));
        if (r.next() < 0.2) answers.suggestion = r.pick(TEXTS);
        const s = scoreResponse(def, answers);
        const unitId = open ? rootId : outlet;
        const key = `survey:demo:${responseId}`;
        answered.add(responseId);
        responses.push({
          id: responseId,
          tenantId,
          surveyId,
          version: 1,
          linkId: open ? null : linkId,
          customerId: open ? null : customerId,
          unitId,
          channel: 'survey',
          submittedAt: at,
          answers,
          dimensionScores: s.dimensions,
          indexValue: s.index,
          score: s.score,
          text: s.text,
          idempotencyKey: key,
        });
        evals.push({
          tenantId,
          channel: 'survey',
          occurredAt: at,
          receivedAt: at,
          unitId,
          customerId: open ? null : customerId,
          refType: 'survey_response',
          refId: responseId,
          sourceType: 'link',
          sourceId: open ? null : linkId,
          score: s.score,
          dimensions: s.dimensions,
          answers: { surveyId, version: 1, answers },
          text: s.text,
          idempotencyKey: key,
          event: { isBackfill: true },
        });
      }
    }
  }

  await deps.db.transaction(async (tx) => {
    await tx.insert(surveys).values({
      id: surveyId,
      tenantId,
      unitId: rootId,
      title: def.title,
      status: 'published',
      latestVersion: 1,
      publishedVersion: 1,
      createdAt: start,
      updatedAt: start,
    });
    await tx
      .insert(surveyVersions)
      .values({ tenantId, surveyId, version: 1, definition: def, createdAt: start, publishedAt: start });
    const openToken = crypto.randomBytes(32).toString('base64url');
    await tx
      .insert(surveyLinks)
      .values({ tenantId, surveyId, kind: 'open', tokenHash: hashToken(openToken), openToken, createdAt: start });
    const batch = async <T>(rows: T[], insert: (chunk: T[]) => Promise<unknown>) => {
      for (let i = 0; i < rows.length; i += 500) await insert(rows.slice(i, i + 500));
    };
    await batch(links, (c) => tx.insert(surveyLinks).values(c));
    await batch(invites, (c) => tx.insert(surveyInvitations).values(c));
    await batch(responses, (c) => tx.insert(surveyResponses).values(c));
    await batch(evals, (c) => recordEvaluations(tx, c));
  });
  return responses.length;
}
