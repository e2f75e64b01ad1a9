// Dated, sourced price table per model and the arithmetic that prices a request. Pure: no I/O.
// Prices are USD per million tokens. Source: Anthropic pricing page as quoted by third-party trackers in
// Oct 2026 (see /work/shared/reference/anthropic.md). Cache writes: 5-minute 1.25x input, 1-hour 2x input.
import type { ModelPriceOverride } from '../../shared/settings.js';
import type { TokenCounts } from '../../shared/protocol.js';

export const PRICE_TABLE_DATE = '2026-10-31';
export const PRICE_TABLE_SOURCE = 'Anthropic pricing page (claude.com/pricing) as quoted in Oct 2026';

export interface PriceBand {
  input: number;
  output: number;
  cacheWrite5m: number;
  cacheWrite1h: number;
  cacheRead: number;
}

export interface ModelPrice extends PriceBand {
  /** A higher band that applies to EVERY token of a request whose total input exceeds `aboveTokens`. */
  longContext?: PriceBand & { aboveTokens: number };
  /** Where the numbers come from; 'settings' when the user overrode them. */
  source: string;
}

/** Every token of a request priced: input EXCLUDES cache tokens, as in the API's usage. */
export interface Usage {
  input: number;
  output: number;
  cacheRead: number;
  /** Cache writes by TTL; a write without TTL split counts as 5-minute. */
  cacheWrite5m: number;
  cacheWrite1h: number;
}

const per = (n: number) => Math.round(n * 1e6) / 1e6;

function band(input: number, output: number, cacheRead: number): PriceBand {
  return { input, output, cacheWrite5m: per(input * 1.25), cacheWrite1h: per(input * 2), cacheRead: per(cacheRead) };
}

const SOURCE = `${PRICE_TABLE_SOURCE}, table dated ${PRICE_TABLE_DATE}`;

const TABLE: Record<string, ModelPrice> = {
  'claude-haiku-5-5': { ...band(0.1, 0.5, 0.01), longContext: { ...band(0.5, 2.5, 0.05), aboveTokens: 100_000 }, source: SOURCE },
  'claude-sonnet-5-5': { ...band(2, 10, 0.1), source: SOURCE },
  'claude-opus-5-5': { ...band(4, 20, 0.2), source: SOURCE },
  'claude-sonnet-5': { ...band(2, 10, 0.2), source: SOURCE },
  'claude-opus-5': { ...band(5, 25, 0.5), source: SOURCE },
  'claude-opus-4-5': { ...band(5, 25, 0.5), source: SOURCE },
  'claude-opus-4-6': { ...band(5, 25, 0.5), source: SOURCE },
  'claude-opus-4-7': { ...band(5, 25, 0.5), source: SOURCE },
  'claude-opus-4-8': { ...band(5, 25, 0.5), source: SOURCE },
  'claude-sonnet-4-5': { ...band(3, 15, 0.3), source: SOURCE },
  'claude-sonnet-4-6': { ...band(3, 15, 0.3), source: SOURCE },
  'claude-haiku-4-5': { ...band(1, 5, 0.1), source: SOURCE },
  'claude-fable-5': { ...band(10, 50, 1), source: SOURCE },
  'claude-mythos-5': { ...band(10, 50, 1), source: SOURCE },
};

/** Dated model ids (claude-haiku-4-5-20251001) and minor versions (claude-fable-5-2) share the family's price. */
function baseId(model: string): string | undefined {
  if (TABLE[model]) return model;
  const undated = model.replace(/-\d{8}$/, '');
  if (TABLE[undated]) return undated;
  const family = model.match(/^(claude-(?:fable|mythos)-5)(?:-\d+)?$/);
  return family && TABLE[family[1]] ? family[1] : undefined;
}

/** The price for a model: the table, with the user's overrides (tandem.cloud.prices) applied to the base band. */
export function priceFor(model: string, overrides: Record<string, Partial<ModelPriceOverride>> = {}): ModelPrice | undefined {
  const id = baseId(model);
  const base = id ? TABLE[id] : undefined;
  const override = overrides[model] ?? (id ? overrides[id] : undefined);
  if (!override) return base;
  const clean = Object.fromEntries(
    Object.entries(override).filter(([, v]) => typeof v === 'number' && Number.isFinite(v) && v >= 0),
  ) as Partial<ModelPriceOverride>;
  if (!base) {
    if (clean.input === undefined || clean.output === undefined) return undefined;
    const derived = band(clean.input, clean.output, clean.input * 0.1);
    return { ...derived, ...clean, source: 'settings (tandem.cloud.prices)' };
  }
  return { ...base, ...clean, source: `settings (tandem.cloud.prices) over ${base.source}` };
}

export function knownModels(): string[] {
  return Object.keys(TABLE);
}

export function totalInput(usage: Usage): number {
  return usage.input + usage.cacheRead + usage.cacheWrite5m + usage.cacheWrite1h;
}

function bandFor(price: ModelPrice, inputTokens: number): PriceBand {
  return price.longContext && inputTokens > price.longContext.aboveTokens ? price.longContext : price;
}

/** USD for a request's usage. */
export function costOf(price: ModelPrice, usage: Usage): number {
  const b = bandFor(price, totalInput(usage));
  const micro =
    usage.input * b.input +
    usage.output * b.output +
    usage.cacheRead * b.cacheRead +
    usage.cacheWrite5m * b.cacheWrite5m +
    usage.cacheWrite1h * b.cacheWrite1h;
  return roundUsd(micro / 1_000_000);
}

/** The most a request can cost before it runs: every prompt token at the input price, max_tokens of output. */
export function worstCaseUsd(price: ModelPrice, promptTokens: number, maxTokens: number): number {
  const b = bandFor(price, promptTokens);
  return roundUsd((promptTokens * b.input + maxTokens * b.output) / 1_000_000);
}

/** The largest max_tokens whose worst case stays within `usd`, or 0. */
export function maxTokensWithin(price: ModelPrice, promptTokens: number, usd: number): number {
  const b = bandFor(price, promptTokens);
  const left = usd * 1_000_000 - promptTokens * b.input;
  return left <= 0 ? 0 : Math.floor(left / b.output);
}

/** Costs are kept to a millionth of a cent so sums stay exact enough to compare by hand. */
export function roundUsd(usd: number): number {
  return Math.round(usd * 1e8) / 1e8;
}

/** The API's usage object (input_tokens excludes cache tokens) as Usage. */
export function usageFromApi(u: {
  input_tokens?: number | null;
  output_tokens?: number | null;
  cache_read_input_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
  cache_creation?: { ephemeral_5m_input_tokens?: number | null; ephemeral_1h_input_tokens?: number | null } | null;
}): Usage {
  const write = u.cache_creation_input_tokens ?? 0;
  const w1h = u.cache_creation?.ephemeral_1h_input_tokens ?? 0;
  const w5m = u.cache_creation ? (u.cache_creation.ephemeral_5m_input_tokens ?? 0) : write;
  // A total larger than the split (older responses) counts the rest as 5-minute writes.
  const rest = Math.max(0, write - w5m - w1h);
  return {
    input: u.input_tokens ?? 0,
    output: u.output_tokens ?? 0,
    cacheRead: u.cache_read_input_tokens ?? 0,
    cacheWrite5m: w5m + rest,
    cacheWrite1h: w1h,
  };
}

export function tokenCounts(usage: Usage): TokenCounts {
  return { input: usage.input, output: usage.output, cacheRead: usage.cacheRead, cacheWrite: usage.cacheWrite5m + usage.cacheWrite1h };
}
