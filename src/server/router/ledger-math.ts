// Parsing the ledger's JSONL and adding up its totals. Pure: text and entries in, numbers out.
import type { LedgerEntry, LedgerFeedback, LedgerTotals, Reason, TokenCounts } from '../../shared/protocol.js';
import { roundUsd } from './prices.js';

export interface ParsedLedger {
  entries: LedgerEntry[];
  /** Feedback lines (their own record type: never requests, never money). */
  feedback: LedgerFeedback[];
  /** Complete lines that were not valid entries (a torn line, once a newline followed it). */
  skipped: number;
  /** Text after the last newline: a line still being written, or torn by a crash. */
  rest: string;
}

function isTokens(t: unknown): t is TokenCounts {
  const o = t as Record<string, unknown>;
  return !!o && ['input', 'output', 'cacheRead', 'cacheWrite'].every((k) => typeof o[k] === 'number' && Number.isFinite(o[k]));
}

export function isEntry(value: unknown): value is LedgerEntry {
  const e = value as Record<string, unknown>;
  return (
    !!e &&
    typeof e === 'object' &&
    typeof e.id === 'string' &&
    typeof e.time === 'string' &&
    !Number.isNaN(Date.parse(e.time)) &&
    typeof e.kind === 'string' &&
    (e.route === 'local' || e.route === 'cloud' || e.route === 'blocked') &&
    typeof e.costUsd === 'number' &&
    Number.isFinite(e.costUsd) &&
    typeof e.counterfactualUsd === 'number' &&
    Number.isFinite(e.counterfactualUsd) &&
    isTokens(e.tokens)
  );
}

export function isFeedback(value: unknown): value is LedgerFeedback {
  const f = value as Record<string, unknown>;
  return (
    !!f &&
    typeof f === 'object' &&
    f.type === 'feedback' &&
    typeof f.id === 'string' &&
    typeof f.entryId === 'string' &&
    typeof f.signal === 'string' &&
    typeof f.time === 'string' &&
    !Number.isNaN(Date.parse(f.time)) &&
    typeof f.count === 'number' &&
    Number.isFinite(f.count) &&
    f.count > 0
  );
}

/** A reason as an older version wrote it (plain text) or as written now ({code, text}). */
function reasonOf(value: unknown): Reason | undefined {
  if (typeof value === 'string') return { code: 'note', text: value };
  const r = value as Partial<Reason> | null;
  return r && typeof r === 'object' && typeof r.code === 'string' && typeof r.text === 'string' ? { code: r.code, text: r.text } : undefined;
}

/** Entries written before reasons had codes read as notes: their text is kept, no decision depends on it. */
function upgrade(entry: LedgerEntry): LedgerEntry {
  const raw = entry as unknown as { reasons?: unknown; fallback?: { from?: unknown; reason?: unknown } };
  const reasons = Array.isArray(raw.reasons) ? raw.reasons.map(reasonOf).filter((r): r is Reason => r !== undefined) : [];
  const fallbackReason = raw.fallback ? reasonOf(raw.fallback.reason) : undefined;
  const { fallback: _f, count, ...rest } = entry;
  // A count that is not a positive whole number reads as one request.
  const n = typeof count === 'number' && Number.isInteger(count) && count >= 0 ? { count } : {};
  return { ...rest, ...n, reasons, ...(entry.fallback && fallbackReason ? { fallback: { from: entry.fallback.from, reason: fallbackReason } } : {}) };
}

export function parseLedger(text: string): ParsedLedger {
  const entries: LedgerEntry[] = [];
  const feedback: LedgerFeedback[] = [];
  let skipped = 0;
  const end = text.lastIndexOf('\n');
  const complete = end === -1 ? '' : text.slice(0, end);
  for (const line of complete.split('\n')) {
    if (!line.trim()) continue;
    try {
      const value: unknown = JSON.parse(line);
      if (isFeedback(value)) feedback.push(value);
      else if (isEntry(value)) entries.push(upgrade(value));
      else skipped++;
    } catch {
      skipped++;
    }
  }
  return { entries, feedback, skipped, rest: text.slice(end + 1) };
}

export function emptyTotals(): LedgerTotals {
  return { costUsd: 0, counterfactualUsd: 0, requests: 0, local: 0, cloud: 0, tokens: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 } };
}

export function addTo(totals: LedgerTotals, e: LedgerEntry): void {
  totals.costUsd = roundUsd(totals.costUsd + e.costUsd);
  totals.counterfactualUsd = roundUsd(totals.counterfactualUsd + e.counterfactualUsd);
  // Inline completions are ledgered per file and minute: one entry stands for `count` requests.
  const n = e.count ?? 1;
  totals.requests += n;
  // An answer counts where it came from: a cloud request that fell back to local is a local answer.
  if (e.route === 'local') totals.local += n;
  else if (e.route === 'cloud') totals.cloud += n;
  totals.tokens.input += e.tokens.input;
  totals.tokens.output += e.tokens.output;
  totals.tokens.cacheRead += e.tokens.cacheRead;
  totals.tokens.cacheWrite += e.tokens.cacheWrite;
}

/** Local calendar day and month keys (budgets follow the user's day). */
export function dayKey(time: Date | string): string {
  const d = typeof time === 'string' ? new Date(time) : time;
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

export function monthKey(time: Date | string): string {
  return dayKey(time).slice(0, 7);
}

export interface Totals {
  today: LedgerTotals;
  month: LedgerTotals;
  byDay: Record<string, LedgerTotals>;
  byMonth: Record<string, LedgerTotals>;
  byKind: Record<string, LedgerTotals>;
}

export function totalsOf(entries: LedgerEntry[], now: Date): Totals {
  const byDay: Record<string, LedgerTotals> = {};
  const byMonth: Record<string, LedgerTotals> = {};
  const byKind: Record<string, LedgerTotals> = {};
  for (const e of entries) {
    addTo((byDay[dayKey(e.time)] ??= emptyTotals()), e);
    addTo((byMonth[monthKey(e.time)] ??= emptyTotals()), e);
    addTo((byKind[e.kind] ??= emptyTotals()), e);
  }
  return {
    today: byDay[dayKey(now)] ?? emptyTotals(),
    month: byMonth[monthKey(now)] ?? emptyTotals(),
    byDay,
    byMonth,
    byKind,
  };
}
