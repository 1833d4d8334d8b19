import { useMemo } from 'react';
import { EChart } from '../../../lib/echart.tsx';

/** ECharts pie of units by type. This module is loaded lazily (React.lazy). */
export default function UnitsPie({ data }: { data: { name: string; value: number }[] }) {
  const option = useMemo(
    () => ({
      tooltip: { trigger: 'item' },
      legend: { bottom: 0 },
      series: [{ type: 'pie', radius: ['40%', '70%'], data, label: { formatter: '{b}: {c}' } }],
    }),
    [data],
  );
  return <EChart option={option} height={280} testId="units-pie" />;
}
