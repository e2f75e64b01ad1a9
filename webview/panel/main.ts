// Routing and cost panel: totals, payback, daily chart, what the router learned, report card, filterable
// decisions table, CSV export.
import type { LedgerEntry, LedgerFeedback, LedgerResult } from '../../src/shared/protocol';
import type { HostToPanel, PanelToHost } from '../../src/shared/webview';
import { newId } from '../../src/shared/webview';
import { button, connect, h, icon } from '../shared/dom';
import { dayKey } from '../shared/format';
import { SpendChart } from './chart';
import { buildCsv, csvFileName } from './csv';
import { LearnedView } from './learned';
import { cloudShareSeries, dailySeries, feedbackByEntry, filterEntries, NO_FILTER, type LedgerFilter } from './ledger-model';
import { DecisionsTable } from './table';
import { ReportCard } from './report-card';
import { Summary } from './summary';

interface PanelState {
  filter: LedgerFilter;
  gpuPrice: number;
}

const vscode = connect<PanelToHost, PanelState>();
const state: PanelState = { filter: { ...NO_FILTER }, gpuPrice: 1600, ...vscode.getState() };
let ledger: LedgerResult | undefined;
let entries: LedgerEntry[] = [];
let feedback: LedgerFeedback[] = [];

const summary = new Summary(state.gpuPrice, (price) => {
  state.gpuPrice = price;
  vscode.setState(state);
});
const chart = new SpendChart();
const table = new DecisionsTable();
const learned = new LearnedView(() => vscode.post({ type: 'resetLearning' }));
const reportCard = new ReportCard(() => vscode.post({ type: 'evaluate' }));
const status = h('p', { class: 'status', role: 'status', 'aria-live': 'polite', text: 'Loading the ledger…' });

function select(id: string, label: string, options: [string, string][], value: string, onChange: (v: string) => void): HTMLElement {
  const el = h('select', { id }, ...options.map(([v, text]) => h('option', { value: v, text, selected: v === value })));
  el.addEventListener('change', () => onChange(el.value));
  return h('label', { class: 'filter', for: id }, h('span', { text: label }), el);
}

const search = h('input', { type: 'search', id: 'filter-text', placeholder: 'model, reason, file…', value: state.filter.text });
search.addEventListener('input', () => setFilter({ text: search.value }));
const filters = h('div', { class: 'filters', role: 'search', 'aria-label': 'Filter decisions' },
  select('filter-kind', 'Kind', [['all', 'All kinds'], ['completion', 'Completion'], ['explain', 'Explain'], ['chat', 'Chat'], ['refactor', 'Refactor']], state.filter.kind, (v) => setFilter({ kind: v as LedgerFilter['kind'] })),
  select('filter-route', 'Route', [['all', 'All routes'], ['local', 'Local'], ['cloud', 'Cloud'], ['blocked', 'Blocked']], state.filter.route, (v) => setFilter({ route: v as LedgerFilter['route'] })),
  h('label', { class: 'filter', for: 'filter-text' }, h('span', { text: 'Text' }), search),
  h('span', { class: 'spacer' }),
  button('Refresh', 'refresh', undefined, () => vscode.post({ type: 'refresh' }), 'icon-btn'),
  button('Export the matching decisions as CSV', 'desktop-download', 'Export CSV', exportCsv));

document.getElementById('app')?.append(h('main', { class: 'panel' },
  h('h1', {}, icon('pulse'), h('span', { text: ' Routing and cost' })),
  status, summary.element, chart.element, learned.element, reportCard.element,
  h('h2', { text: 'Decisions' }), filters, table.element));

function setFilter(change: Partial<LedgerFilter>): void {
  state.filter = { ...state.filter, ...change };
  vscode.setState(state);
  renderTable();
}

function renderTable(): void {
  table.render(filterEntries(entries, state.filter), entries.length, feedbackByEntry(feedback));
}

function exportCsv(): void {
  const rows = table.matching;
  if (rows.length === 0) {
    status.textContent = 'Nothing to export: no decisions match the filters.';
    return;
  }
  vscode.post({ type: 'exportCsv', id: newId('csv'), csv: buildCsv(rows), rows: rows.length, suggestedName: csvFileName() });
}

window.addEventListener('message', (event: MessageEvent<HostToPanel>) => {
  const msg = event.data;
  switch (msg.type) {
    case 'ledger':
      if (!ledger && status.textContent === 'Loading the ledger…') status.textContent = '';
      ledger = msg.result;
      entries = [...msg.result.entries];
      feedback = [...msg.result.feedback];
      summary.update(ledger);
      chart.update(dailySeries(ledger.byDay, dayKey(new Date())));
      learned.updateShare(cloudShareSeries(entries, dayKey(new Date())));
      renderTable();
      break;
    case 'entry':
      if (!entries.some((e) => e.id === msg.entry.id)) entries.push(msg.entry);
      renderTable();
      break;
    case 'feedback':
      if (!feedback.some((f) => f.id === msg.feedback.id)) feedback.push(msg.feedback);
      renderTable();
      break;
    case 'learned':
      learned.update(msg.state);
      break;
    case 'exported':
      status.textContent = msg.message;
      break;
    case 'reportCards':
      reportCard.update(msg.reports, msg.error);
      break;
    case 'engine':
      status.textContent = msg.running
        ? (msg.message ?? '')
        : (msg.message ?? (ledger ? 'The Tandem engine is not running: showing the last data loaded.' : 'The Tandem engine is not running: decisions show here once it starts.'));
      break;
  }
});

vscode.post({ type: 'ready' });
