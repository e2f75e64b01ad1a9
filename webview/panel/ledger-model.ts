// What the routing panel shows, computed from the ledger: filtered rows, totals lines, chart series.
// Pure: no DOM.
import type { FeedbackSignal, LedgerEntry, LedgerFeedback, LedgerTotals, RequestKind, Route } from '../../src/shared/protocol';
import { dayKey, formatTokens, formatUsd } from '../shared/format';

export interface LedgerFilter {
  kind: RequestKind | 'all';
  route: Route | 'all';
  /** Case-insensitive words; every word must match somewhere in the row. */
  text: string;
}

export const NO_FILTER: LedgerFilter = { kind: 'all', route: 'all', text: '' };

function haystack(entry: LedgerEntry): string {
  return [
    entry.kind,
    entry.route,
    entry.model,
    ...entry.reasons.map((r) => r.text),
    entry.fallback ? `fallback ${entry.fallback.from} ${entry.fallback.reason.text}` : '',
    entry.error ?? '',
    ...(entry.manifest?.files.map((f) => f.uri) ?? []),
  ]
    .join('\n')
    .toLowerCase();
}

/** Entries matching the filter, newest first. */
export function filterEntries(entries: readonly LedgerEntry[], filter: LedgerFilter): LedgerEntry[] {
  const words = filter.text.toLowerCase().split(/\s+/).filter(Boolean);
  return entries
    .filter((e) => filter.kind === 'all' || e.kind === filter.kind)
    .filter((e) => filter.route === 'all' || e.route === filter.route)
    .filter((e) => {
      if (words.length === 0) return true;
      const text = haystack(e);
      return words.every((w) => text.includes(w));
    })
    .sort((a, b) => (a.time < b.time ? 1 : a.time > b.time ? -1 : 0));
}

export interface TotalsView {
  spent: string;
  allCloud: string;
  saved: string;
  requests: string;
  share: string;
  tokens: string;
}

/** Totals as the panel's summary cards show them. */
export function totalsView(totals: LedgerTotals): TotalsView {
  const localShare = totals.requests > 0 ? Math.round((totals.local / totals.requests) * 100) : 0;
  return {
    spent: formatUsd(totals.costUsd),
    allCloud: formatUsd(totals.counterfactualUsd),
    saved: formatUsd(totals.counterfactualUsd - totals.costUsd),
    requests: `${totals.requests} request${totals.requests === 1 ? '' : 's'}`,
    share: totals.requests > 0 ? `${localShare}% local · ${100 - localShare}% cloud` : 'no requests',
    tokens: `${formatTokens(totals.tokens.input)} in · ${formatTokens(totals.tokens.output)} out · ${formatTokens(totals.tokens.cacheRead)} cached`,
  };
}

export interface DailySeries {
  /** Unix seconds at local midnight of each day. */
  days: number[];
  spendUsd: number[];
  counterfactualUsd: number[];
  /** Percent of requests answered locally; null on days without requests. */
  localSharePct: (number | null)[];
  /** Requests per day, and how many of them were answered locally. */
  requests: number[];
  localRequests: number[];
}

export interface PeriodTotals {
  /** "1 day", "14 days". */
  days: string;
  spentUsd: number;
  allCloudUsd: number;
  /** Percent of the period's requests answered locally; undefined without requests. */
  localShare: number | undefined;
}

/** The figures for the whole charted period (the chart's legend while no day is pointed at). */
export function periodTotals(series: DailySeries): PeriodTotals {
  const n = series.days.length;
  const sum = (values: number[]): number => values.reduce((a, b) => a + b, 0);
  const requests = sum(series.requests);
  return {
    days: `${n} day${n === 1 ? '' : 's'}`,
    spentUsd: sum(series.spendUsd),
    allCloudUsd: sum(series.counterfactualUsd),
    localShare: requests > 0 ? Math.round((sum(series.localRequests) / requests) * 1000) / 10 : undefined,
  };
}

function parseDay(key: string): Date | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(key);
  return m ? new Date(+(m[1] as string), +(m[2] as string) - 1, +(m[3] as string)) : undefined;
}

/** Every calendar day from `first` (a day key) through `today`, at most the last `maxDays` of them. */
export function daysThrough(first: string, today: string, maxDays: number): Date[] {
  const end = parseDay(today);
  let day = parseDay(first);
  if (!end || !day) return [];
  const earliest = new Date(end.getFullYear(), end.getMonth(), end.getDate() - (maxDays - 1));
  if (day < earliest) day = earliest;
  const out: Date[] = [];
  for (; day <= end; day = new Date(day.getFullYear(), day.getMonth(), day.getDate() + 1)) out.push(day);
  return out;
}

