// Refactors from chat: validated TextEditSpec[] become one WorkspaceEdit whose every edit needs confirmation,
// applied with isRefactoring so VS Code opens its Refactor Preview. Nothing is written before the user applies.
import * as vscode from 'vscode';
import type { TextEditSpec } from '../shared/protocol';

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

/** Opens the Refactor Preview; resolves true when the user applied the edits, false when discarded. */
export async function previewEdits(specs: readonly TextEditSpec[], prompt: string): Promise<boolean> {
  const edit = toWorkspaceEdit(specs, refactorLabel(prompt), prompt);
  return vscode.workspace.applyEdit(edit, { isRefactoring: true });
}
