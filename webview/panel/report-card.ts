// The model report card: HumanEval-Infilling scores of the local model (and of Claude tiers run on the same
// problems) as measured on this machine, side by side with latency, speed and cost per 100 problems.
import type { EvalReport } from '../../src/shared/protocol';
import { percent } from '../../src/shared/eval-report';
import { button, h } from '../shared/dom';
import { formatMs, formatTime, formatUsd } from '../shared/format';

export interface ReportRow {
  key: string;
  model: string;
  /** "local · cuda", "Claude", "harness check" */
  side: string;
  set: string;
  problems: string;
  passAt1: string;
  exactMatch: string;
  noSuggestion: string;
  latency: string;
  speed: string;
  /** Per 100 problems: what quality costs. */
  costPer100: string;
  time: string;
}

const SIDE: Record<EvalReport['side'], string> = { local: 'local', cloud: 'Claude', oracle: 'harness check' };

/** One row per report and set: local first, then Claude, the harness check last. Pure. */
export function reportRows(reports: readonly EvalReport[], now = new Date()): ReportRow[] {
  const order: Record<EvalReport['side'], number> = { local: 0, cloud: 1, oracle: 2 };
  const sorted = [...reports].sort((a, b) => order[a.side] - order[b.side] || Date.parse(b.time) - Date.parse(a.time));
  return sorted.flatMap((r) =>
    r.sets.map((s) => ({
      key: `${r.side}:${r.model}:${s.set}`,
      model: r.model,
      side: r.side === 'local' ? `local · ${r.device}` : SIDE[r.side],
      set: s.set,
      problems: `${s.problems.toLocaleString('en-US')} of ${s.of.toLocaleString('en-US')}`,
      passAt1: percent(s.passAt1),
      exactMatch: percent(s.exactMatch),
      noSuggestion: percent(s.noSuggestion),
      latency: r.side === 'oracle' ? '—' : `${formatMs(s.latencyMs.p50)} / ${formatMs(s.latencyMs.p95)}`,
      speed: s.tokensPerS === null ? '—' : `${s.tokensPerS.toFixed(0)} tok/s`,
      costPer100: r.side === 'oracle' ? '—' : formatUsd(s.problems ? (s.costUsd / s.problems) * 100 : 0),
      time: formatTime(r.time, now),
    })),
  );
}

/** Where and how the newest local card was measured, in one line. */
export function measuredOn(reports: readonly EvalReport[]): string {
  const r = reports.find((x) => x.side === 'local') ?? reports[0];
  if (!r) return '';
  const tests = r.sandbox ? `tests in Python ${r.sandbox.python} (${r.sandbox.timeoutS} s limit, network ${r.sandbox.network === 'guard' ? 'blocked in-process' : 'namespace + in-process guard'})` : 'tests not run (no Python 3)';
  return `Measured on ${r.machine} · up to ${r.settings.maxTokens} tokens and ${formatMs(r.settings.timeBudgetMs)} per suggestion, as in the editor · ${tests}.`;
}

const COLUMNS: [keyof ReportRow, string, boolean][] = [
  ['model', 'Model', false],
  ['side', 'Runs on', false],
  ['set', 'Set', false],
  ['problems', 'Problems', true],
  ['passAt1', 'pass@1', true],
  ['exactMatch', 'Exact match', true],
  ['noSuggestion', 'No suggestion', true],
  ['latency', 'Latency p50 / p95', true],
  ['speed', 'Speed', true],
  ['costPer100', 'Cost / 100', true],
  ['time', 'Measured', true],
];

export class ReportCard {
  readonly element: HTMLElement;
  private readonly body = h('div', { class: 'report-body' });

  constructor(onEvaluate: () => void) {
    this.element = h('section', { class: 'report-card', 'aria-labelledby': 'report-title' },
      h('div', { class: 'report-head' },
        h('h2', { id: 'report-title', text: 'Model report card' }),
        button('Evaluate the local model on HumanEval-Infilling', 'beaker', 'Evaluate Local Model', onEvaluate)),
      this.body);
    this.update([]);
  }

  update(reports: readonly EvalReport[], error?: string): void {
    if (error) {
      this.body.replaceChildren(h('p', { class: 'error-text', role: 'alert', text: error }));
      return;
    }
    if (!reports.length) {
      this.body.replaceChildren(h('p', { class: 'muted', text: 'No evaluation yet. "Evaluate Local Model" runs HumanEval-Infilling through the same completion path as your editor and scores exact match and pass@1 on this machine.' }));
      return;
    }
    const head = h('tr', {}, ...COLUMNS.map(([, title]) => h('th', { scope: 'col', text: title })));
    const rows = reportRows(reports).map((row) =>
      h('tr', { 'data-key': row.key }, ...COLUMNS.map(([key, , num]) => h('td', { class: num ? 'num' : undefined, text: row[key] }))));
    this.body.replaceChildren(
      h('div', { class: 'table-scroll' },
        h('table', { class: 'report-table' }, h('caption', { class: 'muted', text: measuredOn(reports) }), h('thead', {}, head), h('tbody', {}, ...rows))),
    );
  }
}
