import { useEffect, useRef } from 'react';

/** ECharts line chart of the score per dimension. Loaded lazily (React.lazy); it loads echarts only when rendered. */
export default function ScoreTrend({ dates, series }: { dates: string[]; series: { name: string; data: (number | null)[] }[] }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    let disposed = false;
    let chart: { dispose(): void; resize(): void } | null = null;
    const onResize = () => chart?.resize();
    void import('echarts').then((echarts) => {
      if (disposed || !ref.current) return;
      const c = echarts.init(ref.current);
      c.setOption({
        animationDuration: 300,
        tooltip: { trigger: 'axis' },
        legend: { bottom: 0 },
        grid: { left: 40, right: 20, top: 20, bottom: 40 },
        xAxis: { type: 'category', data: dates },
        yAxis: { type: 'value', min: 1, max: 5 },
        series: series.map((s) => ({ type: 'line', name: s.name, data: s.data, connectNulls: true })),
      });
      chart = c;
      window.addEventListener('resize', onResize);
    });
    return () => {
      disposed = true;
      window.removeEventListener('resize', onResize);
      chart?.dispose();
    };
  }, [dates, series]);
  return <div ref={ref} data-testid="score-trend" style={{ height: 300 }} />;
}
