import { sql, type SQL } from 'drizzle-orm';
import {
  FEEDBACK_CATEGORIES,
  FEEDBACK_SENTIMENTS,
  type TEvaluationChannel,
  type TFeedbackCategory,
  type TFeedbackCorrection,
  type TFeedbackItem,
  type TFeedbackLabels,
  type TFeedbackListQuery,
  type TFeedbackSentiment,
  type TFeedbackSummary,
  type TFeedbackSummaryQuery,
} from '@huifang/shared';
import type { DbOrTx } from '../../db/client.ts';
import { invalidField } from '../../lib/app-error.ts';
import { likeEscape, pageOffset, toPage } from '../../lib/pagination.ts';
import { redactPiiText } from '../../lib/redact.ts';
import { ownedVisible, pgArray, type TScope } from '../../lib/scope.ts';

/** A stored feedback item as the consumer writes it. */
export interface TNewFeedbackItem {
  tenantId: string;
  evaluationId: string;
  channel: TEvaluationChannel;
  unitId: string;
  staffId: string | null;
  customerId: string | null;
  text: string;
  labels: TFeedbackLabels;
  occurredAt: Date;
}

/** Insert the item of an evaluation, classified now; nothing when it is already there (returns null then). */
export async function insertFeedbackItem(tx: DbOrTx, item: TNewFeedbackItem): Promise<{ id: string } | null> {
  const res = await tx.execute<{ id: string }>(sql`
    insert into feedback_items (tenant_id, evaluation_id, channel, unit_id, staff_id, customer_id, text, category,
                                sentiment, score, topics, keywords, occurred_at, classified_at)
    values (${item.tenantId}, ${item.evaluationId}, ${item.channel}, ${item.unitId}, ${item.staffId}, ${item.customerId},
            ${item.text}, ${item.labels.category}, ${item.labels.sentiment}, ${item.labels.score},
            ${pgArray(item.labels.topics, 'text')}, ${pgArray(item.labels.keywords, 'text')}, ${item.occurredAt}, now())
    on conflict (tenant_id, evaluation_id) do nothing
    returning id`);
  return res.rows[0] ?? null;
}

/** Staff with `own` scope see the feedback on their own service; wider scopes that of visible units. */
const visible = (scope: TScope) =>
  sql`fi.tenant_id = ${scope.tenantId} and ${ownedVisible(scope, sql`fi.staff_id`, sql`fi.unit_id`)}`;

/** The labels in force: a person's correction where there is one. */
const CATEGORY = sql`coalesce(fi.corrected_category, fi.category)`;
const SENTIMENT = sql`coalesce(fi.corrected_sentiment, fi.sentiment)`;
const TOPICS = sql`coalesce(fi.corrected_topics, fi.topics)`;

type TRow = {
  id: string;
  evaluation_id: string;
  channel: TEvaluationChannel;
  unit_id: string;
  unit_name: string | null;
  staff_id: string | null;
  staff_name: string | null;
  customer_id: string | null;
  text: string;
  occurred_at: Date | string;
  classified_at: Date | string;
  category: TFeedbackCategory;
  sentiment: TFeedbackSentiment;
  score: number;
  topics: string[];
  keywords: string[];
  corrected_category: TFeedbackCategory | null;
  corrected_sentiment: TFeedbackSentiment | null;
  corrected_topics: string[] | null;
  corrected_by: string | null;
  corrected_by_name: string | null;
  corrected_at: Date | string | null;
};

const iso = (d: Date | string) => new Date(d).toISOString();

/**
 * A row as the API shows it. Free text may hold a phone number, ID number or e-mail typed by the customer: masked
 * unless the reader may reveal personal data (then the keywords a mask hid are left out too).
 */
const toItem = (r: TRow, canReveal: boolean): TFeedbackItem => {
  const text = canReveal ? r.text : redactPiiText(r.text);
  const keywords = text === r.text ? r.keywords : r.keywords.filter((k) => text.includes(k));
  return {
    id: r.id,
    evaluationId: r.evaluation_id,
    channel: r.channel,
    unitId: r.unit_id,
    unitName: r.unit_name,
    staffId: r.staff_id,
    staffName: r.staff_name,
    customerId: r.customer_id,
    text,
    occurredAt: iso(r.occurred_at),
    classifiedAt: iso(r.classified_at),
    category: r.corrected_category ?? r.category,
    sentiment: r.corrected_sentiment ?? r.sentiment,
    topics: r.corrected_topics ?? r.topics,
    model: { category: r.category, sentiment: r.sentiment, score: r.score, topics: r.topics, keywords },
    isCorrected: r.corrected_at !== null,
    correctedById: r.corrected_by,
    correctedByName: r.corrected_by_name,
    correctedAt: r.corrected_at === null ? null : iso(r.corrected_at),
  };
};

