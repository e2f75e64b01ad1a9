// Secrets in content that would leave the machine: secretlint's recommended rule set plus high-entropy
// strings. Results are cached per content hash and per chunk, so a decision re-scans only text that changed.
import * as crypto from 'node:crypto';
import { lintSource } from '@secretlint/core';
import { secretLintProfiler } from '@secretlint/profiler';
import { creator as recommended } from '@secretlint/secretlint-rule-preset-recommend';
import { findHighEntropy, type Finding } from './entropy.js';

export type { Finding };

// secretlint's profiler puts performance marks in a global buffer and keeps every entry, searching them
// linearly on each scan: in a long-lived engine that is a leak and a growing slowdown. Marks are switched off.
secretLintProfiler.mark = () => undefined;

const CONFIG = { rules: [{ id: '@secretlint/secretlint-rule-preset-recommend', rule: recommended }] };
const CACHE_LIMIT = 8192;
/** Large texts are scanned in line-aligned chunks of about this size, each cached on its own. */
export const CHUNK_CHARS = 4096;

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

/** A text's chunks with their content keys, and a key for the whole text derived from them. */
export interface KeyedText {
  key: string;
  parts: (Chunk & { key: string })[];
}

export class SecretScanner {
  private readonly cache = new Map<string, Finding[]>();
  /** Texts run through the rules (a batch of changed chunks counts once). */
  scans = 0;

  private remember(key: string, findings: Finding[]): void {
    this.cache.set(key, findings);
    if (this.cache.size > CACHE_LIMIT) this.cache.delete(this.cache.keys().next().value as string);
  }

  private recall(key: string): Finding[] | undefined {
    const hit = this.cache.get(key);
    if (hit) {
      this.cache.delete(key);
      this.cache.set(key, hit);
    }
    return hit;
  }

  /** Each chunk of `text` hashed once; the whole text's key is the hash of its chunks' keys (chunk boundaries
   * follow from the content, so equal keys mean equal content unless SHA-256 collides). A chunk scanned inside a
   * larger text and the same text scanned alone keep separate entries ('c:' and 'w:'). */
  keyed(text: string): KeyedText {
    const parts = chunksOf(text).map((p) => ({ start: p.start, end: p.end, key: `c:${contentKey(text.slice(p.start, p.end))}` }));
    if (parts.length === 1) return { key: `w:${parts[0].key.slice(2)}`, parts };
    return { key: `f:${parts.length}:${contentKey(parts.map((p) => p.key).join(''))}`, parts };
  }

  /** Findings in `text`, sorted by offset, overlapping findings merged. `keyed`: this.keyed(text), if known.
   * A large text is scanned per chunk and only chunks not seen before run through the rules, so an edit to a
   * big file costs the scan of the chunk it touched. */
  async scan(text: string, keyed?: KeyedText): Promise<Finding[]> {
    if (!text) return [];
    const { key, parts } = keyed ?? this.keyed(text);
    const whole = this.recall(key);
    if (whole) return whole;
    if (parts.length === 1) {
      const found = await this.rules(text);
      this.remember(key, found);
      return found;
    }
    const missing = parts.filter((p) => !this.recall(p.key));
    if (missing.length === parts.length) {
      // Nothing seen before: one run of the rules over the text itself (no copy), findings handed to their chunk.
      const found = await this.rules(text);
      const all = this.share(found, parts, (p) => p.start);
      this.remember(key, all);
      return all;
    }
    if (missing.length > 0) {
      // One run of the rules over the changed chunks, joined; findings are handed back to their chunk.
      let joined = '';
      const at: number[] = [];
      for (const p of missing) {
        at.push(joined.length);
        joined += text.slice(p.start, p.end);
        if (joined.charCodeAt(joined.length - 1) !== 10) joined += '\n';
      }
      const found = await this.rules(joined);
      this.share(found, missing, (_p, i) => at[i]);
    }
    const all: Finding[] = [];
    for (const p of parts) for (const f of this.cache.get(p.key) ?? []) all.push({ start: f.start + p.start, end: Math.min(f.end + p.start, p.end), rule: f.rule });
    const merged = mergeFindings(all);
    this.remember(key, merged);
    return merged;
  }

  /** Hands sorted `found` (offsets in a text where part i begins at `from(part, i)`) to each part's cache entry,
   * cut at the part's end, and returns them in text offsets. */
  private share(found: Finding[], parts: (Chunk & { key: string })[], from: (p: Chunk, i: number) => number): Finding[] {
    const out: Finding[] = [];
    let k = 0;
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i];
      const begin = from(p, i);
      const to = begin + (p.end - p.start);
      const mine: Finding[] = [];
      while (k < found.length && found[k].start < begin) k++;
      for (; k < found.length && found[k].start < to; k++) {
        const f = found[k];
        mine.push({ start: f.start - begin, end: Math.min(f.end, to) - begin, rule: f.rule });
        out.push({ start: f.start - begin + p.start, end: Math.min(f.end, to) - begin + p.start, rule: f.rule });
      }
      this.remember(p.key, mine);
    }
    return mergeFindings(out);
  }

  private async rules(text: string): Promise<Finding[]> {
    this.scans++;
    const result = await lintSource({
      source: { content: text, filePath: 'content.txt', contentType: 'text' },
      options: { config: CONFIG, maskSecrets: true, noPhysicFilePath: true },
    });
    const findings: Finding[] = result.messages
      .filter((m) => m.type === 'message' || m.severity === 'error' || m.severity === 'warning')
      .map((m) => ({ start: m.range[0], end: m.range[1], rule: m.ruleId.replace(/^@secretlint\/secretlint-rule-/, '') }));
    return mergeFindings([...findings, ...findHighEntropy(text)]);
  }
}

/** Sorted, with overlaps merged (the first rule's name is kept). */
export function mergeFindings(findings: Finding[]): Finding[] {
  const sorted = [...findings].sort((a, b) => a.start - b.start || b.end - a.end);
  const out: Finding[] = [];
  for (const f of sorted) {
    const last = out[out.length - 1];
    if (last && f.start < last.end) last.end = Math.max(last.end, f.end);
    else out.push({ ...f });
  }
  return out;
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

export function redactionMark(rule: string): string {
  return `[REDACTED:${rule}]`;
}

/** `text` with every finding replaced by a mark naming its rule. */
export function redact(text: string, findings: Finding[]): string {
  let out = '';
  let at = 0;
  for (const f of findings) {
    out += text.slice(at, f.start) + redactionMark(f.rule);
    at = f.end;
  }
  return out + text.slice(at);
}
