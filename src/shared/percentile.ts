// Percentiles for latency figures, shared by the engine's statistics and the status bar's summary. Pure.

/** Percentile by nearest rank over a copy of the samples; 0 without samples. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return 0;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}