/** One point per calendar day from the first day in `byDay` through `today`, gaps filled with zero spend. */
export function dailySeries(byDay: Record<string, LedgerTotals>, today: string, maxDays = 90): DailySeries {
  const keys = Object.keys(byDay).filter((k) => parseDay(k)).sort();
  const series: DailySeries = { days: [], spendUsd: [], counterfactualUsd: [], localSharePct: [], requests: [], localRequests: [] };
  if (keys.length === 0) return series;
  for (const day of daysThrough(keys[0] as string, today, maxDays)) {
    const t = byDay[dayKey(day)];
    series.days.push(Math.round(day.getTime() / 1000));
    series.spendUsd.push(t?.costUsd ?? 0);
    series.counterfactualUsd.push(t?.counterfactualUsd ?? 0);
    series.localSharePct.push(t && t.requests > 0 ? Math.round((t.local / t.requests) * 1000) / 10 : null);
    series.requests.push(t?.requests ?? 0);
    series.localRequests.push(t?.local ?? 0);
  }
  return series;
}

/** "in / out / cached" token cell. */
export function tokenCell(entry: LedgerEntry): string {
  return `${formatTokens(entry.tokens.input)} / ${formatTokens(entry.tokens.output)} / ${formatTokens(entry.tokens.cacheRead)}`;
}

/** Feedback lines by the entry they are about. */
export function feedbackByEntry(feedback: readonly LedgerFeedback[]): Map<string, LedgerFeedback[]> {
  const out = new Map<string, LedgerFeedback[]>();
  for (const f of feedback) {
    const list = out.get(f.entryId);
    if (list) list.push(f);
    else out.set(f.entryId, [f]);
  }
  return out;
}

const SIGNAL_WORDS: Record<FeedbackSignal, string> = {
  'completion-shown': 'shown',
  'completion-accepted': 'accepted',
  'completion-accepted-word': 'accepted by word',
  'completion-accepted-line': 'accepted by line',
  'completion-dismissed': 'dismissed',
  'completion-retained-30s': 'kept 30 s',
  'completion-lost-30s': 'gone after 30 s',
  'completion-retained-5m': 'kept 5 min',
  'completion-lost-5m': 'gone after 5 min',
  'thumbs-up': 'thumbs up',
  'thumbs-down': 'thumbs down',
  'code-copied': 'code copied',
  'code-inserted': 'code inserted',
  'answer-copied': 'answer copied',
  'asked-other-side': 'asked the other side',
  'refactor-applied': 'applied',
  'refactor-partly-applied': 'partly applied',
  'refactor-discarded': 'discarded',
  'edits-undone': 'undone',
  'compare-preferred': 'preferred in a compare',
  'compare-not-preferred': 'not preferred in a compare',
};

/** "12 shown · 3 accepted · 2 kept 5 min" / "thumbs up · code copied": counts added up, in signal order. */
export function feedbackSummary(list: readonly LedgerFeedback[] | undefined): string {
  if (!list?.length) return '';
  const counts = new Map<FeedbackSignal, number>();
  for (const f of list) counts.set(f.signal, (counts.get(f.signal) ?? 0) + f.count);
  return [...counts]
    .map(([signal, n]) => (signal.startsWith('completion-') ? `${n} ${SIGNAL_WORDS[signal]}` : n > 1 ? `${SIGNAL_WORDS[signal]} ×${n}` : SIGNAL_WORDS[signal]))
    .join(' · ');
}

export interface ShareSeries {
  days: number[];
  /** Questions (explain, chat, refactor; compare runs left out) answered that day. */
  questions: number[];
  /** Percent of them answered by Claude; null on days without questions. */
  cloudPct: (number | null)[];
  /** Percent of them sent to Claude because of what the router learned (or to try Claude out). */
  learnedPct: (number | null)[];
}

const LEARNED_CLOUD = new Set(['learned-cloud', 'explore-cloud']);

/** How the share of questions sent to Claude changed per day, and how much of it was learned. */
export function cloudShareSeries(entries: readonly LedgerEntry[], today: string, maxDays = 30): ShareSeries {
  const byDay = new Map<string, { n: number; cloud: number; learned: number }>();
  for (const e of entries) {
    if (e.kind === 'completion' || e.compare || e.route === 'blocked') continue;
    const key = dayKey(e.time);
    const d = byDay.get(key) ?? { n: 0, cloud: 0, learned: 0 };
    d.n++;
    if (e.route === 'cloud') {
      d.cloud++;
      if (e.reasons.some((r) => LEARNED_CLOUD.has(r.code))) d.learned++;
    }
    byDay.set(key, d);
  }
  const out: ShareSeries = { days: [], questions: [], cloudPct: [], learnedPct: [] };
  const first = [...byDay.keys()].sort()[0];
  if (!first) return out;
  for (const day of daysThrough(first, today, maxDays)) {
    const d = byDay.get(dayKey(day));
    out.days.push(Math.round(day.getTime() / 1000));
    out.questions.push(d?.n ?? 0);
    out.cloudPct.push(d && d.n ? Math.round((d.cloud / d.n) * 1000) / 10 : null);
    out.learnedPct.push(d && d.n ? Math.round((d.learned / d.n) * 1000) / 10 : null);
  }
  return out;
}
