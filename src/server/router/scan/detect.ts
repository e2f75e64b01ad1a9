// Secrets in one text, in layers: vendor formats (rules-*.ts, each run only around its keywords), key blocks
// (pem.ts), the keyword-assignment rule (assign.ts), random-looking tokens anywhere (entropy.ts), and the same
// again on what the decoders reveal (decode.ts). One pass of the keyword automaton feeds them all. Pure.
import { ASSIGN_KEYWORDS, assignmentAt, type AssignScan } from './assign.js';
import { concatenations, decodeRun, urlEncoded, wrappedTokens, type Revealed } from './decode.js';
import { knownNotSecret, looksRandom } from './entropy.js';
import { keyBlocks, PEM_KEYWORDS } from './pem.js';
import { KeywordAutomaton } from './prefilter.js';
import { isPlaceholder, shannon, tokenChar, type Finding, type Rule } from './rule.js';
import { CLOUD_RULES } from './rules-cloud.js';
import { DEV_RULES } from './rules-dev.js';
import { GENERIC_RULES } from './rules-generic.js';
import { SERVICE_RULES } from './rules-services.js';

export type { Finding };

/** Every vendor and generic format, in the order their findings win a tie. */
export const RULES: readonly Rule[] = [...CLOUD_RULES, ...DEV_RULES, ...SERVICE_RULES, ...GENERIC_RULES];

/** Formats found without a regex rule of their own. */
export const STRUCTURAL_FORMATS = [
  'private-key', 'rsa-private-key', 'ec-private-key', 'dsa-private-key', 'openssh-private-key', 'pgp-private-key',
  'encrypted-private-key', 'ssh2-private-key', 'putty-private-key', 'password-assignment', 'secret-assignment', 'high-entropy',
] as const;

type Consumer = { kind: 'rule'; rule: number; exact?: string } | { kind: 'assign' } | { kind: 'pem'; exact: string };

const compiled = RULES.map((r) => new RegExp(r.pattern.source, `${r.pattern.flags.replace(/[gyd]/g, '')}g${r.group ? 'd' : ''}`));

const keywordIndex = new Map<string, number>();
const consumers: Consumer[][] = [];
function addKeyword(word: string, consumer: Consumer): void {
  const key = word.toLowerCase();
  let index = keywordIndex.get(key);
  if (index === undefined) {
    index = consumers.length;
    keywordIndex.set(key, index);
    consumers.push([]);
  }
  consumers[index].push(consumer);
}
RULES.forEach((rule, i) => {
  for (const word of rule.keywords) addKeyword(word, { kind: 'rule', rule: i, ...(rule.caseSensitive ? { exact: word } : {}) });
});
for (const word of ASSIGN_KEYWORDS) addKeyword(word, { kind: 'assign' });
for (const word of PEM_KEYWORDS) addKeyword(word, { kind: 'pem', exact: word });
const AUTOMATON = new KeywordAutomaton([...keywordIndex.keys()]);

/** Characters a rule reads before its keyword, and at most after it. */
const BEFORE = 256;
const AFTER = 4096;
/** Token runs longer than this are data, not keys: they are decoded, not judged by their entropy. */
const MAX_KEY = 256;
const INTEGRITY = /^(?:sha(?:1|224|256|384|512)|md5)-/;

function lineStartBefore(text: string, at: number, limit: number): number {
  let i = at;
  while (i > 0 && at - i < limit && text.charCodeAt(i - 1) !== 10) i--;
  return i;
}

function linesAfter(text: string, at: number, lines: number, limit: number): number {
  let i = at;
  const max = Math.min(text.length, at + limit);
  for (let n = 0; n <= lines; n++) {
    while (i < max && text.charCodeAt(i) !== 10) i++;
    if (n < lines && i < max) i++;
  }
  return i;
}

function runRule(text: string, index: number, windows: number[], out: Finding[]): void {
  const rule = RULES[index];
  const re = compiled[index];
  for (let w = 0; w < windows.length; w += 2) {
    const from = windows[w];
    const sub = text.slice(from, windows[w + 1]);
    re.lastIndex = 0;
    for (let m = re.exec(sub); m; m = re.exec(sub)) {
      const span = rule.group ? m.indices?.[rule.group] : [m.index, m.index + m[0].length];
      if (!span) continue;
      const secret = sub.slice(span[0], span[1]);
      if (rule.group && isPlaceholder(secret)) continue;
      if (rule.minEntropy && shannon(secret) < rule.minEntropy) continue;
      if (rule.valid && !rule.valid(secret)) continue;
      out.push(widen(text, { start: from + span[0], end: from + span[1], rule: rule.id, ...(rule.store ? { store: rule.store } : {}) }));
    }
  }
}

