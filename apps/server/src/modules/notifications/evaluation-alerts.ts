import { sql } from 'drizzle-orm';
import { NEGATIVE_SCORE_MAX_DEFAULT, type TEvaluationChannel } from '@huifang/shared';
import type { DbOrTx } from '../../db/client.ts';
import type { TEvaluationConsumer } from '../evaluations/evaluation-events.ts';
import { getNegativeScoreMax } from '../settings/evaluation-policy.service.ts';
import { findUnitManagers, notify } from './notifications.service.ts';
import { smsOutletHeads, UNSATISFIED_SMS_TEMPLATE } from './outlet-head-sms.ts';

/**
 * Alerts about evaluations. A negative evaluation is alerted by a consumer of the evaluation events
 * (`negativeEvaluationAlerts`, registered in evaluations/evaluation-consumers.ts), so a 差评 from any channel — kiosk,
 * survey link (open and personal), staff entry, follow-up call, order review (buyer link and shop API) — reaches the
 * same people the same way, exactly once. Appeal alerts are written in the transaction of the appeal.
 */

export const CHANNEL_NAMES: Record<TEvaluationChannel, string> = {
  kiosk: '窗口评价',
  survey: '问卷',
  order_review: '订单评价',
  followup: '回访',
  staff: '员工代填问卷',
};

/** The drawer of one evaluation on the evaluations page (评价记录 honours `open`). */
export const evaluationLink = (evaluationId: string) => `/evaluations?open=${evaluationId}`;

/**
 * Negative 差评 / 不满意: an overall score at most the tenant's 不满意提醒阈值 `negativeScoreMax` (1–4 out of 5, default
 * 2), a rating labelled 不满意, or the lowest option a channel offers (a kiosk whose keys are scored 5/4/3 still has a
 * 不满意 key) — the last two whatever the threshold.
 */
export function isNegativeEvaluation(
  e: {
    score: number | null;
    ratingLabel?: string | null;
    isLowestOption?: boolean;
  },
  negativeScoreMax: number = NEGATIVE_SCORE_MAX_DEFAULT,
): boolean {
  return (
    (e.score !== null && e.score <= negativeScoreMax) ||
    Boolean(e.ratingLabel?.includes('不满意')) ||
    Boolean(e.isLowestOption && e.score !== null)
  );
}

export interface TEvaluationFacts {
  tenantId: string;
  evaluationId: string;
  channel: TEvaluationChannel;
  /** The unit the evaluation counts for: its managers (or the nearest ones above) are told. */
  unitId: string;
  counterId?: string | null;
  staffId?: string | null;
  score: number | null;
  ratingLabel?: string | null;
  text?: string | null;
  isLowestOption?: boolean;
  at: Date;
  /** When the customer rated (the SMS names it); `at` when not given. */
  occurredAt?: Date;
  /** The tenant's 不满意提醒阈值 (scores at most this alert); the default 2 when not given. */
  negativeScoreMax?: number;
}

export async function names(
  tx: DbOrTx,
  e: { tenantId: string; unitId: string; counterId?: string | null; staffId?: string | null },
) {
  const res = await tx.execute<{
    unit: string | null;
    counter: string | null;
    staff: string | null;
    staff_no: string | null;
  }>(sql`
    select (select name from org_units where tenant_id = ${e.tenantId} and id = ${e.unitId}) as unit,
           (select name from org_units where tenant_id = ${e.tenantId} and id = ${e.counterId ?? null}::uuid) as counter,
           (select display_name from users where tenant_id = ${e.tenantId} and id = ${e.staffId ?? null}::uuid) as staff,
           (select staff_no from users where tenant_id = ${e.tenantId} and id = ${e.staffId ?? null}::uuid) as staff_no`);
  const r = res.rows[0];
  const who = r?.staff ? `${r.staff}${r.staff_no ? `（${r.staff_no}）` : ''}` : null;
  return { unit: r?.unit ?? '', counter: r?.counter ?? null, who };
}

/**
 * A negative evaluation notifies the managers responsible for its unit — the users holding `evaluation:manage` at the
 * unit or the nearest unit above it that has any (an outlet's manager before the branch's) — in the app, and the
 * outlet heads among them who have a mobile number by SMS (outlet-head-sms.ts). Returns how many were told in the app
 * (0 for an evaluation that is not negative).
 */
