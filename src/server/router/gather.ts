// Reading the files of a request: open documents win over disk. For refactors, the engine also searches the
// workspace folders for files mentioning the identifier being renamed, within fixed bounds.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { TextDocuments } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { ContextFile } from '../../shared/protocol.js';
import { toPath, type FileIdentity } from './local-only.js';
import { lineCount } from './prompts.js';
import { readFileSafely } from './safe-read.js';

export const SEARCH_LIMITS = {
  /** Directory entries looked at, in all. */
  maxEntries: 20_000,
  maxFileBytes: 512 * 1024,
  /** Files added by the search. */
  maxMatches: 25,
  maxTotalBytes: 2 * 1024 * 1024,
};

const SKIP_DIRS = new Set(['node_modules', '.git', '.hg', '.svn', 'dist', 'out', 'build', 'coverage', '.vscode-test', '.next', 'target', '__pycache__', '.venv', 'venv', '.cache']);

export interface ReadFile {
  uri: string;
  /** The text sent: the whole file, or the range's lines. */
  text: string;
  /** The whole file when known (refactors validate edits against it). */
  fullText?: string;
  startLine: number;
  endLine: number;
  languageId?: string;
  /** Why the file could not be read, if so. */
  error?: string;
}

function openDocument(documents: TextDocuments<TextDocument>, uri: string): TextDocument | undefined {
  const direct = documents.get(uri);
  if (direct) return direct;
  const path = toPath(uri);
  return documents.all().find((d) => d.uri.startsWith('file:') && toPath(d.uri) === path);
}

function isBinary(buf: Buffer): boolean {
  return buf.subarray(0, 8192).includes(0);
}

/** `identity`: who the privacy rules judged the file to be. A file on disk is then read at its real path, and not
 * through a link that appeared since, so the text is the text of the file that was judged (a symlink swapped to
 * point at `.env` after the check is not followed). */
export async function readContextFile(file: ContextFile, documents: TextDocuments<TextDocument>, identity?: FileIdentity): Promise<ReadFile> {
  const range = file.range;
  let full: string | undefined;
  let uri = file.uri;
  let languageId = file.languageId;
  if (typeof file.text === 'string') {
    const lines = lineCount(file.text);
    return { uri, text: file.text, startLine: range?.startLine ?? 0, endLine: range ? range.startLine + lines - 1 : lines - 1, languageId, ...(range ? {} : { fullText: file.text }) };
  }
  const doc = openDocument(documents, file.uri);
  if (doc) {
    full = doc.getText();
    uri = doc.uri;
    languageId ??= doc.languageId;
  } else {
    const read = await readFileSafely(identity?.real?.absolute ?? toPath(file.uri), undefined, identity !== undefined);
    if (!read.ok) return { uri, text: '', startLine: 0, endLine: 0, error: read.error };
    if (isBinary(read.buf)) return { uri, text: '', startLine: 0, endLine: 0, error: 'it is a binary file' };
    full = read.buf.toString('utf8');
  }
  if (!range) return { uri, text: full, fullText: full, startLine: 0, endLine: lineCount(full) - 1, languageId };
  const lines = full.split('\n');
  const start = Math.max(0, Math.min(range.startLine, lines.length - 1));
  const end = Math.max(start, Math.min(range.endLine, lines.length - 1));
  return { uri, text: lines.slice(start, end + 1).join('\n'), fullText: full, startLine: start, endLine: end, languageId };
}

/** Files under the workspace folders that mention `identifier` as a whole word, within SEARCH_LIMITS; only paths
 * that `accept` takes are read. */
export async function searchWorkspace(
  folders: string[],
  identifier: string,
  documents: TextDocuments<TextDocument>,
  exclude: Set<string>,
  signal?: AbortSignal,
  accept: (path: string) => boolean = () => true,
): Promise<ContextFile[]> {
  const word = new RegExp(`(?<![\\w$])${identifier.replace(/[$]/g, '\\$')}(?![\\w$])`);
  const found: ContextFile[] = [];
  let entries = 0;
  let bytes = 0;
  const queue = [...folders];
  while (queue.length > 0 && found.length < SEARCH_LIMITS.maxMatches && entries < SEARCH_LIMITS.maxEntries && !signal?.aborted) {
    const dir = queue.shift() as string;
    let list;
    try {
      list = await readdir(dir, { withFileTypes: true });
    } catch {
      continue;
    }
    list.sort((a, b) => a.name.localeCompare(b.name));
    for (const entry of list) {
      if (++entries > SEARCH_LIMITS.maxEntries || found.length >= SEARCH_LIMITS.maxMatches) break;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!SKIP_DIRS.has(entry.name)) queue.push(path);
        continue;
      }
      if (!entry.isFile() || exclude.has(path) || !accept(path)) continue;
      const uri = pathToFileURL(path).href;
      const doc = openDocument(documents, uri);
      let text: string;
      if (doc) text = doc.getText();
      else {
        // A regular file when listed (links are not followed): not through a link that replaced it since.
        const read = await readFileSafely(path, Math.min(SEARCH_LIMITS.maxFileBytes, SEARCH_LIMITS.maxTotalBytes - bytes), true);
        if (!read.ok || isBinary(read.buf)) continue;
        text = read.buf.toString('utf8');
      }
      if (!word.test(text)) continue;
      bytes += text.length;
      found.push({ uri: doc?.uri ?? uri, text });
    }
  }
  return found;
}
