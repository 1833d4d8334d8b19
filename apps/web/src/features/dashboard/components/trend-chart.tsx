import type { TAnalyticsDashboard } from '@huifang/shared';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { EChart } from '../../../lib/echart.tsx';

/** ECharts lines of the period's days: evaluations and 不满意 (left axis), satisfaction rate (right). Lazy-loaded. */
export default function TrendChart({ trend }: { trend: TAnalyticsDashboard['trend'] }) {
  const { t } = useTranslation();
  const option = useMemo(
    () => ({
      tooltip: { trigger: 'axis' },
      legend: { bottom: 0 },
      grid: { left: 40, right: 40, top: 20, bottom: 50 },
      xAxis: { type: 'category', data: trend.map((p) => p.day.slice(5)) },
      yAxis: [
        { type: 'value', minInterval: 1 },
        { type: 'value', min: 0, max: 100, axisLabel: { formatter: '{value}%' } },
      ],
      series: [
        { name: t('cockpit.tile.evaluations'), type: 'line', data: trend.map((p) => p.evaluations) },
        { name: t('cockpit.tile.unsatisfied'), type: 'line', data: trend.map((p) => p.unsatisfied) },
        {
          name: t('cockpit.tile.satisfactionRate'),
          type: 'line',
          yAxisIndex: 1,
          connectNulls: true,
          data: trend.map((p) => p.satisfactionRate),
        },
      ],
    }),
    [trend, t],
  );
  return <EChart option={option} height={280} testId="cockpit-trend" />;
}
