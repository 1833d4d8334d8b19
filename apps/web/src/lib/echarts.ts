import { BarChart, HeatmapChart, LineChart, PieChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import { init, use } from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';

/**
 * ECharts with only what the app draws (not the whole library): line, bar, pie and heat map series (the 驾驶舱's
 * hour × weekday customer flow, coloured per cell without the visualMap component, which would not fit the chart
 * budget) on a cartesian grid, with tooltip and legend, on canvas. A chart of another kind (gauge…) or another
 * component (visualMap, dataZoom…) must be registered here, else ECharts logs an error and draws nothing. Loaded lazily by `echart.tsx`
 * only, so only chart pages download it (budget: apps/web/bundle-budget.test.ts).
 */
use([LineChart, BarChart, PieChart, HeatmapChart, GridComponent, TooltipComponent, LegendComponent, CanvasRenderer]);

export { init };
