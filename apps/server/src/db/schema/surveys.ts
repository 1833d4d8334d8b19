import { sql } from 'drizzle-orm';
import {
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  real,
  smallint,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { customers } from './customers.ts';
import { orgUnits } from './org.ts';
import { tenants } from './tenants.ts';
import { users } from './users.ts';

/**
 * Surveys 回访问卷 (DESIGN §4.2). A survey has numbered versions; a version's definition (questions, dimensions,
 * skip logic) is frozen once it is published or answered — editing then creates the next version. Responses name
 * their version, so old versions stay readable and results can be cut by version.
 */
export const surveys = pgTable(
  'surveys',
  {
    id: uuid('id').notNull().defaultRandom(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id),
    /** The owning unit: scoping goes by it, and responses without a customer count for it. */
    unitId: uuid('unit_id')
      .notNull()
      .references(() => orgUnits.id),
    title: text('title').notNull(),
    /** draft (never published) | published | closed (links answer "closed"). */
    status: text('status').notNull().default('draft'),
    latestVersion: integer('latest_version').notNull().default(1),
    /** The version links serve; null until first published. */
    publishedVersion: integer('published_version'),
    createdBy: uuid('created_by').references(() => users.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.id] }), index('surveys_unit_idx').on(t.tenantId, t.unitId)],
);

export const surveyVersions = pgTable(
  'survey_versions',
  {
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id),
    surveyId: uuid('survey_id').notNull(),
    version: integer('version').notNull(),
    /** TSurveyDefinition (packages/shared/src/schemas/surveys.ts), validated before it is stored. */
    definition: jsonb('definition').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    publishedAt: timestamp('published_at', { withTimezone: true }),
    publishedBy: uuid('published_by').references(() => users.id),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.surveyId, t.version] })],
);

/**
 * Answer links. `open`: anyone may answer (one response per browser via the client's idempotency key). `personal`:
 * one customer, single use, may expire. Only the SHA-256 of a token is stored (tokens are 256-bit random); the open
 * link's token is also kept in clear because it is meant to be published and shown again in the designer.
 */
export const surveyLinks = pgTable(
  'survey_links',
  {
    id: uuid('id').notNull().defaultRandom(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id),
    surveyId: uuid('survey_id').notNull(),
    kind: text('kind').notNull(),
    tokenHash: text('token_hash').notNull(),
    openToken: text('open_token'),
    customerId: uuid('customer_id').references(() => customers.id, { onDelete: 'cascade' }),
    expiresAt: timestamp('expires_at', { withTimezone: true }),
    usedAt: timestamp('used_at', { withTimezone: true }),
    responseId: uuid('response_id'),
    /** Flags the evaluation of this link's response carries (e.g. 'ticket_callback' for a ticket's callback survey). */
    flags: text('flags')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    createdBy: uuid('created_by').references(() => users.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    // The public page knows only the token: the hash is unique across tenants.
    uniqueIndex('survey_links_token_uq').on(t.tokenHash),
    index('survey_links_survey_idx').on(t.tenantId, t.surveyId, t.kind),
    index('survey_links_customer_idx')
      .on(t.tenantId, t.customerId)
      .where(sql`${t.customerId} is not null`),
  ],
);

/**
 * One row per submitted questionnaire (the evaluation store holds the same response as an evaluation with
 * ref_type 'survey_response'). Per-dimension means (1–5) and the response's own index are computed at submit time.
 */
export const surveyResponses = pgTable(
  'survey_responses',
  {
    id: uuid('id').notNull(),
    /**
     * No foreign keys on tenant_id and unit_id (dropped by migration 0044): the statement-level trigger
     * `survey_responses_refs_ins` checks that the unit is one of the response's tenant (issue 12, speed).
     */
    tenantId: uuid('tenant_id').notNull(),
    surveyId: uuid('survey_id').notNull(),
    version: integer('version').notNull(),
    linkId: uuid('link_id'),
    customerId: uuid('customer_id').references(() => customers.id, { onDelete: 'set null' }),
    unitId: uuid('unit_id').notNull(),
    /** survey (link) | staff (entered by a user on the customer's behalf) */
    channel: text('channel').notNull(),
    enteredBy: uuid('entered_by').references(() => users.id),
    submittedAt: timestamp('submitted_at', { withTimezone: true }).notNull(),
    answers: jsonb('answers').$type<Record<string, unknown>>().notNull(),
    dimensionScores: jsonb('dimension_scores').$type<Record<string, number>>().notNull().default({}),
    /** This response's satisfaction index 0–100 (null without scored answers). */
    indexValue: real('index_value'),
    score: smallint('score'),
    text: text('text'),
    idempotencyKey: text('idempotency_key').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    uniqueIndex('survey_responses_idempotency_uq').on(t.tenantId, t.idempotencyKey),
    index('survey_responses_survey_idx').on(t.tenantId, t.surveyId, t.submittedAt),
  ],
);

/** An e-mail invitation: one personal link per customer, the outbox messages (invitation and reminder) that carry it. */
export const surveyInvitations = pgTable(
  'survey_invitations',
  {
    id: uuid('id').notNull().defaultRandom(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id),
    surveyId: uuid('survey_id').notNull(),
    linkId: uuid('link_id').notNull(),
    customerId: uuid('customer_id')
      .notNull()
      .references(() => customers.id, { onDelete: 'cascade' }),
    email: text('email').notNull(),
    messageId: uuid('message_id'),
    reminderMessageId: uuid('reminder_message_id'),
    createdBy: uuid('created_by').references(() => users.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    index('survey_invitations_survey_idx').on(t.tenantId, t.surveyId),
  ],
);
