// Completion statistics: per-stage timings with p50/p90, tokens evaluated, cache hits, skips.
// Pure bookkeeping (no I/O): the completion handler records, `tandem/stats` reads.
import { percentile } from '../shared/percentile.js';
import type { CompletionRecord, CompletionStats, StageStats } from '../shared/protocol.js';

const MAX_RECORDS = 2000;

type StageName = keyof CompletionStats['stages'];

function stage(samples: readonly number[]): StageStats {
  return { p50: round(percentile(samples, 50)), p90: round(percentile(samples, 90)), count: samples.length };
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

export class CompletionStatsRecorder {
  private requests = 0;
  private cacheHits = 0;
  private generations = 0;
  private cancelled = 0;
  private readonly skipped: Record<string, number> = {};
  private readonly records: CompletionRecord[] = [];

  /** Counts one request and keeps its record (the newest MAX_RECORDS are kept). */
  record(record: CompletionRecord): void {
    this.requests++;
    if (record.source === 'cache') this.cacheHits++;
    if (record.source === 'model') this.generations++;
    if (record.source === 'cancelled') this.cancelled++;
    if (record.source === 'skipped') {
      const reason = record.reason ?? 'unknown';
      this.skipped[reason] = (this.skipped[reason] ?? 0) + 1;
    }
    this.records.push(record);
    if (this.records.length > MAX_RECORDS) this.records.splice(0, this.records.length - MAX_RECORDS);
  }

  snapshot(recent = 100): CompletionStats {
    const model = this.records.filter((r) => r.source === 'model');
    const answered = this.records.filter((r) => r.source === 'model' || r.source === 'cache');
    const pick = (rows: CompletionRecord[], key: keyof CompletionRecord): number[] => rows.map((r) => r[key] as number);
    const stages: Record<StageName, StageStats> = {
      wait: stage(pick(model, 'waitMs')),
      context: stage(pick(answered, 'contextMs')),
      prefill: stage(pick(model, 'prefillMs')),
      firstToken: stage(pick(model, 'firstTokenMs')),
      decode: stage(pick(model, 'decodeMs')),
      postProcess: stage(pick(answered, 'postProcessMs')),
      total: stage(pick(answered, 'totalMs')),
    };
    const count = Math.max(0, Math.min(MAX_RECORDS, Math.floor(recent)));
    return {
      requests: this.requests,
      cacheHits: this.cacheHits,
      generations: this.generations,
      cancelled: this.cancelled,
      skipped: { ...this.skipped },
      stages,
      tokensEvaluated: stage(pick(model, 'evaluatedTokens')),
      promptTokens: stage(pick(model, 'promptTokens')),
      recent: count ? this.records.slice(-count) : [],
    };
  }
}
