// The decisions table: one row per ledger entry, newest first; a row opens its details (reasons, manifest) beside
// the table on a wide panel, below it (scrolled into view) on a narrow one.
import type { LedgerEntry, LedgerFeedback } from '../../src/shared/protocol';
import { baseName, formatBytes, formatMs, formatTime, formatTokens, formatUsd } from '../shared/format';
import { h } from '../shared/dom';
import { feedbackSummary, tokenCell } from './ledger-model';
import { lineSpan } from '../../src/shared/lines';

/** Rows rendered at once; the CSV export has all matching rows. */
export const MAX_ROWS = 500;

const HEADERS = ['Time', 'Kind', 'Route', 'Model', 'Reasons', 'Tokens in / out / cached', 'Cost', 'First token', 'Total', 'Fallback', 'Feedback'];

export class DecisionsTable {
  readonly element: HTMLElement;
  private readonly body = h('tbody');
  private readonly caption = h('caption', { class: 'muted' });
  private readonly details = h('section', { class: 'details', 'aria-label': 'Selected decision', 'aria-live': 'polite' });
  private selected: string | undefined;
  private entries: LedgerEntry[] = [];
  private feedback: ReadonlyMap<string, LedgerFeedback[]> = new Map();

  constructor() {
    const head = h('thead', {}, h('tr', { role: 'row' }, ...HEADERS.map((t) => h('th', { scope: 'col', role: 'columnheader', text: t }))));
    const table = h('table', { class: 'decisions', role: 'table', 'aria-label': 'Routing decisions' }, this.caption, head, this.body);
    this.element = h('div', { class: 'table-area' }, h('div', { class: 'table-scroll' }, table), this.details);
    this.details.hidden = true;
  }

  render(entries: LedgerEntry[], total: number, feedback: ReadonlyMap<string, LedgerFeedback[]> = new Map()): void {
    this.entries = entries;
    this.feedback = feedback;
    const shown = entries.slice(0, MAX_ROWS);
    this.caption.textContent = entries.length > shown.length
      ? `Showing the newest ${shown.length} of ${entries.length} matching decisions (${total} loaded); export CSV for all.`
      : `${entries.length} of ${total} decisions`;
    this.body.replaceChildren(...shown.map((e) => this.row(e)));
    if (shown.length === 0) this.body.append(h('tr', { role: 'row' }, h('td', { colspan: HEADERS.length, class: 'muted', role: 'cell', text: total ? 'No decisions match the filters.' : 'No decisions yet: ask something in the Tandem chat or type in an editor.' })));
    const still = this.selected ? entries.find((e) => e.id === this.selected) : undefined;
    if (still) this.showDetails(still);
    else this.hideDetails();
  }

  private hideDetails(): void {
    this.details.hidden = true;
    this.element.classList.remove('with-details');
  }

