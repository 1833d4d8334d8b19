import { useEffect, useRef } from 'react';

/** ECharts bar chart of rates per row (loaded lazily with React.lazy; it imports echarts itself when rendered). */
export default function KpiChart({ labels, series }: { labels: string[]; series: { name: string; data: (number | null)[] }[] }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    let disposed = false;
    let chart: { dispose(): void; resize(): void } | null = null;
    const onResize = () => chart?.resize();
    void import('echarts').then((echarts) => {
      if (disposed || !ref.current) return;
      const c = echarts.init(ref.current);
      c.setOption({
        tooltip: { trigger: 'axis', valueFormatter: (v: number) => `${v}%` },
        legend: { bottom: 0 },
        grid: { left: 40, right: 16, top: 16, bottom: 56 },
        xAxis: { type: 'category', data: labels, axisLabel: { interval: 0, overflow: 'truncate', width: 90 } },
        yAxis: { type: 'value', max: 100, axisLabel: { formatter: '{value}%' } },
        series: series.map((s) => ({ type: 'bar', name: s.name, data: s.data.map((x) => (x === null ? null : Math.round(x * 10000) / 100)) })),
      });
      chart = c;
      window.addEventListener('resize', onResize);
    });
    return () => {
      disposed = true;
      window.removeEventListener('resize', onResize);
      chart?.dispose();
    };
  }, [labels, series]);
  return <div ref={ref} data-testid="kpi-chart" style={{ height: 300 }} />;
}