export async function alertNegativeEvaluation(tx: DbOrTx, e: TEvaluationFacts): Promise<number> {
  if (!isNegativeEvaluation(e, e.negativeScoreMax)) return 0;
  const managers = await findUnitManagers(tx, e.tenantId, e.unitId);
  if (managers.length === 0) return 0;
  const n = await names(tx, e);
  const label = e.ratingLabel ?? '不满意';
  const rating = e.ratingLabel ?? `${e.score}/5`;
  const text = e.text?.trim() ? `：${e.text.trim().slice(0, 120)}` : '';
  // The outlet head's SMS 短信 (DESIGN §4.1), once per evaluation and head whatever replays the event.
  await smsOutletHeads(tx, {
    tenantId: e.tenantId,
    unitId: e.unitId,
    template: UNSATISFIED_SMS_TEMPLATE,
    values: { 窗口: n.counter ?? '', 员工: n.who ?? '', 评价: rating },
    at: e.at,
    occurredAt: e.occurredAt,
    refType: 'evaluation_unsatisfied',
    refId: e.evaluationId,
    dedupeKey: `evaluation_unsatisfied:${e.evaluationId}`,
  });
  return notify(tx, {
    tenantId: e.tenantId,
    userIds: managers,
    kind: 'evaluation.unsatisfied',
    title: `${label}：${n.unit}${n.counter ? ` ${n.counter}` : ''}`,
    body: `${CHANNEL_NAMES[e.channel]}${n.who ? ` · ${n.who} 的服务` : ''}收到「${rating}」评价${text}`,
    link: evaluationLink(e.evaluationId),
    at: e.at,
  });
}

/**
 * The event consumer: every `recorded` event of a negative evaluation alerts once (the consumer's marker, written in
 * the same transaction as the notifications, makes a replay a no-op). Loaded history (`isBackfill`) alerts nobody.
 * The tenant's 不满意提醒阈值 in force when the consumer handles the event decides (read once per tenant and run of
 * the consumer), not the one when the evaluation was recorded: an event still pending when the admin changes the
 * threshold is judged by the new one, and an event already handled is not judged again.
 */
export const negativeEvaluationAlerts: TEvaluationConsumer = {
  name: 'negative-evaluation-alerts',
  kinds: ['recorded'],
  skipsBackfill: true,
  handle: async (tx, ev, run) => {
    const negativeScoreMax = await run.memo(`negativeScoreMax:${ev.tenantId}`, () =>
      getNegativeScoreMax(tx, ev.tenantId),
    );
    await alertNegativeEvaluation(tx, {
      tenantId: ev.tenantId,
      evaluationId: ev.evaluationId,
      channel: ev.evaluation.channel,
      unitId: ev.evaluation.unitId,
      counterId: ev.evaluation.counterId,
      staffId: ev.evaluation.staffId,
      score: ev.evaluation.score,
      ratingLabel: ev.evaluation.ratingLabel,
      text: ev.evaluation.text,
      isLowestOption: ev.payload.isLowestOption === true,
      at: ev.at,
      occurredAt: ev.evaluation.occurredAt,
      negativeScoreMax,
    });
  },
};

/** An appeal 申诉 notifies the managers who can decide it (evaluation:manage at the evaluation's unit or nearest above). */
export async function alertAppeal(
  tx: DbOrTx,
  e: { tenantId: string; evaluationId: string; unitId: string; staffId: string; reason: string; at: Date },
): Promise<number> {
  const managers = (await findUnitManagers(tx, e.tenantId, e.unitId)).filter((id) => id !== e.staffId);
  if (managers.length === 0) return 0;
  const n = await names(tx, e);
  return notify(tx, {
    tenantId: e.tenantId,
    userIds: managers,
    kind: 'evaluation.appealed',
    title: `评价申诉待处理：${n.unit}`,
    body: `${n.who ?? ''} 申诉：${e.reason.slice(0, 120)}`,
    link: evaluationLink(e.evaluationId),
    at: e.at,
  });
}

/** The decision on an appeal notifies the staff member who appealed: upheld (the rating is excluded) or rejected. */
export async function alertAppealDecision(
  tx: DbOrTx,
  e: { tenantId: string; evaluationId: string; staffId: string; isUpheld: boolean; reason: string; at: Date },
): Promise<number> {
  return notify(tx, {
    tenantId: e.tenantId,
    userIds: [e.staffId],
    kind: 'evaluation.appeal_decided',
    title: e.isUpheld ? '申诉已通过：该评价已剔除，不计入统计' : '申诉已驳回',
    body: e.reason.slice(0, 120),
    link: evaluationLink(e.evaluationId),
    at: e.at,
  });
}
