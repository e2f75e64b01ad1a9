// Completions to a server on another machine leave a manifest in the ledger like cloud requests, but one entry
// per keystroke would bury every other decision in the routing panel. A burst of completions (to one server,
// until typing pauses for IDLE_MS or the burst is MAX_BURST_MS old) becomes one entry: how many requests, every
// file and line range that went out, the bytes and estimated tokens in total.
import { randomUUID } from 'node:crypto';
import type { EgressManifest, LedgerEntry } from '../../shared/protocol.js';
import type { ServerOutgoing } from '../backends/link.js';

export const IDLE_MS = 30_000;
export const MAX_BURST_MS = 5 * 60_000;

interface Burst {
  destination: ServerOutgoing['destination'];
  started: number;
  requests: number;
  tokens: number;
  files: Map<string, { ranges: { startLine: number; endLine: number }[]; bytes: number }>;
  redactions: EgressManifest['redactions'];
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

export class CompletionEgressLog {
  private burst: Burst | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly record: (entry: LedgerEntry) => void,
    private readonly model: () => string,
    private readonly now: () => number = Date.now,
  ) {}

  add(out: ServerOutgoing): void {
    if (this.burst && (this.burst.destination.url !== out.destination.url || this.now() - this.burst.started > MAX_BURST_MS)) this.flush();
    const fresh: Burst = { destination: out.destination, started: this.now(), requests: 0, tokens: 0, files: new Map(), redactions: [] };
    const burst = (this.burst ??= fresh);
    burst.requests++;
    burst.tokens += out.tokens;
    burst.redactions.push(...out.redactions);
    for (const source of out.sources) {
      const file = burst.files.get(source.uri) ?? { ranges: [], bytes: 0 };
      file.ranges = mergeRanges([...file.ranges, ...source.ranges]);
      file.bytes += source.bytes;
      burst.files.set(source.uri, file);
    }
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
    const d = burst.destination;
    const files = [...burst.files.entries()].map(([uri, f]) => ({ uri, ranges: f.ranges, bytes: f.bytes }));
    const entry: LedgerEntry = {
      id: randomUUID(),
      time: new Date(burst.started).toISOString(),
      kind: 'completion',
      route: 'local',
      model: this.model(),
      reasons: [
        {
          code: 'completion-egress',
          text: `Inline completions ran on ${d.kind} at ${d.url}, another machine${d.trusted ? ' you trust' : ' not marked trusted'}: ${burst.requests} request${burst.requests === 1 ? '' : 's'} carried the code listed in the manifest.`,
        },
      ],
      tokens: { input: burst.tokens, output: 0, cacheRead: 0, cacheWrite: 0 },
      costUsd: 0,
      counterfactualUsd: 0,
      ttftMs: null,
      totalMs: 0,
      manifest: { files, tokens: burst.tokens, redactions: burst.redactions },
      destination: d,
      requests: burst.requests,
    };
    this.record(entry);
  }
}