function inside(ranges: readonly { start: number; end: number }[], start: number, end: number): boolean {
  for (const r of ranges) if (start < r.end && end > r.start) return true;
  return false;
}

/** A secret word (key, token, password…) shortly before `at` on its line: shorter, less random values count. */
function nearSecretWord(text: string, assignHits: number[], at: number): boolean {
  const from = lineStartBefore(text, at, 120);
  // assignHits is sorted: binary search for the first hit at or after `from`.
  let lo = 0;
  let hi = assignHits.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (assignHits[mid] < from) lo = mid + 1;
    else hi = mid;
  }
  return lo < assignHits.length && assignHits[lo] < at + 8;
}

/** The run is part of a URL (after `://` on the same token-ish stretch): its path holds ids, not keys. */
function inUrl(text: string, start: number): boolean {
  for (let i = start - 1; i >= 0 && start - i < 256; i--) {
    const c = text.charCodeAt(i);
    // Whitespace, quotes, brackets end the URL; ? & = # mean a query or fragment, whose values are judged.
    if (c <= 32 || c === 34 || c === 39 || c === 96 || c === 40 || c === 60 || c === 63 || c === 38 || c === 61 || c === 35) return false;
    if (c === 47 && text.charCodeAt(i - 1) === 47 && text.charCodeAt(i - 2) === 58) return true;
  }
  return false;
}

/** Words before the token on its line that say it is a hash or public (`sha256`, `fingerprint`, `pubkey`). */
const PUBLIC_CONTEXT = /sha\d*|hash|digest|checksum|fingerprint|integrity|pubkey|public|nonce|example/i;

function randomLooking(token: string, context: boolean): boolean {
  if (looksRandom(token, { context })) return true;
  if (!/[-_.]/.test(token)) return false;
  // A random part after a readable prefix: `acme_live_Zx8Kp2…`.
  const longest = token.split(/[-_.]/).reduce((a, b) => (b.length > a.length ? b : a), '');
  return longest.length < token.length && looksRandom(longest, { context });
}

/** `context()`: is a secret word near? Asked only for tokens that could be random (most runs are names). */
function randomToken(text: string, start: number, end: number, context: () => boolean): boolean {
  // Separators and padding at the ends are not part of the key.
  let a = start;
  let b = end;
  while (a < b && (text.charCodeAt(a) === 45 || text.charCodeAt(a) === 95 || text.charCodeAt(a) === 61)) a++;
  while (b > a && (text.charCodeAt(b - 1) === 45 || text.charCodeAt(b - 1) === 95)) b--;
  if (b - a < 16) return false;
  const token = text.slice(a, b);
  if (!randomLooking(token, true) || INTEGRITY.test(token) || knownNotSecret(token)) return false;
  const near = context();
  if (!near && !randomLooking(token, false)) return false;
  if (!near && (inUrl(text, start) || PUBLIC_CONTEXT.test(text.slice(lineStartBefore(text, start, 48), start)))) return false;
  // Base64 of text is encoded text (decoded and scanned as such), not a random key.
  return !decodeRun(text, start, end, 16);
}

export interface DetectOptions {
  /** Run the decoders (off for text they revealed: one level is enough). */
  decode?: boolean;
}

