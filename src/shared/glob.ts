// The one glob matcher of Tandem: completion exclusion (extension and engine) and the privacy globs use it, so
// a pattern means the same everywhere. The engine is the authority; the extension uses the same code to say
// in the status bar why a file gets no completions. Pure: no `vscode`, no file system.
//
// Rules, as in .gitignore:
//   - a pattern without `/` (`*.md`, `.env`, `id_rsa*`) matches the file name in any folder;
//   - a pattern with `/` matches the workspace-relative path (`src/billing/**`) or, when it is absolute or starts
//     with `**/`, the absolute path too;
//   - `./` in front is ignored; a trailing `/` means the folder and everything under it;
//   - dot files match like any other file.
import picomatch from 'picomatch';

export interface GlobOptions {
  /** Match without regard to case (the privacy globs: `.ENV` is `.env` on every OS). */
  nocase?: boolean;
}

/** Returns the first pattern (as written) that matches one of the paths, or undefined. */
export type GlobMatcher = (paths: readonly (string | undefined)[]) => string | undefined;

interface Compiled {
  pattern: string;
  test: (path: string) => boolean;
}

/** `/`-separated, without a leading `./`. */
export function normalizePath(path: string): string {
  return path.replace(/\\/g, '/').replace(/^\.\//, '');
}

function compile(pattern: string, options: GlobOptions): Compiled | undefined {
  if (typeof pattern !== 'string') return undefined;
  let glob = normalizePath(pattern.trim());
  if (!glob) return undefined;
  if (glob.endsWith('/')) glob += '**';
  const base = { dot: true, nocase: Boolean(options.nocase) };
  const nameOnly = !glob.includes('/');
  const match = picomatch(glob, nameOnly ? { ...base, basename: true } : base);
  return { pattern, test: (path) => match(path) };
}

const cache = new Map<string, GlobMatcher>();

/** A matcher for `patterns` (blank and non-string entries, as a hand-edited settings.json may hold, are skipped).
 * Compiled matchers are cached per pattern list. */
export function globMatcher(patterns: readonly unknown[], options: GlobOptions = {}): GlobMatcher {
  const key = JSON.stringify([patterns, Boolean(options.nocase)]);
  const cached = cache.get(key);
  if (cached) return cached;
  const compiled = patterns.map((p) => compile(p as string, options)).filter((c): c is Compiled => c !== undefined);
  // The same files are asked about again and again (every keystroke, every routing decision): answers are kept.
  const answers = new Map<string, string | null>();
  const matcher: GlobMatcher = (paths) => {
    const key = paths.join('\0');
    const known = answers.get(key);
    if (known !== undefined) return known ?? undefined;
    const candidates = paths.filter((p): p is string => typeof p === 'string' && p.length > 0).map(normalizePath);
    let found: string | null = null;
    for (const c of compiled) {
      if (candidates.some((path) => c.test(path))) {
        found = c.pattern;
        break;
      }
    }
    if (answers.size >= 4096) answers.clear();
    answers.set(key, found);
    return found ?? undefined;
  };
  if (cache.size > 64) cache.clear();
  cache.set(key, matcher);
  return matcher;
}
