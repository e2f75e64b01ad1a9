// Feeds CompletionFeedback from VS Code: the suggestions the language client's middleware sees come back, the
// item command VS Code runs on a whole accept, document edits and cursor moves. Feedback goes to the engine.
import * as vscode from 'vscode';
import { COMPLETION_ACCEPTED_COMMAND, type CompletionItemRef } from '../shared/protocol';
import type { EngineApi } from './engine-api';
import { CompletionFeedback } from './completion-feedback';

/** Tests shorten the retention checks with TANDEM_RETENTION_MS="30000,300000" (two numbers, milliseconds). */
function retentionFromEnv(value: string | undefined): [number, number] | undefined {
  const parts = (value ?? '').split(',').map(Number);
  return parts.length === 2 && parts.every((n) => Number.isFinite(n) && n > 0) ? [parts[0] as number, parts[1] as number] : undefined;
}

function isRef(value: unknown): value is CompletionItemRef {
  const r = value as Partial<CompletionItemRef> | null;
  return !!r && typeof r.entryId === 'string' && typeof r.text === 'string';
}

/** The ledger entry a suggestion of a provider result belongs to (the engine puts it on the item's command). */
export function suggestionRef(result: vscode.InlineCompletionItem[] | vscode.InlineCompletionList | null | undefined): CompletionItemRef | undefined {
  const items = Array.isArray(result) ? result : result?.items;
  const command = items?.[0]?.command;
  if (!command || command.command !== COMPLETION_ACCEPTED_COMMAND) return undefined;
  const ref: unknown = command.arguments?.[0];
  return isRef(ref) ? ref : undefined;
}

export class CompletionFeedbackWiring implements vscode.Disposable {
  readonly tracker: CompletionFeedback;
  private readonly disposables: vscode.Disposable[];

  constructor(engine: EngineApi) {
    this.tracker = new CompletionFeedback({
      send: (feedback) => engine.feedback(feedback),
      textOf: async (uri) => {
        try {
          return (await vscode.workspace.openTextDocument(vscode.Uri.parse(uri))).getText();
        } catch {
          return undefined;
        }
      },
      setTimer: (fn, ms) => setTimeout(fn, ms),
      clearTimer: (handle) => clearTimeout(handle as NodeJS.Timeout),
      retentionMs: retentionFromEnv(process.env.TANDEM_RETENTION_MS),
    });
    this.disposables = [
      vscode.commands.registerCommand(COMPLETION_ACCEPTED_COMMAND, (ref: unknown) => {
        if (isRef(ref)) this.tracker.acceptedWhole(ref);
      }),
      vscode.workspace.onDidChangeTextDocument((event) => {
        if (event.contentChanges.length === 0) return;
        this.tracker.changed(
          event.document.uri.toString(),
          event.contentChanges.map((c) => ({ rangeOffset: c.rangeOffset, rangeLength: c.rangeLength, text: c.text })),
        );
      }),
      vscode.window.onDidChangeTextEditorSelection((event) => {
        const active = event.selections[0]?.active;
        this.tracker.cursorAt(event.textEditor.document.uri.toString(), active ? event.textEditor.document.offsetAt(active) : undefined);
      }),
      vscode.window.onDidChangeActiveTextEditor((editor) => {
        const active = editor?.selection.active;
        this.tracker.cursorAt(editor?.document.uri.toString(), editor && active ? editor.document.offsetAt(active) : undefined);
      }),
    ];
  }

  /** The middleware got a provider result: the suggestion is on screen if the cursor is still where it was asked. */
  onResult(document: vscode.TextDocument, position: vscode.Position, result: vscode.InlineCompletionItem[] | vscode.InlineCompletionList | null | undefined): void {
    const ref = suggestionRef(result);
    const editor = vscode.window.activeTextEditor;
    if (!ref || !ref.text || editor?.document !== document || !editor.selection.active.isEqual(position)) return;
    this.tracker.offered({ entryId: ref.entryId, uri: document.uri.toString(), offset: document.offsetAt(position), text: ref.text });
  }

  dispose(): void {
    this.tracker.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
