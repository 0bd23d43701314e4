export {
  PALETTE,
  barChart,
  escapeXml,
  formatTick,
  lineChart,
  movingAverage,
  niceAxis,
  niceStep,
  type Axis,
  type AxisOptions,
  type BarChartOptions,
  type BarSeries,
  type LineChartOptions,
  type LineSeries,
  type Point,
} from './svg-chart.js';
export { Progress } from './progress.js';
