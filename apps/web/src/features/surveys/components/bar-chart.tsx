import { useMemo } from 'react';
import { EChart } from '../../../lib/echart.tsx';

/** ECharts bar or line chart. Loaded lazily (React.lazy). */
export default function BarChart({ categories, values, kind = 'bar', height = 220, max, testId }: { categories: string[]; values: (number | null)[]; kind?: 'bar' | 'line'; height?: number; max?: number; testId?: string }) {
  const option = useMemo(
    () => ({
      grid: { left: 40, right: 16, top: 16, bottom: 40 },
      tooltip: { trigger: 'axis' },
      xAxis: { type: 'category', data: categories, axisLabel: { interval: 0, rotate: categories.length > 8 ? 30 : 0 } },
      yAxis: { type: 'value', ...(max ? { max } : {}) },
      series: [{ type: kind, data: values, label: { show: kind === 'bar', position: 'top' }, smooth: true, showSymbol: true, symbolSize: 6, connectNulls: true, itemStyle: { color: '#1a6fd6' } }],
    }),
    [categories, values, kind, max],
  );
  return <EChart option={option} height={height} testId={testId} />;
}
