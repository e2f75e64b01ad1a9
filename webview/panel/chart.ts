// Daily chart (uPlot): spend and all-cloud cost in USD (left axis), local share of requests in % (right axis).
// Colours come from the VS Code theme (--vscode-charts-*), read when the chart is built. The legend shows the whole
// period's figures, and a day's while the pointer is on it.
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { formatUsd } from '../shared/format';
import { periodTotals, type DailySeries, type PeriodTotals } from './ledger-model';

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
    const period = periodTotals(series);
    this.element.setAttribute('aria-label', `Chart over ${period.days}: spent ${formatUsd(period.spentUsd)}, all-cloud would have cost ${formatUsd(period.allCloudUsd)}.`);
    const data: uPlot.AlignedData = [series.days, series.spendUsd, series.counterfactualUsd, series.localSharePct];
    if (this.plot) {
      this.plot.setData(data);
      // The legend shows the period while no day is pointed at: refresh it for the new data.
      if (this.plot.cursor.idx == null) this.plot.setLegend({ idx: null as unknown as number });
      return;
    }
    // Without a day under the pointer, each legend entry shows its figure for the whole period.
    const idle = (key: keyof PeriodTotals): string => {
      const totals = periodTotals(this.series ?? series);
      const value = totals[key];
      return typeof value === 'string' ? value : key === 'localShare' ? (value === undefined ? 'no requests' : `${value}%`) : formatUsd(value ?? 0);
    };
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
          { label: 'Day', value: (_u, v, _s, i) => (i == null ? idle('days') : v == null ? '—' : dayLabel(v)) },
          { label: 'Spent', scale: 'usd', stroke: themeColor('--vscode-charts-orange', '--vscode-foreground'), width: 2, value: (_u, v, _s, i) => (i == null ? idle('spentUsd') : formatUsd(v ?? 0)) },
          {
            label: 'All-cloud would cost',
            scale: 'usd',
            stroke: themeColor('--vscode-charts-red', '--vscode-foreground'),
            width: 1.5,
            dash: [6, 4],
            value: (_u, v, _s, i) => (i == null ? idle('allCloudUsd') : formatUsd(v ?? 0)),
          },
          {
            label: 'Local share',
            scale: 'pct',
            stroke: themeColor('--vscode-charts-green', '--vscode-foreground'),
            width: 2,
            spanGaps: true,
            value: (_u, v, _s, i) => (i == null ? idle('localShare') : v == null ? 'no requests' : `${v}%`),
          },
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

