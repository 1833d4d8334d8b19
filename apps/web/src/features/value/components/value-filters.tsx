import { LIFECYCLE_TIERS } from '@huifang/shared';
import { Select } from 'antd';
import { useTranslation } from 'react-i18next';
import { useValueConfig } from '../api.ts';

/** The customer list's value filters (latest recompute run): percentile tier, rule class, lifecycle. */
export function ValueFilters(props: {
  values: { valueTier?: string; valueClass?: string; valueLifecycle?: string };
  onChange: (key: 'valueTier' | 'valueClass' | 'valueLifecycle', v?: string) => void;
}) {
  const { t } = useTranslation();
  const cfg = useValueConfig().data?.config;
  return (
    <>
      <Select
        data-testid="filter-value-tier"
        placeholder={t('value.filterTier')}
        allowClear
        value={props.values.valueTier}
        onChange={(v?: string) => props.onChange('valueTier', v)}
        options={(cfg?.percentile.cuts ?? []).map((c) => ({ value: c.key, label: c.label }))}
        style={{ width: 120 }}
      />
      <Select
        data-testid="filter-value-class"
        placeholder={t('value.filterClass')}
        allowClear
        value={props.values.valueClass}
        onChange={(v?: string) => props.onChange('valueClass', v)}
        options={(cfg?.ruleClasses.classes ?? []).map((c) => ({ value: c.key, label: c.label }))}
        style={{ width: 130 }}
      />
      <Select
        placeholder={t('value.filterLifecycle')}
        allowClear
        value={props.values.valueLifecycle}
        onChange={(v?: string) => props.onChange('valueLifecycle', v)}
        options={LIFECYCLE_TIERS.map((k) => ({ value: k, label: t(`value.lifecycles.${k}`) }))}
        style={{ width: 120 }}
      />
    </>
  );
}
