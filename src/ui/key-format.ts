// What an Anthropic API key looks like, and how a key test's cost reads. Pure (no `vscode`) so unit tests
// check the messages users see.

/** "sk-ant-" then letters, digits, "-" and "_" (today's keys are "sk-ant-api03-…", about 108 characters). */
const KEY_SHAPE = /^sk-ant-[A-Za-z0-9_-]{20,}$/;

/** Why `value` cannot be an Anthropic API key, in words that say what to do; undefined when it can. */
export function apiKeyProblem(value: string): string | undefined {
  const key = value.trim();
  if (!key) return 'Enter a key, or run "Tandem: Clear Anthropic API Key" to remove the stored one.';
  if (/\s/.test(key)) return 'An API key has no spaces or line breaks: copy it again from console.anthropic.com.';
  if (!key.startsWith('sk-ant-')) return 'This is not an Anthropic API key: those start with "sk-ant-". Copy one from console.anthropic.com (Settings → API Keys).';
  if (!KEY_SHAPE.test(key)) return 'This key looks cut off or mistyped: after "sk-ant-" come at least 20 letters, digits, "-" or "_". Copy it again.';
  return undefined;
}

/** The last characters of a stored key, enough to recognise it and too few to use it. */
export function keyHint(key: string): string {
  return `…${key.trim().slice(-4)}`;
}

/** Tiny costs with their digits: 0.0000069 → "$0.0000069", 0.0123 → "$0.0123", 0 → "$0". */
export function preciseUsd(usd: number): string {
  if (!Number.isFinite(usd) || usd <= 0) return '$0';
  if (usd >= 0.01) return `$${usd.toFixed(4).replace(/0+$/, '').replace(/\.$/, '')}`;
  const digits = Math.max(2, 1 - Math.floor(Math.log10(usd)));
  return `$${usd.toFixed(Math.min(10, digits)).replace(/0+$/, '')}`;
}
