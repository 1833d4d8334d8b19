import { VALUE_METRICS, weightSumHundredths, type TIndicator, type TWeightedModel } from '@huifang/shared';
import { Alert, Button, Input, InputNumber, Select, Table, Typography } from 'antd';
import { useTranslation } from 'react-i18next';

/** 综合评价: indicators with metric, weight (sum 100 %), range and direction, edited in place. */
export function WeightedEditor(props: { value: TWeightedModel; onChange: (m: TWeightedModel) => void }) {
  const { t } = useTranslation();
  const rows = props.value.indicators;
  const sum = weightSumHundredths(rows.map((r) => r.weight ?? 0)) / 100;
  const set = (i: number, patch: Partial<TIndicator>) =>
    props.onChange({ indicators: rows.map((r, n) => (n === i ? { ...r, ...patch } : r)) });
  return (
    <>
      <Table<TIndicator>
        rowKey={(_r, i) => String(i)}
        size="small"
        pagination={false}
        dataSource={rows}
        data-testid="value-indicators"
        columns={[
          {
            title: t('value.indicator'),
            render: (_v, r, i) => <Input value={r.label} onChange={(e) => set(i, { label: e.target.value })} />,
          },
          {
            title: t('value.metric'),
            render: (_v, r, i) => (
              <Select
                value={r.metric}
                style={{ width: 170 }}
                onChange={(metric) => set(i, { metric })}
                options={VALUE_METRICS.map((m) => ({ value: m, label: t(`value.metrics.${m}`) }))}
              />
            ),
          },
          {
            title: t('value.weight'),
            render: (_v, r, i) => (
              <InputNumber
                data-testid={`value-weight-${i}`}
                min={0}
                max={100}
                value={r.weight}
                onChange={(w) => set(i, { weight: w ?? 0 })}
              />
            ),
          },
          {
            title: t('value.min'),
            render: (_v, r, i) => <InputNumber value={r.min} onChange={(x) => set(i, { min: x ?? 0 })} />,
          },
          {
            title: t('value.max'),
            render: (_v, r, i) => <InputNumber value={r.max} onChange={(x) => set(i, { max: x ?? 0 })} />,
          },
          {
            title: t('value.direction'),
            render: (_v, r, i) => (
              <Select
                value={r.direction}
                style={{ width: 150 }}
                onChange={(direction) => set(i, { direction })}
                options={[
                  { value: 'forward', label: t('value.forward') },
                  { value: 'reverse', label: t('value.reverse') },
                ]}
              />
            ),
          },
          {
            render: (_v, _r, i) => (
              <Button
                type="link"
                danger
                disabled={rows.length <= 1}
                onClick={() => props.onChange({ indicators: rows.filter((_x, n) => n !== i) })}
              >
                {t('common.delete')}
              </Button>
            ),
          },
        ]}
      />
      <div style={{ marginTop: 8, display: 'flex', gap: 16, alignItems: 'center' }}>
        <Button
          onClick={() =>
            props.onChange({
              indicators: [
                ...rows,
                {
                  key: `ind_${rows.length + 1}`,
                  label: t('value.metrics.batches'),
                  metric: 'batches',
                  weight: 0,
                  min: 0,
                  max: 10,
                  direction: 'forward',
                },
              ],
            })
          }
        >
          {t('value.addIndicator')}
        </Button>
        {sum === 100 ? (
          <Typography.Text type="secondary" data-testid="value-weight-sum">
            {t('value.weightSum', { sum: sum.toFixed(2) })}
          </Typography.Text>
        ) : (
          <Alert
            type="error"
            showIcon
            message={t('value.weightSumBad', { sum: sum.toFixed(2) })}
            data-testid="value-weight-sum"
          />
        )}
      </div>
    </>
  );
}
