import { sql } from 'drizzle-orm';
import { maskName, type TTimelineItem } from '@huifang/shared';
import type { Db } from '../../db/client.ts';
import { customerNotes } from '../../db/schema/index.ts';
import { notFound } from '../../lib/app-error.ts';
import type { TClock } from '../../lib/clock.ts';
import type { TAuditCtx, TScope } from '../../lib/scope.ts';
import { insertAuditEvent } from '../audit/audit.repository.ts';
import { asResponseRef, describeResponses } from '../surveys/survey-answers.ts';
import { findReadableCustomer, findVisibleCustomer } from './customers.repository.ts';

/**
 * Customer 360 timeline: service records, transactions and notes in one chronological list (newest first).
 * Evaluations of every channel join it; follow-ups and tickets in later issues.
 * Each entry carries `params`, the codes and data its title is made of (transaction kind and order no., evaluation
 * channel and rating, follow-up plan and task state, attempt outcome and satisfaction): the web app renders the title
 * from them in the user's language. `title` keeps the Chinese text for API clients (zh-CN renders the same).
 */
export async function getTimeline(
  deps: { db: Db; clock: TClock },
  scope: TScope,
  customerId: string,
  limit = 200,
): Promise<TTimelineItem[]> {
  if (!(await findReadableCustomer(deps.db, scope, customerId, deps.clock.now()))) throw notFound('customer');
  const t = scope.tenantId;
  const res = await deps.db.execute<{
    id: string;
    kind: TTimelineItem['kind'];
    at: Date | string;
    title: string;
    params: Record<string, string | number | null>;
    detail: string | null;
    actor_name: string | null;
    amount_fen: string | number | null;
    answers: unknown;
  }>(sql`
    select * from (
      select sr.id::text, 'service_record' as kind, sr.occurred_at as at, st.name as title, jsonb_build_object('serviceType', st.name) as params, sr.summary as detail, u.display_name as actor_name, null::bigint as amount_fen, null::jsonb as answers
        from service_records sr join service_types st on st.id = sr.service_type_id left join users u on u.id = sr.staff_id
        where sr.tenant_id = ${t} and sr.customer_id = ${customerId}
      union all
      select tr.id::text, 'transaction', tr.occurred_at,
             case tr.kind when 'order' then '订单' when 'return' then '退货' when 'payment' then '回款' else tr.kind end || coalesce(' ' || tr.order_no, ''),
             jsonb_build_object('txKind', tr.kind, 'orderNo', tr.order_no), tr.note, null, tr.amount_fen, null
        from transactions tr where tr.tenant_id = ${t} and tr.customer_id = ${customerId}
      union all
      select n.id::text, 'note', n.created_at, '备注', '{}'::jsonb, n.body, u.display_name, null, null
        from customer_notes n left join users u on u.id = n.author_id
        where n.tenant_id = ${t} and n.customer_id = ${customerId}
      union all
      select e.id::text, 'evaluation', e.occurred_at,
             case e.channel when 'kiosk' then '窗口评价' when 'survey' then '问卷' when 'order_review' then '订单评价'
                            when 'followup' then '回访' else '评价' end
               || ' · ' || coalesce(e.rating_label, e.score || '/5', '未评价'),
             jsonb_build_object('channel', e.channel, 'ratingLabel', e.rating_label, 'score', e.score), e.text, u.display_name, null, e.answers
        from evaluations e left join users u on u.id = e.staff_id
        where e.tenant_id = ${t} and e.customer_id = ${customerId}
      union all
      select ft.id::text, 'followup_task', ft.created_at, '回访任务 · ' || fp.name, jsonb_build_object('planName', fp.name, 'state', ft.state),
             '状态：' || case ft.state when 'pending' then '待回访' when 'in_progress' then '进行中' when 'follow_up' then '跟进'
                                      when 'done' then '已完成' when 'failed' then '失败' when 'cancelled' then '已取消' else ft.state end,
             u.display_name, null, null
        from followup_tasks ft join followup_plans fp on fp.tenant_id = ft.tenant_id and fp.id = ft.plan_id left join users u on u.id = ft.assignee_id
        where ft.tenant_id = ${t} and ft.customer_id = ${customerId}
      union all
      select fa.id::text, 'followup_attempt', fa.at,
             '回访 · ' || case fa.outcome when 'reached' then '已接通' when 'no_answer' then '无人接听' when 'busy' then '占线'
                                         when 'wrong_number' then '号码错误' when 'refused' then '拒绝' when 'replied' then '已回复' else fa.outcome end
               || coalesce(' · 满意度 ' || fa.satisfaction || '/5', ''),
             jsonb_build_object('outcome', fa.outcome, 'satisfaction', fa.satisfaction), fa.notes, u.display_name, null, null
        from followup_attempts fa left join users u on u.id = fa.by_user_id
        where fa.tenant_id = ${t} and fa.customer_id = ${customerId}
    ) x order by at desc limit ${limit}`);
  // Questionnaire answers (a survey response, a follow-up call's questionnaire) in words, from the surveys module.
  const withAnswers = res.rows.flatMap((r) => {
    const ref = r.kind === 'evaluation' ? asResponseRef(r.answers) : null;
    return ref ? [{ id: r.id, ref }] : [];
  });
  const lines = await describeResponses(
    deps.db,
    t,
    withAnswers.map((x) => x.ref),
  );
  const answersOf = new Map(withAnswers.map((x, i) => [x.id, lines[i] ?? []]));
  return res.rows.map((r) => ({
    ...(answersOf.get(r.id)?.length ? { answers: answersOf.get(r.id) } : {}),
    id: r.id,
    kind: r.kind,
    at: new Date(r.at).toISOString(),
    title: r.title,
    params: r.params,
    detail: r.detail,
    actorName: r.actor_name,
    amountFen: r.amount_fen === null ? null : Number(r.amount_fen),
  }));
}

export async function addNote(
  deps: { db: Db; clock: TClock },
  scope: TScope,
  ctx: TAuditCtx,
  customerId: string,
  body: string,
) {
  const c = await findVisibleCustomer(deps.db, scope, customerId);
  if (!c) throw notFound('customer');
  const now = deps.clock.now();
  await deps.db.transaction(async (tx) => {
    await tx
      .insert(customerNotes)
      .values({ tenantId: scope.tenantId, customerId, authorId: scope.userId, body, createdAt: now });
    await insertAuditEvent(
      tx,
      ctx,
      {
        action: 'customer.note_added',
        entityType: 'customer',
        entityId: customerId,
        unitId: c.c.unitId,
        summary: `为客户 ${maskName(c.c.name)} 添加备注`,
      },
      now,
    );
  });
  return getTimeline(deps, scope, customerId);
}
