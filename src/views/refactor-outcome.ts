// What a refactor preview really wrote: VS Code's Refactor Preview lets the user untick edits, so "applied" may
// mean all, some or none of them. Comparing each file before and after tells which edits are in the text.
// Pure: no `vscode` import.
import type { TextEditSpec } from '../shared/protocol';

export interface RefactorResult {
  outcome: 'applied' | 'partly' | 'discarded';
  /** Edits written, of the edits proposed. */
  written: number;
  proposed: number;
  /** Files that changed, with their text before: an undo that brings one back is an undo of the refactor. */
  changed: { uri: string; before: string }[];
}

/** Offset of an LSP position in `text` (lines split on \n; a CRLF's \r stays with its line). */
export function offsetAt(text: string, pos: { line: number; character: number }): number {
  let offset = 0;
  for (let line = 0; line < pos.line; line++) {
    const next = text.indexOf('\n', offset);
    if (next === -1) return text.length;
    offset = next + 1;
  }
  return Math.min(text.length, offset + pos.character);
}

/** How many of a file's edits (validated by the engine: no overlaps) are in `after`, given the text `before`. */
export function countWritten(before: string, after: string, edits: readonly TextEditSpec[]): number {
  if (before === after) return 0;
  const spans = edits
    .map((e) => {
      const start = offsetAt(before, e.range.start);
      return { start, end: offsetAt(before, e.range.end), text: e.newText };
    })
    .sort((a, b) => a.start - b.start);
  let delta = 0;
  let written = 0;
  for (const s of spans) {
    const old = before.slice(s.start, s.end);
    // An edit that changes nothing is trivially there; an unticked one left the old text, which shifts nothing.
    if (s.text === old || after.startsWith(s.text, s.start + delta)) {
      written++;
      delta += s.text.length - old.length;
    }
  }
  return written;
}

/** The outcome over all files: texts before and after the preview, per file URI. */
export function refactorResult(edits: readonly TextEditSpec[], texts: ReadonlyMap<string, { before: string; after: string }>): RefactorResult {
  let written = 0;
  const changed: RefactorResult['changed'] = [];
  const byUri = new Map<string, TextEditSpec[]>();
  for (const e of edits) byUri.set(e.uri, [...(byUri.get(e.uri) ?? []), e]);
  for (const [uri, list] of byUri) {
    const t = texts.get(uri);
    if (!t || t.before === t.after) continue;
    written += countWritten(t.before, t.after, list);
    changed.push({ uri, before: t.before });
  }
  const proposed = edits.length;
  return { outcome: written === 0 ? 'discarded' : written >= proposed ? 'applied' : 'partly', written: Math.min(written, proposed), proposed, changed };
}
