import { useEffect, useRef } from 'react';

/** What ECharts passes to a click: the series item (or, with `triggerEvent`, the axis label) clicked. */
export interface TChartClick {
  componentType: string;
  dataIndex?: number;
  name?: string;
  value?: unknown;
}

/**
 * One ECharts canvas: loads echarts on first render (chart modules are themselves React.lazy, so chart-free pages
 * never download it), sets `option`, follows window resizes, disposes on unmount or when `option` changes.
 * Callers memoise `option` on their data. `onClick` (optional) gets clicks on series items and triggering axes.
 */
export function EChart({
  option,
  height,
  testId,
  onClick,
}: {
  option: Record<string, unknown>;
  height: number;
  testId?: string;
  onClick?: (p: TChartClick) => void;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const click = useRef(onClick);
  useEffect(() => {
    click.current = onClick;
  }, [onClick]);
  useEffect(() => {
    let disposed = false;
    let chart: { dispose(): void; resize(): void } | null = null;
    const onResize = () => chart?.resize();
    void import('./echarts.ts').then((echarts) => {
      if (disposed || !ref.current) return;
      const c = echarts.init(ref.current);
      c.setOption(option);
      c.on('click', (p) => click.current?.(p as TChartClick));
      chart = c;
      window.addEventListener('resize', onResize);
    });
    return () => {
      disposed = true;
      window.removeEventListener('resize', onResize);
      chart?.dispose();
    };
  }, [option]);
  return <div ref={ref} data-testid={testId} style={{ height, cursor: onClick ? 'pointer' : undefined }} />;
}
