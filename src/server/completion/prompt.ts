// FIM prompt building: which text goes in (a bounded, KV-cache friendly window) and in which token order.
// Pure functions: no model, no I/O. The engine tokenizes; this file decides.
//
// Why the order is [extra context][SUF]suffix[PRE]prefix[MID] (SPM): forward typing only appends to the
// prefix, and the text after the cursor does not change, so everything before the last few prefix tokens
// is identical to the previous request and stays in the KV cache. With PSM ([PRE]prefix[SUF]suffix[MID])
// every keystroke would re-evaluate the whole suffix.

export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

/** What the window needs from a document (vscode-languageserver-textdocument's TextDocument fits). */
export interface TextSource {
  getText(range?: Range): string;
  readonly lineCount: number;
}

export interface WindowOptions {
  maxPrefixLines: number;
  maxSuffixLines: number;
  /** The prefix start moves in steps of this many lines, so pressing Enter rarely changes it. */
  step?: number;
  /** Character caps for very long lines (the cut also moves in steps). */
  maxPrefixChars?: number;
  maxSuffixChars?: number;
}

export interface FimWindow {
  prefix: string;
  suffix: string;
  /** First document line of the prefix. */
  prefixStartLine: number;
  /** Last document line (exclusive) of the suffix. */
  suffixEndLine: number;
  /** Text of the cursor line before and after the cursor. */
  lineBefore: string;
  lineAfter: string;
  /** Up to 8 lines after the cursor line (post-processing stops where the completion repeats them). */
  followingLines: string[];
  /** Nearest non-blank line above the cursor line. */
  previousLine: string;
}

const CHAR_STEP = 1024;

/** The text before and after the cursor, bounded by lines, with a start that only moves in steps. */
export function fimWindow(doc: TextSource, pos: Position, options: WindowOptions): FimWindow {
  const step = options.step ?? 16;
  const startLine = Math.max(0, Math.floor((pos.line - options.maxPrefixLines) / step) * step);
  // Counting suffix lines from the cursor line keeps it identical while typing before the cursor:
  // an inserted newline moves the cursor line and the following lines down together.
  const endLine = Math.min(doc.lineCount, pos.line + options.maxSuffixLines + 1);
  let prefix = doc.getText({ start: { line: startLine, character: 0 }, end: pos });
  let suffix = doc.getText({ start: pos, end: { line: endLine, character: 0 } });
  const maxPrefix = options.maxPrefixChars ?? 12_000;
  if (prefix.length > maxPrefix) {
    const cut = Math.ceil((prefix.length - maxPrefix) / CHAR_STEP) * CHAR_STEP;
    const newline = prefix.indexOf('\n', cut);
    prefix = newline >= 0 && newline < prefix.length - 1 ? prefix.slice(newline + 1) : prefix.slice(cut);
  }
  const maxSuffix = options.maxSuffixChars ?? 4_000;
  if (suffix.length > maxSuffix) {
    const newline = suffix.lastIndexOf('\n', maxSuffix);
    suffix = suffix.slice(0, newline > 0 ? newline + 1 : maxSuffix);
  }
  const lineBefore = doc.getText({ start: { line: pos.line, character: 0 }, end: pos });
  const lineRest = doc.getText({ start: pos, end: { line: pos.line + 1, character: 0 } });
  const lineAfter = lineRest.replace(/\r?\n$/, '');
  const following = doc
    .getText({ start: { line: pos.line + 1, character: 0 }, end: { line: pos.line + 9, character: 0 } })
    .split(/\r?\n/);
  if (following.length && following[following.length - 1] === '') following.pop();
  let previousLine = '';
  for (let line = pos.line - 1; line >= Math.max(0, pos.line - 20); line--) {
    const text = doc.getText({ start: { line, character: 0 }, end: { line: line + 1, character: 0 } }).replace(/\r?\n$/, '');
    if (text.trim()) {
      previousLine = text;
      break;
    }
  }
  return { prefix, suffix, prefixStartLine: startLine, suffixEndLine: endLine, lineBefore, lineAfter, followingLines: following, previousLine };
}

export type CompletionMode = 'single' | 'multi';

const BLOCK_OPENER = /(?:[{([:]|=>|\bthen|\bdo|\belse|\btry|\bfinally)\s*$/;

/** Single line when text follows the cursor; several lines at block starts (or always/never by setting). */
export function completionMode(window: Pick<FimWindow, 'lineBefore' | 'lineAfter' | 'previousLine'>, setting: 'auto' | 'always' | 'never'): CompletionMode {
  if (window.lineAfter.trim()) return 'single';
  if (setting === 'never') return 'single';
  if (setting === 'always') return 'multi';
  const before = window.lineBefore;
  if (before.trim() === '') return BLOCK_OPENER.test(window.previousLine.trimEnd()) || window.previousLine === '' ? 'multi' : 'single';
  return BLOCK_OPENER.test(before.trimEnd()) ? 'multi' : 'single';
}

export interface FimTokens {
  prefix: number;
  suffix: number;
  middle: number;
  /** Prepended when the model asks for it. */
  bos?: number;
}

export interface PromptParts {
  /** Extra context chunks, already tokenized, in their stable ring order (oldest first). */
  context: number[][];
  prefix: number[];
  suffix: number[];
}

export interface BuiltPrompt {
  tokens: number[];
  /** How many context chunks fit. */
  contextChunks: number;
  /** Prefix tokens dropped from the start to fit. */
  prefixTrimmed: number;
}

/** [BOS][context...][SUF]suffix[PRE]prefix[MID], trimmed to `budget` tokens: context chunks go first (the
 * newest are dropped first so the older, cached ones stay put), then the suffix end, then the prefix start. */
export function buildFimPrompt(parts: PromptParts, fim: FimTokens, budget: number): BuiltPrompt {
  const fixed = 3 + (fim.bos !== undefined ? 1 : 0);
  let suffix = parts.suffix;
  let prefix = parts.prefix;
  let prefixTrimmed = 0;
  const room = Math.max(0, budget - fixed);
  if (prefix.length + suffix.length > room) {
    const suffixRoom = Math.min(suffix.length, Math.floor(room / 4));
    suffix = suffix.slice(0, suffixRoom);
    const prefixRoom = room - suffix.length;
    if (prefix.length > prefixRoom) {
      prefixTrimmed = prefix.length - prefixRoom;
      prefix = prefix.slice(prefixTrimmed);
    }
  }
  let left = room - prefix.length - suffix.length;
  const context: number[] = [];
  let contextChunks = 0;
  for (const chunk of parts.context) {
    if (chunk.length > left) break;
    context.push(...chunk);
    left -= chunk.length;
    contextChunks++;
  }
  const tokens: number[] = [];
  if (fim.bos !== undefined) tokens.push(fim.bos);
  tokens.push(...context, fim.suffix, ...suffix, fim.prefix, ...prefix, fim.middle);
  return { tokens, contextChunks, prefixTrimmed };
}

/** The header that introduces an extra-context chunk (a file separator token when the model has one). */
export function contextChunkText(path: string, text: string, commentPrefix = '//'): string {
  const body = text.endsWith('\n') ? text : `${text}\n`;
  return `${commentPrefix} ${path}\n${body}`;
}

/** Index of the first position where two token arrays differ. */
export function firstDifference(a: readonly number[], b: readonly number[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return n;
}
