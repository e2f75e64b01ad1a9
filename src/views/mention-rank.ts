// Ranks workspace files for the chat's @-mention autocomplete. Pure: no `vscode`.

export interface MentionCandidate {
  /** Workspace-relative path with '/' separators. */
  path: string;
  uri: string;
}

/** Lower is better; undefined when `query` does not match `path` at all (subsequence of characters). */
export function mentionScore(path: string, query: string): number | undefined {
  const p = path.toLowerCase();
  const q = query.toLowerCase();
  if (!q) return p.split('/').length * 10 + p.length / 100;
  const name = p.slice(p.lastIndexOf('/') + 1);
  if (name === q) return 0;
  if (name.startsWith(q)) return 1 + name.length / 100;
  if (name.includes(q)) return 2 + name.length / 100;
  if (p.includes(q)) return 3 + p.length / 1000;
  let at = 0;
  let gaps = 0;
  for (const ch of q) {
    const found = p.indexOf(ch, at);
    if (found < 0) return undefined;
    gaps += found - at;
    at = found + 1;
  }
  return 4 + gaps / 10 + p.length / 1000;
}

export function rankMentions<T extends MentionCandidate>(candidates: readonly T[], query: string, limit = 20): T[] {
  const scored: { item: T; score: number }[] = [];
  for (const item of candidates) {
    const score = mentionScore(item.path, query.trim());
    if (score !== undefined) scored.push({ item, score });
  }
  scored.sort((a, b) => a.score - b.score || a.item.path.localeCompare(b.item.path));
  return scored.slice(0, limit).map((s) => s.item);
}
