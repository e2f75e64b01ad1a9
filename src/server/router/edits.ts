// Validating the edits a model proposes: the file is one of those gathered, oldText is found exactly once
// (or at the line given), edits do not overlap. Valid edits become LSP ranges; when any edit fails, none is
// returned (a half-applied refactor breaks code) and every failure is a plain reason. Edits to a file Tandem
// may not write (`refused`: outside the workspace folders) are set apart as refused, not failed. Pure.
import type { RefusedEdit, TextEditSpec } from '../../shared/protocol.js';

export interface GatheredFile {
  uri: string;
  /** Path as shown to the model. */
  path: string;
  /** The whole file as it is now (open document or disk). */
  text: string;
  /** Why Tandem does not edit this file, if it does not. */
  refused?: string;
}

export interface ProposedEdit {
  path: string;
  oldText: string;
  newText: string;
  line?: number;
  /** 1-based position in the model's list, for messages. */
  index?: number;
}

export interface Validated {
  edits: TextEditSpec[];
  errors: string[];
  refused: RefusedEdit[];
}

/** Proposed edits from a tool input or parsed JSON; anything else is an error, not an edit. */
export function readProposal(input: unknown): { edits: ProposedEdit[]; errors: string[] } {
  const list = (input as { edits?: unknown })?.edits;
  if (!Array.isArray(list)) return { edits: [], errors: ['The model did not return a list of edits.'] };
  const edits: ProposedEdit[] = [];
  const errors: string[] = [];
  list.forEach((raw: unknown, i) => {
    const e = raw as Record<string, unknown>;
    if (!e || typeof e.path !== 'string' || typeof e.oldText !== 'string' || typeof e.newText !== 'string') {
      errors.push(`Edit ${i + 1} is missing its path, oldText or newText.`);
      return;
    }
    const line = typeof e.line === 'number' && Number.isInteger(e.line) && e.line > 0 ? e.line : undefined;
    edits.push({ path: e.path, oldText: e.oldText, newText: e.newText, index: i + 1, ...(line ? { line } : {}) });
  });
  return { edits, errors };
}

/** The JSON object in a local model's answer (it may wrap it in prose or a code fence). */
export function parseJsonAnswer(text: string): unknown {
  const fenced = text.match(/```(?:json)?\s*([\s\S]*?)```/);
  const body = fenced ? fenced[1] : text;
  const start = body.indexOf('{');
  const end = body.lastIndexOf('}');
  if (start === -1 || end <= start) return undefined;
  try {
    return JSON.parse(body.slice(start, end + 1));
  } catch {
    return undefined;
  }
}

export function positionAt(text: string, offset: number): { line: number; character: number } {
  let line = 0;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, character: offset - lineStart };
}

function occurrences(text: string, needle: string): number[] {
  const out: number[] = [];
  for (let i = text.indexOf(needle); i !== -1; i = text.indexOf(needle, i + 1)) out.push(i);
  return out;
}

function findFile(files: GatheredFile[], path: string): GatheredFile | undefined {
  const norm = (p: string) => p.replace(/\\/g, '/').replace(/^\.\//, '');
  return files.find((f) => norm(f.path) === norm(path) || f.uri === path);
}

export function validateEdits(proposed: ProposedEdit[], files: GatheredFile[]): Validated {
  const errors: string[] = [];
  const refused = new Map<string, RefusedEdit>();
  const accepted: { file: GatheredFile; start: number; end: number; newText: string }[] = [];
  proposed.forEach((e, i) => {
    const label = `Edit ${e.index ?? i + 1} (${e.path})`;
    const file = findFile(files, e.path);
    if (!file) return void errors.push(`${label}: the file is not one of the files of this refactor.`);
    if (file.refused) {
      const entry = refused.get(file.uri) ?? { path: file.path, uri: file.uri, edits: 0, reason: file.refused };
      entry.edits++;
      return void refused.set(file.uri, entry);
    }
    if (!e.oldText) return void errors.push(`${label}: oldText is empty.`);
    const hits = occurrences(file.text, e.oldText);
    let start: number | undefined;
    if (hits.length === 1) start = hits[0];
    else if (hits.length === 0) return void errors.push(`${label}: oldText was not found in the file.`);
    else if (e.line) {
      start = hits.find((h) => positionAt(file.text, h).line + 1 === e.line);
      if (start === undefined) return void errors.push(`${label}: oldText was not found at line ${e.line}.`);
    } else return void errors.push(`${label}: oldText occurs ${hits.length} times and no line was given.`);
    const end = start + e.oldText.length;
    const clash = accepted.find((a) => a.file === file && start < a.end && a.start < end);
    if (clash) return void errors.push(`${label}: it overlaps another edit in the same file.`);
    accepted.push({ file, start, end, newText: e.newText });
  });
  // A partial refactor (a rename applied in some places only) breaks code: all or nothing.
  if (errors.length > 0) {
    if (accepted.length > 0)
      errors.push(`${accepted.length} valid edit${accepted.length === 1 ? ' was' : 's were'} withheld because the refactor would be incomplete.`);
    return { edits: [], errors, refused: [...refused.values()] };
  }
  const edits = accepted
    .sort((a, b) => (a.file.uri === b.file.uri ? a.start - b.start : a.file.uri < b.file.uri ? -1 : 1))
    .map((a) => ({
      uri: a.file.uri,
      range: { start: positionAt(a.file.text, a.start), end: positionAt(a.file.text, a.end) },
      newText: a.newText,
    }));
  return { edits, errors, refused: [...refused.values()] };
}
