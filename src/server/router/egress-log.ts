// Completions to a server on another machine leave a manifest in the ledger like cloud requests. Where completions
// are ledgered (completion-ledger.ts, per file and minute) the manifest rides on those entries; where they are not
// (an evaluation's engine) this log writes its own: a burst of completions (to one server, until typing pauses for
// IDLE_MS or the burst is MAX_BURST_MS old) becomes one entry with how many requests, every file and line range
// that went out, the bytes and estimated tokens in total. Either way, one entry per keystroke would bury every
// other decision in the routing panel.
import { randomUUID } from 'node:crypto';
import type { EgressManifest, LedgerEntry, Reason } from '../../shared/protocol.js';
import type { ServerOutgoing } from '../backends/link.js';

export const IDLE_MS = 30_000;
export const MAX_BURST_MS = 5 * 60_000;

interface Burst {
  destination: ServerOutgoing['destination'];
  started: number;
  sent: ManifestBuilder;
}

/** Where a completion's egress is recorded. */
export interface CompletionEgressSink {
  egress(out: ServerOutgoing): void;
}

/** What went out, gathered: files with merged ranges and summed bytes, redactions, tokens. */
export class ManifestBuilder {
  private readonly files = new Map<string, { ranges: { startLine: number; endLine: number }[]; bytes: number }>();
  private readonly redactions: EgressManifest['redactions'] = [];
  tokens = 0;
  requests = 0;

  add(out: ServerOutgoing): void {
    this.requests++;
    this.tokens += out.tokens;
    this.redactions.push(...out.redactions);
    for (const source of out.sources) {
      const file = this.files.get(source.uri) ?? { ranges: [], bytes: 0 };
      file.ranges = mergeRanges([...file.ranges, ...source.ranges]);
      file.bytes += source.bytes;
      this.files.set(source.uri, file);
    }
  }

  manifest(): EgressManifest {
    return { files: [...this.files.entries()].map(([uri, f]) => ({ uri, ranges: f.ranges, bytes: f.bytes })), tokens: this.tokens, redactions: this.redactions };
  }
}

/** The reason on an entry whose completions went to a server on another machine. */
export function egressReason(d: ServerOutgoing['destination'], requests: number): Reason {
  return {
    code: 'completion-egress',
    text: `Inline completions ran on ${d.kind} at ${d.url}, another machine${d.trusted ? ' you trust' : ' not marked trusted'}: ${requests} request${requests === 1 ? '' : 's'} carried the code listed in the manifest.`,
  };
}

/** Ranges merged where they overlap or touch, sorted. */
export function mergeRanges(ranges: { startLine: number; endLine: number }[]): { startLine: number; endLine: number }[] {
  const sorted = [...ranges].sort((a, b) => a.startLine - b.startLine);
  const out: { startLine: number; endLine: number }[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r.startLine <= last.endLine) last.endLine = Math.max(last.endLine, r.endLine);
    else out.push({ ...r });
  }
  return out;
}

export class CompletionEgressLog implements CompletionEgressSink {
  private burst: Burst | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly record: (entry: LedgerEntry) => void,
    private readonly model: () => string,
    private readonly now: () => number = Date.now,
  ) {}

  egress(out: ServerOutgoing): void {
    if (this.burst && (this.burst.destination.url !== out.destination.url || this.now() - this.burst.started > MAX_BURST_MS)) this.flush();
    const fresh: Burst = { destination: out.destination, started: this.now(), sent: new ManifestBuilder() };
    const burst = (this.burst ??= fresh);
    burst.sent.add(out);
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.flush(), IDLE_MS);
    this.timer.unref();
  }

  /** Writes the open burst (typing paused, another server, or shutdown). */
  flush(): void {
    clearTimeout(this.timer);
    const burst = this.burst;
    this.burst = undefined;
    if (!burst) return;
    const manifest = burst.sent.manifest();
    this.record({
      id: randomUUID(),
      time: new Date(burst.started).toISOString(),
      kind: 'completion',
      route: 'local',
      model: this.model(),
      reasons: [egressReason(burst.destination, burst.sent.requests)],
      tokens: { input: manifest.tokens, output: 0, cacheRead: 0, cacheWrite: 0 },
      costUsd: 0,
      counterfactualUsd: 0,
      ttftMs: null,
      totalMs: 0,
      manifest,
      destination: burst.destination,
      count: burst.sent.requests,
    });
  }
}
