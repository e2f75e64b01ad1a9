// Shared helpers for the extension-host suite: the extension under test and bounded waits.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';

export const EXTENSION_ID = 'tandem-dev.tandem';

export function tandem(): vscode.Extension<unknown> {
  const extension = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(extension, `${EXTENSION_ID} is not installed in this VS Code`);
  return extension;
}

export { waitUntil as waitFor } from '../../support/wait';

export function workspaceFile(relative: string): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'VS Code opened no workspace folder (the runner passes test/fixtures/workspace)');
  return vscode.Uri.joinPath(folder.uri, relative);
}
