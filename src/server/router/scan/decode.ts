// Decoders run before detection, so a hidden secret is found too: base64 / base64url / hex blobs, URL-encoding,
// string concatenation ("AKIA" + "…", implicit concatenation across lines), line continuations (`\` at the end of
// a line) and values wrapped over two lines. Each yields the revealed text and the span of the original it
// came from; a finding in the revealed text covers the whole span. Pure.
import { looksRandom } from './entropy.js';
import { tokenChar } from './rule.js';

export interface Revealed {
  start: number;
  end: number;
  text: string;
  via: 'base64' | 'hex' | 'url-encoded' | 'joined';
  /** Joined pieces: offsets in `text` where one piece ends and the next begins. */
  joins?: number[];
}

/** Decoded bytes are text: printable ASCII and common whitespace, nearly all of it. */
function printable(buf: Buffer): boolean {
  if (buf.length < 8) return false;
  let ok = 0;
  for (const b of buf) if ((b >= 32 && b < 127) || b === 9 || b === 10 || b === 13) ok++;
  return ok >= buf.length * 0.95;
}

const MAX_DECODED = 64 * 1024;

/** A token run that is base64 or hex of text (base64 runs of at least `minBase64` characters). */
export function decodeRun(text: string, start: number, end: number, minBase64 = 24): Revealed | undefined {
  const run = text.slice(start, Math.min(end, start + (MAX_DECODED * 4) / 3));
  if (run.length >= 32 && run.length % 2 === 0 && /^[0-9a-fA-F]+$/.test(run)) {
    const buf = Buffer.from(run, 'hex');
    return printable(buf) ? { start, end, text: buf.toString('latin1'), via: 'hex' } : undefined;
  }
  if (run.length < minBase64 || !/[0-9+/]/.test(run) || !/[A-Z]/.test(run) || !/[a-z]/.test(run)) return undefined;
  // `name=<base64>` reads as one run: the value is what is encoded.
  const body = run.replace(/^[-_]+/, '').replace(/^[A-Za-z0-9_-]{1,32}=(?=[A-Za-z0-9+/_-])/, '');
  // Look at the start first: most long runs are identifiers or binary data, which fail at once.
  if (body.length < 12 || !printable(Buffer.from(body.slice(0, 64), 'base64'))) return undefined;
  const buf = Buffer.from(body, 'base64');
  return printable(buf) ? { start, end, text: buf.toString('latin1'), via: 'base64' } : undefined;
}

/** Characters of a URL-encoded stretch: what encodeURIComponent leaves (letters, digits, - _ . ! ~ * ' ( )), the
 * escapes, and the separators of a URL's query. */
function urlChar(c: number): boolean {
  return (
    tokenChar(c) || c === 37 || c === 46 || c === 126 || c === 38 || c === 58 || c === 64 || c === 63 || c === 59 || c === 33 || c === 42 || c === 39 || c === 40 || c === 41
  );
}

