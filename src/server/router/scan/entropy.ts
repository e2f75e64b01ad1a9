// Does a token look random, like a key no rule knows? Thresholds per alphabet: the entropy a random string of
// that length over that alphabet is expected to have (exactly, not a fixed cut-off), less a margin, plus shape
// checks that tell random text from identifiers, words and paths. Pure.
import { shannon } from './rule.js';

export interface AlphabetInfo {
  name: 'hex' | 'lower-alnum' | 'alnum' | 'base64url' | 'base64';
  size: number;
}

export function alphabetOf(token: string): AlphabetInfo {
  if (/^[0-9a-f]+$/.test(token) || /^[0-9A-F]+$/.test(token)) return { name: 'hex', size: 16 };
  if (/[+/]/.test(token)) return { name: 'base64', size: 64 };
  if (/[-_]/.test(token)) return { name: 'base64url', size: 64 };
  if (/^[a-z0-9]+$/.test(token) || /^[A-Z0-9]+$/.test(token)) return { name: 'lower-alnum', size: 36 };
  return { name: 'alnum', size: 62 };
}

const expected = new Map<number, number>();

/** The mean Shannon entropy (bits per character) of `length` characters drawn uniformly from `size` symbols:
 * size × Σₖ P(a symbol occurs k times) × -(k/length)·log2(k/length), with k binomial(length, 1/size). */
export function expectedEntropy(length: number, size: number): number {
  const key = length * 1000 + size;
  const known = expected.get(key);
  if (known !== undefined) return known;
  const p = 1 / size;
  let pk = Math.pow(1 - p, length);
  let sum = 0;
  for (let k = 1; k <= length; k++) {
    pk *= ((length - k + 1) / k) * (p / (1 - p));
    const f = k / length;
    sum -= pk * f * Math.log2(f);
  }
  const value = size * sum;
  expected.set(key, value);
  return value;
}

/** Share of the letters that sit in word-like pieces (3 or more letters with a vowel, or a common abbreviation:
 * `Tool`, `config`, `http`), splitting at separators, digits and camelCase humps. Identifiers and paths are mostly
 * words; random text is mostly not. */
const ABBREVIATION = /^(?:https?|html?|xml|css|svg|src|ctx|std|cmd|ctrl|msg|btn|str|len|sql|url|rfc|pkcs|dst|tmp|cwd|dns|tcp|udp|rgba?|png|jpg|gpt|llm|ssh|ssl|tls|jwk|jwt|kms|gcm|cbc|crc|xhr|dll|pkg|npm|cfg|mjs|cjs|jsx|tsx|px|rgb|hmac|sha\d*)$/i;
/** Two-letter words of names (`onBehalfOf`, `userId`, `toJs`): rare among random pairs of letters. */
const SHORT_WORDS = new Set(['on', 'of', 'to', 'in', 'is', 'id', 'js', 'ts', 'ui', 'io', 'db', 'ok', 'no', 'by', 'at', 'as', 'or', 'if', 'up', 'my', 'we', 'it', 'an', 'be', 'do', 'go', 'so']);

export function wordShare(token: string): number {
  // Pieces as /[A-Z]?[a-z]+|[A-Z]+(?![a-z])/ would cut them (HTTPServer: HTTP, Server), read without a regex:
  // this runs for every long token of every text.
  const n = token.length;
  let screaming = true;
  for (let i = 0; i < n && screaming; i++) if (isLower(token.charCodeAt(i))) screaming = false;
  let letters = 0;
  let inWords = 0;
  let i = 0;
  while (i < n) {
    const c = token.charCodeAt(i);
    let start = i;
    let caps = false;
    if (isUpper(c)) {
      let j = i;
      while (j < n && isUpper(token.charCodeAt(j))) j++;
      if (j < n && isLower(token.charCodeAt(j)) && j - i >= 1) {
        // Capitals before a capitalised word: an acronym (if more than one), then the word.
        if (j - 1 > i) {
          letters += j - 1 - i;
          inWords += word(token, i, j - 1, true, screaming);
        }
        start = j - 1;
        i = j;
        while (i < n && isLower(token.charCodeAt(i))) i++;
      } else {
        i = j;
        caps = true;
      }
    } else if (isLower(c)) {
      while (i < n && isLower(token.charCodeAt(i))) i++;
    } else {
      i++;
      continue;
    }
    letters += i - start;
    inWords += word(token, start, i, caps, screaming);
  }
  return letters === 0 ? 0 : inWords / letters;
}

function isUpper(c: number): boolean {
  return c >= 65 && c <= 90;
}

function isLower(c: number): boolean {
  return c >= 97 && c <= 122;
}

/** The piece's length when it reads as a word: 3 letters or more, with a vowel, an acronym in a token of one case,
 * or a common abbreviation; else 0. */
function word(token: string, start: number, end: number, caps: boolean, screaming: boolean): number {
  const length = end - start;
  if (length === 2) return SHORT_WORDS.has(token.slice(start, end).toLowerCase()) ? 2 : 0;
  if (length < 3) return 0;
  if (caps && screaming) return length;
  for (let k = start; k < end; k++) {
    const c = token.charCodeAt(k) | 32;
    if (c === 97 || c === 101 || c === 105 || c === 111 || c === 117 || c === 121) return length;
  }
  return ABBREVIATION.test(token.slice(start, end)) ? length : 0;
}

