import { useMemo } from 'react';
import { EChart } from '../../../lib/echart.tsx';

/** ECharts bar chart of rates per row (loaded lazily with React.lazy). */
export default function KpiChart({
  labels,
  series,
}: {
  labels: string[];
  series: { name: string; data: (number | null)[] }[];
}) {
  const option = useMemo(
    () => ({
      tooltip: { trigger: 'axis', valueFormatter: (v: number) => `${v}%` },
      legend: { bottom: 0 },
      grid: { left: 40, right: 16, top: 16, bottom: 56 },
      xAxis: { type: 'category', data: labels, axisLabel: { interval: 0, overflow: 'truncate', width: 90 } },
      yAxis: { type: 'value', max: 100, axisLabel: { formatter: '{value}%' } },
      series: series.map((s) => ({
        type: 'bar',
        name: s.name,
        data: s.data.map((x) => (x === null ? null : Math.round(x * 10000) / 100)),
      })),
    }),
    [labels, series],
  );
  return <EChart option={option} height={300} testId="kpi-chart" />;
}
