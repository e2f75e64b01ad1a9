// How fast inline suggestions are, as the status bar's hover shows it: the editor's wait for a suggestion that
// showed text (measured here, per request), and the local model's share and speed (from the engine's
// tandem/stats records). Pure: the samples come in as data.
import { percentile } from '../shared/percentile';
import type { CompletionRecord } from '../shared/protocol';

/** Suggestions the summary covers, newest first. */
export const LATENCY_WINDOW = 50;

export interface Spread {
  p50: number;
  p90: number;
  count: number;
}

export interface LatencySummary {
  /** Editor request → ghost text, in ms, for suggestions that showed text (measured in the extension). */
  shown?: Spread;
  /** Model time per generated suggestion (prefill + first token + decode), in ms, from the engine. */
  model?: Spread;
  /** Generated tokens per second of generation time, over the same suggestions. */
  tokensPerSecond?: number;
}

function spread(samples: readonly number[]): Spread | undefined {
  if (samples.length === 0) return undefined;
  return { p50: Math.round(percentile(samples, 50)), p90: Math.round(percentile(samples, 90)), count: samples.length };
}

/** The newest `LATENCY_WINDOW` editor timings, kept as they arrive. */
export class LatencyRing {
  private readonly samples: number[] = [];

  add(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) return;
    this.samples.push(ms);
    if (this.samples.length > LATENCY_WINDOW) this.samples.splice(0, this.samples.length - LATENCY_WINDOW);
  }

  get values(): readonly number[] {
    return this.samples;
  }
}

export function summarizeLatency(shownMs: readonly number[], records: readonly CompletionRecord[]): LatencySummary {
  const generated = records.filter((r) => r.source === 'model' && r.generatedTokens > 0).slice(-LATENCY_WINDOW);
  const tokens = generated.reduce((n, r) => n + r.generatedTokens, 0);
  const generatingMs = generated.reduce((n, r) => n + r.firstTokenMs + r.decodeMs, 0);
  return {
    shown: spread(shownMs.slice(-LATENCY_WINDOW)),
    model: spread(generated.map((r) => r.prefillMs + r.firstTokenMs + r.decodeMs)),
    tokensPerSecond: generatingMs > 0 ? Math.round((tokens / generatingMs) * 1000) : undefined,
  };
}
