// Typed-ahead cache: when the user types characters that match the suggestion on screen (or accepts it
// line by line), the rest is answered from here with no model call. Pure data structure; the caller
// reads document text through a callback.

export interface CacheEntry {
  uri: string;
  /** Document offset of the cursor when the completion was generated. */
  offset: number;
  /** The text just before that cursor position (identifies the place even if offsets shift). */
  tail: string;
  /** The text after the cursor (the suffix window), unchanged while typing ahead. */
  after: string;
  /** The full post-processed completion, `\n` line breaks, including lines not shown yet. */
  text: string;
}

export interface CacheHit {
  entry: CacheEntry;
  /** What the user typed since the entry, normalised to `\n`. */
  typed: string;
  /** The rest of the completion (may start with a line break). */
  rest: string;
}

export const TAIL_CHARS = 128;

/** Reads document text between two offsets. */
export type ReadText = (start: number, end: number) => string;

export class TypedAheadCache {
  private entries: CacheEntry[] = [];

  constructor(private readonly capacity = 32) {}

  store(entry: CacheEntry): void {
    if (!entry.text) return;
    this.entries = this.entries.filter((e) => !(e.uri === entry.uri && e.offset === entry.offset));
    this.entries.push(entry);
    if (this.entries.length > this.capacity) this.entries.shift();
  }

  /** The newest entry for `uri` whose completion starts with what was typed since, with text left over. */
  lookup(uri: string, offset: number, after: string, read: ReadText): CacheHit | undefined {
    for (let i = this.entries.length - 1; i >= 0; i--) {
      const entry = this.entries[i];
      if (entry.uri !== uri || entry.after !== after) continue;
      const delta = offset - entry.offset;
      // CRLF documents: typed text may hold two characters per line break.
      if (delta < 0 || delta > entry.text.length * 2) continue;
      if (read(Math.max(0, entry.offset - entry.tail.length), entry.offset) !== entry.tail) continue;
      const typed = read(entry.offset, offset).replace(/\r\n/g, '\n');
      if (!entry.text.startsWith(typed)) continue;
      const rest = entry.text.slice(typed.length);
      if (!rest.trim()) continue;
      return { entry, typed, rest };
    }
    return undefined;
  }

  /** Forget a document (closed) or everything. */
  clear(uri?: string): void {
    this.entries = uri ? this.entries.filter((e) => e.uri !== uri) : [];
  }

  get size(): number {
    return this.entries.length;
  }
}
