// Key blocks, found by their structure rather than by a regex over the body: every `-----BEGIN … PRIVATE KEY-----`
// block whatever its body looks like (truncated, odd line lengths, escaped `\n` inside a JSON string), PuTTY
// private key files, and the public blocks and SSH public keys that look random but are not secrets. Pure.
import type { Finding } from './rule.js';

export const PEM_KEYWORDS = ['-----BEGIN', 'PuTTY-User-Key-File-', 'ssh-rsa AAAA', 'ssh-ed25519 AAAA', 'ssh-dss AAAA', 'ecdsa-sha2-nistp', 'sk-ssh-ed25519@openssh.com AAAA'];

const LABEL = /-----BEGIN ([A-Z0-9 ]{1,48})-----/y;

function ruleOf(label: string): string {
  if (label.startsWith('PGP')) return 'pgp-private-key';
  if (label.startsWith('OPENSSH')) return 'openssh-private-key';
  if (label.startsWith('SSH2')) return 'ssh2-private-key';
  if (label.startsWith('RSA')) return 'rsa-private-key';
  if (label.startsWith('EC ')) return 'ec-private-key';
  if (label.startsWith('DSA')) return 'dsa-private-key';
  if (label.startsWith('ENCRYPTED')) return 'encrypted-private-key';
  return 'private-key';
}

/** The end of a block without an END line: the base64 (and header) lines that follow, or the end of the text. */
function bodyEnd(text: string, from: number): number {
  let at = text.indexOf('\n', from);
  if (at === -1) return text.length;
  for (;;) {
    const next = text.indexOf('\n', at + 1);
    const line = text.slice(at + 1, next === -1 ? text.length : next);
    if (!/^[\sA-Za-z0-9+/=:,.\\-]*$/.test(line) || line.startsWith('-----')) return at;
    if (next === -1) return text.length;
    at = next;
  }
}

/** A block inside a quoted string (a service-account JSON's "private_key"): the finding takes the whole value. */
function wholeString(text: string, start: number, end: number): { start: number; end: number } {
  const quote = text[start - 1];
  if (quote !== '"' && quote !== "'") return { start, end };
  let at = end;
  while (at < text.length && text[at] !== quote && text[at] !== '\n' && at - end < 64) at++;
  return text[at] === quote ? { start, end: at } : { start, end };
}

export interface KeyBlocks {
  findings: Finding[];
  /** Public key material (certificates, public keys): random-looking, not secret. */
  excluded: { start: number; end: number }[];
}

/** Key blocks starting at the keyword hits in `starts` (offsets of `-----BEGIN`, `PuTTY-…`, `ssh-rsa AAAA`, …). */
export function keyBlocks(text: string, starts: number[]): KeyBlocks {
  const out: KeyBlocks = { findings: [], excluded: [] };
  let covered = -1;
  for (const at of starts) {
    if (at < covered) continue;
    if (text.startsWith('-----BEGIN', at)) {
      LABEL.lastIndex = at;
      const m = LABEL.exec(text);
      if (!m) continue;
      const label = m[1];
      const headerEnd = at + m[0].length;
      const close = text.indexOf('-----END', headerEnd);
      let end: number;
      if (close === -1) end = bodyEnd(text, headerEnd);
      else {
        const dashes = text.indexOf('-----', close + 8);
        end = dashes === -1 ? text.length : dashes + 5;
      }
      covered = end;
      // Whatever the body looks like it is a key, unless it is a placeholder (`...`, `<your key>`) in docs.
      const body = text.slice(headerEnd, close === -1 ? end : close).replace(/\\[nr]|\s|\.|…|<[^>]*>/g, '');
      if (!label.includes('PRIVATE KEY')) out.excluded.push({ start: at, end });
      else if (body.length >= 16) out.findings.push({ ...wholeString(text, at, end), rule: ruleOf(label), store: 'a private key' });
    } else if (text.startsWith('PuTTY-User-Key-File-', at) && /^PuTTY-User-Key-File-\d+: [\w@.-]+\r?\n/.test(text.slice(at, at + 80))) {
      const mac = text.indexOf('Private-MAC:', at);
      const lineEnd = mac === -1 ? -1 : text.indexOf('\n', mac);
      const end = mac === -1 ? bodyEnd(text, at) : lineEnd === -1 ? text.length : lineEnd;
      covered = end;
      out.findings.push({ start: at, end, rule: 'putty-private-key', store: 'a PuTTY private key' });
    } else {
      // An SSH public key: the algorithm, the base64 blob, an optional comment.
      const blob = text.indexOf('AAAA', at);
      let end = blob;
      while (end < text.length && /[A-Za-z0-9+/=]/.test(text[end])) end++;
      if (blob !== -1 && blob - at < 48) out.excluded.push({ start: at, end });
    }
  }
  return out;
}
