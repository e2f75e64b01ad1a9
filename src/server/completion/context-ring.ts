// Extra context from other open or recently edited files, kept stable so the KV cache stays valid:
// candidate chunks wait in a queue and enter the ring only after a quiet period (no completion
// requests), so the tokens in front of the FIM prompt do not change while the user types.
// Pure: the caller passes the clock.

export interface ContextChunk {
  uri: string;
  /** Path shown to the model in the chunk header. */
  label: string;
  startLine: number;
  endLine: number;
  text: string;
}

export interface RingOptions {
  maxChunks: number;
  /** Milliseconds without completion requests before queued chunks enter the ring. */
  quietMs: number;
}

export class ContextRing {
  private ring: ContextChunk[] = [];
  private queue: ContextChunk[] = [];
  private lastActivity = -Infinity;

  constructor(private readonly options: RingOptions) {}

  /** A completion request happened (typing is going on). */
  touch(now: number): void {
    this.lastActivity = now;
  }

  /** Offer a chunk; it waits for the next quiet period. A newer chunk of the same region replaces it. */
  offer(chunk: ContextChunk): void {
    if (!chunk.text.trim()) return;
    this.queue = this.queue.filter((c) => !overlaps(c, chunk));
    this.queue.push(chunk);
  }

  /** Moves queued chunks into the ring when typing has paused; true when the ring changed. */
  commitIfQuiet(now: number): boolean {
    if (!this.queue.length || now - this.lastActivity < this.options.quietMs) return false;
    let changed = false;
    for (const chunk of this.queue) {
      const same = this.ring.findIndex((c) => overlaps(c, chunk));
      if (same >= 0 && this.ring[same].text === chunk.text) continue;
      if (same >= 0) this.ring.splice(same, 1);
      this.ring.push(chunk);
      changed = true;
    }
    this.queue = [];
    while (this.ring.length > this.options.maxChunks) {
      this.ring.shift();
      changed = true;
    }
    return changed;
  }

  /** Ring chunks in stable order, without those overlapping the lines the FIM window already shows. */
  chunksFor(uri: string, windowStart: number, windowEnd: number): ContextChunk[] {
    return this.ring.filter((c) => c.uri !== uri || c.endLine <= windowStart || c.startLine >= windowEnd);
  }

  forget(uri: string): void {
    this.ring = this.ring.filter((c) => c.uri !== uri);
    this.queue = this.queue.filter((c) => c.uri !== uri);
  }

  get pending(): number {
    return this.queue.length;
  }

  get size(): number {
    return this.ring.length;
  }
}

function overlaps(a: ContextChunk, b: ContextChunk): boolean {
  return a.uri === b.uri && a.startLine < b.endLine && b.startLine < a.endLine;
}

/** A chunk of `lines` lines around `line` (clamped to the document). */
export function chunkAround(allLines: string[], line: number, lines: number): { startLine: number; endLine: number; text: string } {
  const start = Math.max(0, Math.min(line - Math.floor(lines / 2), allLines.length - lines));
  const end = Math.min(allLines.length, start + lines);
  return { startLine: start, endLine: end, text: allLines.slice(start, end).join('\n') };
}
