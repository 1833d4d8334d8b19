import { weightSumHundredths, type TValueConfig } from '@huifang/shared';
import { Descriptions, Input, InputNumber, Select, Space, Typography } from 'antd';
import { useTranslation } from 'react-i18next';

/** The other models of the document: expert criteria weights, percentile tiers, lifecycle, churn, stars, schedule. */
export function OtherModels(props: { value: TValueConfig; onChange: (c: TValueConfig) => void }) {
  const { t } = useTranslation();
  const c = props.value;
  const set = (patch: Partial<TValueConfig>) => props.onChange({ ...c, ...patch });
  const sum = (xs: { weight: number }[]) => (weightSumHundredths(xs.map((x) => x.weight ?? 0)) / 100).toFixed(2);
  const num = (v: number | null, min = 0) => Math.max(min, v ?? min);
  return (
    <Descriptions size="small" column={1} bordered>
      <Descriptions.Item label={`${t('value.expertScore')} (${t('value.weightSum', { sum: sum(c.expert.criteria) })})`}>
        <Space wrap>
          {c.expert.criteria.map((x, i) => (
            <Space.Compact key={x.key}>
              <Input value={x.label} style={{ width: 120 }} readOnly />
              <InputNumber
                min={0}
                max={100}
                value={x.weight}
                onChange={(w) =>
                  set({
                    expert: { criteria: c.expert.criteria.map((y, n) => (n === i ? { ...y, weight: num(w) } : y)) },
                  })
                }
              />
            </Space.Compact>
          ))}
        </Space>
      </Descriptions.Item>
      <Descriptions.Item label={`${t('value.tier')} (${t('value.weightSum', { sum: sum(c.percentile.cuts) })})`}>
        <Space wrap>
          <Select
            value={c.percentile.groupBy}
            style={{ width: 200 }}
            onChange={(groupBy) => set({ percentile: { ...c.percentile, groupBy } })}
            options={['custom:business_type', 'kind', 'unit', 'none'].map((g) => ({
              value: g,
              label: t(`value.groupBy.${g.replace(':', '_')}`),
            }))}
          />
          {c.percentile.cuts.map((x, i) => (
            <Space.Compact key={x.key}>
              <Input
                value={x.label}
                style={{ width: 90 }}
                onChange={(e) =>
                  set({
                    percentile: {
                      ...c.percentile,
                      cuts: c.percentile.cuts.map((y, n) => (n === i ? { ...y, label: e.target.value } : y)),
                    },
                  })
                }
              />
              <InputNumber
                min={0}
                max={100}
                addonAfter="%"
                value={x.weight}
                onChange={(w) =>
                  set({
                    percentile: {
                      ...c.percentile,
                      cuts: c.percentile.cuts.map((y, n) => (n === i ? { ...y, weight: num(w) } : y)),
                    },
                  })
                }
              />
            </Space.Compact>
          ))}
        </Space>
      </Descriptions.Item>
      <Descriptions.Item label={t('value.lifecycle')}>
        <Space wrap>
          {t('value.churnDays')}
          <InputNumber
            min={1}
            value={c.lifecycle.churnDays}
            onChange={(v) => set({ lifecycle: { ...c.lifecycle, churnDays: num(v, 1) } })}
          />
          {t('value.highValueMinScore')}
          <InputNumber
            min={0}
            max={100}
            value={c.lifecycle.highValueMinScore}
            onChange={(v) => set({ lifecycle: { ...c.lifecycle, highValueMinScore: num(v) } })}
          />
        </Space>
      </Descriptions.Item>
      <Descriptions.Item label={t('value.churn')}>
        <Space wrap>
          {t('value.noPurchaseDays')}
          <InputNumber
            min={1}
            value={c.churn.noPurchaseDays}
            onChange={(v) => set({ churn: { ...c.churn, noPurchaseDays: num(v, 1) } })}
          />
          {t('value.periodDays')}
          <InputNumber
            min={7}
            max={365}
            value={c.churn.periodDays}
            onChange={(v) => set({ churn: { ...c.churn, periodDays: num(v, 7) } })}
          />
          {t('value.dropPctLabel')}
          <InputNumber
            min={1}
            max={100}
            addonAfter="%"
            value={c.churn.dropPct}
            onChange={(v) => set({ churn: { ...c.churn, dropPct: num(v, 1) } })}
          />
        </Space>
      </Descriptions.Item>
      <Descriptions.Item label={t('value.stars')}>
        <Space wrap>
          {c.stars.thresholds.map((x, i) => (
            <InputNumber
              key={i}
              min={0}
              addonBefore={'★'.repeat(i + 1)}
              value={x}
              onChange={(v) =>
                set({ stars: { ...c.stars, thresholds: c.stars.thresholds.map((y, n) => (n === i ? num(v) : y)) } })
              }
            />
          ))}
          <Typography.Text type="secondary">{t('value.starsHint')}</Typography.Text>
        </Space>
      </Descriptions.Item>
      <Descriptions.Item label={t('value.schedule')}>
        <InputNumber
          min={1}
          max={28}
          placeholder={t('value.noSchedule')}
          value={c.scheduleDay}
          onChange={(v) => set({ scheduleDay: v ?? null })}
        />
      </Descriptions.Item>
    </Descriptions>
  );
}
