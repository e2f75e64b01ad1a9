// Secrets in content that would leave the machine (detect.ts), for texts of any size: large texts are cut into
// chunks, each scanned with some text of its neighbours around it and cached per content, so a decision
// re-scans only what changed and a secret across a chunk boundary is still found. The one scanner of the dry
// run, the real request and the egress gate's re-check of the exact payload.
import * as crypto from 'node:crypto';
import { detect, mergeFindings, type Finding } from './detect.js';

export type { Finding };

const CACHE_LIMIT = 8192;
/** Large texts are scanned in line-aligned chunks of about this size, each cached on its own. */
export const CHUNK_CHARS = 4096;
/** Text on each side of a chunk that is scanned with it: a key on one line and its value on the next are
 * found together whichever of the two chunks changed. */
const HALO_CHARS = 256;

/** SHA-256 of `text`. The one-shot `crypto.hash` (Node 20.12+) creates no Hash object per call. */
export function contentKey(text: string): string {
  return typeof crypto.hash === 'function' ? crypto.hash('sha256', text, 'base64') : crypto.createHash('sha256').update(text).digest('base64');
}

export interface Chunk {
  start: number;
  end: number;
}

/** Line-aligned chunks; a private key block (BEGIN ... END) is never cut. Linear in the text's length. */
export function chunksOf(text: string, size = CHUNK_CHARS): Chunk[] {
  const out: Chunk[] = [];
  const begins: number[] = [];
  for (let i = text.indexOf('-----BEGIN'); i !== -1; i = text.indexOf('-----BEGIN', i + 1)) begins.push(i);
  let b = 0;
  let start = 0;
  while (start < text.length) {
    let end = Math.min(text.length, start + size);
    if (end < text.length) {
      const nl = text.indexOf('\n', end);
      end = nl === -1 ? text.length : nl + 1;
    }
    // The last block that begins in this chunk, if any.
    while (b < begins.length && begins[b] < start) b++;
    let last = -1;
    for (let j = b; j < begins.length && begins[j] < end; j++) last = begins[j];
    if (last >= start) {
      const close = text.indexOf('-----END', last);
      if (close === -1) end = text.length;
      else if (close >= end - 8) {
        const nl = text.indexOf('\n', close);
        end = nl === -1 ? text.length : nl + 1;
      }
    }
    out.push({ start, end });
    start = end;
  }
  return out;
}

/** A chunk, the window it is scanned in (`from`..`to`: the chunk and up to HALO_CHARS each side) and the key of
 * that window's content. Its cache entry holds the findings that touch the chunk, relative to its start. */
export interface Part extends Chunk {
  from: number;
  to: number;
  key: string;
}

/** A text's parts and a key for the whole text derived from theirs. */
export interface KeyedText {
  key: string;
  parts: Part[];
}

/** Shared by every clean part: most of the cache holds no finding. */
const NONE: Finding[] = [];

export class SecretScanner {
  // Least-recently-used, approximated by two generations: new entries and hits go to `young`; when it is full it
  // becomes `old` and the previous `old` is dropped whole. No per-entry deletes, so no hash-table rehashing (and
  // no pause) in the middle of a decision.
  private young = new Map<string, Finding[]>();
  private old = new Map<string, Finding[]>();
  /** Windows run through the rules. */
  scans = 0;

  private remember(key: string, findings: Finding[]): void {
    this.young.set(key, findings.length ? findings : NONE);
    if (this.young.size >= CACHE_LIMIT / 2) {
      this.old = this.young;
      this.young = new Map();
    }
  }

  private recall(key: string): Finding[] | undefined {
    const hit = this.young.get(key);
    if (hit) return hit;
    const aged = this.old.get(key);
    if (aged) this.remember(key, aged);
    return aged;
  }