  private row(e: LedgerEntry): HTMLTableRowElement {
    const cells = [
      h('td', { role: 'cell', title: e.time, text: formatTime(e.time) }),
      h('td', { role: 'cell', text: kindCell(e) }),
      h('td', { role: 'cell' }, h('span', { class: `route-pill route-${e.route}`, text: e.route })),
      h('td', { role: 'cell', class: 'model', text: e.model }),
      h('td', { role: 'cell', class: 'reasons', title: e.reasons.map((r) => r.text).join('\n'), text: reasonSummary(e) }),
      h('td', { role: 'cell', class: 'num', text: tokenCell(e) }),
      h('td', { role: 'cell', class: 'num', text: formatUsd(e.costUsd) }),
      h('td', { role: 'cell', class: 'num', text: formatMs(e.ttftMs) }),
      h('td', { role: 'cell', class: 'num', text: formatMs(e.totalMs) }),
      h('td', { role: 'cell', class: 'fallback', text: e.fallback ? `${e.fallback.from} → ${e.route}: ${e.fallback.reason.text}` : '' }),
      h('td', { role: 'cell', class: 'feedback', text: feedbackSummary(this.feedback.get(e.id)) }),
    ];
    const selected = e.id === this.selected;
    const tr = h('tr', { role: 'row', tabindex: 0, 'data-id': e.id, 'aria-selected': String(selected), class: selected ? 'selected' : '' }, ...cells);
    const open = (): void => {
      this.selected = e.id;
      for (const r of Array.from(this.body.querySelectorAll('tr.selected'))) {
        r.classList.remove('selected');
        r.setAttribute('aria-selected', 'false');
      }
      tr.classList.add('selected');
      tr.setAttribute('aria-selected', 'true');
      this.showDetails(e);
      // Beside the table it is already in view; below it, bring it up to the reader.
      this.details.scrollIntoView({ block: 'nearest' });
    };
    tr.addEventListener('click', open);
    tr.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter' || ev.key === ' ') {
        ev.preventDefault();
        open();
      } else if (ev.key === 'ArrowDown' || ev.key === 'ArrowUp') {
        ev.preventDefault();
        const next = (ev.key === 'ArrowDown' ? tr.nextElementSibling : tr.previousElementSibling) as HTMLElement | null;
        next?.focus();
      }
    });
    return tr;
  }

  private showDetails(e: LedgerEntry): void {
    this.details.hidden = false;
    this.element.classList.add('with-details');
    const m = e.manifest;
    const title = `${e.kind} · ${e.route} · ${e.model} · ${formatTime(e.time)}`;
    const parts: HTMLElement[] = [h('h3', { text: title })];
    parts.push(h('p', { text: 'Why this route:' }), h('ul', {}, ...e.reasons.map((r) => h('li', { 'data-code': r.code, text: r.text }))));
    if (e.error) parts.push(h('p', { class: 'error-text', text: `Error: ${e.error}` }));
    if (e.compare) parts.push(h('p', { text: `One side of a compare run (${e.compare.side}): both sides ran, so it counts no savings.` }));
    if (e.confidence) parts.push(h('p', { text: `Local confidence: ${e.confidence.level} (mean token log-probability ${e.confidence.meanLogProb.toFixed(2)}).` }));
    const said = feedbackSummary(this.feedback.get(e.id));
    if (said) parts.push(h('p', { text: `Your feedback: ${said}.` }));
    if (e.fallback) parts.push(h('p', { text: `Fell back from ${e.fallback.from}: ${e.fallback.reason.text}` }));
    parts.push(h('p', { class: 'muted', text: `Tokens ${formatTokens(e.tokens.input)} in, ${formatTokens(e.tokens.output)} out, ${formatTokens(e.tokens.cacheRead)} cache read, ${formatTokens(e.tokens.cacheWrite)} cache write · cost ${formatUsd(e.costUsd)} · all-cloud ${formatUsd(e.counterfactualUsd)}` }));
    if (m && (e.route === 'cloud' || e.destination)) {
      const to = e.destination ? ` to ${e.destination.url} (another machine${e.destination.trusted ? ', trusted' : ', not trusted'})` : '';
      const requests = e.count ? `, ${e.count} request${e.count === 1 ? '' : 's'}` : '';
      parts.push(h('h4', { text: `Manifest: what left the machine${to} (${formatTokens(m.tokens)} tokens${requests})` }));
      const rows = m.files.map((f) => h('tr', { role: 'row' },
        h('td', { role: 'cell', title: f.uri, text: baseName(f.uri) }),
        h('td', { role: 'cell', text: f.ranges.map((r) => lineSpan(r.startLine, r.endLine)).join(', ') || 'whole file' }),
        h('td', { role: 'cell', class: 'num', text: formatBytes(f.bytes) })));
      parts.push(h('table', { class: 'manifest-table', role: 'table', 'aria-label': 'Files sent' },
        h('thead', {}, h('tr', { role: 'row' }, h('th', { role: 'columnheader', scope: 'col', text: 'File' }), h('th', { role: 'columnheader', scope: 'col', text: 'Lines' }), h('th', { role: 'columnheader', scope: 'col', text: 'Bytes' }))),
        h('tbody', {}, ...rows)));
      parts.push(h('p', { text: m.redactions.length ? `Redacted: ${m.redactions.map((r) => `${baseName(r.uri)}:${r.line + 1} (${r.rule})`).join(', ')}` : 'No redactions.' }));
    } else if (e.route === 'cloud') {
      parts.push(h('p', { text: 'No manifest was recorded for this request.' }));
    } else {
      parts.push(h('p', { text: e.route === 'blocked' ? 'Blocked: nothing left the machine.' : 'Local: nothing left the machine.' }));
    }
    this.details.replaceChildren(...parts);
  }

  /** The rows currently matching the filters (for CSV export). */
  get matching(): LedgerEntry[] {
    return this.entries;
  }
}

/** "completion ×37" for a minute of inline completions; "explain (compare)" for a compare run. */
function kindCell(e: LedgerEntry): string {
  if (e.count !== undefined && e.count !== 1) return `${e.kind} ×${e.count}`;
  return e.compare ? `${e.kind} (compare)` : e.kind;
}

/** The most important reason, with a count of the others (all of them are in the tooltip and the details). */
function reasonSummary(e: LedgerEntry): string {
  const [first, ...rest] = e.reasons;
  const more = rest.length ? ` (+${rest.length} more)` : '';
  const text = first?.text ?? '';
  return e.error ? `${e.error} · ${text}${more}` : `${text}${more}`;
}
