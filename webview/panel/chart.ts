// Daily chart (uPlot): spend and all-cloud cost in USD (left axis), local share of requests in % (right axis).
// Colours come from the VS Code theme (--vscode-charts-*), read when the chart is built.
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { formatUsd } from '../shared/format';
import type { DailySeries } from './ledger-model';

/** The x axis of a daily chart: one tick per day (thinned to about 10), labelled "Nov 21". */
export function dailyAxis(fg: string, grid: string): uPlot.Axis {
  return {
    stroke: fg,
    grid: { stroke: grid, width: 1 },
    ticks: { stroke: grid, width: 1 },
    splits: (u) => {
      const days = (u.data[0] ?? []) as number[];
      const step = Math.max(1, Math.ceil(days.length / 10));
      return days.filter((_d, i) => (days.length - 1 - i) % step === 0);
    },
    values: (_u, splits) => splits.map((v) => dayLabel(v)),
  };
}

/** "Nov 21" for unix seconds. */
export function dayLabel(seconds: number): string {
  return new Date(seconds * 1000).toLocaleDateString('en-US', { month: 'short', day: 'numeric' });
}

export function themeColor(name: string, fallbackVar: string): string {
  const style = getComputedStyle(document.body);
  return style.getPropertyValue(name).trim() || style.getPropertyValue(fallbackVar).trim() || 'gray';
}

export class SpendChart {
  readonly element: HTMLElement;
  private readonly plotHost: HTMLElement;
  private plot: uPlot | undefined;
  private series: DailySeries | undefined;

  constructor() {
    this.plotHost = document.createElement('div');
    this.plotHost.className = 'chart-plot';
    this.element = document.createElement('figure');
    this.element.className = 'chart';
    this.element.setAttribute('role', 'img');
    const caption = document.createElement('figcaption');
    caption.textContent = 'Spend and local share per day';
    this.element.append(caption, this.plotHost);
    new ResizeObserver(() => this.resize()).observe(this.element);
  }

  update(series: DailySeries): void {
    this.series = series;
    const spent = series.spendUsd.reduce((a, b) => a + b, 0);
    const cloud = series.counterfactualUsd.reduce((a, b) => a + b, 0);
    this.element.setAttribute('aria-label', `Chart over ${series.days.length} days: spent ${formatUsd(spent)}, all-cloud would have cost ${formatUsd(cloud)}.`);
    const data: uPlot.AlignedData = [series.days, series.spendUsd, series.counterfactualUsd, series.localSharePct];
    if (this.plot) {
      this.plot.setData(data);
      return;
    }
    const fg = themeColor('--vscode-charts-foreground', '--vscode-foreground');
    const grid = themeColor('--vscode-charts-lines', '--vscode-panel-border');
    const axis = (scale: string, side: 0 | 1, values: (v: number) => string): uPlot.Axis => ({
      scale,
      side: side === 0 ? 3 : 1,
      stroke: fg,
      grid: { stroke: grid, width: 1, show: side === 0 },
      ticks: { stroke: grid, width: 1 },
      values: (_u, splits) => splits.map(values),
      size: 60,
    });
    this.plot = new uPlot(
      {
        width: Math.max(300, this.element.clientWidth - 16),
        height: 220,
        cursor: { drag: { x: false, y: false } },
        scales: { x: { time: true }, usd: { range: (_u, _min, max) => [0, Math.max(max, 0.01) * 1.1] }, pct: { range: [0, 100] } },
        axes: [
          dailyAxis(fg, grid),
          axis('usd', 0, (v) => formatUsd(v)),
          axis('pct', 1, (v) => `${Math.round(v)}%`),
        ],
        series: [
          { label: 'Day', value: (_u, v) => (v == null ? '—' : dayLabel(v)) },
          { label: 'Spent', scale: 'usd', stroke: themeColor('--vscode-charts-orange', '--vscode-foreground'), width: 2, value: (_u, v) => (v == null ? '—' : formatUsd(v)) },
          { label: 'All-cloud would cost', scale: 'usd', stroke: themeColor('--vscode-charts-red', '--vscode-foreground'), width: 1.5, dash: [6, 4], value: (_u, v) => (v == null ? '—' : formatUsd(v)) },
          { label: 'Local share', scale: 'pct', stroke: themeColor('--vscode-charts-green', '--vscode-foreground'), width: 2, spanGaps: true, value: (_u, v) => (v == null ? '—' : `${v}%`) },
        ],
      },
      data,
      this.plotHost,
    );
  }

  private resize(): void {
    if (!this.plot || !this.series) return;
    const width = Math.max(300, this.element.clientWidth - 16);
    if (Math.abs(width - this.plot.width) > 2) this.plot.setSize({ width, height: 220 });
  }
}
