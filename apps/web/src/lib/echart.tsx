import { useEffect, useRef } from 'react';

/**
 * One ECharts canvas: loads echarts on first render (chart modules are themselves React.lazy, so chart-free pages
 * never download it), sets `option`, follows window resizes, disposes on unmount or when `option` changes.
 * Callers memoise `option` on their data.
 */
export function EChart({
  option,
  height,
  testId,
}: {
  option: Record<string, unknown>;
  height: number;
  testId?: string;
}) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    let disposed = false;
    let chart: { dispose(): void; resize(): void } | null = null;
    const onResize = () => chart?.resize();
    void import('./echarts.ts').then((echarts) => {
      if (disposed || !ref.current) return;
      const c = echarts.init(ref.current);
      c.setOption(option);
      chart = c;
      window.addEventListener('resize', onResize);
    });
    return () => {
      disposed = true;
      window.removeEventListener('resize', onResize);
      chart?.dispose();
    };
  }, [option]);
  return <div ref={ref} data-testid={testId} style={{ height }} />;
}
