import {
  LIFECYCLE_TIERS,
  UNCLASSIFIED_VALUE,
  VALUE_CUT_KEYS,
  type TAnalysisFilter,
  type TAnalysisQuery,
  type TValueCutKey,
} from '@huifang/shared';
import type { DbOrTx } from '../../db/client.ts';
import { invalidField } from '../../lib/app-error.ts';
import type { TScope } from '../../lib/scope.ts';
import { valueCutRun, type TValueCutRun } from '../evaluations/value-rollups.ts';
import { configVersion } from '../value/value.repository.ts';

/**
 * 统计分析 cut by customer value (issue 15): 客户分级 (percentile tier), 生命周期 (lifecycle), 规则分类 (rule class) of the
 * rating's customer in the tenant's latest finished value run — "how satisfied are our 高价值 customers now". Read from
 * evaluation_value_rollups (modules/evaluations/value-rollups.ts), which keeps unit, channel and day but neither
 * staff, counter nor business type: those filters and cuts cannot be combined with it (400 naming the field).
 */

export const VALUE_GROUPS: readonly TAnalysisQuery['groupBy'][] = VALUE_CUT_KEYS;
export const isValueGroup = (g: TAnalysisQuery['groupBy']): g is TValueCutKey => VALUE_GROUPS.includes(g);
export const hasValueFilter = (q: TAnalysisFilter) => !!(q.tier || q.lifecycle || q.ruleClass);

export const LIFECYCLE_LABELS: Record<(typeof LIFECYCLE_TIERS)[number], string> = {
  high_value: '高价值',
  potential: '潜力',
  ordinary: '普通',
  churned: '流失',
};
export const UNCLASSIFIED_LABEL = '未分级';

/** A value filter or cut asked of a query the value cut cannot answer → 400 naming the field at fault. */
export function assertValueCutQuery(q: TAnalysisQuery, scope: TScope): void {
  const groupField = isValueGroup(q.groupBy) ? 'querystring.groupBy' : `querystring.${firstValueFilter(q)}`;
  if (scope.dataScope === 'own')
    throw invalidField(groupField, 'the customer-value cut counts units, not one person’s own ratings');
  for (const f of ['staffId', 'counterId', 'businessType', 'surveyId', 'dimension'] as const)
    if (q[f]) throw invalidField(`querystring.${f}`, `cannot be combined with a customer-value cut (${groupField})`);
  if (['staff', 'counter', 'businessType', 'hour', 'dimension'].includes(q.groupBy))
    throw invalidField('querystring.groupBy', 'this cut cannot be combined with a customer-value filter');
  if (q.groupBy === 'period' && q.granularity === 'hour')
    throw invalidField('querystring.granularity', 'the customer-value cut is kept by day, not by hour');
}
const firstValueFilter = (q: TAnalysisFilter) => (q.tier ? 'tier' : q.lifecycle ? 'lifecycle' : 'ruleClass');

export interface TValueModel {
  run: TValueCutRun;
  /** Keys in the model's order (tiers best first) with their zh-CN labels. */
  options: Record<TValueCutKey, { key: string; label: string }[]>;
}

/** The cut run and its model's keys and labels; null without a finished run. */
export async function valueModel(db: DbOrTx, tenantId: string): Promise<TValueModel | null> {
  const run = await valueCutRun(db, tenantId);
  if (!run) return null;
  const cfg = await configVersion(db, tenantId, run.modelVersion);
  return {
    run,
    options: {
      tier: cfg.percentile.cuts.map((c) => ({ key: c.key, label: c.label })),
      lifecycle: LIFECYCLE_TIERS.map((k) => ({ key: k, label: LIFECYCLE_LABELS[k] })),
      ruleClass: cfg.ruleClasses.classes.map((c) => ({ key: c.key, label: c.label })),
    },
  };
}

/** Filter values that are not keys of the cut run's model → 400 naming the field. */
export function assertValueKeys(q: TAnalysisFilter, m: TValueModel): void {
  for (const f of VALUE_CUT_KEYS) {
    const v = q[f];
    if (v === UNCLASSIFIED_VALUE)
      throw invalidField(
        `querystring.${f}`,
        '未分级 is a row of the cut (and a filter of the evaluations list), not a filter here',
      );
    if (v && !m.options[f].some((o) => o.key === v))
      throw invalidField(`querystring.${f}`, `not a ${f} of the value model (version ${m.run.modelVersion})`);
  }
}

/** zh-CN label of a value key (the model's label; the key itself if the model has no such key). */
export const valueLabel = (m: TValueModel, f: TValueCutKey, key: string) =>
  m.options[f].find((o) => o.key === key)?.label ?? key;
