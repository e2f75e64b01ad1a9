import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { LedgerEntry, LedgerTotals } from '../../src/shared/protocol';
import { cloudShareSeries, dailySeries, feedbackSummary, filterEntries, NO_FILTER, periodTotals, tokenCell, totalsView } from '../../webview/panel/ledger-model';

const base: LedgerEntry = {
  id: 'a',
  time: '2026-11-21T10:00:00.000Z',
  kind: 'chat',
  route: 'local',
  model: 'qwen',
  reasons: [{ code: 'note', text: 'explanations stay local' }],
  tokens: { input: 1500, output: 20, cacheRead: 0, cacheWrite: 0 },
  costUsd: 0,
  counterfactualUsd: 0.01,
  ttftMs: 10,
  totalMs: 20,
};
const entries: LedgerEntry[] = [
  base,
  { ...base, id: 'b', time: '2026-11-21T11:00:00.000Z', route: 'cloud', model: 'claude-sonnet-4-5', kind: 'refactor', reasons: [{ code: 'note', text: 'multi-file refactor' }], manifest: { files: [{ uri: 'file:///src/billing.ts', ranges: [], bytes: 1 }], tokens: 1, redactions: [] } },
  { ...base, id: 'c', time: '2026-11-20T09:00:00.000Z', route: 'blocked', reasons: [{ code: 'note', text: 'a secret would have left' }], error: 'blocked' },
];

const totals = (t: Partial<LedgerTotals>): LedgerTotals => ({ costUsd: 0, counterfactualUsd: 0, requests: 0, local: 0, cloud: 0, tokens: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 }, ...t });

void describe('routing panel model', () => {
  void it('filters by kind, route and every word of the text, newest first', () => {
    assert.deepEqual(filterEntries(entries, NO_FILTER).map((e) => e.id), ['b', 'a', 'c']);
    assert.deepEqual(filterEntries(entries, { ...NO_FILTER, route: 'cloud' }).map((e) => e.id), ['b']);
    assert.deepEqual(filterEntries(entries, { ...NO_FILTER, kind: 'chat' }).map((e) => e.id), ['a', 'c']);
    assert.deepEqual(filterEntries(entries, { ...NO_FILTER, text: 'BILLING multi' }).map((e) => e.id), ['b']);
    assert.deepEqual(filterEntries(entries, { ...NO_FILTER, text: 'secret local' }).map((e) => e.id), []);
    assert.deepEqual(filterEntries(entries, { kind: 'chat', route: 'blocked', text: 'secret' }).map((e) => e.id), ['c']);
  });

  void it('totals: spent, all-cloud, saved, share and tokens', () => {
    const v = totalsView(totals({ costUsd: 1.5, counterfactualUsd: 4, requests: 8, local: 6, cloud: 2, tokens: { input: 12_000, output: 900, cacheRead: 2_500_000, cacheWrite: 0 } }));
    assert.deepEqual(v, { spent: '$1.50', allCloud: '$4.00', saved: '$2.50', requests: '8 requests', share: '75% local · 25% cloud', tokens: '12.0k in · 900 out · 2.5M cached' });
    assert.equal(totalsView(totals({})).share, 'no requests');
    assert.equal(totalsView(totals({ requests: 1, local: 1 })).requests, '1 request');
  });

  void it('daily series fills days without requests and computes the local share', () => {
    const s = dailySeries({ '2026-11-18': totals({ costUsd: 1, counterfactualUsd: 2, requests: 4, local: 3 }), '2026-11-20': totals({ costUsd: 0.5, requests: 2, local: 0, cloud: 2 }) }, '2026-11-21');
    assert.equal(s.days.length, 4);
    assert.deepEqual(s.spendUsd, [1, 0, 0.5, 0]);
    assert.deepEqual(s.counterfactualUsd, [2, 0, 0, 0]);
    assert.deepEqual(s.localSharePct, [75, null, 0, null]);
    // The chart legend's figures for the whole period: the local share is by request, not an average of days.
    assert.deepEqual(periodTotals(s), { days: '4 days', spentUsd: 1.5, allCloudUsd: 2, localShare: 50 });
    assert.equal(periodTotals(dailySeries({ '2026-11-21': totals({ requests: 1, local: 1 }) }, '2026-11-21')).days, '1 day');
    assert.equal(new Date((s.days[1] as number) * 1000).getDate(), 19);
    assert.equal(dailySeries({}, '2026-11-21').days.length, 0);
    assert.equal(dailySeries({ '2025-01-01': totals({ requests: 1 }) }, '2026-11-21', 30).days.length, 30);
  });

  void it('token cell reads in / out / cached', () => {
    assert.equal(tokenCell(base), '1.5k / 20 / 0');
  });
});

void describe('what the router learned, in the panel', () => {
  void it('the share of questions sent to Claude per day, and the part of it that was learned; compare runs and completions left out', () => {
    const day = (d: number, h: number) => new Date(2026, 10, d, h).toISOString();
    const list: LedgerEntry[] = [
      { ...base, id: '1', time: day(20, 9) },
      { ...base, id: '2', time: day(20, 10), route: 'cloud' },
      { ...base, id: '3', time: day(22, 9), route: 'cloud', reasons: [{ code: 'learned-cloud', text: 'learned' }] },
      { ...base, id: '4', time: day(22, 10) },
      { ...base, id: '5', time: day(22, 11), route: 'cloud', compare: { id: 'x', side: 'cloud' } },
      { ...base, id: '6', time: day(22, 12), kind: 'completion', count: 40 },
    ];
    const s = cloudShareSeries(list, '2026-11-22');
    assert.deepEqual(s.questions, [2, 0, 2]);
    assert.deepEqual(s.cloudPct, [50, null, 50]);
    assert.deepEqual(s.learnedPct, [0, null, 50]);
  });

  void it('feedback per decision in words, counts added up', () => {
    const f = (signal: string, count = 1) => ({ type: 'feedback' as const, id: signal, time: '', entryId: 'e', signal: signal as never, count });
    assert.equal(feedbackSummary([f('completion-shown', 5), f('completion-shown', 7), f('completion-accepted', 3), f('completion-retained-5m')]), '12 shown · 3 accepted · 1 kept 5 min');
    assert.equal(feedbackSummary([f('code-copied'), f('code-copied'), f('thumbs-down')]), 'code copied ×2 · thumbs down');
    assert.equal(feedbackSummary(undefined), '');
  });
});
