// Totals (today, this month), savings against all-cloud, and the GPU payback calculator.
import type { LedgerResult } from '../../src/shared/protocol';
import { dayKey, formatUsd } from '../shared/format';
import { h } from '../shared/dom';
import { totalsView } from './ledger-model';
import { computePayback, MIN_PAYBACK_DAYS } from './payback';

export class Summary {
  readonly element: HTMLElement;
  private readonly cards = h('div', { class: 'cards' });
  private readonly budget = h('p', { class: 'budget muted' });
  private readonly priceInput = h('input', { type: 'number', min: 0, step: 50, id: 'gpu-price', class: 'price', inputmode: 'decimal' });
  private readonly result = h('div', { class: 'payback-result', role: 'status', 'aria-live': 'polite' });
  private ledger: LedgerResult | undefined;

  constructor(initialPrice: number, private readonly onPrice: (price: number) => void) {
    this.priceInput.value = String(initialPrice);
    this.priceInput.addEventListener('input', () => {
      this.renderPayback();
      const price = Number(this.priceInput.value);
      if (Number.isFinite(price) && price >= 0) this.onPrice(price);
    });
    const payback = h('section', { class: 'payback', 'aria-labelledby': 'payback-title' },
      h('h2', { id: 'payback-title', text: 'GPU payback' }),
      h('label', { for: 'gpu-price', text: 'GPU price (USD) ' }), this.priceInput,
      this.result);
    this.element = h('div', { class: 'summary' }, this.cards, this.budget, payback);
  }

  update(ledger: LedgerResult): void {
    this.ledger = ledger;
    const card = (title: string, t: LedgerResult['today']): HTMLElement => {
      const v = totalsView(t);
      return h('section', { class: 'card', 'aria-label': title },
        h('h2', { text: title }),
        h('p', { class: 'big' }, h('span', { class: 'spent', text: v.spent }), h('span', { class: 'muted', text: ' spent' })),
        h('p', {}, h('span', { class: 'saved', text: v.saved }), h('span', { class: 'muted', text: ` saved vs all-cloud (${v.allCloud})` })),
        h('p', { class: 'muted', text: `${v.requests} · ${v.share}` }),
        h('p', { class: 'muted', text: v.tokens }));
    };
    this.cards.replaceChildren(card('Today', ledger.today), card('This month', ledger.month));
    const b = ledger.budget;
    const limit = (v: number): string => (v < 0 ? 'no limit' : formatUsd(v));
    this.budget.textContent = `Budget: ${limit(b.dailyUsd)} a day, ${limit(b.monthlyUsd)} a month${b.reservedUsd > 0 ? ` · ${formatUsd(b.reservedUsd)} reserved by requests in flight` : ''}${ledger.skippedLines ? ` · ${ledger.skippedLines} unreadable ledger line${ledger.skippedLines === 1 ? '' : 's'} skipped` : ''}`;
    this.renderPayback();
  }

  private renderPayback(): void {
    const price = Number(this.priceInput.value);
    if (!this.ledger) return;
    if (!Number.isFinite(price) || price < 0 || this.priceInput.value.trim() === '') {
      this.result.replaceChildren(h('p', { class: 'error-text', text: 'Enter the GPU price in USD (a number, 0 or more).' }));
      return;
    }
    const p = computePayback(this.ledger.byDay, price, dayKey(new Date()));
    if (!p) {
      this.result.replaceChildren(h('p', { class: 'muted', text: 'No usage measured yet: payback needs at least one request.' }));
      return;
    }
    if (!p.enough) {
      const left = MIN_PAYBACK_DAYS - p.measuredDays;
      this.result.replaceChildren(
        h('p', { class: 'big payback-weeks', text: 'Not enough data yet' }),
        h('p', { class: 'muted', text: `The estimate needs ${MIN_PAYBACK_DAYS} days of use; ${p.measuredDays} measured so far, so ${left} more day${left === 1 ? '' : 's'} to go.` }),
      );
      return;
    }
    const headline = p.weeks === undefined ? 'Never at this usage' : `${p.weeks.toFixed(1)} weeks to break even`;
    this.result.replaceChildren(
      h('p', { class: 'big payback-weeks', text: headline }),
      h('ol', { class: 'arithmetic' }, ...p.steps.map((s) => h('li', { text: s }))),
    );
  }
}