const SELECT = sql`
  select fi.id, fi.evaluation_id, fi.channel, fi.unit_id, u.name as unit_name, fi.staff_id, s.display_name as staff_name,
         fi.customer_id, fi.text, fi.occurred_at, fi.classified_at, fi.category, fi.sentiment, fi.score, fi.topics,
         fi.keywords, fi.corrected_category, fi.corrected_sentiment, fi.corrected_topics, fi.corrected_by,
         cb.display_name as corrected_by_name, fi.corrected_at
  from feedback_items fi
  left join org_units u on u.tenant_id = fi.tenant_id and u.id = fi.unit_id
  left join users s on s.tenant_id = fi.tenant_id and s.id = fi.staff_id
  left join users cb on cb.tenant_id = fi.tenant_id and cb.id = fi.corrected_by`;

/** Filters shared by the list and the summary: unit subtree and period. */
function scopeFilters(scope: TScope, q: TFeedbackSummaryQuery): SQL[] {
  const conds: SQL[] = [visible(scope)];
  if (q.unitId)
    conds.push(
      sql`fi.unit_id in (select ou.id from org_units ou where ou.tenant_id = ${scope.tenantId} and ou.path like (select p.path from org_units p where p.id = ${q.unitId} and p.tenant_id = ${scope.tenantId}) || '%')`,
    );
  if (q.from) conds.push(sql`fi.occurred_at >= ${new Date(q.from)}`);
  if (q.to) conds.push(sql`fi.occurred_at < ${new Date(q.to)}`);
  return conds;
}

const SORTS: Record<string, SQL> = {
  occurredAt: sql`fi.occurred_at`,
  score: sql`fi.score`,
  correctedAt: sql`fi.corrected_at`,
};

export async function listFeedbackItems(db: DbOrTx, scope: TScope, q: TFeedbackListQuery, canReveal: boolean) {
  const conds = scopeFilters(scope, q);
  if (q.category) conds.push(sql`${CATEGORY} = ${q.category}`);
  if (q.sentiment) conds.push(sql`${SENTIMENT} = ${q.sentiment}`);
  if (q.topic) conds.push(sql`${q.topic} = any(${TOPICS})`);
  if (q.corrected) conds.push(q.corrected === 'true' ? sql`fi.corrected_at is not null` : sql`fi.corrected_at is null`);
  if (q.q) {
    // The texts are shown masked to such a reader: a search must not confirm the digits a mask hides.
    if (!canReveal && /\d{4}/.test(q.q))
      throw invalidField('querystring.q', 'searching for digits in feedback texts needs pii:reveal');
    conds.push(sql`fi.text ilike ${'%' + likeEscape(q.q) + '%'}`);
  }
  let order = sql`fi.occurred_at desc, fi.id desc`;
  if (q.sort) {
    const isDesc = q.sort.startsWith('-');
    const key = isDesc ? q.sort.slice(1) : q.sort;
    const column = SORTS[key];
    if (!column)
      throw invalidField('querystring.sort', `cannot sort by ${key}; allowed: ${Object.keys(SORTS).join(', ')}`);
    order = sql`${column} ${sql.raw(isDesc ? 'desc nulls last' : 'asc nulls last')}, fi.id desc`;
  }
  const where = sql.join(conds, sql` and `);
  const [rows, count] = await Promise.all([
    db.execute<TRow>(sql`${SELECT} where ${where} order by ${order} limit ${q.pageSize} offset ${pageOffset(q)}`),
    db.execute<{ n: number }>(sql`select count(*)::int as n from feedback_items fi where ${where}`),
  ]);
  return toPage(
    rows.rows.map((r) => toItem(r, canReveal)),
    count.rows[0]?.n ?? 0,
    q,
  );
}

/** One item in the caller's scope, or null; `forUpdate` locks the row (a correction). */
export async function findFeedbackItem(db: DbOrTx, scope: TScope, id: string, canReveal: boolean, forUpdate = false) {
  const res = await db.execute<TRow>(
    sql`${SELECT} where ${visible(scope)} and fi.id = ${id} ${forUpdate ? sql`for update of fi` : sql``}`,
  );
  const row = res.rows[0];
  return row ? toItem(row, canReveal) : null;
}

