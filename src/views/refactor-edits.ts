// Refactors from chat: validated TextEditSpec[] become one WorkspaceEdit whose every edit needs confirmation,
// applied with isRefactoring so VS Code opens its Refactor Preview. Nothing is written before the user applies.
// Afterwards the files are compared with their text before, so the chat reports what was really written, and an
// undo that brings a file back within 5 minutes is noticed.
import * as vscode from 'vscode';
import type { TextEditSpec } from '../shared/protocol';
import { refactorResult, type RefactorResult } from './refactor-outcome';

/** An undo this soon after applying counts as taking the refactor back. */
export const UNDO_WINDOW_MS = 5 * 60_000;

/** "Tandem: rename" for a rename request, "Tandem: refactor" otherwise. */
export function refactorLabel(prompt: string): string {
  return /^\s*\/?rename\b/i.test(prompt) ? 'Tandem: rename' : 'Tandem: refactor';
}

export function toWorkspaceEdit(specs: readonly TextEditSpec[], label: string, prompt: string): vscode.WorkspaceEdit {
  const edit = new vscode.WorkspaceEdit();
  const metadata: vscode.WorkspaceEditEntryMetadata = {
    needsConfirmation: true,
    label,
    description: prompt.length > 80 ? `${prompt.slice(0, 77)}…` : prompt,
    iconPath: new vscode.ThemeIcon('sparkle'),
  };
  for (const spec of specs) {
    const range = new vscode.Range(spec.range.start.line, spec.range.start.character, spec.range.end.line, spec.range.end.character);
    edit.replace(vscode.Uri.parse(spec.uri), range, spec.newText, metadata);
  }
  return edit;
}

async function textOf(uri: string): Promise<string | undefined> {
  try {
    return (await vscode.workspace.openTextDocument(vscode.Uri.parse(uri))).getText();
  } catch {
    return undefined;
  }
}

/** Opens the Refactor Preview; resolves with what was written once the user applied (some of) the edits or discarded. */
export async function previewEdits(specs: readonly TextEditSpec[], prompt: string): Promise<RefactorResult> {
  const uris = [...new Set(specs.map((s) => s.uri))];
  const before = new Map<string, string | undefined>();
  for (const uri of uris) before.set(uri, await textOf(uri));
  const edit = toWorkspaceEdit(specs, refactorLabel(prompt), prompt);
  const applied = await vscode.workspace.applyEdit(edit, { isRefactoring: true });
  const texts = new Map<string, { before: string; after: string }>();
  for (const uri of uris) {
    const was = before.get(uri);
    if (was === undefined) continue;
    texts.set(uri, { before: was, after: applied ? ((await textOf(uri)) ?? was) : was });
  }
  return refactorResult(specs, texts);
}

/** Calls `onUndone` once if, within UNDO_WINDOW_MS, an undo brings one of the files back to its text before. */
export function watchUndo(files: readonly { uri: string; before: string }[], onUndone: () => void): vscode.Disposable {
  const wanted = new Map(files.map((f) => [f.uri, f.before]));
  const stop = (): void => {
    clearTimeout(timer);
    sub.dispose();
  };
  const sub = vscode.workspace.onDidChangeTextDocument((event) => {
    if (event.reason !== vscode.TextDocumentChangeReason.Undo) return;
    const before = wanted.get(event.document.uri.toString());
    if (before === undefined || event.document.getText() !== before) return;
    stop();
    onUndone();
  });
  const timer = setTimeout(stop, UNDO_WINDOW_MS);
  return { dispose: stop };
}
