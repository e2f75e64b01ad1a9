// Whether inline completions may run for a document, and if not, why (the status bar says it). Pure: no `vscode`.
import picomatch from 'picomatch';

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

const matcherCache = new Map<string, (path: string) => boolean>();

function matcher(pattern: string): (path: string) => boolean {
  let match = matcherCache.get(pattern);
  if (!match) {
    // A pattern without a slash ("*.md") matches the file name in any folder, as users expect. (picomatch's
    // `basename` option is only safe for such patterns: it breaks patterns that contain a slash.)
    const compiled = picomatch(pattern, { dot: true, basename: !pattern.includes('/') });
    match = (path: string) => compiled(path);
    matcherCache.set(pattern, match);
  }
  return match;
}

/** The first exclude glob matching the document, if any. Globs match the workspace-relative path or the absolute path. */
export function matchingExclude(exclude: readonly string[], relativePath?: string, absolutePath?: string): string | undefined {
  const candidates = [relativePath, absolutePath].filter((p): p is string => Boolean(p)).map((p) => p.replace(/\\/g, '/'));
  if (candidates.length === 0) return undefined;
  for (const pattern of exclude) {
    if (typeof pattern !== 'string' || !pattern.trim()) continue;
    const match = matcher(pattern.trim());
    if (candidates.some((candidate) => match(candidate))) return pattern;
  }
  return undefined;
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
