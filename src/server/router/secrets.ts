// Secrets in content that would leave the machine: secretlint's recommended rule set plus high-entropy
// strings. Results are cached per content hash and per chunk, so a decision re-scans only text that changed.
import { createHash } from 'node:crypto';
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

export function contentKey(text: string): string {
  return createHash('sha1').update(text).digest('base64');
}

/** Line-aligned chunks; a private key block (BEGIN ... END) is never cut. */
export function chunksOf(text: string, size = CHUNK_CHARS): { start: number; end: number }[] {
  const out: { start: number; end: number }[] = [];
  let start = 0;
  while (start < text.length) {
    let end = Math.min(text.length, start + size);
    if (end < text.length) {
      const nl = text.indexOf('\n', end);
      end = nl === -1 ? text.length : nl + 1;
    }
    const begin = text.lastIndexOf('-----BEGIN', end - 1);
    if (begin >= start) {
      const close = text.indexOf('-----END', begin);
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

  /** Findings in `text`, sorted by offset, overlapping findings merged. `key`: contentKey(text), if known.
   * A large text is scanned per chunk and only chunks not seen before run through the rules, so an edit to a
   * big file costs the scan of the chunk it touched. */
  async scan(text: string, key = contentKey(text)): Promise<Finding[]> {
    if (!text) return [];
    const whole = this.recall(key);
    if (whole) return whole;
    const parts = chunksOf(text);
    if (parts.length === 1) {
      const found = await this.rules(text);
      this.remember(key, found);
      return found;
    }
    const keyed = parts.map((p) => ({ ...p, key: `c:${contentKey(text.slice(p.start, p.end))}` }));
    const missing = keyed.filter((p) => !this.recall(p.key));
    if (missing.length > 0) {
      // One run of the rules over the changed chunks, joined; findings are handed back to their chunk.
      let joined = '';
      const at: number[] = [];
      for (const p of missing) {
        at.push(joined.length);
        joined += text.slice(p.start, p.end);
        if (!joined.endsWith('\n')) joined += '\n';
      }
      const found = await this.rules(joined);
      missing.forEach((p, i) => {
        const from = at[i];
        const to = i + 1 < at.length ? at[i + 1] : joined.length;
        const mine = found.filter((f) => f.start >= from && f.start < to).map((f) => ({ start: f.start - from, end: Math.min(f.end, to) - from, rule: f.rule }));
        this.remember(p.key, mine);
      });
    }
    const all: Finding[] = [];
    for (const p of keyed) for (const f of this.cache.get(p.key) ?? []) all.push({ start: f.start + p.start, end: Math.min(f.end + p.start, p.end), rule: f.rule });
    const merged = mergeFindings(all);
    this.remember(key, merged);
    return merged;
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
