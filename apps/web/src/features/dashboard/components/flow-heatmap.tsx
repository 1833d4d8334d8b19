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
      grid: { left: 50, right: 20, top: 10, bottom: 30 },
      xAxis: { type: 'category', data: hourLabels, splitArea: { show: true } },
      // Monday on top: the category axis runs bottom-up, so it is inverted.
      yAxis: { type: 'category', data: days, inverse: true, splitArea: { show: true } },
      series: [
        {
          name: t('cockpit.tile.sessions'),
          type: 'heatmap',
          // Coloured here (not by a visualMap): the more customers, the deeper the blue (as 排队统计's heat map).
          data: flow.map((c) => ({
            value: [c.hour - from, c.weekday - 1, c.sessions],
            itemStyle: { color: `rgba(22, 119, 255, ${0.15 + (0.85 * c.sessions) / max})` },
          })),
          label: { show: true },
        },
      ],
    };
  }, [flow, t]);
  return <EChart option={option} height={300} testId="cockpit-flow-heatmap" />;
}