function hexDigit(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

/** Spans with %XX escapes, decoded. `percents`: offsets of `%XX` (from the prefilter's pass). */
export function urlEncoded(text: string, percents: readonly number[]): Revealed[] {
  const out: Revealed[] = [];
  let covered = -1;
  for (const i of percents) {
    if (i < covered || !hexDigit(text.charCodeAt(i + 1)) || !hexDigit(text.charCodeAt(i + 2))) continue;
    let a = i;
    while (a > 0 && i - a < 512 && urlChar(text.charCodeAt(a - 1))) a--;
    let b = i;
    while (b < text.length && b - i < 2048 && urlChar(text.charCodeAt(b))) b++;
    covered = b;
    if (b - a < 12) continue;
    let decoded: string;
    try {
      decoded = decodeURIComponent(text.slice(a, b));
    } catch {
      continue;
    }
    out.push({ start: a, end: b, text: decoded, via: 'url-encoded' });
  }
  return out;
}

// A string literal's closing quote, an optional operator (+ . & || ..) and line break, and the next opening quote.
const JOIN_HERE = /(["'`])[ \t]*(?:\+|\.\.?|&|\|\|)?[ \t]*(?:\\?\r?\n[ \t]*(?:\+|\.\.?|&|\|\|)?[ \t]*)?(["'`])/y;

/** The string literal that ends at `close` (its closing quote), on that line. */
function literalBefore(text: string, close: number): number {
  const quote = text[close];
  for (let i = close - 1; i >= 0 && close - i < 4096; i--) {
    const c = text[i];
    if (c === '\n') return -1;
    if (c === quote && text[i - 1] !== '\\') return i;
  }
  return -1;
}

function literalAfter(text: string, open: number): number {
  const quote = text[open];
  for (let i = open + 1; i < text.length && i - open < 4096; i++) {
    const c = text[i];
    if (c === '\n' && quote !== '`') return -1;
    if (c === quote && text[i - 1] !== '\\') return i;
  }
  return -1;
}

/** String literals joined by concatenation, whether on one line or several: their contents, concatenated.
 * `joins`: quotes the prefilter saw followed by an operator or a line break and another quote. */
export function concatenations(text: string, joins: readonly number[]): Revealed[] {
  const out: Revealed[] = [];
  let covered = -1;
  for (const close of joins) {
    if (close < covered) continue;
    JOIN_HERE.lastIndex = close;
    const m = JOIN_HERE.exec(text);
    if (!m) continue;
    const open = literalBefore(text, close);
    if (open === -1 || open + 1 === close) continue;
    let pieces = text.slice(open + 1, close);
    const parts: number[] = [];
    let next = close + m[0].length - 1;
    let end = close + 1;
    for (;;) {
      const closeNext = literalAfter(text, next);
      if (closeNext === -1) break;
      parts.push(pieces.length);
      pieces += text.slice(next + 1, closeNext);
      end = closeNext + 1;
      JOIN_HERE.lastIndex = closeNext;
      const more = JOIN_HERE.exec(text);
      if (!more) break;
      next = closeNext + more[0].length - 1;
    }
    covered = end;
    // The text before the first piece on its line goes along: a name like `HEROKU_API_KEY = ` tells a vendor
    // rule what the joined value is.
    const lineStart = Math.max(text.lastIndexOf('\n', open) + 1, open - 120);
    const prefix = `${text.slice(lineStart, open)}"`;
    if (parts.length && pieces.length >= 8) out.push({ start: open, end, text: `${prefix}${pieces}"`, via: 'joined', joins: parts.map((j) => j + prefix.length) });
  }
  return out;
}

function runBack(text: string, from: number, limit: number): number {
  let a = from;
  while (a > 0 && from - a < limit && tokenChar(text.charCodeAt(a - 1))) a--;
  return a;
}

function runForward(text: string, from: number, limit: number): number {
  let b = from;
  while (b < text.length && b - from < limit && tokenChar(text.charCodeAt(b))) b++;
  return b;
}

/** Values cut by a line break: a `\` continuation, or a line that ends inside a token and goes on in the next.
 * `wraps`: the line breaks the prefilter saw right after a token run. The revealed text is both lines joined,
 * so the format around the value (a URL, a name) is seen too; a finding must span the join. */
export function wrappedTokens(text: string, wraps: readonly number[]): Revealed[] {
  const out: Revealed[] = [];
  for (const nl of wraps) {
    let left = nl;
    if (text[left - 1] === '\r') left--;
    const continued = text[left - 1] === '\\';
    if (continued) left--;
    if (!tokenChar(text.charCodeAt(left - 1))) continue;
    const a = runBack(text, left, 256);
    let c = nl + 1;
    while ((text[c] === ' ' || text[c] === '\t') && c - nl < 16) c++;
    const b = runForward(text, c, 256);
    if (b - c < 4 || left - a + (b - c) < 12) continue;
    // A wrapped value goes on in the next line: its first token is not followed by a space, as prose and code
    // statements are, unless the two pieces together look random (a key wrapped inside a sentence).
    if (!continued && b < text.length && (text[b] === ' ' || text[b] === '\t') && !looksRandom(text.slice(a, left) + text.slice(c, b), { context: true })) continue;
    let lineStart = a;
    while (lineStart > 0 && a - lineStart < 256 && text[lineStart - 1] !== '\n') lineStart--;
    let lineEnd = b;
    while (lineEnd < text.length && lineEnd - b < 256 && text[lineEnd] !== '\n' && text[lineEnd] !== '\r') lineEnd++;
    const head = text.slice(lineStart, left);
    out.push({ start: lineStart, end: lineEnd, text: head + text.slice(c, lineEnd), via: 'joined', joins: [head.length] });
  }
  return out;
}