  /** Each window hashed once. Its key says where the chunk sits in it, so equal keys mean equal windows with
   * equal chunks (unless SHA-256 collides). The whole text's key is the hash of its parts' keys. */
  keyed(text: string): KeyedText {
    const parts = chunksOf(text).map((c): Part => {
      const from = Math.max(0, c.start - HALO_CHARS);
      const to = Math.min(text.length, c.end + HALO_CHARS);
      return { start: c.start, end: c.end, from, to, key: `c:${c.start - from}:${c.end - c.start}:${contentKey(text.slice(from, to))}` };
    });
    if (parts.length === 1) return { key: parts[0].key, parts };
    return { key: `f:${parts.length}:${contentKey(parts.map((p) => p.key).join(''))}`, parts };
  }

  /** Findings in `text`, sorted by offset, overlapping findings merged. `keyed`: this.keyed(text), if known.
   * Only parts no cache knows run through the rules: each run of consecutive unknown parts as one window. */
  scan(text: string, keyed?: KeyedText): Finding[] {
    if (!text) return [];
    const { key, parts } = keyed ?? this.keyed(text);
    const whole = this.recall(key);
    if (whole) return whole;
    // Each part's findings, relative to its start: from the cache, or from the scan of its run.
    const perPart: Finding[][] = [];
    let run: number[] = [];
    for (let i = 0; i <= parts.length; i++) {
      const hit = i < parts.length ? this.recall(parts[i].key) : undefined;
      if (hit) perPart[i] = hit;
      else if (i < parts.length) run.push(i);
      if ((hit || i === parts.length) && run.length) {
        const found = this.scanRun(text, run.map((k) => parts[k]));
        run.forEach((k, j) => (perPart[k] = found[j]));
        run = [];
      }
    }
    const all: Finding[] = [];
    parts.forEach((p, i) => {
      // A finding may reach into the halo, never past the window it was seen in.
      for (const f of perPart[i]) all.push({ ...f, start: Math.max(p.from, f.start + p.start), end: Math.min(p.to, f.end + p.start) });
    });
    const merged = mergeFindings(all);
    this.remember(key, merged);
    return merged;
  }

  /** Scans the window of consecutive `parts` and returns (and caches), for each part, the findings that touch
   * it, relative to its start: whole, even where they cross into a neighbour, so a secret cut by a chunk
   * boundary is redacted on both sides. */
  private scanRun(text: string, parts: Part[]): Finding[][] {
    const from = parts[0].from;
    const to = parts[parts.length - 1].to;
    this.scans++;
    const found = detect(from === 0 && to === text.length ? text : text.slice(from, to));
    const mine: Finding[][] = parts.map(() => []);
    for (const f of found) {
      const start = f.start + from;
      const end = f.end + from;
      parts.forEach((p, k) => {
        if (start < p.end && end > p.start) mine[k].push({ ...f, start: start - p.start, end: end - p.start });
      });
    }
    parts.forEach((p, k) => this.remember(p.key, mine[k]));
    return mine;
  }
}

/** 0-based line of an offset. */
export function lineOf(text: string, offset: number): number {
  let line = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

/** 0-based lines of the findings' starts (sorted by offset, as scan returns them), in one pass over the text. */
export function linesOf(text: string, findings: readonly Finding[]): number[] {
  const out: number[] = [];
  let line = 0;
  let nl = text.indexOf('\n');
  for (const f of findings) {
    if (f.start < (out.length ? findings[out.length - 1].start : 0)) return findings.map((g) => lineOf(text, g.start));
    while (nl !== -1 && nl < f.start) {
      line++;
      nl = text.indexOf('\n', nl + 1);
    }
    out.push(line);
  }
  return out;
}

/** The placeholder for a redacted secret: its format and a short tag that is the same wherever the same secret
 * occurs (a salted hash: it says nothing about the value). */
export function redactionMark(rule: string, tag: string): string {
  return `[REDACTED:${rule}#${tag}]`;
}

/** `text` with every finding replaced, whole, by its placeholder. `tag(value)`: the secret's stable tag. */
export function redact(text: string, findings: readonly Finding[], tag: (value: string) => string): string {
  let out = '';
  let at = 0;
  for (const f of findings) {
    if (f.start < at) continue;
    out += text.slice(at, f.start) + redactionMark(f.rule, tag(text.slice(f.start, f.end)));
    at = f.end;
  }
  return out + text.slice(at);
}
