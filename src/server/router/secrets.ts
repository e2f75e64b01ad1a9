// Secrets in content that would leave the machine: secretlint's recommended rule set plus high-entropy
// strings. Results are cached per content hash, so a decision re-scans only text that changed.
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
const CACHE_LIMIT = 512;

export function contentKey(text: string): string {
  return createHash('sha1').update(text).digest('base64');
}

export class SecretScanner {
  private readonly cache = new Map<string, Finding[]>();
  scans = 0;

  /** Findings in `text`, sorted by offset, overlapping findings merged. `key`: contentKey(text), if known. */
  async scan(text: string, key = contentKey(text)): Promise<Finding[]> {
    if (!text) return [];
    const cached = this.cache.get(key);
    if (cached) {
      this.cache.delete(key);
      this.cache.set(key, cached);
      return cached;
    }
    this.scans++;
    const result = await lintSource({
      source: { content: text, filePath: 'content.txt', contentType: 'text' },
      options: { config: CONFIG, maskSecrets: true, noPhysicFilePath: true },
    });
    const findings: Finding[] = result.messages
      .filter((m) => m.type === 'message' || m.severity === 'error' || m.severity === 'warning')
      .map((m) => ({ start: m.range[0], end: m.range[1], rule: m.ruleId.replace(/^@secretlint\/secretlint-rule-/, '') }));
    const merged = mergeFindings([...findings, ...findHighEntropy(text)]);
    this.cache.set(key, merged);
    if (this.cache.size > CACHE_LIMIT) this.cache.delete(this.cache.keys().next().value as string);
    return merged;
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
