// Applies the pure completion gate to a VS Code document. Runs on every inline completion request, so the
// UTF-8 size is only computed when the character count alone cannot decide.
import * as vscode from 'vscode';
import type { TandemSettings } from '../shared/settings';
import { completionBlock, type CompletionBlock } from './completion-gate';

const sizeCache = new WeakMap<vscode.TextDocument, { version: number; bytes: number }>();

function utf8Size(document: vscode.TextDocument, maxFileBytes: number): number {
  const chars = document.offsetAt(document.lineAt(document.lineCount - 1).range.end);
  // A character is 1 to 3 UTF-8 bytes (4 for a surrogate pair, which is 2 characters).
  if (maxFileBytes <= 0 || chars * 3 <= maxFileBytes || chars > maxFileBytes) return chars;
  const cached = sizeCache.get(document);
  if (cached && cached.version === document.version) return cached.bytes;
  const bytes = Buffer.byteLength(document.getText(), 'utf8');
  sizeCache.set(document, { version: document.version, bytes });
  return bytes;
}

export function documentBlock(document: vscode.TextDocument, settings: TandemSettings): CompletionBlock | undefined {
  const { completions } = settings;
  const folder = vscode.workspace.getWorkspaceFolder(document.uri);
  const onDisk = document.uri.scheme === 'file';
  return completionBlock({
    enabled: completions.enabled,
    exclude: completions.exclude,
    maxFileBytes: completions.maxFileBytes,
    relativePath: folder ? vscode.workspace.asRelativePath(document.uri, false) : undefined,
    absolutePath: onDisk ? document.uri.fsPath.replace(/\\/g, '/') : undefined,
    sizeBytes: utf8Size(document, completions.maxFileBytes),
  });
}
