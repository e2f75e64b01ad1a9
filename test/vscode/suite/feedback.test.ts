// Feedback on inline suggestions through the whole stack: VS Code shows and accepts a suggestion from the engine,
// the extension reads what happened (shown, accepted whole, accepted by word, kept), and every signal reaches the
// engine's ledger linked to the suggestion's entry. The runner shortens the retention checks
// (TANDEM_RETENTION_MS) so "still there after 30 s" is checked within the test.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { TandemApi } from '../../../src/ctx';
import type { LedgerFeedback, LedgerResult } from '../../../src/shared/protocol';
import { tandem, waitFor, workspaceFile } from './helpers';

const TYPED = '\nexport function shout(name: string): string {\n  return ';

async function api(): Promise<TandemApi> {
  const exported = (await tandem().activate()) as TandemApi;
  assert.ok(await exported.whenEngineRunning(60_000), 'the Tandem engine did not start within 60 s');
  return exported;
}

async function typeAtEnd(editor: vscode.TextEditor, text: string): Promise<string> {
  const end = editor.document.lineAt(editor.document.lineCount - 1).range.end;
  assert.ok(await editor.edit((edit) => edit.insert(end, text)), 'VS Code refused the edit');
  const last = editor.document.lineAt(editor.document.lineCount - 1).range.end;
  editor.selection = new vscode.Selection(last, last);
  return editor.document.getText();
}

/** Asks for a suggestion and runs `accept` until it inserts something; returns the inserted text. */
async function acceptWith(editor: vscode.TextEditor, typed: string, accept: string, what: string): Promise<string> {
  return waitFor(what, 60_000, async () => {
    await vscode.commands.executeCommand('editor.action.inlineSuggest.trigger');
    for (let i = 0; i < 20; i++) {
      await new Promise((r) => setTimeout(r, 500));
      await vscode.commands.executeCommand(accept);
      const text = editor.document.getText();
      if (text.length > typed.length) return text.slice(typed.length);
    }
    return undefined;
  }, 0);
}

function signals(ledger: LedgerResult, entryIds: Set<string>): LedgerFeedback[] {
  return ledger.feedback.filter((f) => entryIds.has(f.entryId));
}

export function registerFeedbackTests(): void {
  suite('Feedback on inline suggestions', () => {
    let editor: vscode.TextEditor;

    suiteSetup(async () => {
      await api();
      editor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(workspaceFile('src/greet.ts')));
    });

    suiteTeardown(async () => {
      await vscode.commands.executeCommand('workbench.action.files.revert');
    });

    test('a suggestion accepted whole is shown, accepted and kept, in the ledger with its completion entry', async () => {
      const { engine } = await api();
      const before = (await engine.ledger({ limit: 200 })).feedback.map((f) => f.id);
      const typed = await typeAtEnd(editor, TYPED);
      const inserted = await acceptWith(editor, typed, 'editor.action.inlineSuggest.commit', 'an inline suggestion to accept whole');
      assert.ok(inserted.trim().length > 0);
      // The retention check (shortened by the runner) and the client's 5 s batch of "shown" counts.
      const ledger = await waitFor('shown, accepted and retained feedback in the ledger', 30_000, async () => {
        const l = await engine.ledger({ limit: 200 });
        const completions = new Set(l.entries.filter((e) => e.kind === 'completion').map((e) => e.id));
        const fresh = signals(l, completions).filter((f) => !before.includes(f.id));
        const got = new Set(fresh.map((f) => f.signal));
        return got.has('completion-shown') && got.has('completion-accepted') && got.has('completion-retained-30s') ? fresh : undefined;
      });
      const accepted = ledger.find((f) => f.signal === 'completion-accepted');
      const entries = (await engine.ledger({ limit: 200 })).entries;
      const entry = entries.find((e) => e.id === accepted?.entryId);
      assert.equal(entry?.kind, 'completion', 'the accept is linked to a completion entry');
      assert.equal(entry?.route, 'local');
      assert.ok((entry?.count ?? 0) >= 1 && (entry?.counterfactualUsd ?? 0) > 0, `the entry counts its requests and their cloud cost: ${JSON.stringify(entry)}`);
      assert.equal(accepted?.chars, inserted.length, 'the accepted length is what VS Code inserted');
    });

    // Accept Line rather than Accept Word: the fixture model's suggestions are random text, and a one-character
    // "word" is indistinguishable from typing it.
    test('accepting the next line of a suggestion is recorded as an accept of what was inserted', async () => {
      const { engine } = await api();
      await vscode.commands.executeCommand('workbench.action.files.revert');
      const typed = await typeAtEnd(editor, TYPED);
      const before = (await engine.ledger({ limit: 200 })).feedback.length;
      const inserted = await acceptWith(editor, typed, 'editor.action.inlineSuggest.acceptNextLine', 'an inline suggestion to accept line by line');
      let seen = '';
      const partial = await waitFor(`the line accept in the ledger (VS Code inserted ${JSON.stringify(inserted)})`, 20_000, async () => {
        const l = await engine.ledger({ limit: 200 });
        seen = l.feedback.slice(before).map((f) => `${f.signal}:${f.chars ?? ''}`).join(', ');
        return l.feedback.slice(before).find((f) => f.signal === 'completion-accepted-line' || f.signal === 'completion-accepted');
      }).catch((error: unknown) => {
        throw new Error(`${error instanceof Error ? error.message : String(error)}; feedback since: ${seen || 'none'}`);
      });
      assert.equal(partial.chars, inserted.length, `recorded ${partial.signal} of ${partial.chars} characters; VS Code inserted "${inserted}"`);
    });
  });
}
