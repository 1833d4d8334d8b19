import { useEffect, useRef } from 'react';

/** ECharts bar or line chart. Loaded lazily (React.lazy), and it loads echarts itself only when rendered. */
export default function BarChart({ categories, values, kind = 'bar', height = 220, max, testId }: { categories: string[]; values: (number | null)[]; kind?: 'bar' | 'line'; height?: number; max?: number; testId?: string }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    let disposed = false;
    let chart: { dispose(): void; resize(): void } | null = null;
    const onResize = () => chart?.resize();
    void import('echarts').then((echarts) => {
      if (disposed || !ref.current) return;
      const c = echarts.init(ref.current);
      c.setOption({
        grid: { left: 40, right: 16, top: 16, bottom: 40 },
        tooltip: { trigger: 'axis' },
        xAxis: { type: 'category', data: categories, axisLabel: { interval: 0, rotate: categories.length > 8 ? 30 : 0 } },
        yAxis: { type: 'value', ...(max ? { max } : {}) },
        series: [{ type: kind, data: values, label: { show: kind === 'bar', position: 'top' }, smooth: true, showSymbol: true, symbolSize: 6, connectNulls: true, itemStyle: { color: '#1a6fd6' } }],
      });
      chart = c;
      window.addEventListener('resize', onResize);
    });
    return () => {
      disposed = true;
      window.removeEventListener('resize', onResize);
      chart?.dispose();
    };
  }, [categories, values, kind, max]);
  return <div ref={ref} data-testid={testId} style={{ height }} />;
}
