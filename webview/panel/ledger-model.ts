// What the routing panel shows, computed from the ledger: filtered rows, totals lines, chart series.
// Pure: no DOM.
import type { LedgerEntry, LedgerTotals, RequestKind, Route } from '../../src/shared/protocol';
import { formatTokens, formatUsd } from '../shared/format';

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

/** One point per calendar day from the first day in `byDay` through `today`, gaps filled with zero spend. */
export function dailySeries(byDay: Record<string, LedgerTotals>, today: string, maxDays = 90): DailySeries {
  const keys = Object.keys(byDay).filter((k) => parseDay(k)).sort();
  const series: DailySeries = { days: [], spendUsd: [], counterfactualUsd: [], localSharePct: [], requests: [], localRequests: [] };
  const end = parseDay(today);
  if (keys.length === 0 || !end) return series;
  let day = parseDay(keys[0] as string) as Date;
  const earliest = new Date(end.getFullYear(), end.getMonth(), end.getDate() - (maxDays - 1));
  if (day < earliest) day = earliest;
  for (; day <= end; day = new Date(day.getFullYear(), day.getMonth(), day.getDate() + 1)) {
    const key = `${day.getFullYear()}-${String(day.getMonth() + 1).padStart(2, '0')}-${String(day.getDate()).padStart(2, '0')}`;
    const t = byDay[key];
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
