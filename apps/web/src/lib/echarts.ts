import { BarChart, LineChart, PieChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import { init, use } from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';

/**
 * ECharts with only what the app draws (not the whole library): line, bar and pie series on a cartesian grid, with
 * tooltip and legend, on canvas. A chart of another kind (heat map, gauge…) or another component (visualMap,
 * dataZoom…) must be registered here, else ECharts logs an error and draws nothing. Loaded lazily by `echart.tsx`
 * only, so only chart pages download it (budget: apps/web/bundle-budget.test.ts).
 */
use([LineChart, BarChart, PieChart, GridComponent, TooltipComponent, LegendComponent, CanvasRenderer]);

export { init };
