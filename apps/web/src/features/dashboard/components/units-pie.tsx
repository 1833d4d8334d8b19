import { useMemo } from 'react';
import { EChart } from '../../../lib/echart.tsx';

/** ECharts pie of named counts (units by type, customers by tier). This module is loaded lazily (React.lazy). */
export default function UnitsPie({
  data,
  testId = 'units-pie',
  height = 280,
}: {
  data: { name: string; value: number }[];
  testId?: string;
  height?: number;
}) {
  const option = useMemo(
    () => ({
      tooltip: { trigger: 'item' },
      legend: { bottom: 0 },
      series: [{ type: 'pie', radius: ['40%', '70%'], data, label: { formatter: '{b}: {c}' } }],
    }),
    [data],
  );
  return <EChart option={option} height={height} testId={testId} />;
}
