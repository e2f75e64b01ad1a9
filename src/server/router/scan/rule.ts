// One secret format: where it can start (keywords), what it looks like (a regex), and checks on the value.
// The tables are in rules-*.ts; detect.ts runs a rule only around its keywords, as gitleaks does.

export interface Finding {
  start: number;
  end: number;
  /** The rule that found it (a format id such as `github-pat`, `high-entropy`, `password-assignment`). */
  rule: string;
  /** How it was hidden, when a decoder had to reveal it: `base64`, `hex`, `url-encoded`, `joined`. */
  via?: string;
  /** The finding makes a file a credential store (local-only by content): what kind, in words. */
  store?: string;
}

export interface Rule {
  id: string;
  /** What it is, in words (docs and the corpus). */
  title: string;
  /** Literals: the rule runs only where one of them occurs (case-insensitively, unless `caseSensitive`). */
  keywords: readonly string[];
  /** The keywords must occur with exactly this case (vendor prefixes such as `SG.` or `AKIA`). */
  caseSensitive?: boolean;
  pattern: RegExp;
  /** The capture group holding the secret; default: the whole match. */
  group?: number;
  /** Least Shannon entropy of the secret, in bits per character. */
  minEntropy?: number;
  /** Lines after the keyword's line that the rule may read (formats spread over lines). */
  lines?: number;
  /** A file holding this is a credential store, whatever its name. */
  store?: string;
  /** Further checks on the secret (placeholders, shapes a regex cannot say). */
  valid?(secret: string): boolean;
}

/** Characters of a token (keys, base64, identifiers): letters, digits and + / = _ - */
export function tokenChar(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 43 || code === 47 || code === 61 || code === 95 || code === 45;
}

const PLACEHOLDER =
  /^(?:x+|X+|\*+|\.+|-+|_+|0+|<[^>]*>|\[[^\]]*\]|\$\{[^}]*\}|\{\{[^}]*\}\}|\{[^}]*\}|%[A-Za-z_]+%|\$[A-Za-z_][A-Za-z0-9_]*|\$\([^)]*\)|(?:your|my|the|some|enter|insert|replace|put)[-_ ].*|.*[-_ ](?:here|goes)|.*(?:placeholder|changeme|redacted)|(?:none|null|nil|undefined|true|false|empty|secret|password|passwd|token|apikey|api_key|key|test|example|string|value|default|required|optional|todo|tbd|n\/a))$/i;

/** A value that stands for a secret rather than being one: `xxxx`, `<token>`, `${API_KEY}`, `your-key-here`. */
export function isPlaceholder(value: string): boolean {
  if (value.length < 4) return true;
  if (PLACEHOLDER.test(value)) return true;
  // A template or a variable inside the value (`${secret}`, `{{ token }}`): code that makes a value, not one.
  if (/\$\{[^}]*\}|\{\{[^}]*\}\}/.test(value)) return true;
  // One character repeated, or a short pattern repeated (`abcabcabc…`).
  if (/^(.{1,3})\1+$/.test(value)) return true;
  return value.includes('REDACTED');
}

/** A rule for a value with a fixed prefix: `prefix` + `body` (a regex source), not inside a longer token. */
export function prefixed(id: string, title: string, prefix: string, body: string, extra: Partial<Rule> = {}): Rule {
  const escaped = prefix.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
  return {
    id,
    title,
    keywords: [prefix],
    caseSensitive: true,
    pattern: new RegExp(`(?<![A-Za-z0-9_])${escaped}${body}(?![A-Za-z0-9_])`),
    ...extra,
  };
}

/** A rule for a value assigned to a name that mentions a vendor: `TWILIO_AUTH_TOKEN = "…"`, `"datadog_api_key": …`.
 * `names`: regex source of the vendor's words; `value`: regex source of the secret. */
export function assigned(id: string, title: string, keywords: readonly string[], names: string, value: string, extra: Partial<Rule> = {}): Rule {
  return {
    id,
    title,
    keywords,
    pattern: new RegExp(
      `(?:${names})[\\w.-]{0,30}?["']?\\s{0,3}(?:=|:=|:|=>|<-|\\?=|,)\\s{0,5}(?:["'\`]|\\$?\\()?\\s{0,2}(${value})(?![A-Za-z0-9])`,
      'i',
    ),
    group: 1,
    ...extra,
  };
}

/** Shannon entropy in bits per character. */
export function shannon(text: string): number {
  const counts = new Map<number, number>();
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    counts.set(c, (counts.get(c) ?? 0) + 1);
  }
  let bits = 0;
  for (const n of counts.values()) {
    const p = n / text.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

export const HEX = '[0-9a-fA-F]';
export const UUID = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';

/** The base64 that starts every token of a format whose tokens are base64 of a fixed binary header: written as
 * what it encodes, so the source holds no token-shaped constant. */
export function base64Of(bytes: string): string {
  return Buffer.from(bytes, 'latin1').toString('base64');
}