/** Findings in `text`, sorted, overlaps merged, each covering whole tokens. */
export function detect(text: string, options: DetectOptions = {}): Finding[] {
  if (!text) return [];
  const pass = AUTOMATON.scan(text);
  const { hits, runs } = pass;
  const lengths = AUTOMATON.lengths;
  const windows = new Map<number, number[]>();
  const pemStarts: number[] = [];
  const assignHits: number[] = [];
  const assign: AssignScan = { text, seen: new Set() };
  const found: Finding[] = [];
  for (let h = 0; h < hits.length; h += 2) {
    const keyword = hits[h];
    const at = hits[h + 1];
    for (const c of consumers[keyword]) {
      if (c.kind === 'assign') {
        assignHits.push(at);
        const f = assignmentAt(assign, at, at + lengths[keyword]);
        if (f) found.push(f);
      } else if (c.kind === 'pem') {
        if (text.startsWith(c.exact, at)) pemStarts.push(at);
      } else {
        if (c.exact && !text.startsWith(c.exact, at)) continue;
        const rule = RULES[c.rule];
        const from = lineStartBefore(text, at, BEFORE);
        const to = linesAfter(text, at, rule.lines ?? 0, AFTER);
        const list = windows.get(c.rule);
        if (!list) windows.set(c.rule, [from, to]);
        else if (from <= list[list.length - 1]) list[list.length - 1] = Math.max(to, list[list.length - 1]);
        else list.push(from, to);
      }
    }
  }
  assignHits.sort((a, b) => a - b);
  pemStarts.sort((a, b) => a - b);
  const blocks = keyBlocks(text, pemStarts);
  found.push(...blocks.findings);
  for (const [index, list] of windows) runRule(text, index, list, found);
  const known = [...found].sort((a, b) => a.start - b.start);
  for (let r = 0; r < runs.length; r += 2) {
    const start = runs[r];
    const end = runs[r + 1];
    if (end - start > MAX_KEY || inside(blocks.excluded, start, end) || inside(known, start, end)) continue;
    if (randomToken(text, start, end, () => nearSecretWord(text, assignHits, start))) found.push({ start, end, rule: 'high-entropy' });
  }
  if (options.decode !== false) {
    const revealed: Revealed[] = [...urlEncoded(text, pass.percents), ...concatenations(text, pass.joins), ...wrappedTokens(text, pass.wraps)];
    for (let r = 0; r < runs.length; r += 2) {
      if (inside(blocks.excluded, runs[r], runs[r + 1])) continue;
      const decoded = decodeRun(text, runs[r], runs[r + 1]);
      if (decoded) revealed.push(decoded);
    }
    for (const piece of revealed) {
      if (inside(blocks.excluded, piece.start, piece.end)) continue;
      // Joined pieces count only for a finding that spans a join: each piece alone was looked at already.
      const inner = detect(piece.text, { decode: false }).filter((f) => !piece.joins || piece.joins.some((j) => f.start < j && f.end > j));
      if (inner.length === 0) continue;
      const store = inner.find((f) => f.store)?.store;
      found.push({ start: piece.start, end: piece.end, rule: inner[0].rule, via: piece.via, ...(store ? { store } : {}) });
    }
  }
  return mergeFindings(found);
}

/** A rule's finding that starts or ends inside a token covers the whole token: a redaction never leaves part of
 * a key behind. (Leftwards it stops at `=`, which is padding at a token's end, or an assignment before it.) */
export function widen(text: string, f: Finding): Finding {
  let { start, end } = f;
  while (start > 0 && start < text.length && tokenChar(text.charCodeAt(start - 1)) && text.charCodeAt(start - 1) !== 61 && tokenChar(text.charCodeAt(start))) start--;
  while (end > 0 && end < text.length && tokenChar(text.charCodeAt(end - 1)) && tokenChar(text.charCodeAt(end))) end++;
  return start === f.start && end === f.end ? f : { ...f, start, end };
}

/** Generic findings give way to a format's name when both cover the same secret. */
function specificity(rule: string): number {
  return rule === 'high-entropy' ? 0 : rule.endsWith('-assignment') ? 1 : 2;
}

/** Sorted, with overlaps merged: the most specific rule's name is kept, and a store mark from any of them. */
export function mergeFindings(findings: Finding[]): Finding[] {
  const sorted = [...findings].sort((a, b) => a.start - b.start || b.end - a.end);
  const out: Finding[] = [];
  for (const f of sorted) {
    const last = out[out.length - 1];
    if (last && f.start < last.end) {
      last.end = Math.max(last.end, f.end);
      if (specificity(f.rule) > specificity(last.rule)) {
        last.rule = f.rule;
        if (f.via) last.via = f.via;
        else delete last.via;
      }
      if (f.store && !last.store) last.store = f.store;
    } else out.push({ ...f });
  }
  return out;
}
