// Context for chat questions: chips from the active editor (current file, selection), @-mention search over
// workspace files (bounded), and turning chips into the files sent to the engine.
import * as vscode from 'vscode';
import { lineSpan } from '../shared/lines';
import type { ContextFile } from '../shared/protocol';
import type { ContextChip } from '../shared/webview';
import { rankMentions, type MentionCandidate } from './mention-rank';

/** Files listed for @-mentions at most, and how long the list is reused. */
const MENTION_FILE_LIMIT = 5000;
const MENTION_CACHE_MS = 30_000;
const MENTION_EXCLUDE = '{**/node_modules/**,**/.git/**,**/dist/**,**/out/**,**/build/**,**/.vscode-test/**,**/*.gguf,**/*.png,**/*.jpg,**/*.ttf}';

const CHAT_SCHEMES = new Set(['file', 'untitled', 'vscode-remote', 'vscode-vfs']);

export function describeUri(uri: vscode.Uri | string): { label: string; description: string } {
  const u = typeof uri === 'string' ? vscode.Uri.parse(uri) : uri;
  const path = u.scheme === 'untitled' ? u.path : vscode.workspace.asRelativePath(u, false);
  const label = path.slice(path.lastIndexOf('/') + 1) || path;
  return { label, description: path };
}

/** Current file and (when not empty) the selection of the active editor. */
export function editorChips(editor: vscode.TextEditor | undefined): ContextChip[] {
  if (!editor || !CHAT_SCHEMES.has(editor.document.uri.scheme)) return [];
  const uri = editor.document.uri.toString();
  const { label, description } = describeUri(editor.document.uri);
  const chips: ContextChip[] = [{ key: `file:${uri}`, kind: 'file', uri, label, description }];
  const sel = editor.selection;
  if (!sel.isEmpty) {
    const range = selectionLines(sel);
    chips.unshift({
      key: `selection:${uri}:${range.startLine}-${range.endLine}`,
      kind: 'selection',
      uri,
      label: `${label}:${lineSpan(range.startLine, range.endLine)}`,
      description: `Selection in ${description}`,
      range,
    });
  }
  return chips;
}

/** 0-based inclusive lines of a selection; a selection ending at column 0 does not take that line. */
export function selectionLines(sel: vscode.Selection | vscode.Range): { startLine: number; endLine: number } {
  const endLine = sel.end.character === 0 && sel.end.line > sel.start.line ? sel.end.line - 1 : sel.end.line;
  return { startLine: sel.start.line, endLine };
}

function openDocument(uri: string): vscode.TextDocument | undefined {
  return vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri);
}

/** Files for the engine. Unsaved and untitled documents send their text; saved files are read by the engine. */
export function chipsToFiles(chips: readonly ContextChip[]): ContextFile[] {
  const files: ContextFile[] = [];
  for (const chip of chips) {
    const doc = openDocument(chip.uri);
    if (chip.kind === 'selection' && chip.range) {
      const text = doc?.getText(new vscode.Range(chip.range.startLine, 0, chip.range.endLine + 1, 0));
      files.push({ uri: chip.uri, range: chip.range, text, languageId: doc?.languageId });
      continue;
    }
    // A selection of the same file already says what matters; the whole file still goes along as context.
    if (files.some((f) => f.uri === chip.uri && !f.range)) continue;
    const needsText = doc && (doc.isUntitled || doc.isDirty);
    files.push({ uri: chip.uri, text: needsText ? doc.getText() : undefined, languageId: doc?.languageId });
  }
  return files;
}

/** Workspace files for @-mentions, listed once per 30 s with vscode.workspace.findFiles (bounded). */
export class MentionIndex {
  private files: (MentionCandidate & { label: string })[] = [];
  private listedAt = 0;
  private listing: Promise<void> | undefined;

  async search(query: string, limit = 20): Promise<ContextChip[]> {
    if (Date.now() - this.listedAt > MENTION_CACHE_MS) await this.refresh();
    return rankMentions(this.files, query, limit).map((f) => ({ key: `mention:${f.uri}`, kind: 'mention', uri: f.uri, label: f.label, description: f.path }));
  }

  private refresh(): Promise<void> {
    this.listing ??= (async () => {
      const source = new vscode.CancellationTokenSource();
      const timer = setTimeout(() => source.cancel(), 5000);
      try {
        const uris = await vscode.workspace.findFiles('**/*', MENTION_EXCLUDE, MENTION_FILE_LIMIT, source.token);
        this.files = uris.map((uri) => {
          const { label, description } = describeUri(uri);
          return { uri: uri.toString(), path: description, label };
        });
        this.listedAt = Date.now();
      } finally {
        clearTimeout(timer);
        source.dispose();
        this.listing = undefined;
      }
    })();
    return this.listing;
  }
}