export async function listLabelCorrections(db: DbOrTx, tenantId: string, itemId: string) {
  const res = await db.execute<{
    id: string;
    at: Date | string;
    actor_id: string | null;
    actor_name: string | null;
    old_category: TFeedbackCategory;
    old_sentiment: TFeedbackSentiment;
    old_topics: string[];
    new_category: TFeedbackCategory;
    new_sentiment: TFeedbackSentiment;
    new_topics: string[];
    reason: string | null;
  }>(sql`
    select c.id::text, c.at, c.actor_id, u.display_name as actor_name, c.old_category, c.old_sentiment, c.old_topics,
           c.new_category, c.new_sentiment, c.new_topics, c.reason
    from feedback_label_corrections c left join users u on u.tenant_id = c.tenant_id and u.id = c.actor_id
    where c.tenant_id = ${tenantId} and c.item_id = ${itemId}
    order by c.id`);
  return res.rows.map((c): TFeedbackCorrection => ({
    id: c.id,
    at: iso(c.at),
    actorId: c.actor_id,
    actorName: c.actor_name,
    old: { category: c.old_category, sentiment: c.old_sentiment, topics: c.old_topics },
    new: { category: c.new_category, sentiment: c.new_sentiment, topics: c.new_topics },
    reason: c.reason,
  }));
}

type TLabelSet = { category: TFeedbackCategory; sentiment: TFeedbackSentiment; topics: string[] };

/** Set the corrected labels of an item and append the history row, in the caller's transaction. */
export async function writeLabelCorrection(
  tx: DbOrTx,
  c: {
    tenantId: string;
    itemId: string;
    actorId: string;
    at: Date;
    old: TLabelSet;
    new: TLabelSet;
    reason: string | null;
  },
): Promise<void> {
  await tx.execute(sql`
    update feedback_items
       set corrected_category = ${c.new.category}, corrected_sentiment = ${c.new.sentiment},
           corrected_topics = ${pgArray(c.new.topics, 'text')}, corrected_by = ${c.actorId}, corrected_at = ${c.at}
     where tenant_id = ${c.tenantId} and id = ${c.itemId}`);
  await tx.execute(sql`
    insert into feedback_label_corrections (tenant_id, item_id, actor_id, at, old_category, old_sentiment, old_topics,
                                            new_category, new_sentiment, new_topics, reason)
    values (${c.tenantId}, ${c.itemId}, ${c.actorId}, ${c.at}, ${c.old.category}, ${c.old.sentiment},
            ${pgArray(c.old.topics, 'text')}, ${c.new.category}, ${c.new.sentiment}, ${pgArray(c.new.topics, 'text')},
            ${c.reason})`);
}

/** Counts per category / sentiment / topic (labels in force) and how many were corrected, in the caller's scope. */
export async function summarizeFeedback(
  db: DbOrTx,
  scope: TScope,
  q: TFeedbackSummaryQuery,
): Promise<TFeedbackSummary> {
  const where = sql.join(scopeFilters(scope, q), sql` and `);
  const [totals, history, topics] = await Promise.all([
    db.execute<{ category: string; sentiment: string; n: number; corrected: number }>(sql`
      select ${CATEGORY} as category, ${SENTIMENT} as sentiment, count(*)::int as n,
             count(fi.corrected_at)::int as corrected
      from feedback_items fi where ${where}
      group by 1, 2`),
    db.execute<{ n: number }>(sql`
      select count(*)::int as n
      from feedback_label_corrections c
      join feedback_items fi on fi.tenant_id = c.tenant_id and fi.id = c.item_id
      where c.tenant_id = ${scope.tenantId} and ${where}`),
    db.execute<{ topic: string; n: number }>(sql`
      select t.topic, count(*)::int as n
      from feedback_items fi cross join lateral unnest(${TOPICS}) as t(topic)
      where ${where}
      group by t.topic order by count(*) desc, t.topic`),
  ]);
  const byCategory = Object.fromEntries(FEEDBACK_CATEGORIES.map((c) => [c, 0])) as Record<TFeedbackCategory, number>;
  const bySentiment = Object.fromEntries(FEEDBACK_SENTIMENTS.map((s) => [s, 0])) as Record<TFeedbackSentiment, number>;
  let total = 0;
  let corrected = 0;
  for (const r of totals.rows) {
    total += r.n;
    corrected += r.corrected;
    byCategory[r.category as TFeedbackCategory] += r.n;
    bySentiment[r.sentiment as TFeedbackSentiment] += r.n;
  }
  return {
    total,
    byCategory,
    bySentiment,
    byTopic: topics.rows.map((r) => ({ topic: r.topic, count: r.n })),
    corrected,
    correctionRate: total ? Math.round((corrected / total) * 1e4) / 1e4 : 0,
    corrections: history.rows[0]?.n ?? 0,
  };
}
