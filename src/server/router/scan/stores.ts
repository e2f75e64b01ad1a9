// Credential stores recognised by their content, whatever the file is called. Most are marked by the rule that
// finds their secret (a private key, a kubeconfig's client key, an .npmrc token: `store` in rules-*.ts); this
// adds the shape no single line shows: an .env-style file whose secret-looking keys have values. Pure.

/** Files larger than this are not configuration files. */
const MAX_CHARS = 64 * 1024;
const ASSIGNMENT = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*)$/;
const SECRET_KEY = /(?:pass(?:word|wd|phrase)?|pwd|secret|token|api_?key|access_?key|private_?key|credentials?|auth)$/i;
const EMPTY = /^(?:|""|''|<[^>]*>|\$\{[^}]*\}|changeme|x+|\*+)$/i;

/** Why `text` is a credential store, in words, or undefined: set by a finding, or an .env-style file. */
export function credentialStore(text: string, findings: readonly { store?: string }[]): string | undefined {
  const marked = findings.find((f) => f.store)?.store;
  if (marked || text.length > MAX_CHARS) return marked;
  let lines = 0;
  let assignments = 0;
  let secrets = 0;
  for (let start = 0; start < text.length; ) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    const line = text.slice(start, end);
    start = end + 1;
    const trimmed = line.trim();
    if (!trimmed || trimmed.startsWith('#') || trimmed.startsWith(';')) continue;
    lines++;
    // Source code shows itself in its first lines: stop reading.
    if (lines === 20 && assignments < 10) return undefined;
    const m = ASSIGNMENT.exec(line);
    if (!m) continue;
    assignments++;
    const value = m[2].replace(/\s+#.*$/, '').trim();
    if (SECRET_KEY.test(m[1]) && !EMPTY.test(value)) secrets++;
  }
  // Mostly KEY=value lines, one of them a secret with a value: an environment file.
  return secrets > 0 && assignments >= lines * 0.6 ? 'an environment file with secrets' : undefined;
}
