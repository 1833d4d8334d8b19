import { useMemo } from 'react';
import { EChart } from '../../../lib/echart.tsx';

/** ECharts line chart of the score per dimension. Loaded lazily (React.lazy). */
export default function ScoreTrend({
  dates,
  series,
}: {
  dates: string[];
  series: { name: string; data: (number | null)[] }[];
}) {
  const option = useMemo(
    () => ({
      animationDuration: 300,
      tooltip: { trigger: 'axis' },
      legend: { bottom: 0 },
      grid: { left: 40, right: 20, top: 20, bottom: 40 },
      xAxis: { type: 'category', data: dates },
      yAxis: { type: 'value', min: 1, max: 5 },
      series: series.map((s) => ({ type: 'line', name: s.name, data: s.data, connectNulls: true })),
    }),
    [dates, series],
  );
  return <EChart option={option} height={300} testId="score-trend" />;
}
