// CSV of ledger entries (RFC 4180: comma separated, CRLF line ends, fields with a comma, quote or line break
// quoted and inner quotes doubled). Text fields that a spreadsheet would run as a formula (= + - @ tab CR at
// the start) get a leading apostrophe. Pure: no DOM.
import type { LedgerEntry } from '../../src/shared/protocol';

export const CSV_COLUMNS = [
  'time',
  'kind',
  'route',
  'model',
  'reasons',
  'input_tokens',
  'output_tokens',
  'cache_read_tokens',
  'cache_write_tokens',
  'cost_usd',
  'counterfactual_usd',
  'savings_usd',
  'ttft_ms',
  'total_ms',
  'fallback_from',
  'fallback_reason',
  'error',
  'files_sent',
  'tokens_sent',
] as const;

/** One field: numbers as they are, text quoted when needed and guarded against formulas. */
export function csvField(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  let text = value;
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** USD amounts with a fixed 6 decimals, so columns line up and nothing shows as 1e-7. */
const usd = (value: number): string => (Number.isFinite(value) ? value.toFixed(6) : '');
/** Whole milliseconds: timings measured with performance.now() carry float noise (33.46376600000076). */
const ms = (value: number | null): number | null => (value === null || !Number.isFinite(value) ? null : Math.round(value));

export function csvRow(entry: LedgerEntry): string {
  const files = entry.manifest?.files.map((f) => f.uri).join(' ') ?? '';
  const fields: (string | number | null | undefined)[] = [
    entry.time,
    entry.kind,
    entry.route,
    entry.model,
    entry.reasons.map((r) => r.text).join('; '),
    entry.tokens.input,
    entry.tokens.output,
    entry.tokens.cacheRead,
    entry.tokens.cacheWrite,
    usd(entry.costUsd),
    usd(entry.counterfactualUsd),
    usd(entry.counterfactualUsd - entry.costUsd),
    ms(entry.ttftMs),
    ms(entry.totalMs),
    entry.fallback?.from,
    entry.fallback?.reason.text,
    entry.error,
    files,
    entry.manifest?.tokens,
  ];
  return fields.map(csvField).join(',');
}

export function buildCsv(entries: readonly LedgerEntry[]): string {
  return [CSV_COLUMNS.join(','), ...entries.map(csvRow)].join('\r\n') + '\r\n';
}

/** "tandem-ledger-2026-11-21.csv" */
export function csvFileName(now: Date = new Date()): string {
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `tandem-ledger-${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}.csv`;
}
