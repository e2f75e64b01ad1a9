// Whether inline completions may run for a document, and if not, why (the status bar says it). Pure: no `vscode`.
import { globMatcher } from '../shared/glob';

export type CompletionBlock =
  | { reason: 'disabled'; label: string; detail: string }
  | { reason: 'excluded'; label: string; detail: string; pattern: string }
  | { reason: 'too-large'; label: string; detail: string };

export interface GateInput {
  enabled: boolean;
  exclude: readonly string[];
  maxFileBytes: number;
  /** Path relative to its workspace folder with `/` separators, when the file is inside one. */
  relativePath?: string;
  /** Absolute path with `/` separators for files on disk; undefined for untitled documents. */
  absolutePath?: string;
  /** UTF-8 size of the document text. */
  sizeBytes: number;
}

/** The first exclude glob matching the document, if any: the shared matcher (src/shared/glob.ts) the engine
 * uses too, on the workspace-relative path and the absolute path. */
export function matchingExclude(exclude: readonly string[], relativePath?: string, absolutePath?: string): string | undefined {
  return globMatcher(exclude)([relativePath, absolutePath]);
}

/** Why completions cannot run for this document, or undefined when they may. */
export function completionBlock(input: GateInput): CompletionBlock | undefined {
  if (!input.enabled) {
    return {
      reason: 'disabled',
      label: 'completions off',
      detail: 'Inline completions are turned off (`tandem.completions.enabled`). Run "Tandem: Toggle Inline Completions" to turn them on.',
    };
  }
  const pattern = matchingExclude(input.exclude, input.relativePath, input.absolutePath);
  if (pattern !== undefined) {
    return {
      reason: 'excluded',
      label: 'file excluded',
      detail: `This file matches \`${pattern}\` in \`tandem.completions.exclude\`, so it gets no inline completions.`,
      pattern,
    };
  }
  if (input.maxFileBytes > 0 && input.sizeBytes > input.maxFileBytes) {
    return {
      reason: 'too-large',
      label: 'file too large',
      detail: `This file is ${formatBytes(input.sizeBytes)}, over \`tandem.completions.maxFileBytes\` (${formatBytes(input.maxFileBytes)}), so it gets no inline completions.`,
    };
  }
  return undefined;
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(1)} GB`;
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(1)} MB`;
  if (bytes >= 1e3) return `${Math.round(bytes / 1e3)} KB`;
  return `${bytes} B`;
}
