import type { TAnalyticsDashboard } from '@huifang/shared';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { EChart } from '../../../lib/echart.tsx';

/** ECharts bars: 满意度排名 of the units below the caller, worst at the top. Lazy-loaded. */
export default function RankingChart({ ranking }: { ranking: TAnalyticsDashboard['ranking'] }) {
  const { t } = useTranslation();
  const option = useMemo(() => {
    const rows = [...ranking].reverse();
    return {
      tooltip: { trigger: 'axis' },
      grid: { left: 90, right: 30, top: 10, bottom: 20 },
      xAxis: { type: 'value', min: 0, max: 100, axisLabel: { formatter: '{value}%' } },
      yAxis: { type: 'category', data: rows.map((r) => r.name) },
      series: [
        { name: t('cockpit.tile.satisfactionRate'), type: 'bar', data: rows.map((r) => r.satisfactionRate ?? 0) },
      ],
    };
  }, [ranking, t]);
  return <EChart option={option} height={Math.max(120, ranking.length * 32 + 30)} testId="cockpit-ranking-chart" />;
}
