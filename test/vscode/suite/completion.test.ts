// Inline completions through the whole stack: the extension's provider, the engine process and the local
// fixture model. What the user notices: after typing, accepting the suggestion puts the model's text in
// the file; after "Tandem: Restart Engine" that still works.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { tandem, waitFor, workspaceFile } from './helpers';

const TYPED = '\nexport function farewell(name: string): string {\n  return ';

async function typeAtEnd(editor: vscode.TextEditor, text: string): Promise<void> {
  const end = editor.document.lineAt(editor.document.lineCount - 1).range.end;
  // One edit rather than keystrokes: auto-closing brackets would add text the test did not type.
  const applied = await editor.edit((edit) => edit.insert(end, text));
  assert.ok(applied, 'VS Code refused the edit');
  const last = editor.document.lineAt(editor.document.lineCount - 1).range.end;
  editor.selection = new vscode.Selection(last, last);
}

/**
 * Asks for an inline suggestion, then tries to accept it every half second while the engine works (the first
 * request also loads the model); asks again every 10 s. Returns the inserted text.
 */
async function acceptSuggestion(editor: vscode.TextEditor, typedText: string, what: string): Promise<string> {
  const inserted = (): string | undefined => {
    const text = editor.document.getText();
    return text.length > typedText.length ? text.slice(typedText.length) : undefined;
  };
  return waitFor(what, 60_000, async () => {
    await vscode.commands.executeCommand('editor.action.inlineSuggest.trigger');
    for (let i = 0; i < 20; i++) {
      await new Promise((r) => setTimeout(r, 500));
      await vscode.commands.executeCommand('editor.action.inlineSuggest.commit');
      const text = inserted();
      if (text !== undefined) return text;
    }
    return undefined;
  }, 0);
}

export function registerCompletionTests(): void {
  suite('Inline completions', () => {
    let editor: vscode.TextEditor;
    let typed = '';

    suiteSetup(async () => {
      await tandem().activate();
      const document = await vscode.workspace.openTextDocument(workspaceFile('src/greet.ts'));
      editor = await vscode.window.showTextDocument(document);
    });

    suiteTeardown(async () => {
      await vscode.commands.executeCommand('workbench.action.files.revert');
    });

    test('accepting the suggestion inserts the local model text', async () => {
      await typeAtEnd(editor, TYPED);
      typed = editor.document.getText();
      assert.ok(typed.endsWith(TYPED));
      const inserted = await acceptSuggestion(editor, typed, 'an inline suggestion from Tandem to accept in src/greet.ts');
      assert.ok(inserted.trim().length > 0, 'the accepted suggestion was empty');
      assert.ok(editor.document.getText().startsWith(typed), 'accepting changed text before the cursor');
      const status = (tandem().exports as { statusText?: () => string } | undefined)?.statusText?.() ?? '';
      assert.match(status, /tiny.*\(CPU\)/, `the status bar says "${status}" once the fixture model answered`);
    });

    test('suggestions come back after Tandem: Restart Engine', async () => {
      await vscode.commands.executeCommand('tandem.restartEngine');
      await vscode.commands.executeCommand('workbench.action.files.revert');
      await typeAtEnd(editor, TYPED);
      typed = editor.document.getText();
      const inserted = await acceptSuggestion(editor, typed, 'an inline suggestion after the engine restarted');
      assert.ok(inserted.trim().length > 0);
    });
  });
}
