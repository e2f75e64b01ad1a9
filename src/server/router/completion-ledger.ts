// Inline completions in the ledger: one local entry per file and minute (never one per keystroke), with the
// tokens the local model spent and what the same requests would have cost on the counterfactual cloud model, so
// the routing panel's savings and payback include the bulk of local work. Each suggestion carries its entry's id,
// so feedback on it (shown, accepted, retained) is linked to the entry.
import { randomUUID } from 'node:crypto';
import type { CompletionRecord, LedgerEntry } from '../../shared/protocol.js';
import { contextKey } from './learn-context.js';
import { COMPLETION_REASON } from './policy.js';
import { costOf, priceFor, roundUsd, tokenCounts } from './prices.js';
import type { RouterService } from './service.js';

const MINUTE_MS = 60_000;

interface Bucket {
  id: string;
  uri: string;
  minute: number;
  time: string;
  model: string;
  context: string;
  count: number;
  input: number;
  output: number;
  counterfactualUsd: number;
  firstTokenMs: number;
  generations: number;
  totalMs: number;
}

export class CompletionLedger {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly state: RouterService,
    private readonly onEntry: (entry: LedgerEntry) => void,
  ) {}

  /**
   * Counts one inline completion request that showed a suggestion or ran the model; returns the id of the entry
   * its suggestion belongs to (undefined when nothing was shown).
   */
  add(record: CompletionRecord, info: { languageId?: string; model?: string }, now = Date.now()): string | undefined {
    const generated = record.source === 'model';
    if (!generated && !(record.source === 'cache' && record.chars > 0)) return undefined;
    const minute = Math.floor(now / MINUTE_MS);
    let bucket = this.buckets.get(record.uri);
    if (bucket && bucket.minute !== minute) {
      this.write(bucket);
      bucket = undefined;
    }
    if (!bucket) {
      bucket = {
        id: randomUUID(),
        uri: record.uri,
        minute,
        time: new Date(now).toISOString(),
        model: info.model ?? 'local',
        context: contextKey({ kind: 'completion', language: info.languageId ?? 'none', files: 1, tokens: 0, selection: false }),
        count: 0,
        input: 0,
        output: 0,
        counterfactualUsd: 0,
        firstTokenMs: 0,
        generations: 0,
        totalMs: 0,
      };
      this.buckets.set(record.uri, bucket);
    }
    bucket.count++;
    bucket.totalMs += record.totalMs;
    if (generated) {
      bucket.generations++;
      bucket.firstTokenMs += record.firstTokenMs;
      // The cloud would have read the whole prompt (no local KV cache there) and written the same tokens.
      bucket.input += record.promptTokens;
      bucket.output += record.generatedTokens;
      const s = this.state.ctx.settings.value;
      const price = priceFor(s.cloud.counterfactualModel, s.cloud.prices);
      if (price) bucket.counterfactualUsd += costOf(price, { input: record.promptTokens, output: record.generatedTokens, cacheRead: 0, cacheWrite5m: 0, cacheWrite1h: 0 });
    }
    return record.chars > 0 ? bucket.id : undefined;
  }

  /** A bucket not written yet, for feedback that arrives before its minute is over. */
  pending(id: string): { id: string; kind: 'completion'; route: 'local'; context: string } | undefined {
    for (const b of this.buckets.values()) if (b.id === id) return { id, kind: 'completion', route: 'local', context: b.context };
    return undefined;
  }

  /** Writes the buckets of past minutes (all of them with `all`: before the ledger is read, at shutdown). */
  flush(all: boolean, now = Date.now()): void {
    const minute = Math.floor(now / MINUTE_MS);
    for (const [uri, bucket] of this.buckets) {
      if (!all && bucket.minute === minute) continue;
      this.buckets.delete(uri);
      this.write(bucket);
    }
  }

  private write(b: Bucket): void {
    const entry: LedgerEntry = {
      id: b.id,
      time: b.time,
      kind: 'completion',
      route: 'local',
      model: b.model,
      reasons: [COMPLETION_REASON],
      tokens: tokenCounts({ input: b.input, output: b.output, cacheRead: 0, cacheWrite5m: 0, cacheWrite1h: 0 }),
      costUsd: 0,
      counterfactualUsd: roundUsd(b.counterfactualUsd),
      // Means over the minute's requests.
      ttftMs: b.generations ? Math.round(b.firstTokenMs / b.generations) : null,
      totalMs: Math.round(b.totalMs / b.count),
      count: b.count,
      uri: b.uri,
      context: b.context,
    };
    // An entry that cannot be written yet still counts and is written with the next one (the ledger's own retry).
    if (!this.state.ledger.append(entry)) this.state.ctx.log.error(`Ledger: ${this.state.ledger.problem ?? 'write failed'}; completions are written when it can be.`);
    this.onEntry(entry);
  }
}
