// "What the router learned": the policy and its knob, per context how often local and Claude answers were
// accepted and what the router now expects, a reset, and how the share of questions sent to Claude changed.
import uPlot from 'uplot';
import type { LearnedContext, LearnedState } from '../../src/shared/protocol';
import { button, h } from '../shared/dom';
import { dailyAxis, dayLabel, themeColor } from './chart';
import type { ShareSeries } from './ledger-model';

/** Context rows shown at most (the engine sends up to 200, most observed first). */
const MAX_ROWS = 40;

function record(accepted: number, rejected: number): string {
  const n = accepted + rejected;
  if (n <= 0) return '—';
  const round = (x: number) => (Number.isInteger(x) ? String(x) : x.toFixed(1));
  return `${round(accepted)} of ${round(n)} (${Math.round((accepted / n) * 100)}%)`;
}

const pct = (x: number) => `${Math.round(x * 100)}%`;


export class LearnedView {
  readonly element: HTMLElement;
  private readonly summary = h('p', { class: 'muted learned-summary' });
  private readonly body = h('tbody');
  private readonly caption = h('caption', { class: 'muted' });
  private readonly chartHost = h('div', { class: 'chart-plot' });
  private readonly chart: HTMLElement;
  private plot: uPlot | undefined;

  constructor(onReset: () => void) {
    const table = h('table', { class: 'learned-table', role: 'table', 'aria-label': 'What the router learned, per context' }, this.caption,
      h('thead', {}, h('tr', { role: 'row' }, ...['Context', 'Local answers accepted', 'Claude answers accepted', 'Expected now (local / Claude)'].map((t) => h('th', { scope: 'col', role: 'columnheader', text: t })))),
      this.body);
    this.chart = h('figure', { class: 'share-chart', role: 'img' }, h('figcaption', { text: 'Questions sent to Claude per day' }), this.chartHost);
    this.element = h('section', { class: 'learned', 'aria-labelledby': 'learned-title' },
      h('h2', { id: 'learned-title', text: 'What the router learned' }),
      h('div', { class: 'learned-bar' }, this.summary, h('span', { class: 'spacer' }),
        button('Forget what the router learned (asks first)', 'discard', 'Reset learning', onReset)),
      this.chart,
      h('div', { class: 'table-scroll' }, table));
  }

  update(state: LearnedState): void {
    const policy = state.policy === 'learned'
      ? `Learned routing within the rules (tandem.routing.policy): up to ${pct(state.cloudShare)} of the questions the rules keep local may go to Claude (tandem.routing.cloudShare)`
      : 'Fixed rules only (tandem.routing.policy is "fixed"): feedback is recorded but does not move questions';
    const since = state.resetAt ? ` since the reset on ${new Date(state.resetAt).toLocaleString()}` : '';
    this.summary.textContent = `${policy} · ${state.events} feedback event${state.events === 1 ? '' : 's'} used${since}.`;
    const rows = state.contexts.slice(0, MAX_ROWS);
    this.caption.textContent = state.contexts.length > rows.length ? `The ${rows.length} most observed of ${state.contexts.length} contexts.` : '';
    this.body.replaceChildren(...rows.map((c) => this.row(c)));
    if (rows.length === 0) {
      this.body.append(h('tr', { role: 'row' }, h('td', { colspan: 4, role: 'cell', class: 'muted', text: 'Nothing learned yet: rate answers (thumbs), apply or discard edits, use "Ask Claude instead" or compare both sides, and what the router learns shows here.' })));
    }
  }

  updateShare(series: ShareSeries): void {
    const total = series.questions.reduce((a, b) => a + b, 0);
    this.chart.hidden = total === 0;
    this.chart.setAttribute('aria-label', `Share of questions answered by Claude per day over ${series.days.length} days (${total} questions).`);
    const data: uPlot.AlignedData = [series.days, series.cloudPct, series.learnedPct];
    if (this.plot) {
      this.plot.setData(data);
      return;
    }
    if (total === 0) return;
    const fg = themeColor('--vscode-charts-foreground', '--vscode-foreground');
    const grid = themeColor('--vscode-charts-lines', '--vscode-panel-border');
    this.plot = new uPlot({
      width: Math.max(300, this.chart.clientWidth - 16),
      height: 160,
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: true }, pct: { range: [0, 100] } },
      axes: [
        dailyAxis(fg, grid),
        { scale: 'pct', stroke: fg, grid: { stroke: grid, width: 1 }, values: (_u, splits) => splits.map((v) => `${Math.round(v)}%`), size: 50 },
      ],
      series: [
        { label: 'Day', value: (_u, v) => (v == null ? '—' : dayLabel(v)) },
        { label: 'Sent to Claude', scale: 'pct', stroke: themeColor('--vscode-charts-blue', '--vscode-foreground'), width: 2, spanGaps: true, value: (_u, v) => (v == null ? '—' : `${v}%`) },
        { label: 'Of which by what was learned', scale: 'pct', stroke: themeColor('--vscode-charts-purple', '--vscode-foreground'), width: 1.5, dash: [6, 4], spanGaps: true, value: (_u, v) => (v == null ? '—' : `${v}%`) },
      ],
    }, data, this.chartHost);
  }

  private row(c: LearnedContext): HTMLTableRowElement {
    return h('tr', { role: 'row', 'data-key': c.key, class: `level-${c.level}` },
      h('td', { role: 'cell', text: c.label }),
      h('td', { role: 'cell', class: 'num', text: record(c.local.accepted, c.local.rejected) }),
      h('td', { role: 'cell', class: 'num', text: record(c.cloud.accepted, c.cloud.rejected) }),
      h('td', { role: 'cell', class: 'num', text: `${pct(c.estimate.local)} / ${pct(c.estimate.cloud)}` }));
  }
}