/** Words and short numbers only (`BetaToolBash20241022`, `COMPRESSED_RGBA_ASTC_10x5_KHR`, `src/server/x`):
 * a name or a path, not a key. */
export function readable(token: string): boolean {
  return wordShare(token) >= 0.65;
}

/** How often a digit follows a letter or a letter a digit (separators skipped: `sonnet-5-5` changes once). */
function classChanges(token: string): number {
  let changes = 0;
  let last = 0;
  for (let i = 0; i < token.length; i++) {
    const c = token.charCodeAt(i);
    const kind = c >= 48 && c <= 57 ? 1 : (c >= 65 && c <= 90) || (c >= 97 && c <= 122) ? 2 : 0;
    if (kind === 0) continue;
    if (last !== 0 && kind !== last) changes++;
    last = kind;
  }
  return changes;
}

/** Most characters step by one from their neighbour (`abcdef…`, `0123…`): an alphabet table, not a key. */
function sequential(token: string): boolean {
  let steps = 0;
  for (let i = 1; i < token.length; i++) if (Math.abs(token.charCodeAt(i) - token.charCodeAt(i - 1)) === 1) steps++;
  return steps > token.length * 0.4;
}

/** Random-looking identifiers that are not secrets: typed object ids of well-known APIs (Anthropic `msg_01…`,
 * Stripe `cus_…`, OpenAI `chatcmpl-…`), publishable keys, AWS's documented example keys, SVG path data. */
const NOT_SECRET = [
  /^[a-z]{2,16}_01[A-Za-z0-9]{14,}$/,
  /^(?:cus|ch|pi|pm|price|prod|sub|si|evt|in|il|ii|acct|req|seti|src|tok|card|ba|btok|txn|po|re|cs|plan|prc|py|tr|ipi|file|link)_(?:test_|live_)?[A-Za-z0-9]{14,}$/,
  /^pk_(?:live|test)_[A-Za-z0-9]{20,}$/,
  /^(?:chatcmpl|cmpl|asst|thread|run|step|msg|file|batch|ftjob|ft|resp|vs|call)[-_][A-Za-z0-9]{16,}$/,
  /EXAMPLE/,
  /[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}/,
  /^[MLHVCSQTAZmlhvcsqtaz0-9.,-]+$/,
];

export function knownNotSecret(token: string): boolean {
  return NOT_SECRET.some((re) => re.test(token)) || characterClass(token);
}

/** A regex character class written out (`0-9A-HJKMNP-TV-Z`): three or more ascending ranges. */
function characterClass(token: string): boolean {
  let ranges = 0;
  for (const m of token.matchAll(/([0-9A-Za-z])-([0-9A-Za-z])/g)) if (m[1] < m[2]) ranges++;
  return ranges >= 3;
}

export interface RandomOptions {
  /** A word like key, secret, token or password is near: shorter and less random values count. */
  context: boolean;
}

/** The token looks like a random secret. Hex counts only near such a word (hashes and ids are hex too). */
export function looksRandom(token: string, options: RandomOptions): boolean {
  const length = token.length;
  if (length < 16 || (!options.context && length < 20)) return false;
  // One look at the characters first: most tokens in code are identifiers, and fail here.
  let upper = 0;
  let lower = 0;
  let digits = 0;
  let other = 0;
  let hexLetters = 0;
  for (let i = 0; i < length; i++) {
    const c = token.charCodeAt(i);
    if (c >= 48 && c <= 57) digits++;
    else if (c >= 97 && c <= 122) {
      lower++;
      if (c <= 102) hexLetters++;
    } else if (c >= 65 && c <= 90) {
      upper++;
      if (c <= 70) hexLetters++;
    } else other++;
  }
  const mixedCase = upper > 0 && lower > 0;
  const hex = other === 0 && hexLetters === upper + lower && !mixedCase;
  if (hex || !mixedCase) {
    // One case only (hex, lower-case alphanumerics): hashes and ids look the same, so only near a secret word,
    // and only when digits and letters mix all along (not `config2value3`).
    if (!options.context || digits < length * 0.1 || digits > length * 0.9 || classChanges(token) < length / 6) return false;
    if (wordShare(token) >= 0.8) return false;
  } else if (digits === 0 && !/[+/]/.test(token) && !options.context) {
    return false;
  } else if (wordShare(token) >= (options.context ? 0.8 : 0.65)) {
    // Mostly words: a name. Near a secret word only a token made almost only of words is let go.
    return false;
  }
  if (sequential(token) || knownNotSecret(token)) return false;
  const margin = options.context ? 0.9 : 0.5;
  if (shannon(token) < expectedEntropy(length, alphabetOf(token).size) - margin) return false;
  if (hex || !mixedCase) return true;
  // Letters only: random when one case does not run into words (rare without a secret word near).
  return digits > 0 || /[+/]/.test(token) || wordShare(token) < 0.3;
}
