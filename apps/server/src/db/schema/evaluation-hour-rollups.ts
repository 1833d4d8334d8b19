import { date, index, pgTable, smallint, text, unique, uuid } from 'drizzle-orm/pg-core';
import { evaluationMeasures } from './evaluation-rollups.ts';

/**
 * Evaluation figures by local hour (DESIGN §7, the hour cut of 统计分析): per tenant × local day × local hour (0–23,
 * tenant time zone) of `occurred_at` × the keys and measures of `evaluation_rollups`. Kept from the queue the
 * evaluation triggers append to (`evaluation_rollup_pending`, folded by `evaluation_rollups_fold()`; migration
 * `all_rollups_folded`), recomputed by `evaluation_hour_rollups_rebuild()`, which `evaluation_rollups_rebuild()` runs. Owned by modules/evaluations; read through modules/evaluations/hour-rollups.ts.
 * A row counts each evaluation once, in `total` (rated + 未评价) or in `excluded` (the latest exclude/restore decides).
 */
export const evaluationHourRollups = pgTable(
  'evaluation_hour_rollups',
  {
    tenantId: uuid('tenant_id').notNull(),
    day: date('day', { mode: 'string' }).notNull(),
    hour: smallint('hour').notNull(),
    unitId: uuid('unit_id').notNull(),
    counterId: uuid('counter_id'),
    staffId: uuid('staff_id'),
    channel: text('channel').notNull(),
    businessType: text('business_type'),
    ...evaluationMeasures(),
  },
  (t) => [
    unique('evaluation_hour_rollups_key_uq')
      .on(t.tenantId, t.day, t.hour, t.unitId, t.counterId, t.staffId, t.channel, t.businessType)
      .nullsNotDistinct(),
    // Scoped reads, as on evaluation_rollups: a teller's own rows (staff_id), a manager's units (unit_id).
    index('evaluation_hour_rollups_staff_idx').on(t.tenantId, t.staffId, t.day),
    index('evaluation_hour_rollups_unit_idx').on(t.tenantId, t.unitId, t.day),
  ],
);
