// The keyword-assignment rule: a value given to a name that says it is secret (`DB_PASSWORD=Tr0ub4dor&3`,
// `"client_secret": "…"`, `apiKey: '…'`), whatever punctuation the value holds. Runs at each occurrence of
// one of ASSIGN_KEYWORDS that the prefilter found. Pure.
import { alphabetOf, expectedEntropy, readable } from './entropy.js';
import { isPlaceholder, shannon, type Finding } from './rule.js';

/** Where the rule looks: the words that end a secret's name. */
export const ASSIGN_KEYWORDS = ['pass', 'pwd', 'secret', 'token', 'key', 'auth', 'credential', 'creds'] as const;

const PASSWORD_WORDS = new Set(['password', 'passwd', 'pwd', 'pass', 'passphrase', 'passcode', 'credential', 'credentials', 'creds']);
const SECRET_WORDS = new Set(['secret', 'token', 'key', 'apikey', 'auth', 'authkey', 'secretkey', 'privatekey', 'accesskey', 'accesstoken', 'authtoken', 'sessionkey']);

/** Values that are words, types or expressions, not secrets. */
const NOT_A_VALUE = /^(?:string|number|boolean|bool|int|str|object|any|unknown|bytes|list|dict|array|void|none|null|nil|true|false|undefined|yes|no|on|off|required|optional|hidden|text|password|secret|token|env|environ|default|auto|prompt|ask|file|stdin)$/i;
const REFERENCE = /\$\{|\{\{|\$\(|%\(|^\$[A-Za-z_]|^%[A-Za-z_]+%$|process\.env|os\.environ|getenv|env\(|secrets\.|vault:|^!|^\*\*\*|^<.*>$|^\[.*\]$/;

/** A name that can end in a secret word (before the exact check of its last word). */
const SECRET_END = /(?:pass(?:word|wd|phrase|code)?|pwd|secret|token|key|auth|credentials?|creds)$/i;

function identChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 45 || c === 46;
}

/** The last word of an identifier: `dbPassword` → password, `AWS_SECRET_ACCESS_KEY` → key, `auth.token` → token. */
function lastWord(name: string): string {
  const words = name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').split(/[\s_.-]+/).filter(Boolean);
  const last = (words[words.length - 1] ?? '').toLowerCase();
  // apiKey, secretKey, accessToken written as one word.
  const joined = words.slice(-2).join('').toLowerCase();
  if (SECRET_WORDS.has(joined)) return joined;
  if (PASSWORD_WORDS.has(last) || SECRET_WORDS.has(last)) return last;
  // One word in one case (PGPASSWORD, MYSQLPWD): the secret word it ends with.
  if (/^(?:[A-Z0-9]+|[a-z0-9]+)$/.test(words[words.length - 1] ?? '')) {
    for (const word of ['password', 'passwd', 'passphrase', 'secret', 'token', 'apikey', 'pwd']) if (last.endsWith(word)) return word;
  }
  return last;
}

function wordsOnly(value: string): boolean {
  return !/[0-9]/.test(value) && readable(value);
}

function tokenLike(value: string): boolean {
  if (value.length < 8 || /\s/.test(value) || wordsOnly(value)) return false;
  const h = shannon(value);
  if (/^[A-Za-z0-9+/=_-]+$/.test(value)) return h >= expectedEntropy(value.length, alphabetOf(value).size) - 1.1 && h >= 2.8;
  return h >= 3;
}

function passwordLike(value: string, config: boolean): boolean {
  if (value.length < 6 || /\s/.test(value)) return false;
  if (config) return true;
  // In code, a quoted word is a label or an autocomplete hint ("Password", "new-password"); a password mixes.
  return !wordsOnly(value) && /[0-9]|[^A-Za-z0-9]|[a-z].*[A-Z]|[A-Z].*[a-z]/.test(value) && shannon(value) >= 2.3;
}

export interface AssignScan {
  text: string;
  /** Identifier starts already looked at (several keywords can hit one name). */
  seen: Set<number>;
}

/** The assignment around a keyword found at [start, end), if its value is a secret. */
export function assignmentAt(scan: AssignScan, start: number, end: number): Finding | undefined {
  const { text } = scan;
  let a = start;
  while (a > 0 && identChar(text.charCodeAt(a - 1))) a--;
  let b = end;
  while (b < text.length && identChar(text.charCodeAt(b))) b++;
  if (scan.seen.has(a)) return undefined;
  scan.seen.add(a);
  // The operator: = : := => <- (not == != or a TypeScript annotation `name?: string`). Looked at first: most
  // hits in code are uses (`token.length`, `keys[i]`), not assignments.
  let i = b;
  if (text[i] === '"' || text[i] === "'") i++;
  while (text[i] === ' ' || text[i] === '\t') i++;
  const next = text.charCodeAt(i);
  if (next !== 61 && next !== 58 && next !== 60) return undefined;
  const name = text.slice(a, b);
  // Names that go on past the word (`tokenCount`, `keyed`) are no secret's name.
  if (!SECRET_END.test(name)) return undefined;
  const word = lastWord(name);
  const password = PASSWORD_WORDS.has(word);
  if (!password && !SECRET_WORDS.has(word)) return undefined;
  let op = '';
  for (const candidate of [':=', '=>', '<-', '=', ':']) {
    if (text.startsWith(candidate, i)) {
      op = candidate;
      break;
    }
  }
  if (!op || text[i + op.length] === '=' || (op === ':' && text[i + 1] === ':') || text[i - 1] === '!' || text[i - 1] === '?') return undefined;
  i += op.length;
  while (text[i] === ' ' || text[i] === '\t') i++;
  const quote = text[i];
  let valueStart: number;
  let valueEnd: number;
  let config = false;
  if (quote === '"' || quote === "'" || quote === '`') {
    valueStart = i + 1;
    valueEnd = valueStart;
    while (valueEnd < text.length && text[valueEnd] !== quote && text[valueEnd] !== '\n') valueEnd += text[valueEnd] === '\\' ? 2 : 1;
    if (text[valueEnd] !== quote) return undefined;
  } else {
    // Unquoted: a config line (.env, ini, YAML, properties) where the value runs to the end of the line.
    valueStart = i;
    valueEnd = text.indexOf('\n', i);
    if (valueEnd === -1) valueEnd = text.length;
    const comment = text.slice(valueStart, valueEnd).search(/\s#/);
    if (comment !== -1) valueEnd = valueStart + comment;
    while (valueEnd > valueStart && /\s/.test(text[valueEnd - 1])) valueEnd--;
    const lineStart = text.lastIndexOf('\n', a - 1) + 1;
    const before = text.slice(lineStart, a);
    config = /^\s*(?:export\s+|set\s+|-\s+)?["']?$/.test(before) && !/[;,(){}]$/.test(text.slice(valueStart, valueEnd));
    if (!config) return undefined;
  }
  const value = text.slice(valueStart, valueEnd);
  if (value.length > 200 || isPlaceholder(value) || NOT_A_VALUE.test(value) || REFERENCE.test(value)) return undefined;
  if (/^(?:[./~]|[A-Za-z]:\\)|:\/\//.test(value) || /^\d{1,7}$/.test(value)) return undefined;
  // An unquoted name or expression in code (`password: userPassword`, `token = state.tokens[i]`,
  // `key: Map<string>`) is a variable, not a value.
  if (config && ((/^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*$/.test(value) && !/\d/.test(value)) || /^[A-Za-z_$][\w$.?]*(?:\[.*\]|\(.*\)|<.*>?)/.test(value) || /\s(?:\|\||&&|\?\?|\+|-|\*|\/|\?|:)\s/.test(value))) return undefined;
  const secret = password ? passwordLike(value, config) || tokenLike(value) : tokenLike(value) || (config && passwordLike(value, false) && value.length >= 12);
  if (!secret) return undefined;
  return { start: valueStart, end: valueEnd, rule: password ? 'password-assignment' : 'secret-assignment' };
}
