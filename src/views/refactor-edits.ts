// Refactors from chat: right before applying, each file is checked again (real path inside a workspace folder,
// text unchanged since the edits were made: refactor-plan.ts), then VS Code's Refactor Preview opens with the
// edits ticked, so one click on Apply writes them. Edits to files that run code start unticked and say why.
// Afterwards the documents are read back: the chat reports what they really hold, not what was asked for, and
// an undo that brings a file back within 5 minutes is noticed.
import { realpath, stat } from 'node:fs/promises';
import * as vscode from 'vscode';
import { EditTargetChecker } from '../shared/edit-targets';
import type { AppliedFile, RefusedFile } from '../shared/webview';
import { describeUri } from './chat-context';
import { appliedFiles, planApply, type ApplyPlan, type PendingRefactor, type TargetState } from './refactor-plan';

export interface ApplyReport {
  outcome: 'applied' | 'discarded' | 'stale' | 'failed';
  applied: AppliedFile[];
  refused: RefusedFile[];
  message?: string;
  /** Files the apply changed, with their text before: an undo that brings one back takes the refactor back. */
  changed: { uri: string; before: string }[];
}

/** An undo this soon after applying counts as taking the refactor back. */
export const UNDO_WINDOW_MS = 5 * 60_000;

/** "Tandem: rename" for a rename request, "Tandem: refactor" otherwise. */
export function refactorLabel(prompt: string): string {
  return /^\s*\/?rename\b/i.test(prompt) ? 'Tandem: rename' : 'Tandem: refactor';
}

export function toWorkspaceEdit(plan: ApplyPlan, label: string, prompt: string): vscode.WorkspaceEdit {
  const edit = new vscode.WorkspaceEdit();
  const description = prompt.length > 80 ? `${prompt.slice(0, 77)}…` : prompt;
  const chosen: vscode.WorkspaceEditEntryMetadata = { needsConfirmation: false, label, description, iconPath: new vscode.ThemeIcon('sparkle') };
  for (const { spec, runsCode } of plan.edits) {
    const range = new vscode.Range(spec.range.start.line, spec.range.start.character, spec.range.end.line, spec.range.end.character);
    const metadata: vscode.WorkspaceEditEntryMetadata = runsCode
      ? { needsConfirmation: true, label: 'Runs code: tick only after reading it', description: runsCode, iconPath: new vscode.ThemeIcon('warning') }
      : chosen;
    edit.replace(vscode.Uri.parse(spec.uri, true), range, spec.newText, metadata);
  }
  // VS Code shows its Refactor Preview only when some edit needs confirmation, and such an edit starts unticked.
  // With no run-code edit to do that, a "create if missing" of a file that exists asks for it: the preview
  // leaves that no-op out of its list, so it opens with every edit ticked and writes nothing extra.
  const first = plan.edits[0];
  if (first && !plan.edits.some((e) => e.runsCode)) {
    edit.createFile(vscode.Uri.parse(first.spec.uri, true), { ignoreIfExists: true }, { needsConfirmation: true, label });
  }
  return edit;
}

async function currentState(uri: string, checker: EditTargetChecker): Promise<TargetState> {
  let parsed: vscode.Uri | undefined;
  try {
    parsed = vscode.Uri.parse(uri, true);
  } catch {
    return { label: uri, description: uri, verdict: { ok: false, reason: 'its address cannot be read' } };
  }
  const { label, description } = describeUri(parsed);
  // The path checked is the one VS Code would write: its own parse of the URI, not the engine's.
  const verdict =
    parsed.scheme === 'file' && !parsed.authority ? await checker.check(parsed.fsPath) : { ok: false as const, reason: "it is not a file on this machine's disk" };
  if (!verdict.ok) return { label, description, verdict };
  try {
    return { label, description, verdict, text: (await vscode.workspace.openTextDocument(parsed)).getText() };
  } catch {
    return { label, description, verdict };
  }
}

/** Checks, opens the Refactor Preview (edits ticked), and reports what the documents hold afterwards. */
export async function applyRefactor(pending: PendingRefactor): Promise<ApplyReport> {
  const folders = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath);
  const checker = new EditTargetChecker(folders, { realpath, stat });
  const states = new Map<string, TargetState>();
  for (const uri of new Set(pending.specs.map((s) => s.uri))) states.set(uri, await currentState(uri, checker));
  const plan = planApply(pending, states);
  if (plan.stop) return { outcome: 'stale', applied: [], refused: plan.refused, message: plan.stop, changed: [] };
  if (plan.edits.length === 0) return { outcome: 'failed', applied: [], refused: plan.refused, message: 'Every proposed edit is to a file Tandem does not edit; no file was changed.', changed: [] };

  const ok = await vscode.workspace.applyEdit(toWorkspaceEdit(plan, refactorLabel(pending.prompt), pending.prompt), { isRefactoring: true });
  const after = new Map<string, { text: string; saved: boolean }>();
  for (const uri of new Set(plan.edits.map((e) => e.spec.uri))) {
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.parse(uri, true)).then(undefined, () => undefined);
    if (doc) after.set(uri, { text: doc.getText(), saved: !doc.isDirty });
  }
  const applied = appliedFiles(plan, states, after);
  const written = applied.some((f) => f.applied === null || f.applied > 0);
  const changed: ApplyReport['changed'] = [];
  for (const [uri, now] of after) {
    const before = states.get(uri)?.text;
    if (before !== undefined && before !== now.text) changed.push({ uri, before });
  }
  return { outcome: ok && written ? 'applied' : 'discarded', applied, refused: plan.refused, changed };
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
