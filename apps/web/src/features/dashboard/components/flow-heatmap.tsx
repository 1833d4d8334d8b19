import type { TAnalyticsDashboard } from '@huifang/shared';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { EChart } from '../../../lib/echart.tsx';

/**
 * 客流量 heat map of the period: local hour (columns) × ISO weekday (rows, Monday on top), darker = more customers.
 * Hours shown span the first to the last hour with a session (at least 08–18). Lazy-loaded.
 */
export default function FlowHeatmap({ flow }: { flow: TAnalyticsDashboard['flow'] }) {
  const { t } = useTranslation();
  const option = useMemo(() => {
    const hours = flow.map((c) => c.hour);
    const from = Math.min(8, ...hours);
    const to = Math.max(18, ...hours);
    const hourLabels = Array.from({ length: to - from + 1 }, (_, i) => `${String(from + i).padStart(2, '0')}:00`);
    const days = [1, 2, 3, 4, 5, 6, 7].map((d) => t(`cockpit.weekday.${d}`));
    const max = Math.max(1, ...flow.map((c) => c.sessions));
    return {
      tooltip: { position: 'top' },
      grid: { left: 50, right: 20, top: 10, bottom: 70 },
      xAxis: { type: 'category', data: hourLabels, splitArea: { show: true } },
      // Monday on top: the category axis runs bottom-up, so it is inverted.
      yAxis: { type: 'category', data: days, inverse: true, splitArea: { show: true } },
      visualMap: { min: 0, max, calculable: true, orient: 'horizontal', left: 'center', bottom: 0 },
      series: [
        {
          name: t('cockpit.tile.sessions'),
          type: 'heatmap',
          data: flow.map((c) => [c.hour - from, c.weekday - 1, c.sessions]),
          label: { show: true },
        },
      ],
    };
  }, [flow, t]);
  return <EChart option={option} height={300} testId="cockpit-flow-heatmap" />;
}
