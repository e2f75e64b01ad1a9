// What applying a refactor's edits may do, decided right before VS Code applies them, and what it really did,
// read back from the documents afterwards. Pure: the caller brings each file's verdict (edit-targets.ts) and
// its current text. Rules: a file outside the workspace folders is refused (the other edits stand, as in the
// engine); a file whose text is not the text the edits were made for (its SHA-256 differs) stops everything,
// because ranges into changed text land in the wrong places and half a rename breaks code.
import { createHash } from 'node:crypto';
import type { EditTargetVerdict } from '../shared/edit-targets';
import type { EditTarget, TextEditSpec } from '../shared/protocol';
import type { AppliedFile, RefusedFile } from '../shared/webview';

export interface PendingRefactor {
  specs: TextEditSpec[];
  targets: EditTarget[];
  prompt: string;
}

/** One file of the refactor as it is now. */
export interface TargetState {
  label: string;
  description: string;
  verdict: EditTargetVerdict;
  /** The document's current text; undefined when it could not be opened. */
  text?: string;
}

export interface PlannedEdit {
  spec: TextEditSpec;
  /** Why the file runs code: the edit starts unticked in the preview. */
  runsCode?: string;
}

export interface ApplyPlan {
  edits: PlannedEdit[];
  refused: RefusedFile[];
  /** Why nothing may be applied (stale text), when so. */
  stop?: string;
}

export const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

function uris(specs: readonly TextEditSpec[]): string[] {
  return [...new Set(specs.map((s) => s.uri))];
}

export function planApply(pending: PendingRefactor, states: ReadonlyMap<string, TargetState>): ApplyPlan {
  const refused: RefusedFile[] = [];
  const stale: string[] = [];
  const allowed = new Map<string, string | undefined>();
  for (const uri of uris(pending.specs)) {
    const state = states.get(uri);
    const target = pending.targets.find((t) => t.uri === uri);
    const edits = pending.specs.filter((s) => s.uri === uri).length;
    if (!state) return { edits: [], refused, stop: `Tandem could not look at ${uri}; no file was changed.` };
    if (!state.verdict.ok) {
      refused.push({ label: state.label, description: state.description, edits, reason: state.verdict.reason });
      continue;
    }
    if (!target) return { edits: [], refused, stop: `The engine did not say which text the edits to ${state.label} were made for, so they cannot be checked; no file was changed. Ask again.` };
    if (state.text === undefined || sha256(state.text) !== target.sha256) stale.push(state.label);
    else allowed.set(uri, state.verdict.runsCode ?? target.runsCode);
  }
  if (stale.length > 0) {
    const names = stale.join(', ');
    return {
      edits: [],
      refused,
      stop: `${names} changed after these edits were proposed, so they would land in the wrong places. No file was changed; ask again to get edits for the current text.`,
    };
  }
  const edits = pending.specs.filter((s) => allowed.has(s.uri)).map((spec) => ({ spec, ...(allowed.get(spec.uri) ? { runsCode: allowed.get(spec.uri) } : {}) }));
  return { edits, refused };
}

function offsetAt(lineStarts: number[], p: { line: number; character: number }): number {
  return (lineStarts[p.line] ?? Number.POSITIVE_INFINITY) + p.character;
}

function lineStartsOf(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

/**
 * How many of `specs` (edits to one file, ranges into `before`) the text `after` holds: each edit is either
 * applied or left out, the text between edits is unchanged. Null when `after` is not `before` with some of
 * the edits applied (someone else changed the file too).
 */
export function countApplied(before: string, after: string, specs: readonly TextEditSpec[]): number | null {
  const starts = lineStartsOf(before);
  const edits = specs
    .map((s) => ({ start: offsetAt(starts, s.range.start), end: offsetAt(starts, s.range.end), newText: s.newText }))
    .sort((a, b) => a.start - b.start);
  let read = 0; // position in `before`
  let at = 0; // matching position in `after`
  let applied = 0;
  for (const [i, e] of edits.entries()) {
    if (e.end > before.length) return null;
    const gap = before.slice(read, e.start);
    if (after.slice(at, at + gap.length) !== gap) return null;
    at += gap.length;
    const oldText = before.slice(e.start, e.end);
    const nextGap = before.slice(e.end, edits[i + 1]?.start ?? before.length);
    // Applied or not, the unchanged text after the edit must follow: that settles a newText that starts with oldText.
    const fits = (text: string) => after.startsWith(text, at) && after.startsWith(nextGap.slice(0, 200), at + text.length);
    if (e.newText !== oldText && fits(e.newText)) {
      applied++;
      at += e.newText.length;
    } else if (fits(oldText)) {
      at += oldText.length;
    } else return null;
    read = e.end;
  }
  return after.slice(at) === before.slice(read) ? applied : null;
}

/** Per file: how many of its planned edits the document now holds, and whether it is saved. */
export function appliedFiles(
  plan: ApplyPlan,
  states: ReadonlyMap<string, TargetState>,
  after: ReadonlyMap<string, { text: string; saved: boolean }>,
): AppliedFile[] {
  return uris(plan.edits.map((e) => e.spec)).map((uri) => {
    const specs = plan.edits.filter((e) => e.spec.uri === uri).map((e) => e.spec);
    const state = states.get(uri);
    const now = after.get(uri);
    const applied = state?.text !== undefined && now ? countApplied(state.text, now.text, specs) : null;
    const runsCode = plan.edits.find((e) => e.spec.uri === uri)?.runsCode;
    return { uri, label: state?.label ?? uri, applied, of: specs.length, saved: now?.saved ?? true, ...(runsCode ? { runsCode } : {}) };
  });
}
