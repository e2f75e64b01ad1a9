// Which documents get no completions, and why (the reason is counted in tandem/stats `skipped`).
// Pure: works on the document text already in memory.
import { globMatcher } from '../../shared/glob.js';

export type SkipReason = 'disabled' | 'excluded' | 'too-large' | 'binary' | 'long-line' | 'no-document';

export const MAX_LINE_CHARS = 2_000;
const BINARY_SAMPLE = 8_192;

export interface SkipInput {
  enabled: boolean;
  maxFileBytes: number;
  exclude: string[];
  /** Path relative to a workspace folder, when the file is in one. */
  relativePath?: string;
  /** Absolute path of a file on disk. */
  absolutePath?: string;
  text: string;
  /** Text of the cursor line. */
  cursorLine: string;
}

export function skipReason(input: SkipInput): SkipReason | undefined {
  if (!input.enabled) return 'disabled';
  if (input.exclude.length && globMatcher(input.exclude)([input.relativePath, input.absolutePath])) return 'excluded';
  if (tooLarge(input.text, input.maxFileBytes)) return 'too-large';
  if (looksBinary(input.text)) return 'binary';
  if (input.cursorLine.length > MAX_LINE_CHARS) return 'long-line';
  return undefined;
}

/** Bytes in UTF-8, counted only when the character count leaves it in doubt. */
export function tooLarge(text: string, maxBytes: number): boolean {
  if (text.length > maxBytes) return true;
  if (text.length * 3 <= maxBytes) return false;
  return Buffer.byteLength(text, 'utf8') > maxBytes;
}

/** NUL characters, or many control characters, in the first 8 KB. */
export function looksBinary(text: string): boolean {
  const sample = text.length > BINARY_SAMPLE ? text.slice(0, BINARY_SAMPLE) : text;
  if (sample.includes('\u0000')) return true;
  let control = 0;
  for (let i = 0; i < sample.length; i++) {
    const c = sample.charCodeAt(i);
    if ((c < 32 && c !== 9 && c !== 10 && c !== 13 && c !== 12) || c === 0xfffd) control++;
  }
  return sample.length > 0 && control / sample.length > 0.1;
}
