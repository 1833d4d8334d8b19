import { useQuery } from '@tanstack/react-query';
import { LIFECYCLE_TIERS, type TMe, type TValueConfig } from '@huifang/shared';
import { Select } from 'antd';
import { useTranslation } from 'react-i18next';
import { get } from '../../../api/client.ts';
import { can, useMe } from '../../auth/api.ts';
import type { TAnalysisParams } from '../api.ts';

/**
 * What a customer-value cut (客户分级 / 生命周期 / 规则分类 filter or grouping) cannot be combined with: the value
 * rollup keeps unit, channel and day only, so choosing one clears these.
 */
export const NOT_WITH_VALUE_CUT: TAnalysisParams = {
  staffId: undefined,
  counterId: undefined,
  businessType: undefined,
  surveyId: undefined,
  dimension: undefined,
};

/** The groupings of the customer-value cut. */
export const VALUE_GROUPS: readonly string[] = ['tier', 'lifecycle', 'ruleClass'];

/** Whether the user is offered the value cut: it counts units, so the server refuses it for an `own` scope (a teller). */
export const valueCutAllowed = (me: TMe | null | undefined) => !!me && me.dataScope !== 'own';

/** The filters of the customer-value cut: tier and rule class of the current model, lifecycle. */
export function ValueFilters({ params, set }: { params: TAnalysisParams; set: (changes: TAnalysisParams) => void }) {
  const { t } = useTranslation();
  const me = useMe().data;
  const config = useQuery({
    queryKey: ['value-config'],
    enabled: can(me, 'customer:read'),
    queryFn: () => get<{ version: number; config: TValueConfig }>('/value/config').then((r) => r.config),
  });
  const pick = (k: 'tier' | 'lifecycle' | 'ruleClass') => (v?: string) =>
    set({ [k]: v, ...(v ? NOT_WITH_VALUE_CUT : {}) });
  return (
    <>
      <Select
        placeholder={t('analysis.tier')}
        allowClear
        style={{ width: 130 }}
        value={params.tier}
        onChange={pick('tier')}
        options={(config.data?.percentile.cuts ?? []).map((c) => ({ value: c.key, label: c.label }))}
        data-testid="analysis-tier"
      />
      <Select
        placeholder={t('analysis.lifecycle')}
        allowClear
        style={{ width: 120 }}
        value={params.lifecycle}
        onChange={pick('lifecycle')}
        options={LIFECYCLE_TIERS.map((k) => ({ value: k, label: t(`analysis.lifecycles.${k}`) }))}
        data-testid="analysis-lifecycle"
      />
      <Select
        placeholder={t('analysis.ruleClass')}
        allowClear
        style={{ width: 130 }}
        value={params.ruleClass}
        onChange={pick('ruleClass')}
        options={(config.data?.ruleClasses.classes ?? []).map((c) => ({ value: c.key, label: c.label }))}
      />
    </>
  );
}
