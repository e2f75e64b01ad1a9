// High-entropy strings that look like keys or tokens a rule set does not know. Pure.
// Candidates are quoted strings and values after `=` / `:`; identifiers, paths and known hash formats are
// not secrets, so the thresholds are tuned to stay quiet on ordinary code and lockfiles.

export interface Finding {
  start: number;
  end: number;
  rule: string;
}

const CANDIDATE = /(?:["'`]([A-Za-z0-9+/=_\-.~]{20,})["'`])|(?:[=:]\s*([A-Za-z0-9+/=_\-.~]{20,})(?=\s|$|[;,)}\]]))/g;
const KEYWORD = /(?:key|secret|token|passw(?:or)?d|pwd|auth|credential|private|signature|bearer|api[_-]?key)/i;
const HEX = /^[0-9a-f]+$/i;
const HASH_PREFIX = /^(?:sha(?:1|256|384|512)-|[0-9a-f]{7,40}$)/i;

export function shannon(text: string): number {
  const counts = new Map<string, number>();
  for (const ch of text) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) {
    const p = n / text.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

function lineAround(text: string, index: number): string {
  const start = text.lastIndexOf('\n', index) + 1;
  const end = text.indexOf('\n', index);
  return text.slice(start, end === -1 ? text.length : end);
}

function looksSecret(candidate: string, line: string): boolean {
  let value = candidate;
  if (/^[./~]|\/\//.test(value) || /^[a-z]+(?:[-_.][a-z]+)+$/i.test(value)) return false; // paths, dotted names
  const hex = HEX.test(value);
  if (hex) {
    // Hex is a hash as often as a key: only with a secret-ish word on the same line.
    return value.length >= 32 && shannon(value) >= 3.3 && KEYWORD.test(line);
  }
  if (HASH_PREFIX.test(value)) return false;
  // Names joined by - _ . (model ids, package names) are not keys: the random part of a token is one long run.
  const run = value.split(/[-_.]/).reduce((a, b) => (b.length > a.length ? b : a), '');
  if (run.length < 16) return false;
  value = run;
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/].filter((r) => r.test(value)).length;
  if (classes < 3) return false;
  // camelCase identifiers have few digits; tokens scatter them.
  const digits = value.replace(/[^0-9]/g, '').length;
  const keyword = KEYWORD.test(line);
  if (digits < 2 || (!keyword && digits < value.length * 0.1)) return false;
  const threshold = keyword ? 3.7 : 4.3;
  return value.length >= 20 && shannon(value) >= threshold;
}

/** High-entropy strings in `text`, with offsets. */
export function findHighEntropy(text: string): Finding[] {
  const out: Finding[] = [];
  CANDIDATE.lastIndex = 0;
  for (let m = CANDIDATE.exec(text); m; m = CANDIDATE.exec(text)) {
    const value = m[1] ?? m[2];
    if (!value) continue;
    const start = m.index + m[0].indexOf(value);
    if (looksSecret(value, lineAround(text, start))) out.push({ start, end: start + value.length, rule: 'high-entropy-string' });
  }
  return out;
}
