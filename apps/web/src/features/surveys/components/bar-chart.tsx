import { useMemo } from 'react';
import { EChart } from '../../../lib/echart.tsx';

/**
 * Whether the category labels are too wide to stand side by side: about 40 characters fit under a half-width card at
 * 1440 px (a CJK character is ~13 px); labels may hold a line break, the longest line counts.
 */
function needsRotation(categories: string[]): boolean {
  const longest = Math.max(
    0,
    ...categories.map((c) =>
      Math.max(...c.split('\n').map((l) => [...l].reduce((w, ch) => w + (ch.charCodeAt(0) > 0xff ? 1 : 0.55), 0))),
    ),
  );
  return categories.length > 8 || categories.length * (longest + 1) > 40;
}

/** ECharts bar or line chart. Loaded lazily (React.lazy). */
export default function BarChart({
  categories,
  values,
  kind = 'bar',
  height = 220,
  max,
  testId,
}: {
  categories: string[];
  values: (number | null)[];
  kind?: 'bar' | 'line';
  height?: number;
  max?: number;
  testId?: string;
}) {
  const option = useMemo(
    () => ({
      // containLabel: the grid makes room for the axis labels (two-line or rotated ones included) instead of clipping.
      grid: { left: 16, right: 16, top: 24, bottom: 8, containLabel: true },
      tooltip: { trigger: 'axis' },
      xAxis: {
        type: 'category',
        data: categories,
        axisLabel: { interval: 0, rotate: needsRotation(categories) ? 30 : 0 },
      },
      yAxis: { type: 'value', ...(max ? { max } : {}) },
      series: [
        {
          type: kind,
          data: values,
          label: { show: kind === 'bar', position: 'top' },
          smooth: true,
          showSymbol: true,
          symbolSize: 6,
          connectNulls: true,
          itemStyle: { color: '#1a6fd6' },
        },
      ],
    }),
    [categories, values, kind, max],
  );
  return <EChart option={option} height={height} testId={testId} />;
}
