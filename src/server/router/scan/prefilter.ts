// The speed trick of gitleaks and TruffleHog: one pass over the text finds every keyword that occurs (an
// Aho–Corasick automaton, case-insensitive), and only the rules whose keywords occur run their regex, only
// around them. The same pass collects the runs of token characters that the entropy check and the decoders
// look at, so the text is read once.

/** Runs of token characters shorter than this are not looked at (no key is shorter). */
export const MIN_RUN = 16;

export interface Pass {
  /** Keyword hits: hits[2k] is the keyword index, hits[2k + 1] the offset of its first character. */
  hits: number[];
  /** Token runs of at least MIN_RUN characters: runs[2k] start, runs[2k + 1] end. */
  runs: number[];
  /** Line breaks right after a token run of at least WRAP_RUN characters, or after a `\` continuation: where a
   * value may go on in the next line. */
  wraps: number[];
  /** Quotes followed by an operator or a line break and another quote: where string pieces may be joined. */
  joins: number[];
  /** `%` followed by two hex digits: where URL-encoding starts. */
  percents: number[];
}

/** A wrapped value's first line ends with at least this many token characters. */
export const WRAP_RUN = 6;

/** Flags in the character table: the bits below are the automaton's alphabet class. */
const TOKEN = 1 << 8;
/** Characters that start one of the rarer checks: quotes, `%`, line breaks, `\`. */
const SPECIAL = 1 << 9;

function hex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

/** After a quote: spaces, an optional operator (+ . .. & ||), an optional line break, and a quote. */
function joinAt(text: string, at: number): boolean {
  let i = at + 1;
  let c = text.charCodeAt(i);
  while (c === 32 || c === 9) c = text.charCodeAt(++i);
  let op = false;
  if (c === 43 || c === 38 || c === 46 || c === 124) {
    op = true;
    while (c === 43 || c === 38 || c === 46 || c === 124) c = text.charCodeAt(++i);
    while (c === 32 || c === 9) c = text.charCodeAt(++i);
  }
  if (c === 92) c = text.charCodeAt(++i);
  if (c === 13) c = text.charCodeAt(++i);
  if (c === 10) {
    c = text.charCodeAt(++i);
    while (c === 32 || c === 9 || c === 43 || c === 38 || c === 46 || c === 124) c = text.charCodeAt(++i);
  } else if (!op && c !== 32) return false;
  return c === 34 || c === 39 || c === 96;
}

export class KeywordAutomaton {
  /** Per char code: alphabet class | TOKEN. */
  private readonly table = new Uint16Array(65536);
  /** Transitions: next state's offset (state × classes); negative (−offset − 1) when that state has output. */
  private readonly delta: Int32Array;
  /** Keyword indices ending at each state (by state offset). */
  private readonly outputs = new Map<number, number[]>();
  readonly lengths: number[];

  constructor(readonly keywords: readonly string[]) {
    this.lengths = keywords.map((k) => k.length);
    for (let c = 48; c <= 57; c++) this.table[c] |= TOKEN;
    for (let c = 65; c <= 90; c++) this.table[c] |= TOKEN;
    for (let c = 97; c <= 122; c++) this.table[c] |= TOKEN;
    for (const ch of '+/=_-') this.table[ch.charCodeAt(0)] |= TOKEN;
    for (const ch of '"\'`%\n\\') this.table[ch.charCodeAt(0)] |= SPECIAL;
    // Alphabet classes: one per distinct (lower-cased) keyword character; upper-case letters share the class.
    let next = 1;
    const classOf = new Map<string, number>();
    for (const word of keywords) {
      for (const ch of word.toLowerCase()) {
        if (classOf.has(ch)) continue;
        classOf.set(ch, next);
        const code = ch.charCodeAt(0);
        this.table[code] |= next;
        const upper = ch.toUpperCase().charCodeAt(0);
        if (upper !== code && upper < 65536) this.table[upper] |= next;
        next++;
      }
    }
    if (next > 255) throw new Error('Too many distinct keyword characters for the prefilter.');
    // The trie, then failure links breadth first, folded into a full transition table.
    const children: Map<number, number>[] = [new Map()];
    const ends: number[][] = [[]];
    keywords.forEach((word, index) => {
      let state = 0;
      for (const ch of word.toLowerCase()) {
        const cls = classOf.get(ch) as number;
        let child = children[state].get(cls);
        if (child === undefined) {
          child = children.length;
          children.push(new Map());
          ends.push([]);
          children[state].set(cls, child);
        }
        state = child;
      }
      ends[state].push(index);
    });
    const states = children.length;
    const goto = new Int32Array(states * next);
    const fail = new Int32Array(states);
    const queue: number[] = [];
    for (let c = 0; c < next; c++) {
      const child = children[0].get(c);
      if (child !== undefined) {
        goto[c] = child;
        queue.push(child);
      }
    }
    for (let q = 0; q < queue.length; q++) {
      const state = queue[q];
      ends[state] = [...ends[state], ...ends[fail[state]]];
      for (let c = 0; c < next; c++) {
        const child = children[state].get(c);
        if (child !== undefined) {
          fail[child] = goto[fail[state] * next + c];
          goto[state * next + c] = child;
          queue.push(child);
        } else goto[state * next + c] = goto[fail[state] * next + c];
      }
    }
    this.delta = new Int32Array(states * next);
    for (let i = 0; i < this.delta.length; i++) {
      const target = goto[i];
      this.delta[i] = ends[target].length ? -(target * next) - 1 : target * next;
    }
    for (let s = 0; s < states; s++) if (ends[s].length) this.outputs.set(s * next, ends[s]);
  }

