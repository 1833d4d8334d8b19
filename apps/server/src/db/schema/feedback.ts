import { sql } from 'drizzle-orm';
import {
  bigserial,
  doublePrecision,
  foreignKey,
  index,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { customers } from './customers.ts';
import { evaluations } from './evaluations.ts';
import { orgUnits } from './org.ts';
import { tenants } from './tenants.ts';
import { users } from './users.ts';

/**
 * Classified feedback 反馈分析 (DESIGN §6): one row per evaluation with free text, written by the feedback module's
 * evaluation-event consumer. The classifier's labels stay as they were computed; a person's correction goes into the
 * `corrected_*` columns (the labels in force are coalesce(corrected_*, *)) and a row of feedback_label_corrections.
 * A trigger on evaluations (same migration) follows a customer merge or erasure: the customer link and, on erasure,
 * the text and keywords are cleared here too.
 */
export const feedbackItems = pgTable(
  'feedback_items',
  {
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id),
    id: uuid('id').notNull().defaultRandom(),
    evaluationId: uuid('evaluation_id').notNull(),
    /** kiosk | survey | order_review | followup | staff — the evaluation's channel. */
    channel: text('channel').notNull(),
    unitId: uuid('unit_id')
      .notNull()
      .references(() => orgUnits.id),
    staffId: uuid('staff_id').references(() => users.id),
    customerId: uuid('customer_id').references(() => customers.id, { onDelete: 'set null' }),
    text: text('text').notNull(),
    /** praise | suggestion | complaint */
    category: text('category').notNull(),
    /** positive | neutral | negative */
    sentiment: text('sentiment').notNull(),
    /** -1 … 1 */
    score: doublePrecision('score').notNull(),
    topics: text('topics').array().notNull().default([]),
    keywords: text('keywords').array().notNull().default([]),
    occurredAt: timestamp('occurred_at', { withTimezone: true }).notNull(),
    classifiedAt: timestamp('classified_at', { withTimezone: true }).notNull(),
    correctedCategory: text('corrected_category'),
    correctedSentiment: text('corrected_sentiment'),
    correctedTopics: text('corrected_topics').array(),
    correctedBy: uuid('corrected_by').references(() => users.id),
    correctedAt: timestamp('corrected_at', { withTimezone: true }),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    uniqueIndex('feedback_items_evaluation_uq').on(t.tenantId, t.evaluationId),
    foreignKey({
      name: 'feedback_items_evaluation_fk',
      columns: [t.tenantId, t.evaluationId],
      foreignColumns: [evaluations.tenantId, evaluations.id],
    }),
    index('feedback_items_occurred_idx').on(t.tenantId, t.occurredAt, t.id),
    index('feedback_items_unit_idx').on(t.tenantId, t.unitId, t.occurredAt),
    index('feedback_items_staff_idx').on(t.tenantId, t.staffId, t.occurredAt),
    index('feedback_items_corrected_idx')
      .on(t.tenantId, t.correctedAt)
      .where(sql`${t.correctedAt} is not null`),
  ],
);

/** Every label correction, append-only (a trigger refuses UPDATE / DELETE / TRUNCATE): who, when, old → new. */
export const feedbackLabelCorrections = pgTable(
  'feedback_label_corrections',
  {
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id),
    /** In order of writing: the history's order (two corrections may share a clock reading). */
    id: bigserial('id', { mode: 'number' }).notNull(),
    itemId: uuid('item_id').notNull(),
    actorId: uuid('actor_id').references(() => users.id),
    at: timestamp('at', { withTimezone: true }).notNull(),
    oldCategory: text('old_category').notNull(),
    oldSentiment: text('old_sentiment').notNull(),
    oldTopics: text('old_topics').array().notNull(),
    newCategory: text('new_category').notNull(),
    newSentiment: text('new_sentiment').notNull(),
    newTopics: text('new_topics').array().notNull(),
    reason: text('reason'),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    foreignKey({
      name: 'feedback_label_corrections_item_fk',
      columns: [t.tenantId, t.itemId],
      foreignColumns: [feedbackItems.tenantId, feedbackItems.id],
    }),
    index('feedback_label_corrections_item_idx').on(t.tenantId, t.itemId, t.at),
  ],
);