  /** One pass: keyword hits, long token runs, and where the decoders should look. The run length is kept
   * without a branch per character (this loop is most of the scan's time). */
  scan(text: string): Pass {
    const { table, delta, outputs, lengths } = this;
    const pass: Pass = { hits: [], runs: [], wraps: [], joins: [], percents: [] };
    const { hits, runs } = pass;
    let state = 0;
    let run = 0;
    // The characters as UTF-16 code units in a typed array: about a fifth faster to read than charCodeAt on
    // strings that are slices of larger ones. Written into one buffer kept for every scan (scans are synchronous),
    // so a 200 KB context leaves no 400 KB of garbage behind: fewer collections, a shorter tail.
    const n = text.length;
    const codes = unitsOf(text);
    for (let i = 0; i < n; i++) {
      const code = codes[i];
      const entry = table[code];
      state = delta[state + (entry & 0xff)];
      if (state < 0) {
        state = -state - 1;
        for (const k of outputs.get(state) as number[]) hits.push(k, i + 1 - lengths[k]);
      }
      if ((entry & SPECIAL) !== 0) this.special(text, i, code, pass, run);
      const token = (entry >>> 8) & 1;
      if (token === 0 && run >= MIN_RUN) runs.push(i - run, i);
      run = (run + 1) * token;
    }
    if (run >= MIN_RUN) runs.push(n - run, n);
    return pass;
  }

  private special(text: string, i: number, code: number, pass: Pass, runBefore: number): void {
    if (code === 10) {
      if (runBefore >= WRAP_RUN || (runBefore === 0 && text.charCodeAt(i - 1) === 13 && tokenBefore(text, i - 1) >= WRAP_RUN)) pass.wraps.push(i);
    } else if (code === 92) {
      const next = text.charCodeAt(i + 1) === 13 ? i + 2 : i + 1;
      if (text.charCodeAt(next) === 10 && runBefore >= 4) pass.wraps.push(next);
    } else if (code === 37) {
      if (hex(text.charCodeAt(i + 1)) && hex(text.charCodeAt(i + 2))) pass.percents.push(i);
    } else if (joinAt(text, i)) pass.joins.push(i);
  }
}

let scratch = Buffer.alloc(0);

/** `text` as UTF-16 code units, in the shared scratch buffer (valid until the next call). */
function unitsOf(text: string): Uint16Array {
  const bytes = text.length * 2;
  if (scratch.length < bytes) scratch = Buffer.alloc(Math.max(bytes, 64 * 1024));
  scratch.write(text, 0, bytes, 'utf16le');
  return new Uint16Array(scratch.buffer, scratch.byteOffset, text.length);
}

function tokenBefore(text: string, end: number): number {
  let a = end;
  while (a > 0 && end - a < 64) {
    const c = text.charCodeAt(a - 1);
    if (!((c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 43 || c === 47 || c === 61 || c === 95 || c === 45)) break;
    a--;
  }
  return end - a;
}
